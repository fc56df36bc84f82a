//! The schema's one extension.
//!
//! async-graphql runs every field through the resolve hook of each extension, a boxed
//! future apiece, so the rules that look at every field share one extension: anonymous
//! callers are refused at the root ([`super::access`]), errors of nullable fields null the
//! field ([`super::field_errors`]), and the start of execution is marked
//! ([`ExecutionStarted`]). Before execution it codes parse and validation errors
//! (`GRAPHQL_PARSE_FAILED`, `GRAPHQL_VALIDATION_FAILED`, `OPERATION_RESOLUTION_FAILURE`:
//! Apollo's names) and runs the
//! [`super::preflight`] checks on the document it keeps for that.

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{
    Request, Response, ServerError, ServerResult, ValidationResult, Value, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery,
        NextPrepareRequest, NextResolve, NextValidation, ResolveInfo,
    },
    parser::types::ExecutableDocument,
};

use super::{access, field_errors::Caught, preflight};
use crate::error::AppError;

/// Request data set once async-graphql starts executing: everything before that
/// (parsing, validation, operation selection, variable coercion) is a *request error*.
#[derive(Clone, Default)]
pub struct ExecutionStarted(Arc<AtomicBool>);

impl ExecutionStarted {
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// Installs [`RequestHooks`] for each request.
pub struct Hooks;

impl ExtensionFactory for Hooks {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequestHooks::default())
    }
}

/// Per request: the field errors caught so far, and what the preflight checks read.
#[derive(Default)]
pub struct RequestHooks {
    caught: Caught,
    operation_name: Mutex<Option<String>>,
    document: Mutex<Option<(ExecutableDocument, Variables)>>,
}

/// async-graphql's own request errors, coded by the one error type (`kind` makes the
/// `AppError` from the message).
fn coded(errors: Vec<ServerError>, kind: fn(String) -> AppError) -> Vec<ServerError> {
    errors
        .into_iter()
        .map(
            |err| match err.extensions.as_ref().and_then(|e| e.get("code")) {
                Some(_) => err,
                None => kind(err.message).into_server_error(err.locations),
            },
        )
        .collect()
}

#[async_trait::async_trait]
impl Extension for RequestHooks {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let request = next.run(ctx, request).await?;
        *self
            .operation_name
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = request.operation_name.clone();
        Ok(request)
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await.map_err(|err| {
            coded(vec![err], AppError::ParseFailed)
                .pop()
                .unwrap_or_else(|| unreachable!("one error in, one out"))
        })?;
        *self.document.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((doc.clone(), variables.clone()));
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next
            .run(ctx)
            .await
            .map_err(|errors| coded(errors, AppError::ValidationFailed))?;
        let document = self
            .document
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some((doc, variables)) = document {
            let name = self
                .operation_name
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let Some(op) = super::selected_operation(&doc, name.as_deref()) else {
                let message = match &name {
                    Some(name) => format!("the document has no operation named {name:?}"),
                    None => {
                        "the document has several operations: name one (operationName)".to_owned()
                    }
                };
                return Err(vec![
                    AppError::OperationNotFound(message).into_server_error(Vec::new()),
                ]);
            };
            let errors = preflight::check(
                &ctx.schema_env.registry,
                &doc,
                op,
                &variables,
                access::caller_of(ctx),
            );
            if !errors.is_empty() {
                return Err(errors);
            }
        }
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        if let Some(flag) = ctx.data_opt::<ExecutionStarted>() {
            flag.0.store(true, Ordering::Release);
        }
        let mut response = next.run(ctx, operation_name).await;
        self.caught.report(&mut response);
        response
    }

    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let nullable = !info.return_type.ends_with('!');
        let path = info.path_node;
        let result = match access::refusal(ctx, &info) {
            Some(err) => Err(err),
            None => next.run(ctx, info).await,
        };
        self.caught.null_on_error(result, nullable, path)
    }
}
