//! Anonymous callers reach nothing but `__typename` and introspection.
//!
//! Checked at every root field, so a field added later is protected by default; what a
//! signed-in caller may see and do is decided below the root, by scopes and services.

use std::sync::Arc;

use async_graphql::{
    ServerResult, Value,
    extensions::{Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo},
};

use crate::{auth::Caller, error::AppError};

pub struct RequireSignIn;

impl ExtensionFactory for RequireSignIn {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(RequireSignIn)
    }
}

#[async_trait::async_trait]
impl Extension for RequireSignIn {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        let at_root = info.path_node.parent.is_none();
        let anonymous = !matches!(ctx.data_opt::<Caller>(), Some(c) if *c != Caller::Anonymous);
        if at_root && anonymous && !info.is_for_introspection && !info.name.starts_with("__") {
            let err: async_graphql::Error = AppError::Unauthenticated.into();
            let path = vec![async_graphql::PathSegment::Field(
                info.alias.unwrap_or(info.name).to_owned(),
            )];
            return Err(err.into_server_error(info.field.name.pos).with_path(path));
        }
        next.run(ctx, info).await
    }
}
