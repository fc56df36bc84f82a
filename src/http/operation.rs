//! One GraphQL operation, whichever transport brought it: HTTP (`super::graphql`) and
//! websockets (`super::ws`) read the bearer token, admit the caller, build the request,
//! run it in the driven executor and order the response here, so a fix lands once for
//! both.

use std::sync::Arc;

use async_graphql::{
    Response, Variables,
    parser::types::{DocumentOperations, ExecutableDocument},
};
use futures_util::{FutureExt, Stream, StreamExt};
use serde_json::{Map, Value};

use crate::{
    auth::Caller,
    error::{AppError, AppResult},
    graphql::{Driven, request_data, response_order::order_like_query, subscription_data},
    startup::AppState,
};

/// What a client asks to run.
pub struct Params {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
    /// Files of a multipart request, named in `variables` by async-graphql's placeholders.
    pub uploads: Vec<async_graphql::UploadValue>,
}

/// The token of an `Authorization`-style value: `Bearer <token>` (any capitalisation of
/// the scheme), or the bare token when `bare` is allowed (websocket init payloads).
pub fn bearer_token(value: &str, bare: bool) -> Option<&str> {
    let value = value.trim();
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => Some(token.trim()),
        _ if bare => Some(value),
        _ => None,
    }
}

/// The caller named by a token (anonymous without one).
pub fn authenticate(state: &AppState, token: Option<&str>) -> AppResult<Caller> {
    match token {
        None => Ok(Caller::Anonymous),
        Some(token) => match state.tokens.verify(token) {
            Ok(caller) if !state.departed.refuses(&caller) => Ok(caller),
            _ => Err(AppError::InvalidToken),
        },
    }
}

/// Lets one more operation of `caller` in, or refuses it beyond its rate.
pub fn admit(state: &AppState, caller: &Caller) -> AppResult<()> {
    state
        .rate_limiter
        .check(&caller.limit_key(), std::time::Instant::now())
        .map_err(|retry_after| AppError::RateLimited { retry_after })
}

pub use crate::graphql::selected_operation as selected;

/// The name an operation is known by: the one asked for, or that of a document's only
/// named operation.
pub fn name_of(doc: Option<&ExecutableDocument>, asked: Option<&str>) -> Option<String> {
    if let Some(name) = asked {
        return Some(name.to_owned());
    }
    match doc.map(|d| &d.operations) {
        Some(DocumentOperations::Multiple(ops)) if ops.len() == 1 => {
            ops.keys().next().map(ToString::to_string)
        }
        _ => None,
    }
}

/// An operation ready to run: the request with its caller and loaders attached.
pub struct Prepared {
    request: async_graphql::Request,
    doc: Option<Arc<ExecutableDocument>>,
    name: Option<String>,
}

impl Prepared {
    /// `params` for `caller`; `doc` is the document already parsed from `params.query`
    /// (`None` when it does not parse: async-graphql then reports why).
    pub fn new(params: Params, doc: Option<Arc<ExecutableDocument>>) -> Self {
        let mut request = async_graphql::Request::new(params.query)
            .variables(Variables::from_json(Value::Object(params.variables)));
        request.uploads = params.uploads;
        if let Some(doc) = &doc {
            request.set_parsed_query(ExecutableDocument::clone(doc));
        }
        if let Some(name) = &params.operation_name {
            request = request.operation_name(name);
        }
        Self {
            request,
            doc,
            name: params.operation_name,
        }
    }

    /// Adds request data (before running).
    pub fn data<D: std::any::Any + Send + Sync>(mut self, data: D) -> Self {
        self.request = self.request.data(data);
        self
    }

    /// Runs a query or mutation to its one response, in the order the query asked.
    pub async fn run(self, state: &AppState, caller: Caller) -> Response {
        let (request, batches) = request_data(self.request, &state.db, caller);
        let mut response = Driven::new(state.schema.execute(request).boxed(), batches).await;
        if let Some(doc) = &self.doc {
            order_like_query(&mut response.data, doc, self.name.as_deref());
        }
        response
    }

    /// Runs any operation as a stream of responses (one for a query or mutation), each in
    /// the order the query asked. Subscription loaders keep no cache between events.
    pub fn stream(
        self,
        state: &AppState,
        caller: Caller,
    ) -> impl Stream<Item = Response> + Send + 'static {
        let (request, batches) = subscription_data(self.request, &state.db, caller);
        let (doc, name) = (self.doc, self.name);
        Driven::new(state.schema.execute_stream(request), batches).map(
            move |mut response: Response| {
                if let Some(doc) = &doc {
                    order_like_query(&mut response.data, doc, name.as_deref());
                }
                response
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bearer_token_is_read_with_any_capitalisation_of_the_scheme() {
        assert_eq!(bearer_token("Bearer abc", false), Some("abc"));
        assert_eq!(bearer_token("bearer  abc ", false), Some("abc"));
        assert_eq!(bearer_token("Basic abc", false), None);
        assert_eq!(bearer_token("abc", false), None);
        assert_eq!(bearer_token("abc", true), Some("abc"));
    }
}
