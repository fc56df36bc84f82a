//! The one error type of Delivery Desk and its policy.
//!
//! Policy:
//! - Every failure a caller can cause or fix is a variant with a stable code
//!   (`extensions.code` in GraphQL); messages are for people, codes are for programs.
//! - Input errors name the offending input field (`extensions.field`).
//! - Anything else (database down, a bug) is `Internal`: logged here with its cause,
//!   returned to the caller as an opaque `INTERNAL_SERVER_ERROR` without details.
//! - Not-found and forbidden are indistinguishable to a caller who may not see the
//!   object, so scoping never leaks existence.

use std::fmt;

use async_graphql::ErrorExtensions;

/// A failed use case.
///
/// Deliberately not `Display`: async-graphql converts anything displayable into an error
/// without extensions, so this type can only leave through the `From` below, which sets
/// the code. The compiler thereby refuses any path that would lose it.
#[derive(Debug)]
pub enum AppError {
    BadUserInput {
        field: String,
        message: String,
    },
    NotFound {
        entity: &'static str,
    },
    Conflict(String),
    InvalidTransition {
        entity: &'static str,
        from: String,
        to: String,
    },
    Forbidden(String),
    /// A proposal version presented before every required reviewer approved it.
    ReviewRequired(String),
    Unauthenticated,
    /// A bearer token that does not verify (bad signature, expired, malformed).
    InvalidToken,
    /// Beyond the caller's rate; may retry after the duration.
    RateLimited {
        retry_after: std::time::Duration,
    },
    /// Beyond a limit of the server (operations on one connection, say).
    LimitExceeded(String),
    /// A request the transport cannot read (not JSON, no query, a mutation over GET).
    BadRequest(String),
    /// The document does not parse.
    ParseFailed(String),
    /// The document does not validate against the schema (or is too deep or complex).
    ValidationFailed(String),
    /// No operation of the document is the one to run.
    OperationNotFound(String),
    Internal(Box<dyn std::error::Error + Send + Sync>),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn input(field: impl Into<String>, message: impl fmt::Display) -> Self {
        Self::BadUserInput {
            field: field.into(),
            message: message.to_string(),
        }
    }

    pub fn not_found(entity: &'static str) -> Self {
        Self::NotFound { entity }
    }

    pub fn transition(
        entity: &'static str,
        from: impl fmt::Display,
        to: impl fmt::Display,
    ) -> Self {
        Self::InvalidTransition {
            entity,
            from: from.to_string(),
            to: to.to_string(),
        }
    }

    /// The message shown to the caller; never details of an internal error.
    pub fn message(&self) -> String {
        match self {
            Self::BadUserInput { message, .. } => message.clone(),
            Self::NotFound { entity } => format!("{entity} not found"),
            Self::Conflict(message) | Self::Forbidden(message) | Self::ReviewRequired(message) => {
                message.clone()
            }
            Self::InvalidTransition { entity, from, to } => {
                format!("cannot change {entity} status from {from} to {to}")
            }
            Self::Unauthenticated => "authentication required".into(),
            Self::InvalidToken => "the bearer token is invalid or expired".into(),
            Self::RateLimited { retry_after } => format!(
                "too many requests; retry in {} s",
                retry_after.as_secs().max(1)
            ),
            Self::LimitExceeded(message)
            | Self::BadRequest(message)
            | Self::ParseFailed(message)
            | Self::ValidationFailed(message)
            | Self::OperationNotFound(message) => message.clone(),
            Self::Internal(_) => "internal error".into(),
        }
    }

    /// The stable machine-readable code of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::NotFound { .. } => "NOT_FOUND",
            Self::Conflict(_) => "CONFLICT",
            Self::InvalidTransition { .. } => "INVALID_TRANSITION",
            Self::Forbidden(_) => "FORBIDDEN",
            Self::ReviewRequired(_) => "REVIEW_REQUIRED",
            Self::Unauthenticated | Self::InvalidToken => "UNAUTHENTICATED",
            Self::RateLimited { .. } => "RATE_LIMITED",
            Self::LimitExceeded(_) => "LIMIT_EXCEEDED",
            Self::BadRequest(_) => "BAD_REQUEST",
            Self::ParseFailed(_) => "GRAPHQL_PARSE_FAILED",
            Self::ValidationFailed(_) => "GRAPHQL_VALIDATION_FAILED",
            Self::OperationNotFound(_) => "OPERATION_RESOLUTION_FAILURE",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl AppError {
    /// The `errors` list of a response that fails with this error alone, as JSON text:
    /// what the transports send for errors outside execution.
    pub fn errors_json(self) -> String {
        let errors = [self.into_server_error(Vec::new())];
        serde_json::to_string(&errors)
            .unwrap_or_else(|_| r#"[{"message":"internal error"}]"#.to_owned())
    }

    /// This error as a request error at `locations` of the document.
    pub fn into_server_error(
        self,
        locations: Vec<async_graphql::Pos>,
    ) -> async_graphql::ServerError {
        let err: async_graphql::Error = self.into();
        let mut server_error = async_graphql::ServerError::new(err.message, None);
        server_error.locations = locations;
        server_error.extensions = err.extensions;
        server_error
    }

    /// A whole response body (`{"errors": [...]}`) failing with this error.
    pub fn response_json(self) -> String {
        format!(r#"{{"errors":{}}}"#, self.errors_json())
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        // Named constraints are the database's way of saying "bad input"; turn the ones a
        // caller can cause into client errors here, in one place.
        if let Some(sea_orm::SqlErr::UniqueConstraintViolation(detail)) = err.sql_err() {
            let field = if detail.contains("contract_number") {
                "contractNumber"
            } else if detail.contains("email") {
                "email"
            } else if detail.contains("team_members") {
                "role"
            } else {
                "input"
            };
            return Self::Conflict(format!("{field} is already taken"));
        }
        if let Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) = err.sql_err() {
            return Self::Conflict("the object is still referenced by others".into());
        }
        Self::Internal(Box::new(err))
    }
}

impl From<AppError> for async_graphql::Error {
    fn from(err: AppError) -> Self {
        if let AppError::Internal(source) = &err {
            tracing::error!(error = %source, debug = ?source, "internal error");
        }
        let code = err.code();
        let field = match &err {
            AppError::BadUserInput { field, .. } => Some(field.clone()),
            _ => None,
        };
        async_graphql::Error::new(err.message()).extend_with(|_, ext| {
            ext.set("code", code);
            if let Some(field) = &field {
                ext.set("field", field.as_str());
            }
        })
    }
}
