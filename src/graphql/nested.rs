//! To-many children read in their parent page's statement.
//!
//! A page of projects asks for each project's stages, open tickets and risks. Through
//! their loaders, each is one more statement after the page's, and so a round trip and
//! PostgreSQL's work of a statement. Here a table declares its to-many fields ([`Nest`]: a
//! GraphQL field, and how its arguments name a child set); when a page is read, the
//! look-ahead says which of them its nodes resolve, and each is read in the page's own
//! statement by a correlated subquery that gathers a row's children into one value (a
//! text array on PostgreSQL, JSON on SQLite): the loader's conditions, the
//! children's own visibility, only the columns the selection reads
//! ([`super::columns`]), and the loader's order. The rows are fed into the loader under
//! the key its resolver asks, so resolving them costs no statement. A key the resolvers
//! do not ask (a field repeated under aliases with other selections) costs only its
//! reading: its resolver loads what it asks for itself.

use std::{any::Any, marker::PhantomData};

use async_graphql::{Lookahead, Name, SelectionField, Value as ConstValue};
use futures_util::future::BoxFuture;
use sea_orm::{
    DatabaseBackend, DbErr, EntityName, IdenStatic, ModelTrait, Order, Value,
    sea_query::{Alias, Expr, ExprTrait, Query, QueryStatementBuilder},
};

use super::{
    columns::{Columns, Reader},
    loaders::{ChildModel, ChildrenOf, Keyed, Loaders, ParentRef, RequestLoaders},
};
use crate::auth::{
    Scope,
    scope::{Visible, visible_under},
};

/// Most children read in one page's statement: each is a subquery per row of the page.
const MAX_NESTED: usize = 6;

/// A to-many field of a table's object whose rows can be read in its page's statement.
pub struct Nest {
    field: &'static str,
    set: &'static dyn NestSet,
}

impl Nest {
    pub const fn new(field: &'static str, set: &'static dyn NestSet) -> Self {
        Self { field, set }
    }
}

/// A child set that a field's arguments name.
pub trait Nestable: ChildrenOf {
    /// The set these arguments name; `None` for arguments it does not read.
    fn from_arguments(arguments: &[(Name, ConstValue)]) -> Option<Self>;
}

/// The set `open: Boolean` names (absent or null: all).
pub fn open_argument(arguments: &[(Name, ConstValue)]) -> Option<Option<bool>> {
    match arguments {
        [] => Some(None),
        [(name, value)] if name.as_str() == "open" => match value {
            ConstValue::Boolean(open) => Some(Some(*open)),
            ConstValue::Null => Some(None),
            _ => None,
        },
        _ => None,
    }
}

/// A [`Nestable`] set, its type erased.
pub trait NestSet: Send + Sync {
    /// The children one occurrence of the field reads, unless `planned` has them already
    /// or their columns would not come back exactly as text.
    fn plan(
        &self,
        field: SelectionField<'_>,
        planned: &[Box<dyn Nested>],
    ) -> Option<Box<dyn Nested>>;
}

/// The [`NestSet`] of a set type.
pub struct SetOf<S>(PhantomData<fn() -> S>);

impl<S: Nestable> SetOf<S> {
    pub const SET: SetOf<S> = SetOf(PhantomData);
}

impl<S: Nestable> NestSet for SetOf<S> {
    fn plan(
        &self,
        field: SelectionField<'_>,
        planned: &[Box<dyn Nested>],
    ) -> Option<Box<dyn Nested>> {
        // A field under `@skip` or `@include` may not be resolved: its resolver loads it.
        if !field.directives().ok()?.is_empty() {
            return None;
        }
        let set = S::from_arguments(&field.arguments().ok()?)?;
        if matches!(set.order().1, Order::Field(_)) {
            return None;
        }
        // The key its resolver asks (`loaders::selected_children`), and what is read for
        // it: a whole row is read by name, which a gathered array has not, so by position.
        let always = [S::Entity::id_column(), set.parent_column()];
        let key = Columns::of::<S::Entity>(&Lookahead::from(field), &always);
        let read = if key == Columns::ALL {
            Columns::every::<S::Entity>()
        } else {
            key
        };
        // The parent column is the parent's id, known without reading it.
        let parent_column = set.parent_column();
        let from_parent = S::Entity::blank()
            .is_some_and(|blank| matches!(blank.get(parent_column), Value::BigInt(_)));
        let read = if from_parent {
            read.without::<S::Entity>(parent_column)
        } else {
            read
        };
        let reader = Reader::<S::Entity>::new(read).ok()?;
        if !reader.reads_json_exactly() {
            return None;
        }
        let child = Child {
            set,
            key,
            reader,
            from_parent,
        };
        let seen = planned.iter().any(|p| {
            p.as_any()
                .downcast_ref::<Child<S>>()
                .is_some_and(|c| c.set == child.set && c.key == child.key)
        });
        (!seen).then(|| Box::new(child) as Box<dyn Nested>)
    }
}

/// One child set read in a page's statement, its type erased.
pub trait Nested: Send + Sync {
    fn as_any(&self) -> &dyn Any;
    /// The subquery giving a row's children as one text (PostgreSQL's array text, SQLite's
    /// JSON), or NULL for none.
    fn subquery(
        &self,
        backend: DatabaseBackend,
        scope: Scope,
        parent: (&'static str, &'static str),
    ) -> Expr;
    /// Reads each shown parent's array and feeds the rows into the loader.
    fn prime<'a>(
        &'a self,
        loaders: &'a RequestLoaders,
        scope: Scope,
        backend: DatabaseBackend,
        arrays: Vec<(i64, Option<String>)>,
    ) -> BoxFuture<'a, Result<(), DbErr>>;
}

struct Child<S: Nestable> {
    set: S,
    key: Columns,
    reader: Reader<S::Entity>,
    /// The rows' parent column is not read but set from the parent's id.
    from_parent: bool,
}

impl<S: Nestable> Nested for Child<S> {
    fn as_any(&self) -> &dyn Any {
        self
    }

    fn subquery(
        &self,
        backend: DatabaseBackend,
        scope: Scope,
        (parent_table, parent_id): (&'static str, &'static str),
    ) -> Expr {
        let table = S::Entity::default();
        let name = table.table_name();
        let column = |c: &str| format!("\"{name}\".\"{c}\"");
        let (by, sort) = self.set.order();
        let id = S::Entity::id_column();
        let parent_column = self.set.parent_column();
        let mut rows = Query::select()
            .from(table)
            .and_where(
                Expr::col((table, parent_column))
                    .equals((Alias::new(parent_table), Alias::new(parent_id))),
            )
            .cond_where(self.set.condition())
            .cond_where(visible_under::<S::Entity>(scope, parent_column, true))
            .to_owned();
        // Our own identifiers only: nothing from the caller is written into the text.
        // PostgreSQL builds a text array (`{{..},{..}}`) faster than JSON, and an array
        // of a subquery faster than `array_agg`; SQLite has JSON at hand.
        match backend {
            DatabaseBackend::Postgres => {
                let values = self.reader.pg_text_columns(name).join(", ");
                rows.expr(Expr::cust(format!("array[{values}]::text[]")))
                    .order_by((table, by), sort.clone());
                if by.as_str() != id.as_str() {
                    rows.order_by((table, id), sort);
                }
                Expr::cust_with_expr(
                    "array($1)::text",
                    Expr::SubQuery(None, Box::new(rows.into_sub_query_statement())),
                )
            }
            _ => {
                let values = self
                    .reader
                    .columns()
                    .into_iter()
                    .flatten()
                    .map(|c| column(c.as_str()))
                    .collect::<Vec<_>>()
                    .join(", ");
                // SQLite orders inside the aggregate, so the order is written out here.
                let direction = if matches!(sort, Order::Desc) {
                    "DESC"
                } else {
                    "ASC"
                };
                let mut order = format!("{} {direction}", column(by.as_str()));
                if by.as_str() != id.as_str() {
                    order.push_str(&format!(", {} {direction}", column(id.as_str())));
                }
                let gather = format!("json_group_array(json_array({values}) ORDER BY {order})");
                rows.expr(Expr::cust(gather));
                Expr::SubQuery(None, Box::new(rows.into_sub_query_statement()))
            }
        }
    }

    fn prime<'a>(
        &'a self,
        loaders: &'a RequestLoaders,
        scope: Scope,
        backend: DatabaseBackend,
        arrays: Vec<(i64, Option<String>)>,
    ) -> BoxFuture<'a, Result<(), DbErr>> {
        Box::pin(async move {
            let mut fed = Vec::with_capacity(arrays.len());
            for (parent, array) in arrays {
                let rows = match (backend, array) {
                    (_, None) => Vec::new(),
                    (DatabaseBackend::Postgres, Some(text)) => text_rows(&text)
                        .ok_or_else(|| {
                            DbErr::Type(format!("children as a text array: {text:.80}"))
                        })?
                        .into_iter()
                        .map(|values| self.reader.read_text(values))
                        .collect::<Result<_, _>>()?,
                    (_, Some(text)) => serde_json::from_str::<Vec<Vec<serde_json::Value>>>(&text)
                        .map_err(|e| DbErr::Json(format!("children as JSON: {e}")))?
                        .into_iter()
                        .map(|values| self.reader.read_json(values))
                        .collect::<Result<_, _>>()?,
                };
                let rows = rows
                    .into_iter()
                    .map(|mut row: ChildModel<S>| {
                        if self.from_parent {
                            let id = Value::BigInt(Some(parent));
                            row.try_set(self.set.parent_column(), id)?;
                        }
                        Ok(Visible::read(scope, row))
                    })
                    .collect::<Result<Vec<_>, DbErr>>()?;
                fed.push(((ParentRef::shown(parent), self.set.clone(), self.key), rows));
            }
            loaders.get(Loaders::children::<S>).feed_many(fed).await;
            Ok(())
        })
    }
}

/// The children a page's nodes resolve that its statement reads.
#[derive(Default)]
pub struct Nesting(Vec<Box<dyn Nested>>);

impl Nesting {
    /// The nested fields of `nodes` (the occurrences of a page's node, whose rows are of
    /// `E`) that their resolvers will load.
    pub fn of<E: Keyed>(nodes: &[SelectionField<'_>]) -> Nesting {
        let nests = E::nests();
        let mut planned: Vec<Box<dyn Nested>> = Vec::new();
        if nests.is_empty() {
            return Nesting(planned);
        }
        for node in nodes {
            for field in node.selection_set() {
                let Some(nest) = nests.iter().find(|n| n.field == field.name()) else {
                    continue;
                };
                if planned.len() == MAX_NESTED {
                    return Nesting(planned);
                }
                if let Some(child) = nest.set.plan(field, &planned) {
                    planned.push(child);
                }
            }
        }
        Nesting(planned)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &dyn Nested> {
        self.0.iter().map(|n| n.as_ref())
    }

    /// The name of the column holding the `k`-th child set's arrays.
    pub fn column(k: usize) -> String {
        format!("n{k}_children")
    }

    /// Feeds the arrays read (per child set, each parent's) into the loaders.
    pub async fn prime(
        &self,
        loaders: &RequestLoaders,
        scope: Scope,
        backend: DatabaseBackend,
        arrays: Vec<Vec<(i64, Option<String>)>>,
    ) -> Result<(), DbErr> {
        for (child, arrays) in self.0.iter().zip(arrays) {
            child.prime(loaders, scope, backend, arrays).await?;
        }
        Ok(())
    }
}

/// The rows of a two-dimensional PostgreSQL text array as PostgreSQL writes one
/// (`{{1,"a b",NULL},{2,"\"q\"",x}}`, or `{}`): each element unquoted (and `NULL` for
/// null), or double-quoted with `\` escaping `"` and `\`. `None`: not such an array.
fn text_rows(text: &str) -> Option<Vec<Vec<Option<String>>>> {
    // Scanned by byte: every delimiter is ASCII, so a value's bytes between two of them
    // are whole UTF-8 characters, copied at once.
    let bytes = text.as_bytes();
    let mut rows = Vec::new();
    if bytes.first() != Some(&b'{') {
        return None;
    }
    if bytes.get(1) == Some(&b'}') {
        return (bytes.len() == 2).then_some(rows);
    }
    let mut at = 1;
    loop {
        if bytes.get(at)? != &b'{' {
            return None;
        }
        at += 1;
        let mut row = Vec::new();
        loop {
            let value = if bytes.get(at) == Some(&b'"') {
                at += 1;
                let mut value = String::new();
                loop {
                    let run = bytes[at..].iter().position(|&b| b == b'"' || b == b'\\')?;
                    value.push_str(text.get(at..at + run)?);
                    at += run;
                    if bytes[at] == b'"' {
                        at += 1;
                        break;
                    }
                    // A backslash: the character after it stands for itself.
                    let escaped = text.get(at + 1..)?.chars().next()?;
                    value.push(escaped);
                    at += 1 + escaped.len_utf8();
                }
                Some(value)
            } else {
                let run = bytes[at..].iter().position(|&b| b == b',' || b == b'}')?;
                let value = text.get(at..at + run)?;
                at += run;
                (value != "NULL").then(|| value.to_owned())
            };
            row.push(value);
            at += 1;
            match bytes.get(at - 1)? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
        rows.push(row);
        at += 1;
        match bytes.get(at - 1)? {
            b',' => continue,
            b'}' => return (at == bytes.len()).then_some(rows),
            _ => return None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::text_rows;

    fn row(values: &[Option<&str>]) -> Vec<Option<String>> {
        values.iter().map(|v| v.map(str::to_owned)).collect()
    }

    #[test]
    fn text_arrays_read_as_postgresql_writes_them() {
        // As `SELECT array_agg(array['a b', NULL, 'NULL', '', 'x"y\z', '{', '1']::text[])`
        // wrote it, twice.
        let text =
            r#"{{"a b",NULL,"NULL","","x\"y\\z","{",1},{"a b",NULL,"NULL","","x\"y\\z","{",1}}"#;
        let one = row(&[
            Some("a b"),
            None,
            Some("NULL"),
            Some(""),
            Some("x\"y\\z"),
            Some("{"),
            Some("1"),
        ]);
        assert_eq!(text_rows(text), Some(vec![one.clone(), one]));
        assert_eq!(text_rows("{}"), Some(vec![]));
        assert_eq!(text_rows("{{7}}"), Some(vec![row(&[Some("7")])]));
        // Characters of several bytes, quoted, unquoted and escaped.
        assert_eq!(
            text_rows(r#"{{日本,"a 😀 b","\é"}}"#),
            Some(vec![row(&[Some("日本"), Some("a 😀 b"), Some("é")])])
        );
        for broken in ["", "{", "{{1}", "{{1}}x", "{1,2}", r#"{{"open}}"#, "{{1},}"] {
            assert_eq!(text_rows(broken), None, "{broken}");
        }
    }
}
