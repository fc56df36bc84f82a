//! Anonymous callers reach nothing but `__typename` and introspection.
//!
//! Checked at every root field (by [`super::hooks`]), so a field added later is protected
//! by default; what a signed-in caller may see and do is decided below the root, by scopes
//! and services.

use async_graphql::{
    ServerError,
    extensions::{ExtensionContext, ResolveInfo},
};

use crate::{auth::Caller, error::AppError};

/// The error for a root field an anonymous caller may not read, if this is one.
pub fn refusal(ctx: &ExtensionContext<'_>, info: &ResolveInfo<'_>) -> Option<ServerError> {
    let at_root = info.path_node.parent.is_none();
    if !at_root || info.is_for_introspection || info.name.starts_with("__") {
        return None;
    }
    let anonymous = !matches!(ctx.data_opt::<Caller>(), Some(c) if *c != Caller::Anonymous);
    anonymous.then(|| {
        let err: async_graphql::Error = AppError::Unauthenticated.into();
        let path = vec![async_graphql::PathSegment::Field(
            info.alias.unwrap_or(info.name).to_owned(),
        )];
        err.into_server_error(info.field.name.pos).with_path(path)
    })
}
