//! Objects resolved with one future for all their fields, not one per field.
//!
//! async-graphql resolves an object's selection by boxing a future per field and
//! running them in a `FuturesUnordered` (an `Arc`'d task each): several allocations and
//! atomic operations per field, for fields that nearly all only read what the object
//! holds. On a dashboard of 20 projects that is some 2,000 fields of stages, tickets and
//! risks, and this machinery was most of the server's time. [`Lean`] resolves the same
//! fields through the same generated resolvers, polled together in one `join_all` (one
//! allocation per object), so the answer is the same, fields still wait for their
//! loaders together (batching is unchanged), and the object comes out in query order.
//!
//! It takes the plain road only: fields without directives (`@skip`/`@include` are
//! applied before execution), no fragments. Anything else goes through async-graphql's
//! own resolution, unchanged. The schema has no extension (see
//! [`super::schema_builder`]); one that watches each field's resolution would not see
//! these fields.

use std::{borrow::Cow, future::Future, pin::Pin};

use async_graphql::{
    ContainerType, ContextSelectionSet, OutputType, Positioned, ServerResult, Value,
    indexmap::IndexMap,
    parser::types::{Field, Selection},
    registry::Registry,
};
use futures_util::future::join_all;

/// `T` as the schema knows it (same type name, same fields), resolved leanly.
pub struct Lean<T>(pub T);

impl<T: ContainerType> OutputType for Lean<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        // Boxed once per object: an object's fields may hold objects of its own type
        // (a ticket's project's tickets), and an unboxed future would contain itself.
        let resolved: Pin<Box<dyn Future<Output = ServerResult<Value>> + Send + '_>> =
            match plain_fields(ctx) {
                Some(fields) => Box::pin(resolve_fields(ctx, &self.0, fields)),
                None => Box::pin(OutputType::resolve(&self.0, ctx, field)),
            };
        resolved.await
    }
}

/// The selected fields, when every selection is a field without directives and no
/// response key is asked twice (async-graphql merges those).
fn plain_fields<'a>(ctx: &ContextSelectionSet<'a>) -> Option<Vec<&'a Positioned<Field>>> {
    let mut fields: Vec<&Positioned<Field>> = Vec::with_capacity(ctx.item.node.items.len());
    for selection in &ctx.item.node.items {
        let Selection::Field(field) = &selection.node else {
            return None;
        };
        let key = &field.node.response_key().node;
        let repeated = fields.iter().any(|f| f.node.response_key().node == *key);
        if !field.node.directives.is_empty() || repeated {
            return None;
        }
        fields.push(field);
    }
    Some(fields)
}

async fn resolve_fields<'a, T: ContainerType>(
    ctx: &ContextSelectionSet<'a>,
    root: &'a T,
    fields: Vec<&'a Positioned<Field>>,
) -> ServerResult<Value> {
    let resolved = join_all(fields.into_iter().map(|field| {
        let ctx = ctx.clone();
        async move {
            let key = field.node.response_key().node.clone();
            if field.node.name.node == "__typename" {
                let name = root.introspection_type_name().into_owned();
                return Ok((key, Value::String(name)));
            }
            let ctx_field = ctx.with_field(field);
            let value = root.resolve_field(&ctx_field).await?;
            Ok((key, value.unwrap_or_default()))
        }
    }))
    .await;
    let mut object = IndexMap::with_capacity(resolved.len());
    for field in resolved {
        match field {
            Ok((key, value)) => {
                object.insert(key, value);
            }
            Err(error) => ctx.add_error(error),
        }
    }
    // As async-graphql does: an object none of whose fields resolved is null.
    Ok(if object.is_empty() {
        Value::Null
    } else {
        Value::Object(object)
    })
}
