//! One GraphQL operation, whichever transport brought it: HTTP (`super::graphql`) and
//! websockets (`super::ws`) read the bearer token, admit the caller, build the request,
//! run it in the driven executor and order the response here, so a fix lands once for
//! both.

use std::sync::Arc;

use async_graphql::{
    Response, ServerError, Value as GqlValue, Variables,
    parser::types::{DocumentOperations, ExecutableDocument},
};
use futures_util::{FutureExt, StreamExt, stream::BoxStream};
use serde_json::{Map, Value};

use crate::{
    auth::Caller,
    error::{AppError, AppResult},
    graphql::{
        Driven, document_size, field_errors::null_failed_fields, request_data,
        response_order::order_like_query, root::Execution, subscription_data,
    },
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
    /// The document and what its execution sees at the root, or why it cannot run.
    ready: Result<Execution, ServerError>,
}

/// The response of an operation, and whether it executed: else it failed as a whole,
/// as a request error (it did not parse or validate, or was refused before running).
pub struct Answer {
    pub response: Response,
    pub executed: bool,
}

impl Answer {
    fn refused(errors: Vec<ServerError>) -> Self {
        Self {
            response: Response::from_errors(errors),
            executed: false,
        }
    }
}

impl Prepared {
    /// `params` for `caller`; `doc` is `params.query` parsed, or why it did not parse
    /// (`document_size::parse`, through the transport's cache).
    pub fn new(params: Params, doc: Result<Arc<ExecutableDocument>, ServerError>) -> Self {
        let mut request = async_graphql::Request::new(params.query)
            .variables(Variables::from_json(Value::Object(params.variables)));
        request.uploads = params.uploads;
        let name = params.operation_name;
        let ready = doc
            .and_then(|doc| {
                document_size::check(&doc)?;
                if selected(&doc, name.as_deref()).is_none() {
                    let message = match &name {
                        Some(name) => format!("the document has no operation named {name:?}"),
                        None => "the document has several operations: name one (operationName)"
                            .to_owned(),
                    };
                    return Err(AppError::OperationNotFound(message).into_server_error(Vec::new()));
                }
                Ok(doc)
            })
            .map(|doc| {
                request.set_parsed_query(ExecutableDocument::clone(&doc));
                Execution::new(doc, name.clone())
            });
        if let Ok(execution) = &ready {
            request = request.data(execution.clone());
        }
        if let Some(name) = &name {
            request = request.operation_name(name);
        }
        Self { request, ready }
    }

    /// Runs a query or mutation to its one response, in the order the query asked.
    pub async fn run(self, state: &AppState, caller: Caller) -> Answer {
        let execution = match self.ready {
            Ok(execution) => execution,
            Err(err) => return Answer::refused(vec![err]),
        };
        let (request, batches) = request_data(self.request, &state.reads, caller);
        let response = Driven::new(state.schema.execute(request).boxed(), batches).await;
        finish(response, &execution)
    }

    /// Runs any operation as a stream of responses (one for a query or mutation), each in
    /// the order the query asked. Subscription loaders keep no cache between events.
    pub fn stream(self, state: &AppState, caller: Caller) -> BoxStream<'static, Response> {
        let execution = match self.ready {
            Ok(execution) => execution,
            Err(err) => {
                let answer = Answer::refused(vec![err]);
                return futures_util::stream::once(async move { answer.response }).boxed();
            }
        };
        let (request, batches) = subscription_data(self.request, &state.reads, caller);
        Driven::new(state.schema.execute_stream(request), batches)
            .map(move |response| finish(response, &execution).response)
            .boxed()
    }
}

/// What the specification makes of a response: request errors coded, failed fields
/// nulled, fields in query order.
fn finish(mut response: Response, execution: &Execution) -> Answer {
    if let Some(refused) = execution.refused() {
        return Answer::refused(refused.to_vec());
    }
    let executed =
        execution.started() || response.data != GqlValue::Null || response.errors.is_empty();
    if !executed {
        // async-graphql's own request errors (validation, variables) carry no code.
        for err in &mut response.errors {
            if err
                .extensions
                .as_ref()
                .and_then(|e| e.get("code"))
                .is_none()
            {
                let message = std::mem::take(&mut err.message);
                let locations = std::mem::take(&mut err.locations);
                *err = AppError::ValidationFailed(message).into_server_error(locations);
            }
        }
        document_size::cap_errors(&mut response.errors);
        return Answer { response, executed };
    }
    let (doc, name) = (execution.doc(), execution.operation_name());
    if let (Some(registry), Some(op)) = (execution.registry(), selected(doc, name)) {
        null_failed_fields(&mut response, registry, doc, op);
    }
    order_like_query(&mut response.data, doc, name);
    Answer { response, executed }
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
