//! The schema's roots, guarded; and what one request's execution saw there.
//!
//! async-graphql runs every field of a response through the resolve hook of each
//! extension when there is one (a boxed future, a registry lookup and, for a list's
//! items, two type names formatted apiece), so the schema has none. What the rules need
//! of a request is done once, around execution, instead:
//! - [`Guarded`] wraps the root objects: at the first root field it runs the
//!   [`super::preflight`] checks on the request's document (after async-graphql's own
//!   validation, before anything resolves), and it refuses each root field its caller
//!   may not use ([`super::access`]);
//! - [`Execution`], request data, keeps what they saw for
//!   [`crate::http::operation`], which turns the response into the one the specification
//!   describes (codes, failed fields nulled by [`super::field_errors`], query order).

use std::{
    borrow::Cow,
    pin::Pin,
    sync::{Arc, OnceLock},
};

use async_graphql::{
    ContainerType, Context, ContextSelectionSet, ObjectType, OutputType, PathSegment, Positioned,
    Response, SchemaEnv, ServerError, ServerResult, SubscriptionType, Value,
    futures_util::Stream,
    parser::types::{ExecutableDocument, Field},
    registry::Registry,
    resolver_utils::resolve_container,
};

use super::{access, preflight};
use crate::auth::Caller;

/// A root object (query, mutation or subscription) whose fields are checked first.
#[derive(Default)]
pub struct Guarded<T>(pub T);

/// What one request's execution saw at its root; request data, shared with the code
/// that runs the request.
#[derive(Clone)]
pub struct Execution(Arc<Seen>);

struct Seen {
    /// The request's document (parsed once, by the transport) and the operation asked.
    doc: Arc<ExecutableDocument>,
    operation_name: Option<String>,
    /// The schema, set when execution reaches the root.
    schema: OnceLock<SchemaEnv>,
    /// The preflight refusals of the whole operation, checked at the first root field.
    refused: OnceLock<Vec<ServerError>>,
}

impl Execution {
    pub fn new(doc: Arc<ExecutableDocument>, operation_name: Option<String>) -> Self {
        Self(Arc::new(Seen {
            doc,
            operation_name,
            schema: OnceLock::new(),
            refused: OnceLock::new(),
        }))
    }

    /// The request's document.
    pub fn doc(&self) -> &ExecutableDocument {
        &self.0.doc
    }

    /// The name of the operation the request asked for, if it named one.
    pub fn operation_name(&self) -> Option<&str> {
        self.0.operation_name.as_deref()
    }

    /// Whether execution reached the root: anything before that (parsing, validation,
    /// variables) failed the request as a whole.
    pub fn started(&self) -> bool {
        self.0.schema.get().is_some()
    }

    /// The preflight refusals, if the operation was refused as a whole.
    pub fn refused(&self) -> Option<&[ServerError]> {
        self.0
            .refused
            .get()
            .map(Vec::as_slice)
            .filter(|r| !r.is_empty())
    }

    /// The schema's registry, once execution reached the root.
    pub fn registry(&self) -> Option<&Registry> {
        self.0.schema.get().map(|env| &env.registry)
    }

    /// The first refusal of root field `ctx` of root type `root`, if any: the whole
    /// operation's (preflight, checked once) or this field's own.
    fn refusal(&self, ctx: &Context<'_>, root: &str, caller: &Caller) -> Option<ServerError> {
        let seen = &self.0;
        seen.schema.get_or_init(|| ctx.schema_env.clone());
        let refused = seen.refused.get_or_init(|| {
            let Some(op) = super::selected_operation(&seen.doc, seen.operation_name.as_deref())
            else {
                return Vec::new();
            };
            preflight::check(
                &ctx.schema_env.registry,
                &seen.doc,
                op,
                &ctx.query_env.variables,
                caller,
            )
        });
        refused
            .first()
            .cloned()
            .or_else(|| field_refusal(ctx, root, caller))
    }
}

/// The refusal of root field `ctx` of root type `root` for `caller`, if it may not use it.
fn field_refusal(ctx: &Context<'_>, root: &str, caller: &Caller) -> Option<ServerError> {
    let field = &ctx.item.node;
    let err = access::check(caller, access::needs(root, &field.name.node)).err()?;
    let err: async_graphql::Error = err.into();
    let key = field.response_key().node.to_string();
    Some(
        err.into_server_error(field.name.pos)
            .with_path(vec![PathSegment::Field(key)]),
    )
}

/// The refusal of root field `ctx` of `root`, with the request's [`Execution`] if it has
/// one (requests run by [`crate::http::operation`] do).
fn refusal(ctx: &Context<'_>, root: &str) -> Option<ServerError> {
    let caller = ctx.data_opt::<Caller>().unwrap_or(&Caller::Anonymous);
    match ctx.data_opt::<Execution>() {
        Some(execution) => execution.refusal(ctx, root, caller),
        None => field_refusal(ctx, root, caller),
    }
}

impl<T: ObjectType> OutputType for Guarded<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve_container(ctx, self).await
    }
}

impl<T: ObjectType> ContainerType for Guarded<T> {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        match refusal(ctx, &T::type_name()) {
            Some(err) => Err(err),
            None => self.0.resolve_field(ctx).await,
        }
    }
}

impl<T: ObjectType> ObjectType for Guarded<T> {}

impl<T: SubscriptionType> SubscriptionType for Guarded<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    fn create_field_stream<'a>(
        &'a self,
        ctx: &'a Context<'_>,
    ) -> Option<Pin<Box<dyn Stream<Item = Response> + Send + 'a>>> {
        match refusal(ctx, &T::type_name()) {
            Some(err) => Some(Box::pin(async_graphql::futures_util::stream::once(
                async move { Response::from_errors(vec![err]) },
            ))),
            None => self.0.create_field_stream(ctx),
        }
    }
}
