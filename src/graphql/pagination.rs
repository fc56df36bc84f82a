//! Cursor connections with keyset pagination.
//!
//! A cursor holds the sort key and id of the last row seen, so pages stay stable while
//! rows are inserted before them, and every page is one indexed range scan, never an
//! OFFSET. Sorting is only offered on non-null columns, which keeps the keyset exact.

use std::sync::Arc;

use async_graphql::{
    Context, Lookahead, Object,
    connection::{Connection, Edge},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use futures_util::future::BoxFuture;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, ModelTrait, Order, PaginatorTrait,
    QueryOrder, QuerySelect, Value,
};
use serde::{Deserialize, Serialize};

use super::{
    columns::Columns,
    loaders::{self, Keyed, as_i64},
    nested::Nesting,
    parents::{Plan, prime_all, select_with},
};
use crate::{
    auth::scope::{Visible, VisibleSelect, read_all},
    error::{AppError, AppResult},
};

/// Page size when `first` is not given.
pub const DEFAULT_PAGE_SIZE: i32 = 20;
/// Largest page a caller may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;

/// How a sort key is written into a cursor and read back.
#[derive(Debug, Clone, Copy)]
pub enum KeyKind {
    Int,
    Text,
    Time,
}

/// An ordering of a connection: a named column and a direction. The id breaks ties.
pub struct Sort<E: EntityTrait> {
    /// Written into cursors so that a cursor of another ordering is refused.
    pub name: &'static str,
    pub column: E::Column,
    pub kind: KeyKind,
    pub descending: bool,
}

#[derive(Serialize, Deserialize)]
struct CursorData {
    /// Sort name.
    s: String,
    /// Sort key of the row.
    k: serde_json::Value,
    /// Row id.
    i: i64,
}

/// The `totalCount` of a connection, counted only when asked for.
pub struct TotalCount(Arc<dyn Fn() -> BoxFuture<'static, AppResult<u64>> + Send + Sync>);

#[Object]
impl TotalCount {
    /// How many objects match the filter, on all pages.
    async fn total_count(&self) -> async_graphql::Result<i64> {
        let count = (self.0)().await?;
        Ok(i64::try_from(count).unwrap_or(i64::MAX))
    }
}

pub type Page<N> = Connection<String, N, TotalCount>;

fn key_to_json(value: Value) -> serde_json::Value {
    match value {
        Value::BigInt(Some(v)) => v.into(),
        Value::Int(Some(v)) => v.into(),
        Value::String(Some(v)) => v.into(),
        Value::ChronoDateTimeUtc(Some(v)) => v.to_rfc3339().into(),
        _ => serde_json::Value::Null,
    }
}

fn key_from_json(kind: KeyKind, value: &serde_json::Value) -> Option<Value> {
    match kind {
        KeyKind::Int => value.as_i64().map(Value::from),
        KeyKind::Text => value.as_str().map(|s| Value::from(s.to_owned())),
        KeyKind::Time => value
            .as_str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
            .map(|t| Value::from(t.with_timezone(&Utc))),
    }
}

fn encode_cursor(data: &CursorData) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(data).unwrap_or_default())
}

fn decode_cursor<E: EntityTrait>(sort: &Sort<E>, cursor: &str) -> AppResult<(Value, i64)> {
    let invalid = || {
        AppError::input(
            "after",
            "after is not a cursor of this connection and ordering",
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let data: CursorData = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if data.s != sort.name {
        return Err(invalid());
    }
    let key = key_from_json(sort.kind, &data.k).ok_or_else(invalid)?;
    Ok((key, data.i))
}

/// Checks `first` against the page-size limits.
pub fn page_size(first: Option<i32>) -> AppResult<u64> {
    match first.unwrap_or(DEFAULT_PAGE_SIZE) {
        n if (0..=MAX_PAGE_SIZE).contains(&n) => Ok(n as u64),
        _ => Err(AppError::input(
            "first",
            format!("first must be between 0 and {MAX_PAGE_SIZE}"),
        )),
    }
}

/// One page of `select` in `sort` order: `first` rows after the `after` cursor, as a
/// connection. The to-one parents the query asks of its nodes come in the page's own
/// statement ([`super::parents`]).
pub async fn paginate<E, N>(
    ctx: &Context<'_>,
    select: VisibleSelect<E>,
    id_column: E::Column,
    sort: Sort<E>,
    (first, after): (Option<i32>, Option<String>),
    to_node: impl Fn(Visible<E::Model>) -> N,
) -> async_graphql::Result<Page<N>>
where
    E: Keyed,
    N: async_graphql::OutputType,
{
    let db = super::reads(ctx)?;
    let limit = page_size(first)?;
    let count_db = db.clone();
    let count_select = select.clone().into_parts().0;
    let total = TotalCount(Arc::new(move || {
        let db = count_db.clone();
        let select = count_select.clone();
        Box::pin(async move { Ok(select.count(&db).await?) })
    }));

    let order = if sort.descending {
        Order::Desc
    } else {
        Order::Asc
    };
    let mut page = select;
    if let Some(cursor) = after.as_deref() {
        let (key, id) = decode_cursor(&sort, cursor)?;
        let beyond = |col: E::Column, v: Value| {
            if sort.descending {
                col.lt(v)
            } else {
                col.gt(v)
            }
        };
        page = page.filter(
            Condition::any().add(beyond(sort.column, key.clone())).add(
                Condition::all()
                    .add(sort.column.eq(key))
                    .add(beyond(id_column, id.into())),
            ),
        );
    }
    let page = page.narrow(|page| {
        page.order_by(sort.column, order.clone())
            .order_by(id_column, order)
    });
    // The nodes' columns, asked through `edges { node }` or `nodes`, with those the
    // cursor needs; a page that shows no node (`totalCount` alone) reads whole rows.
    let look = ctx.look_ahead();
    let mut nodes = look.field("edges").field("node").selection_fields();
    nodes.extend(look.field("nodes").selection_fields());
    let columns = Lookahead::try_from(nodes.as_slice()).map_or(Columns::ALL, |nodes| {
        Columns::of::<E>(&nodes, &[id_column, sort.column])
    });
    let page = page.narrow(|page| columns.apply(page));
    let plan = Plan::of::<E>(&look.field("edges").field("node"));
    let nesting = Nesting::of::<E>(&nodes);
    let rows = if plan.is_empty() && nesting.is_empty() {
        let (page, scope) = page.into_parts();
        let page = page.limit(limit + 1);
        read_all(scope, columns.all(db, page).await.map_err(AppError::from)?)
    } else {
        let loaders = loaders::request_loaders(ctx)?;
        let scope = page.scope();
        let mut rows = Vec::new();
        let mut children = vec![Vec::new(); nesting.len()];
        let read = select_with(db, page, columns, &plan, &nesting, Some(limit + 1)).await;
        for read in read.map_err(AppError::from)? {
            prime_all(loaders, &read.parents).await;
            if let Some(id) = as_i64(read.row.get(id_column))
                && read.row.shown()
            {
                for (arrays, array) in children.iter_mut().zip(read.children) {
                    arrays.push((id, array));
                }
            }
            rows.push(read.row);
        }
        nesting
            .prime(loaders, scope, db.get_database_backend(), children)
            .await
            .map_err(AppError::from)?;
        rows
    };
    let has_next = rows.len() as u64 > limit;
    let mut connection = Connection::with_additional_fields(after.is_some(), has_next, total);
    for row in rows.into_iter().take(limit as usize) {
        let id = match row.get(id_column) {
            Value::BigInt(Some(id)) => id,
            _ => 0,
        };
        let cursor = encode_cursor(&CursorData {
            s: sort.name.to_owned(),
            k: key_to_json(row.get(sort.column)),
            i: id,
        });
        connection.edges.push(Edge::new(cursor, to_node(row)));
    }
    Ok(connection)
}
