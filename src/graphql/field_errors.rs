//! Field errors null the field, as the GraphQL specification requires.
//!
//! async-graphql turns an error returned by a resolver of a nullable field into a
//! missing key (and, for the only root field, `data: null`), while the specification
//! says the field itself becomes `null` and the error is listed. This extension catches
//! the error at the field, answers `null`, and adds the error to the response.

use std::sync::{Arc, Mutex};

use async_graphql::{
    Response, ServerResult, Value,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, ResolveInfo,
    },
};

/// Installs [`NullOnFieldError`] for each request.
pub struct NullableFieldErrors;

impl ExtensionFactory for NullableFieldErrors {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(NullOnFieldError::default())
    }
}

/// Per request: the field errors caught so far.
#[derive(Default)]
pub struct NullOnFieldError {
    caught: Mutex<Vec<async_graphql::ServerError>>,
}

#[async_trait::async_trait]
impl Extension for NullOnFieldError {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let nullable = !info.return_type.ends_with('!');
        // The path is rendered only when there is an error: this hook runs for every field.
        let path_node = info.path_node;
        match next.run(ctx, info).await {
            Err(mut err) if nullable => {
                if err.path.is_empty() {
                    err.path = path_node
                        .to_string_vec()
                        .into_iter()
                        .map(async_graphql::PathSegment::Field)
                        .collect();
                }
                if let Ok(mut caught) = self.caught.lock() {
                    caught.push(err);
                }
                Ok(Some(Value::Null))
            }
            other => other,
        }
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut response = next.run(ctx, operation_name).await;
        if let Ok(mut caught) = self.caught.lock() {
            response.errors.append(&mut caught);
        }
        response
    }
}
