//! `GET /documents/{id}`: a document's bytes, for a caller who may see it (the same
//! `Authorization` header as GraphQL). Anything the caller may not see is 404, exactly
//! like a document that does not exist. The bytes are served as a download that no
//! browser renders in the server's origin.

use axum::{
    body::Body,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use tokio_util::io::ReaderStream;

use super::operation;
use crate::{
    error::AppError,
    service::{Caller, Ctx, documents},
    startup::AppState,
};

fn error(status: StatusCode, err: AppError) -> Response {
    let mut res = (status, err.response_json()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    res
}

/// `filename*` of RFC 6266 / 5987: UTF-8, percent-encoded but for unreserved characters.
fn encoded_name(name: &str) -> String {
    name.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An ASCII stand-in for clients that do not read `filename*`.
fn ascii_name(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_graphic() && c != '"' && c != '\\' || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

pub async fn download(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let token = headers.get(header::AUTHORIZATION).map(|v| {
        v.to_str()
            .ok()
            .and_then(|v| operation::bearer_token(v, false))
            .unwrap_or_default()
    });
    let caller = match operation::authenticate(&state, token) {
        Ok(Caller::Anonymous) => {
            return error(StatusCode::UNAUTHORIZED, AppError::Unauthenticated);
        }
        Ok(caller) => caller,
        Err(err) => return error(StatusCode::UNAUTHORIZED, err),
    };
    if let Err(err) = operation::admit(&state, &caller) {
        return error(StatusCode::TOO_MANY_REQUESTS, err);
    }
    let not_found = || error(StatusCode::NOT_FOUND, AppError::not_found("document"));
    let Ok(id) = id.parse::<i64>() else {
        return not_found();
    };
    let ctx = Ctx {
        db: &state.db,
        caller: &caller,
        live: None,
        time: &state.options.time,
    };
    let doc = match documents::downloadable(ctx, id).await {
        Ok(doc) => doc,
        Err(AppError::NotFound { .. }) => return not_found(),
        Err(err) => return error(StatusCode::INTERNAL_SERVER_ERROR, err),
    };
    let file = match state.options.documents.path_of(&doc.sha256) {
        Some(path) => tokio::fs::File::open(path).await,
        None => Err(std::io::ErrorKind::NotFound.into()),
    };
    let file = match file {
        Ok(file) => file,
        Err(e) => {
            // The row is there and its bytes are not: the folder was lost or not shared.
            tracing::error!(document = doc.id, sha256 = %doc.sha256, error = %e, "a document's bytes are missing");
            let err = AppError::Internal(format!("the content of document {id} is missing").into());
            return error(StatusCode::INTERNAL_SERVER_ERROR, err);
        }
    };
    let mut res = Body::from_stream(ReaderStream::new(file)).into_response();
    let h = res.headers_mut();
    let set = |h: &mut HeaderMap, name, value: String| {
        if let Ok(v) = HeaderValue::from_str(&value) {
            h.insert(name, v);
        }
    };
    set(h, header::CONTENT_TYPE, doc.content_type.clone());
    set(h, header::CONTENT_LENGTH, doc.size_bytes.to_string());
    set(
        h,
        header::CONTENT_DISPOSITION,
        format!(
            "attachment; filename=\"{}\"; filename*=UTF-8''{}",
            ascii_name(&doc.file_name),
            encoded_name(&doc.file_name)
        ),
    );
    set(h, header::ETAG, format!("\"{}\"", doc.sha256));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; sandbox"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_the_disposition_header() {
        assert_eq!(encoded_name("验收 1.pdf"), "%E9%AA%8C%E6%94%B6%201.pdf");
        assert_eq!(ascii_name("验收 \"1\".pdf"), "__ _1_.pdf");
    }
}
