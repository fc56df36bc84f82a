//! Content negotiation of the GraphQL over HTTP specification.

use axum::http::{HeaderMap, header};

/// The two response media types of GraphQL over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaType {
    /// `application/graphql-response+json`: status codes tell request errors apart.
    GraphqlResponse,
    /// `application/json`: legacy; every well-formed request gets 200.
    Json,
}

impl MediaType {
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }
}

/// The response media type for an `Accept` header, or `None` when the client accepts
/// neither (406). A client that names no type (no `Accept`, or only wildcards) gets
/// `application/json`, as the specification and its audit say it SHOULD: such a client
/// (curl, an old library) may not know the newer type.
pub fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let values: Vec<&str> = headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    if values.is_empty() {
        return Some(MediaType::Json);
    }
    let mut best: Option<(f32, u8, MediaType)> = None;
    for range in values.iter().flat_map(|v| v.split(',')) {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("").to_ascii_lowercase();
        let mut q = 1.0_f32;
        for param in parts {
            if let Some(v) = param
                .strip_prefix("q=")
                .or_else(|| param.strip_prefix("Q="))
            {
                q = v.trim().parse().unwrap_or(0.0);
            }
        }
        // On equal q, a specific range beats a wildcard and graphql-response beats json.
        let candidate = match media.as_str() {
            "application/graphql-response+json" => (q, 3, MediaType::GraphqlResponse),
            "application/json" => (q, 2, MediaType::Json),
            "application/*" | "*/*" => (q, 1, MediaType::Json),
            _ => continue,
        };
        if candidate.0 <= 0.0 {
            continue;
        }
        if best.is_none_or(|b| (candidate.0, candidate.1) > (b.0, b.1)) {
            best = Some(candidate);
        }
    }
    best.map(|b| b.2)
}

/// Whether a `Content-Type` header names JSON (parameters such as charset allowed).
pub fn is_json(headers: &HeaderMap) -> Option<bool> {
    let value = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    let media = value
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    Some(media == "application/json")
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn accept(v: &str) -> Option<MediaType> {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT, HeaderValue::from_str(v).unwrap());
        negotiate(&h)
    }

    #[test]
    fn no_accept_header_or_a_wildcard_means_json() {
        assert_eq!(negotiate(&HeaderMap::new()), Some(MediaType::Json));
        assert_eq!(accept("*/*"), Some(MediaType::Json));
        assert_eq!(accept("application/*"), Some(MediaType::Json));
    }

    #[test]
    fn the_highest_quality_supported_type_wins() {
        assert_eq!(accept("application/json"), Some(MediaType::Json));
        assert_eq!(
            accept("application/graphql-response+json, application/json"),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            accept("application/graphql-response+json;q=0.5, application/json"),
            Some(MediaType::Json)
        );
        assert_eq!(
            accept("application/graphql-response+json, */*"),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            accept("text/html, application/json;q=0.1"),
            Some(MediaType::Json)
        );
    }

    #[test]
    fn unsupported_types_only_are_not_acceptable() {
        assert_eq!(accept("text/html"), None);
        assert_eq!(accept("application/json;q=0"), None);
    }
}
