//! Field errors null the field, as the GraphQL specification requires.
//!
//! async-graphql turns an error returned by a resolver of a nullable field into a
//! missing key (and, for the only root field, `data: null`), while the specification
//! says the field itself becomes `null` and the error is listed. [`super::hooks`] hands
//! each field's result to [`Caught::null_on_error`], which answers `null` and keeps the
//! error for the response.

use std::sync::Mutex;

use async_graphql::{QueryPathNode, Response, ServerError, ServerResult, Value};

/// Per request: the field errors caught so far.
#[derive(Default)]
pub struct Caught(Mutex<Vec<ServerError>>);

impl Caught {
    /// The result of a field: an error of a nullable field becomes `null` and is kept.
    pub fn null_on_error(
        &self,
        result: ServerResult<Option<Value>>,
        nullable: bool,
        path: &QueryPathNode<'_>,
    ) -> ServerResult<Option<Value>> {
        match result {
            Err(mut err) if nullable => {
                // The path is rendered only when there is an error: this runs for every field.
                if err.path.is_empty() {
                    err.path = path
                        .to_string_vec()
                        .into_iter()
                        .map(async_graphql::PathSegment::Field)
                        .collect();
                }
                if let Ok(mut caught) = self.0.lock() {
                    caught.push(err);
                }
                Ok(Some(Value::Null))
            }
            other => other,
        }
    }

    /// Adds the errors caught to the response.
    pub fn report(&self, response: &mut Response) {
        if let Ok(mut caught) = self.0.lock() {
            response.errors.append(&mut caught);
        }
    }
}
