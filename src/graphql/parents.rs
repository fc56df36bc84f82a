//! To-one parents read in their child's statement.
//!
//! A row asked for by id often comes with its parents (a ticket with its project and the
//! project's client). Loaded one relation at a time that is a round trip per level. Here a
//! table declares its to-one relations ([`Hop`]s, by GraphQL field and foreign key); when
//! a row is loaded by id, the query's look-ahead says which of them (and which of theirs,
//! up to [`MAX_DEPTH`]) will be resolved, and they are read by LEFT JOINs in the row's own
//! statement. Each parent's visibility to the caller is part of its join condition, its
//! row is redacted like any other, and it is fed into the loader its resolver will ask, so
//! resolving it costs no statement.

use std::{any::Any, collections::HashMap, fmt, marker::PhantomData, sync::Arc};

use async_graphql::{Lookahead, dataloader::Loader};
use futures_util::future::BoxFuture;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, IdenStatic, Iterable, ModelTrait, QueryResult,
    QueryTrait,
    sea_query::{Alias, Expr, ExprTrait, JoinType, SelectStatement},
};

use super::{
    columns::{Columns, PrefixedReader, Reader},
    loaders::{Keyed, Loaders, RequestLoaders, as_i64, internal},
    nested::Nesting,
};
use crate::auth::{
    Scope,
    scope::{Visible, VisibleSelect, visible},
};
use crate::reads::Reads;

/// How many levels of parents a statement joins (ticket -> project -> client is two).
pub const MAX_DEPTH: usize = 2;

/// A to-one relation: the child's `fk` column names the parent row that the child's
/// GraphQL field `field` resolves.
pub struct Hop {
    field: &'static str,
    fk: &'static str,
    parent: &'static dyn Table,
}

impl Hop {
    pub const fn new(field: &'static str, fk: &'static str, parent: &'static dyn Table) -> Self {
        Self { field, fk, parent }
    }
}

/// One parent to join: its relation from the row (`from` 0) or from the parent joined by
/// step `from - 1`, and the columns of it that the query reads.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
struct Step {
    from: usize,
    field: &'static str,
    columns: Columns,
}

/// The parents to join, parents before their own parents. Empty: none.
#[derive(Clone, PartialEq, Eq, Hash, Debug, Default)]
pub struct Plan(Arc<[Step]>);

impl Plan {
    /// The parents of a row of `E` that `look` (the selection of the field being resolved)
    /// will resolve.
    pub fn of<E: Keyed>(look: &Lookahead<'_>) -> Plan {
        if E::parents().is_empty() {
            // Most tables: nothing to look at, nothing allocated.
            return Plan::default();
        }
        let mut steps = Vec::new();
        let mut tables = vec![Of::<E>::TABLE.name()];
        walk(E::parents(), look, 0, 0, &mut tables, &mut steps);
        Plan(steps.into())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The part of the plan below step `k`, as the plan of step `k`'s own row.
    fn below(&self, k: usize) -> Plan {
        // Steps are in join order, so a step's ancestors come before it: one pass maps
        // each step under `k` to its place in the sub-plan (node k + 1 becomes the row).
        let mut node = HashMap::from([(k + 1, 0)]);
        let mut steps = Vec::new();
        for (j, step) in self.0.iter().enumerate().skip(k + 1) {
            if let Some(&from) = node.get(&step.from) {
                steps.push(Step { from, ..*step });
                node.insert(j + 1, steps.len());
            }
        }
        Plan(steps.into())
    }
}

fn walk(
    hops: &'static [Hop],
    look: &Lookahead<'_>,
    from: usize,
    depth: usize,
    tables: &mut Vec<&'static str>,
    steps: &mut Vec<Step>,
) {
    if depth == MAX_DEPTH {
        return;
    }
    for hop in hops {
        let below = look.field(hop.field);
        // A table joined twice would need aliases its visibility condition does not use.
        if !below.exists() || tables.contains(&hop.parent.name()) {
            continue;
        }
        tables.push(hop.parent.name());
        steps.push(Step {
            from,
            field: hop.field,
            columns: hop.parent.columns(&below),
        });
        let node = steps.len();
        walk(hop.parent.hops(), &below, node, depth + 1, tables, steps);
    }
}

/// A parent's `Visible` row, its type erased.
type AnyRow = Arc<dyn Any + Send + Sync>;

/// What a join needs of a table, with its entity type erased.
pub trait Table: Send + Sync {
    fn name(&self) -> &'static str;
    fn id_name(&self) -> &'static str;
    fn hops(&self) -> &'static [Hop];
    fn visible(&self, scope: Scope) -> Condition;
    /// The columns of its rows that `look` (the field that resolves a row) reads.
    fn columns(&self, look: &Lookahead<'_>) -> Columns;
    /// Selects `columns`, each named `{prefix}{column}`.
    fn select(&self, q: &mut SelectStatement, prefix: &str, columns: Columns);
    /// What reads its rows from the `columns` named `{prefix}{column}`: made once for
    /// all the rows of a statement.
    fn reader(
        &self,
        columns: Columns,
        prefix: String,
    ) -> Result<Box<dyn ParentReader>, sea_orm::DbErr>;
    /// Feeds a parsed row (and those below it) into the loader its resolver asks.
    fn prime<'a>(&'a self, loaders: &'a RequestLoaders, parent: &'a Parent) -> BoxFuture<'a, ()>;
}

/// Reads a joined parent's row, its type erased.
pub trait ParentReader: Send + Sync {
    /// The row, as `scope` may read it; None when the join found none.
    fn parse(
        &self,
        row: &QueryResult,
        scope: Scope,
    ) -> Result<Option<(i64, AnyRow)>, sea_orm::DbErr>;
}

impl<E: Keyed> ParentReader for PrefixedReader<E> {
    fn parse(
        &self,
        row: &QueryResult,
        scope: Scope,
    ) -> Result<Option<(i64, AnyRow)>, sea_orm::DbErr> {
        let Some(id) = row.try_get::<Option<i64>>(self.prefix(), E::id_column().as_str())? else {
            return Ok(None);
        };
        let model = self.read(row)?;
        Ok(Some((id, Arc::new(Visible::read(scope, model)))))
    }
}

/// The [`Table`] of an entity.
pub struct Of<E>(PhantomData<fn() -> E>);

impl<E: Keyed> Of<E> {
    pub const TABLE: Of<E> = Of(PhantomData);
}

impl<E: Keyed> Table for Of<E> {
    fn name(&self) -> &'static str {
        E::default().table_name()
    }

    fn id_name(&self) -> &'static str {
        E::id_column().as_str()
    }

    fn hops(&self) -> &'static [Hop] {
        E::parents()
    }

    fn visible(&self, scope: Scope) -> Condition {
        visible::<E>(scope)
    }

    fn columns(&self, look: &Lookahead<'_>) -> Columns {
        Columns::of::<E>(look, &[E::id_column()])
    }

    fn select(&self, q: &mut SelectStatement, prefix: &str, columns: Columns) {
        for (i, c) in E::Column::iter().enumerate() {
            if columns.has(i) {
                q.expr_as(
                    Expr::col((E::default(), c)),
                    Alias::new(format!("{prefix}{}", c.as_str())),
                );
            }
        }
    }

    fn reader(
        &self,
        columns: Columns,
        prefix: String,
    ) -> Result<Box<dyn ParentReader>, sea_orm::DbErr> {
        Ok(Box::new(Reader::<E>::new(columns)?.prefixed(prefix)))
    }

    fn prime<'a>(&'a self, loaders: &'a RequestLoaders, parent: &'a Parent) -> BoxFuture<'a, ()> {
        Box::pin(async move {
            let Some(row) = parent.row.downcast_ref::<Visible<E::Model>>() else {
                return;
            };
            // Under the key its resolver asks (`loaders::selected_one`).
            if parent.plan.is_empty() && parent.columns == Columns::ALL {
                loaders
                    .get(Loaders::by_id::<E>)
                    .feed_one(parent.id, row.clone())
                    .await;
            } else {
                let value = WithParents {
                    row: row.clone(),
                    parents: parent.below.clone(),
                };
                let key = (parent.id, parent.plan.clone(), parent.columns);
                loaders
                    .get(Loaders::by_id_with::<E>)
                    .feed_one(key, value)
                    .await;
            }
            prime_all(loaders, &parent.below).await;
        })
    }
}

/// A parent read with a row: its table, id, the columns read and the row, the plan it was
/// read with below it, and its own parents.
#[derive(Clone)]
pub struct Parent {
    table: &'static dyn Table,
    id: i64,
    columns: Columns,
    plan: Plan,
    row: AnyRow,
    below: Arc<[Parent]>,
}

/// Feeds `parents`, and those above them, into the loaders their resolvers ask.
pub async fn prime_all(loaders: &RequestLoaders, parents: &[Parent]) {
    for parent in parents {
        parent.table.prime(loaders, parent).await;
    }
}

/// A row with the parents its plan joined.
pub struct WithParents<M> {
    pub row: Visible<M>,
    pub parents: Arc<[Parent]>,
}

impl<M: Clone> Clone for WithParents<M> {
    fn clone(&self) -> Self {
        Self {
            row: self.row.clone(),
            parents: self.parents.clone(),
        }
    }
}

impl<M> fmt::Debug for WithParents<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WithParents")
            .field("parents", &self.parents.len())
            .finish()
    }
}

/// A row by id: its id, the parents to join, the columns to read.
pub type RowKey = (i64, Plan, Columns);

/// Rows by id with the parents their plan names, of the columns asked: one statement per
/// plan and columns in a batch.
pub struct ByIdWith<E>(
    pub(super) Reads,
    pub(super) Scope,
    pub(super) PhantomData<E>,
);

impl<E: Keyed> Loader<RowKey> for ByIdWith<E> {
    type Value = WithParents<E::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[RowKey]) -> Result<HashMap<RowKey, Self::Value>, Self::Error> {
        let mut by_shape: HashMap<(&Plan, Columns), Vec<i64>> = HashMap::new();
        for (id, plan, columns) in keys {
            by_shape.entry((plan, *columns)).or_default().push(*id);
        }
        let mut out = HashMap::new();
        for ((plan, columns), ids) in by_shape {
            let rows = self.load_rows(plan, columns, ids).await.map_err(internal)?;
            for (id, value) in rows {
                out.insert((id, plan.clone(), columns), value);
            }
        }
        Ok(out)
    }
}

impl<E: Keyed> ByIdWith<E> {
    async fn load_rows(
        &self,
        plan: &Plan,
        columns: Columns,
        ids: Vec<i64>,
    ) -> Result<Vec<(i64, WithParents<E::Model>)>, sea_orm::DbErr> {
        let rows = VisibleSelect::<E>::new(self.1)
            .filter(E::id_column().is_in(ids))
            .narrow(|rows| columns.apply(rows));
        Ok(
            select_with(&self.0, rows, columns, plan, &Nesting::default(), None)
                .await?
                .into_iter()
                .filter_map(|Read { row, parents, .. }| {
                    let id = as_i64(row.get(E::id_column()))?;
                    Some((id, WithParents { row, parents }))
                })
                .collect(),
        )
    }
}

/// A row read by [`select_with`]: as its scope may read it, with the parents its plan
/// joined and, per child set of its nesting, its children gathered as text.
pub struct Read<M> {
    pub row: Visible<M>,
    pub parents: Arc<[Parent]>,
    pub children: Vec<Option<String>>,
}

/// Runs `select` with the parents `plan` names joined and the children `nesting` names
/// gathered ([`super::nested`]), at most `limit` rows. `select` keeps its conditions and
/// order, and selects the row's `columns` ([`Columns::apply`]).
///
/// The limit is written into the statement as a constant: bound, it left PostgreSQL
/// unable to cost a generic plan of a statement with a subquery per row (for all it
/// knew, the page was of a thousand rows), so the statement was planned afresh at every
/// execution. A plan per page size is kept instead.
pub async fn select_with<E: Keyed>(
    db: &Reads,
    select: VisibleSelect<E>,
    columns: Columns,
    plan: &Plan,
    nesting: &Nesting,
    limit: Option<u64>,
) -> Result<Vec<Read<E::Model>>, sea_orm::DbErr> {
    let reader = Reader::<E>::new(columns)?;
    let (select, scope) = select.into_parts();
    let root: &'static dyn Table = &Of::<E>::TABLE;
    // The table of each node: the row (0), then each step's parent.
    let mut tables: Vec<&'static dyn Table> = vec![root];
    // The row's own columns keep their names; each parent's are prefixed `t{node}_`, and
    // read by the reader of its step.
    let mut readers = Vec::with_capacity(plan.0.len());
    let mut q = select.into_query();
    for (k, step) in plan.0.iter().enumerate() {
        let child = tables[step.from];
        let Some(hop) = child.hops().iter().find(|h| h.field == step.field) else {
            return Err(sea_orm::DbErr::Custom(format!(
                "no relation {} of {}",
                step.field,
                child.name()
            )));
        };
        let parent = hop.parent;
        let on = Condition::all()
            .add(
                Expr::col((Alias::new(parent.name()), Alias::new(parent.id_name())))
                    .equals((Alias::new(child.name()), Alias::new(hop.fk))),
            )
            .add(parent.visible(scope));
        q.join(JoinType::LeftJoin, Alias::new(parent.name()), on);
        let prefix = format!("t{}_", k + 1);
        parent.select(&mut q, &prefix, step.columns);
        readers.push(parent.reader(step.columns, prefix)?);
        tables.push(parent);
    }
    let backend = db.get_database_backend();
    let names: Vec<String> = (0..nesting.len()).map(Nesting::column).collect();
    for (child, name) in nesting.iter().zip(&names) {
        let parent = (root.name(), root.id_name());
        q.expr_as(child.subquery(backend, scope, parent), Alias::new(name));
    }
    let mut statement = backend.build(&q);
    if let Some(limit) = limit {
        statement.sql.push_str(&format!(" LIMIT {limit}"));
    }
    let mut out = Vec::new();
    for row in db.query_all_raw(statement).await? {
        let model = reader.read(&row)?;
        let parents = parents_of(&row, scope, plan, &tables, &readers, 0)?;
        let children = names
            .iter()
            .map(|name| row.try_get::<Option<String>>("", name))
            .collect::<Result<_, _>>()?;
        out.push(Read {
            row: Visible::read(scope, model),
            parents,
            children,
        });
    }
    Ok(out)
}

/// The parents of node `node` that `row` holds, each with its own.
fn parents_of(
    row: &QueryResult,
    scope: Scope,
    plan: &Plan,
    tables: &[&'static dyn Table],
    readers: &[Box<dyn ParentReader>],
    node: usize,
) -> Result<Arc<[Parent]>, sea_orm::DbErr> {
    let mut parents = Vec::new();
    for (k, step) in plan.0.iter().enumerate() {
        if step.from != node {
            continue;
        }
        if let Some((id, parsed)) = readers[k].parse(row, scope)? {
            parents.push(Parent {
                table: tables[k + 1],
                id,
                columns: step.columns,
                plan: plan.below(k),
                row: parsed,
                below: parents_of(row, scope, plan, tables, readers, k + 1)?,
            });
        }
    }
    Ok(parents.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(steps: &[(usize, &'static str)]) -> Plan {
        Plan(
            steps
                .iter()
                .map(|&(from, field)| Step {
                    from,
                    field,
                    columns: Columns::ALL,
                })
                .collect(),
        )
    }

    #[test]
    fn the_plan_below_a_step_is_its_parents_renumbered() {
        // ticket -> project -> client, ticket -> assignee
        let p = plan(&[(0, "project"), (1, "client"), (0, "assignee")]);
        assert_eq!(p.below(0), plan(&[(0, "client")]));
        assert!(p.below(1).is_empty());
        assert!(p.below(2).is_empty());
        // a -> b -> c -> d: below b, c is the row's parent and d is c's.
        let p = plan(&[(0, "b"), (1, "c"), (2, "d")]);
        assert_eq!(p.below(0), plan(&[(0, "c"), (1, "d")]));
    }
}
