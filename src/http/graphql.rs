//! GraphQL over HTTP, as the specification says: POST with JSON, GET for queries only,
//! `Accept` negotiation, and status codes that depend on the negotiated media type.
//!
//! async-graphql-axum's extractor answers every failure the same way, so requests are
//! read and answered here; only execution is left to async-graphql.

use crate::metrics::{self, Outcome};
use futures_util::FutureExt;
use tracing::Instrument;

use async_graphql::parser::types::OperationType;
use axum::{
    body::Bytes,
    extract::{Query, Request, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::{Map, Value};

use super::{
    negotiate::{MediaType, is_json, negotiate},
    operation::{self, Answer, Params, Prepared},
    parsed::ParsedQueries,
};
use crate::{error::AppError, service::Caller, startup::AppState};

/// A response that fails with `err` alone, before execution.
fn refusal(media: MediaType, status: StatusCode, err: AppError) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, media.content_type())],
        err.response_json(),
    )
        .into_response()
}

fn errors_body(media: MediaType, status: StatusCode, message: &str) -> Response {
    refusal(media, status, AppError::BadRequest(message.to_owned()))
}

fn not_acceptable() -> Response {
    refusal(
        MediaType::Json,
        StatusCode::NOT_ACCEPTABLE,
        AppError::BadRequest("accept application/graphql-response+json or application/json".into()),
    )
}

fn optional_string(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{key} must be a string")),
    }
}

fn optional_object(obj: &Map<String, Value>, key: &str) -> Result<Map<String, Value>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Map::new()),
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(_) => Err(format!("{key} must be an object")),
    }
}

fn params_from_json(body: &[u8]) -> Result<Params, String> {
    let value: Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not valid JSON: {e}"))?;
    let Value::Object(obj) = value else {
        return Err("the body must be a JSON object with a query".into());
    };
    let query = optional_string(&obj, "query")?.ok_or("the request has no query")?;
    optional_object(&obj, "extensions")?;
    Ok(Params {
        query,
        operation_name: optional_string(&obj, "operationName")?,
        variables: optional_object(&obj, "variables")?,
        uploads: Vec::new(),
    })
}

fn params_from_url(pairs: Vec<(String, String)>) -> Result<Params, String> {
    let mut query = None;
    let mut operation_name = None;
    let mut variables = Map::new();
    for (key, value) in pairs {
        match key.as_str() {
            "query" => query = Some(value),
            "operationName" => operation_name = Some(value).filter(|v| !v.is_empty()),
            "variables" => match serde_json::from_str(&value) {
                Ok(Value::Object(m)) => variables = m,
                Ok(Value::Null) => {}
                _ => return Err("variables must be a JSON-encoded object".into()),
            },
            "extensions" => match serde_json::from_str(&value) {
                Ok(Value::Object(_) | Value::Null) => {}
                _ => return Err("extensions must be a JSON-encoded object".into()),
            },
            _ => {}
        }
    }
    Ok(Params {
        query: query.ok_or("the request has no query parameter")?,
        operation_name,
        variables,
        uploads: Vec::new(),
    })
}

/// Whether the operation the request would run is a mutation (or subscription).
fn selects_non_query(queries: &ParsedQueries, params: &Params) -> bool {
    let Ok(doc) = queries.parse(&params.query) else {
        return false;
    };
    let ty = operation::selected(&doc, params.operation_name.as_deref()).map(|op| op.ty);
    matches!(
        ty,
        Some(OperationType::Mutation | OperationType::Subscription)
    )
}

/// The caller named by the `Authorization` header: anonymous without one, refused (401)
/// with a bad one, and refused (429) beyond its rate.
fn authenticate(
    state: &AppState,
    media: MediaType,
    headers: &HeaderMap,
) -> Result<Caller, Box<Response>> {
    let token = headers.get(header::AUTHORIZATION).map(|value| {
        value
            .to_str()
            .ok()
            .and_then(|v| operation::bearer_token(v, false))
            .unwrap_or_default()
    });
    let caller = operation::authenticate(state, token).map_err(|err| {
        let mut res = refusal(media, StatusCode::UNAUTHORIZED, err);
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer error=\"invalid_token\""),
        );
        Box::new(res)
    })?;
    if let Err(err) = operation::admit(state, &caller) {
        let retry = match &err {
            AppError::RateLimited { retry_after } => retry_after.as_secs().max(1),
            _ => 1,
        };
        let mut res = refusal(media, StatusCode::TOO_MANY_REQUESTS, err);
        if let Ok(v) = HeaderValue::from_str(&retry.to_string()) {
            res.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Err(Box::new(res));
    }
    Ok(caller)
}

async fn execute(
    state: AppState,
    media: MediaType,
    headers: &HeaderMap,
    params: Params,
) -> Response {
    let begun = std::time::Instant::now();
    let caller = match authenticate(&state, media, headers) {
        Ok(caller) => caller,
        Err(response) => {
            let name = params.operation_name.as_deref();
            metrics::request(name, Outcome::Refused, begun.elapsed(), false);
            return *response;
        }
    };
    // One span per request, named by the operation and the caller (never the token).
    let span = tracing::info_span!(
        "graphql",
        operation = params.operation_name.as_deref().unwrap_or("-"),
        caller = %caller.limit_key(),
    );
    // Parsed once, here (or kept from a request with the same text): async-graphql runs
    // it, and it orders the response afterwards.
    let doc = state.queries.parse(&params.query);
    let name = operation::name_of(doc.as_deref().ok(), params.operation_name.as_deref());
    let prepared = Prepared::new(params, doc);
    let authenticated = !matches!(caller, Caller::Anonymous);
    // A panic in a resolver is a bug; it fails this request (500), not the connection.
    let response = std::panic::AssertUnwindSafe(prepared.run(&state, caller).instrument(span))
        .catch_unwind()
        .await;
    let Answer { response, executed } = match response {
        Ok(answer) => answer,
        Err(_) => {
            let err = AppError::Internal("GraphQL execution panicked".into());
            return refusal(media, StatusCode::INTERNAL_SERVER_ERROR, err);
        }
    };
    let outcome = match (executed, response.errors.is_empty()) {
        (false, _) => Outcome::Invalid,
        (true, true) => Outcome::Ok,
        (true, false) => Outcome::Error,
    };
    metrics::request(name.as_deref(), outcome, begun.elapsed(), authenticated);
    tracing::info!(
        operation = name.as_deref().unwrap_or("-"),
        outcome = ?outcome,
        ms = begun.elapsed().as_secs_f64() * 1000.0,
        "graphql request"
    );

    let body = if executed {
        serde_json::to_string(&response)
    } else {
        // A request error has no `data` entry at all.
        serde_json::to_value(&response).map(|mut body| {
            if let Value::Object(obj) = &mut body {
                obj.remove("data");
            }
            body.to_string()
        })
    }
    .unwrap_or_else(|_| AppError::Internal("a response did not serialise".into()).response_json());
    let status = match (media, executed) {
        (MediaType::GraphqlResponse, false) => StatusCode::BAD_REQUEST,
        _ => StatusCode::OK,
    };
    let mut res = (status, body).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(media.content_type()),
    );
    res
}

/// Files one multipart request may carry.
const MAX_FILES: usize = 10;

/// Whether the body is `multipart/form-data` (the GraphQL multipart request
/// specification: `operations`, `map`, then the files).
fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("multipart/form-data"))
        })
}

/// The request of a multipart body: its files spooled to temporary files, each at most
/// the document limit (larger is 413, like any body over its limit).
async fn params_from_multipart(
    state: &AppState,
    headers: &HeaderMap,
    body: axum::body::Body,
) -> Result<Params, (StatusCode, String)> {
    use futures_util::TryStreamExt;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // Every part, the `operations` JSON included, is cut off at the larger of the two
    // limits; a file between them is refused by the document store, naming the field.
    let documents = usize::try_from(state.options.documents.max_bytes()).unwrap_or(usize::MAX);
    let limit = documents.max(state.options.max_body_bytes);
    let opts = async_graphql::http::MultipartOptions::default()
        .max_file_size(limit)
        .max_num_files(MAX_FILES);
    let reader = body
        .into_data_stream()
        .map_err(std::io::Error::other)
        .into_async_read();
    let request = async_graphql::http::receive_body(content_type, reader, opts)
        .await
        .map_err(|e| match e {
            async_graphql::ParseRequestError::PayloadTooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("a file is larger than {limit} bytes, or there are more than {MAX_FILES}"),
            ),
            e => (
                StatusCode::BAD_REQUEST,
                format!("the multipart request is not well formed: {e}"),
            ),
        })?;
    let variables = match serde_json::to_value(&request.variables) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    Ok(Params {
        query: request.query,
        operation_name: request.operation_name,
        variables,
        uploads: request.uploads,
    })
}

/// `POST /graphql` with an `application/json` body, or a multipart upload.
pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    use axum::extract::FromRequest;
    let (mut parts, body) = request.into_parts();
    // Reading the body needs only the limit the router put in the extensions.
    let headers = std::mem::take(&mut parts.headers);
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    if is_multipart(&headers) {
        return match params_from_multipart(&state, &headers, body).await {
            Ok(params) => execute(state, media, &headers, params).await,
            Err((status, message)) => errors_body(media, status, &message),
        };
    }
    // Read as before: the body limit of the router applies.
    let body = match Bytes::from_request(Request::from_parts(parts, body), &state).await {
        Ok(body) => body,
        Err(rejection) => return rejection.into_response(),
    };
    match is_json(&headers) {
        Some(true) => {}
        Some(false) => {
            return errors_body(
                media,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "the body must be application/json (or multipart/form-data for an upload)",
            );
        }
        None => {
            return errors_body(
                media,
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Type is required",
            );
        }
    }
    match params_from_json(&body) {
        Ok(params) => execute(state, media, &headers, params).await,
        Err(message) => errors_body(media, StatusCode::BAD_REQUEST, &message),
    }
}

/// `GET /graphql`: a websocket upgrade (see `ws`), or `?query=...` for queries only (a
/// mutation is 405).
pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    if super::ws::is_upgrade(&parts.headers) {
        return super::ws::upgrade(state, parts).await;
    }
    let pairs = match Query::<Vec<(String, String)>>::try_from_uri(&parts.uri) {
        Ok(Query(pairs)) => pairs,
        Err(rejection) => return rejection.into_response(),
    };
    let headers = parts.headers;
    let Some(media) = negotiate(&headers) else {
        return not_acceptable();
    };
    let params = match params_from_url(pairs) {
        Ok(params) => params,
        Err(message) => return errors_body(media, StatusCode::BAD_REQUEST, &message),
    };
    if selects_non_query(&state.queries, &params) {
        let mut res = errors_body(
            media,
            StatusCode::METHOD_NOT_ALLOWED,
            "mutations are only accepted with POST",
        );
        res.headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("POST"));
        return res;
    }
    execute(state, media, &headers, params).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_without_a_query_string_is_not_well_formed() {
        assert!(params_from_json(br#"{"qeury":"{a}"}"#).is_err());
        assert!(params_from_json(br#"{"query":1}"#).is_err());
        assert!(params_from_json(br#"{"query":"{a}","variables":[7]}"#).is_err());
        assert!(params_from_json(br#"{"query":"{a}","operationName":5}"#).is_err());
        assert!(params_from_json(b"NONSENSE").is_err());
        assert!(
            params_from_json(br#"{"query":"{a}","variables":null,"operationName":null}"#).is_ok()
        );
    }

    #[test]
    fn get_finds_the_mutation_a_document_would_run() {
        let p = |q: &str, op: Option<&str>| Params {
            query: q.into(),
            operation_name: op.map(Into::into),
            variables: Map::new(),
            uploads: Vec::new(),
        };
        let queries = ParsedQueries::default();
        assert!(selects_non_query(&queries, &p("mutation { a }", None)));
        assert!(!selects_non_query(&queries, &p("{ a }", None)));
        assert!(selects_non_query(
            &queries,
            &p("query Q { a } mutation M { a }", Some("M"))
        ));
        assert!(!selects_non_query(
            &queries,
            &p("query Q { a } mutation M { a }", Some("Q"))
        ));
    }
}
