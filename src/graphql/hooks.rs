//! The schema's one extension.
//!
//! async-graphql runs every field through the resolve hook of each extension, a boxed
//! future apiece, so the rules that look at every field share one extension: anonymous
//! callers are refused at the root ([`super::access`]), errors of nullable fields null the
//! field ([`super::field_errors`]), and the start of execution is marked
//! ([`ExecutionStarted`]).

use std::sync::{
    Arc,
    atomic::{AtomicBool, Ordering},
};

use async_graphql::{
    Response, ServerResult, Value,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextExecute, NextResolve, ResolveInfo,
    },
};

use super::{access, field_errors::Caught};

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

/// Per request: the field errors caught so far.
#[derive(Default)]
pub struct RequestHooks {
    caught: Caught,
}

#[async_trait::async_trait]
impl Extension for RequestHooks {
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
