//! DataLoaders: every relation of the graph loads in batches, one query per relation and
//! request level, whatever the page size.

use std::{
    any::{Any, TypeId},
    collections::HashMap,
    hash::Hash,
    marker::PhantomData,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_graphql::{
    Context,
    dataloader::{DataLoader, HashMapCache, Loader},
};
use entity::{EntityKind, event};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, EntityTrait, ModelTrait, Order,
    QueryFilter, QueryOrder, Statement, Value,
};

use super::{
    batching::Batches,
    columns::{Columns, FieldColumns},
    nested::{Nest, SetOf},
    parents::{ByIdWith, Hop, Of, Plan, prime_all},
    sets::{ProjectsOfClient, RisksOfProject, StagesOfProject, TicketsOfClient, TicketsOfProject},
};
use crate::{
    auth::{
        Scope,
        scope::{Redact, Scoped, Visible, portal_event_sql, read_all, visible, visible_under},
    },
    domain::service_level::Policy,
    error::AppError,
    reads::Reads,
};

/// A table whose rows have an `i64` id column.
pub trait Keyed: Scoped + EntityTrait<Model: Clone + Send + Sync + Redact> {
    fn id_column() -> Self::Column;
    /// Its to-one relations that may be read in its own statement ([`super::parents`]).
    fn parents() -> &'static [Hop] {
        &[]
    }
    /// Its to-many fields whose rows may be read in its page's statement
    /// ([`super::nested`]).
    fn nests() -> &'static [Nest] {
        &[]
    }
    /// The columns each field of its GraphQL object reads ([`super::columns`]); `None`:
    /// its rows are always read whole.
    fn field_columns() -> Option<FieldColumns> {
        None
    }
    /// The row that a row read in part starts from ([`super::columns::Reader`]); `None`:
    /// its rows are always read whole.
    fn blank() -> Option<Self::Model> {
        None
    }
}

macro_rules! keyed {
    ($($m:ident),+) => { $(impl Keyed for entity::$m::Entity { fn id_column() -> Self::Column { entity::$m::Column::Id } })+ };
}
impl Keyed for entity::kickoff_obligation::Entity {
    fn id_column() -> Self::Column {
        entity::kickoff_obligation::Column::ProjectId
    }
}

/// A rating is one per stage and contact.
impl Keyed for entity::milestone_rating::Entity {
    fn id_column() -> Self::Column {
        entity::milestone_rating::Column::ContactId
    }
}

/// An answer is one per survey and contact.
impl Keyed for entity::survey_answer::Entity {
    fn id_column() -> Self::Column {
        entity::survey_answer::Column::ContactId
    }
}

/// A survey asks each client once.
impl Keyed for entity::survey_client::Entity {
    fn id_column() -> Self::Column {
        entity::survey_client::Column::ClientId
    }
}

/// A reading is one per report and contact: within a report's readings, the contact
/// tells them apart (as the loaders' tie-break).
impl Keyed for entity::report_read::Entity {
    fn id_column() -> Self::Column {
        entity::report_read::Column::ContactId
    }
}

/// The to-one relations a row's statement may join, by the GraphQL field that resolves
/// each.
const PROJECT: Hop = Hop::new(
    "project",
    "project_id",
    &Of::<entity::project::Entity>::TABLE,
);
const CLIENT: Hop = Hop::new("client", "client_id", &Of::<entity::client::Entity>::TABLE);
const ASSIGNEE: Hop = Hop::new(
    "assignee",
    "assignee_id",
    &Of::<entity::user::Entity>::TABLE,
);

/// The to-many fields of a project that a page of projects may read in its statement.
const PROJECT_CHILDREN: &[Nest] = &[
    Nest::new("stages", &SetOf::<StagesOfProject>::SET),
    Nest::new("tickets", &SetOf::<TicketsOfProject>::SET),
    Nest::new("risks", &SetOf::<RisksOfProject>::SET),
];

/// The to-many fields of a client that a page of clients may read in its statement.
const CLIENT_CHILDREN: &[Nest] = &[
    Nest::new("projects", &SetOf::<ProjectsOfClient>::SET),
    Nest::new("tickets", &SetOf::<TicketsOfClient>::SET),
];

impl Keyed for entity::client::Entity {
    fn id_column() -> Self::Column {
        entity::client::Column::Id
    }
    fn nests() -> &'static [Nest] {
        CLIENT_CHILDREN
    }
    fn field_columns() -> Option<FieldColumns> {
        Some(super::client::COLUMNS)
    }
    fn blank() -> Option<Self::Model> {
        Some(Default::default())
    }
}

/// Tables whose to-one parents ride along in their statement when the query asks, which
/// of them declare the columns their fields read, and which have children that may ride
/// along in their page's statement.
macro_rules! keyed_with_parents {
    ($($m:ident => [$($hop:expr),+] $(, reads $columns:expr)? $(, nests $nests:expr)?);+ $(;)?) => { $(impl Keyed for entity::$m::Entity {
        fn id_column() -> Self::Column {
            entity::$m::Column::Id
        }
        fn parents() -> &'static [Hop] {
            const HOPS: &[Hop] = &[$($hop),+];
            HOPS
        }
        $(fn field_columns() -> Option<FieldColumns> {
            Some($columns)
        }
        fn blank() -> Option<Self::Model> {
            Some(Default::default())
        })?
        $(fn nests() -> &'static [Nest] {
            $nests
        })?
    })+ };
}
keyed_with_parents!(
    ticket => [PROJECT, CLIENT, ASSIGNEE], reads super::ticket::COLUMNS;
    project => [CLIENT], reads super::project::COLUMNS, nests PROJECT_CHILDREN;
    stage => [PROJECT], reads super::delivery::STAGE_COLUMNS;
    risk => [PROJECT], reads super::delivery::RISK_COLUMNS;
    requirement => [PROJECT];
    report => [PROJECT];
);

keyed!(
    webhook_endpoint,
    outbox_message,
    document,
    survey,
    user,
    contact,
    team_member,
    ticket_comment,
    event,
    ticket_clock,
    service_level_policy,
    service_level_target,
    escalation_level,
    ticket_escalation,
    follow_up,
    requirement_sheet,
    change_request,
    acceptance,
    interaction,
    proposal_version,
    proposal_review,
    proposal_feedback,
    negotiation_round,
    negotiation_term,
    contract,
    meeting,
    action_item,
    acceptance_criterion
);

pub(super) fn as_i64(value: Value) -> Option<i64> {
    match value {
        Value::BigInt(v) => v,
        Value::Int(v) => v.map(i64::from),
        _ => None,
    }
}

pub(super) fn internal(err: sea_orm::DbErr) -> async_graphql::Error {
    AppError::from(err).into()
}

/// Rows by id, of those the request's caller may see.
pub struct ById<E>(Reads, Scope, PhantomData<E>);

impl<E: Keyed> Loader<i64> for ById<E> {
    type Value = Visible<E::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let rows = E::find()
            .filter(E::id_column().is_in(keys.iter().copied()))
            .filter(visible::<E>(self.1))
            .all(&self.0)
            .await
            .map_err(internal)?;
        Ok(read_all(self.1, rows)
            .into_iter()
            .filter_map(|m| as_i64(m.get(E::id_column())).map(|id| (id, m)))
            .collect())
    }
}

/// A set of children of a parent row: which column points at the parent, which rows
/// count, and their order. The key of [`Children`] is `(parent id, set)`.
pub trait ChildSet: Clone + Eq + Hash + Send + Sync + 'static {
    type Entity: Keyed;
    fn parent_column(&self) -> <Self::Entity as EntityTrait>::Column;
    fn condition(&self) -> Condition {
        Condition::all()
    }
    fn order(&self) -> (<Self::Entity as EntityTrait>::Column, Order);
}

/// A child set whose parent column names rows of one table, so that a parent row (and
/// the proof that the caller was shown it) can be handed to [`children`].
pub trait ChildrenOf: ChildSet {
    type Parent: Keyed;
}

/// Whose children: a parent's id, and whether the caller was shown that parent
/// ([`Visible::shown`]): then only what the children's own portal rule adds to the
/// parent's is checked ([`visible_under`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParentRef {
    id: i64,
    shown: bool,
}

impl ParentRef {
    /// A parent the caller was shown ([`Visible::shown`]).
    pub(super) fn shown(id: i64) -> Self {
        Self { id, shown: true }
    }
}

/// The children of many parents that the caller may see, one query per distinct child set
/// (and set of columns read).
pub struct Children<S>(Reads, Scope, PhantomData<S>);

pub(super) type ChildModel<S> = <<S as ChildSet>::Entity as EntityTrait>::Model;
type ChildRows<S> = Vec<Visible<ChildModel<S>>>;

/// Which children: whose, which set, and which of their columns are read.
type ChildKey<S> = (ParentRef, S, Columns);

impl<S: ChildSet> Loader<ChildKey<S>> for Children<S> {
    type Value = ChildRows<S>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ChildKey<S>],
    ) -> Result<HashMap<ChildKey<S>, Self::Value>, Self::Error> {
        let mut by_set: HashMap<(S, bool, Columns), Vec<i64>> = HashMap::new();
        for (parent, set, columns) in keys {
            by_set
                .entry((set.clone(), parent.shown, *columns))
                .or_default()
                .push(parent.id);
        }
        let mut out: HashMap<ChildKey<S>, Self::Value> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for ((set, shown, columns), parents) in by_set {
            let parent_col = set.parent_column();
            let (order_col, order) = set.order();
            let select = S::Entity::find()
                .filter(parent_col.is_in(parents))
                .filter(set.condition())
                .filter(visible_under::<S::Entity>(self.1, parent_col, shown))
                .order_by(order_col, order.clone())
                .order_by(S::Entity::id_column(), order);
            let rows = columns
                .all(&self.0, columns.apply(select))
                .await
                .map_err(internal)?;
            for row in read_all(self.1, rows) {
                if let Some(id) = as_i64(row.get(parent_col)) {
                    let parent = ParentRef { id, shown };
                    out.entry((parent, set.clone(), columns))
                        .or_default()
                        .push(row);
                }
            }
        }
        Ok(out)
    }
}

/// What the latest events are of: a project, a client, or one entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventScope {
    Project,
    Client,
    Entity(EntityKind),
}

/// The latest `limit` events of each of many parents that the caller may see, in one
/// windowed query.
pub struct LatestEvents(Reads, Scope);

impl Loader<(i64, EventScope, u32)> for LatestEvents {
    type Value = Vec<Visible<event::Model>>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(i64, EventScope, u32)],
    ) -> Result<HashMap<(i64, EventScope, u32), Self::Value>, Self::Error> {
        let mut groups: HashMap<(EventScope, u32), Vec<i64>> = HashMap::new();
        for (parent, scope, limit) in keys {
            groups.entry((*scope, *limit)).or_default().push(*parent);
        }
        let backend = self.0.get_database_backend();
        let mut out: HashMap<_, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for ((scope, limit), parents) in groups {
            let (column, entity_kind) = match scope {
                EventScope::Project => ("project_id", None),
                EventScope::Client => ("client_id", None),
                EventScope::Entity(kind) => ("entity_id", Some(kind)),
            };
            let mut values: Vec<Value> = parents.iter().map(|p| Value::from(*p)).collect();
            let mut next = {
                let mut n = 0;
                move || {
                    n += 1;
                    if backend == DatabaseBackend::Postgres {
                        format!("${n}")
                    } else {
                        "?".to_owned()
                    }
                }
            };
            let list = parents
                .iter()
                .map(|_| next())
                .collect::<Vec<_>>()
                .join(", ");
            let kind_filter = match entity_kind {
                Some(kind) => {
                    values.push(Value::from(kind.as_str()));
                    format!(" AND entity_kind = {}", next())
                }
                None => String::new(),
            };
            // The portal rule of `auth::scope` for events, in SQL.
            let portal_filter = match self.1 {
                Scope::All => String::new(),
                Scope::Client(client_id) => portal_event_sql(client_id, |v| {
                    values.push(v);
                    next()
                }),
            };
            values.push(Value::from(i64::from(limit)));
            // `column` comes from the match above, never from input.
            let sql = format!(
                "SELECT * FROM (SELECT e.*, ROW_NUMBER() OVER (PARTITION BY e.{column} ORDER BY e.id DESC) AS rn \
                 FROM events e WHERE e.{column} IN ({list}){kind_filter}{portal_filter}) ranked WHERE rn <= {} ORDER BY id DESC",
                next()
            );
            let rows = event::Entity::find()
                .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
                .all(&self.0)
                .await
                .map_err(internal)?;
            for row in read_all(self.1, rows) {
                let parent = match scope {
                    EventScope::Project => row.project_id,
                    EventScope::Client => row.client_id,
                    EventScope::Entity(_) => Some(row.entity_id),
                };
                if let Some(parent) = parent {
                    out.entry((parent, scope, limit)).or_default().push(row);
                }
            }
        }
        Ok(out)
    }
}

/// The latest delivery attempts of many webhook endpoints, `last` of each, in one
/// windowed query (staff only: the `webhooks` root is).
pub struct RecentDeliveries(Reads);

impl Loader<(i64, u32)> for RecentDeliveries {
    type Value = Vec<entity::webhook_delivery::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[(i64, u32)],
    ) -> Result<HashMap<(i64, u32), Self::Value>, Self::Error> {
        let mut groups: HashMap<u32, Vec<i64>> = HashMap::new();
        for (endpoint, last) in keys {
            groups.entry(*last).or_default().push(*endpoint);
        }
        let backend = self.0.get_database_backend();
        let mut out: HashMap<_, Self::Value> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (last, endpoints) in groups {
            let place = |n: usize| match backend {
                DatabaseBackend::Postgres => format!("${n}"),
                _ => "?".to_owned(),
            };
            let list = (1..=endpoints.len())
                .map(place)
                .collect::<Vec<_>>()
                .join(", ");
            let mut values: Vec<Value> = endpoints.iter().map(|e| Value::from(*e)).collect();
            values.push(Value::from(i64::from(last)));
            let sql = format!(
                "SELECT * FROM (SELECT d.*, ROW_NUMBER() OVER (PARTITION BY d.endpoint_id ORDER BY d.id DESC) AS rn \
                 FROM webhook_deliveries d WHERE d.endpoint_id IN ({list})) ranked WHERE rn <= {} ORDER BY id DESC",
                place(endpoints.len() + 1)
            );
            let rows = entity::webhook_delivery::Entity::find()
                .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
                .all(&self.0)
                .await
                .map_err(internal)?;
            for row in rows {
                out.entry((row.endpoint_id, last)).or_default().push(row);
            }
        }
        Ok(out)
    }
}

/// The latest `last` delivery attempts of webhook endpoint `id`, newest first.
pub async fn recent_deliveries(
    ctx: &Context<'_>,
    id: i64,
    last: u32,
) -> async_graphql::Result<Vec<entity::webhook_delivery::Model>> {
    Ok(request_loaders(ctx)?
        .get(|l: &Loaders| l.make(RecentDeliveries(l.db.clone())))
        .load_one((id, last))
        .await?
        .unwrap_or_default())
}

/// Makes the loaders of one request: they batch within the request and cache for it only,
/// so a key asked for at two levels of one query is loaded once and no response shows
/// another request's stale row.
///
/// Their batches are queued in the request's [`Batches`], so the request must run inside
/// [`Driven`](super::batching::Driven): it starts them when the request can go no further without rows,
/// which makes one query per relation level whatever the load.
pub struct Loaders {
    db: Reads,
    scope: Scope,
    cached: bool,
    batches: Batches,
}

impl Loaders {
    pub fn new(db: &Reads, scope: Scope, batches: Batches) -> Self {
        Self {
            db: db.clone(),
            scope,
            cached: true,
            batches,
        }
    }

    /// Loaders that batch but do not cache: for subscriptions, whose request lives on
    /// while the rows change.
    pub fn uncached(db: &Reads, scope: Scope, batches: Batches) -> Self {
        Self {
            cached: false,
            ..Self::new(db, scope, batches)
        }
    }

    fn make<L: Send + Sync + 'static>(&self, loader: L) -> DataLoader<L, HashMapCache> {
        // No delay: the driver starts a batch when the request waits on it, not a timer.
        let loader =
            DataLoader::with_cache(loader, self.batches.spawner(), HashMapCache::default())
                .delay(Duration::ZERO);
        loader.enable_all_cache(self.cached);
        loader
    }

    pub fn by_id<E: Keyed>(&self) -> DataLoader<ById<E>, HashMapCache> {
        self.make(ById(self.db.clone(), self.scope, PhantomData))
    }

    pub fn by_id_with<E: Keyed>(&self) -> DataLoader<ByIdWith<E>, HashMapCache> {
        self.make(ByIdWith(self.db.clone(), self.scope, PhantomData))
    }

    pub fn children<S: ChildSet>(&self) -> DataLoader<Children<S>, HashMapCache> {
        self.make(Children(self.db.clone(), self.scope, PhantomData))
    }

    pub fn latest_events(&self) -> DataLoader<LatestEvents, HashMapCache> {
        self.make(LatestEvents(self.db.clone(), self.scope))
    }
}

/// Service-level policies in their domain form (calendar and targets) by id (`None`: the
/// default one), read once per request: every clock's state is computed with its
/// project's policy.
pub struct PolicyById(Reads);

impl Loader<Option<i64>> for PolicyById {
    type Value = Arc<Policy>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[Option<i64>],
    ) -> Result<HashMap<Option<i64>, Arc<Policy>>, Self::Error> {
        let mut out = HashMap::new();
        for key in keys {
            let policy = match key {
                Some(id) => crate::service::service_levels::policy_by_id(&self.0, *id).await?,
                None => crate::service::service_levels::current_policy(&self.0).await?,
            };
            out.insert(*key, Arc::new(policy));
        }
        Ok(out)
    }
}

/// The policy of `id` (`None`: the default one).
pub async fn policy(ctx: &Context<'_>, id: Option<i64>) -> async_graphql::Result<Arc<Policy>> {
    request_loaders(ctx)?
        .get(|l: &Loaders| l.make(PolicyById(l.db.clone())))
        .load_one(id)
        .await?
        .ok_or_else(|| AppError::Internal("no service-level policy".into()).into())
}

/// The default policy: the calendar of "today" and of weekly figures.
pub async fn current_policy(ctx: &Context<'_>) -> async_graphql::Result<Arc<Policy>> {
    policy(ctx, None).await
}

/// Today on the policy's calendar (its time zone), for milestone standing and next steps.
pub async fn today(ctx: &Context<'_>) -> async_graphql::Result<chrono::NaiveDate> {
    let now = super::svc(ctx)?.time.now();
    Ok(current_policy(ctx).await?.calendar.date_of(now))
}

/// The id of the policy tickets follow, read once per request.
pub struct CurrentPolicyId(Reads);

impl Loader<()> for CurrentPolicyId {
    type Value = i64;
    type Error = async_graphql::Error;

    async fn load(&self, _: &[()]) -> Result<HashMap<(), i64>, Self::Error> {
        let (policy, _) = crate::service::service_levels::current(&self.0).await?;
        Ok(HashMap::from([((), policy.id)]))
    }
}

pub async fn current_policy_id(ctx: &Context<'_>) -> async_graphql::Result<i64> {
    request_loaders(ctx)?
        .get(|l: &Loaders| l.make(CurrentPolicyId(l.db.clone())))
        .load_one(())
        .await?
        .ok_or_else(|| AppError::Internal("no service-level policy".into()).into())
}

/// The loaders of one request, each made when first used: a request (or subscription)
/// that reads no relation makes none.
pub struct RequestLoaders {
    factory: Loaders,
    made: Mutex<HashMap<TypeId, Arc<dyn Any + Send + Sync>>>,
}

impl RequestLoaders {
    pub fn new(factory: Loaders) -> Self {
        Self {
            factory,
            made: Mutex::default(),
        }
    }

    pub(super) fn get<L: Send + Sync + 'static>(
        &self,
        make: impl FnOnce(&Loaders) -> DataLoader<L, HashMapCache>,
    ) -> Arc<DataLoader<L, HashMapCache>> {
        let mut made = self.made.lock().unwrap_or_else(|e| e.into_inner());
        let any = made
            .entry(TypeId::of::<L>())
            .or_insert_with(|| Arc::new(make(&self.factory)))
            .clone();
        any.downcast()
            .unwrap_or_else(|_| unreachable!("entries are keyed by their loader type"))
    }
}

pub(super) fn request_loaders<'a>(
    ctx: &'a Context<'_>,
) -> async_graphql::Result<&'a RequestLoaders> {
    ctx.data::<RequestLoaders>()
}

/// Loads one row by id, whole, through the request's loader, with the parents the field
/// being resolved will ask for in the same statement ([`super::parents`]). For a row used
/// beyond the selection of the field being resolved; one that only answers it is read in
/// part by [`selected_one`].
pub async fn one<E: Keyed>(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<Option<Visible<E::Model>>> {
    load_one::<E>(ctx, id, Columns::ALL).await
}

/// Loads a row by id that the field being resolved answers with, reading only the columns
/// its selection asks for ([`super::columns`]): the row must go to that selection's
/// resolvers and nowhere else. A to-one field that a statement may join
/// ([`Keyed::parents`]) resolves through here, where its parent was fed.
pub async fn selected_one<E: Keyed>(
    ctx: &Context<'_>,
    id: i64,
) -> async_graphql::Result<Option<Visible<E::Model>>> {
    let columns = Columns::of::<E>(&ctx.look_ahead(), &[E::id_column()]);
    load_one::<E>(ctx, id, columns).await
}

async fn load_one<E: Keyed>(
    ctx: &Context<'_>,
    id: i64,
    columns: Columns,
) -> async_graphql::Result<Option<Visible<E::Model>>> {
    let loaders = request_loaders(ctx)?;
    let plan = Plan::of::<E>(&ctx.look_ahead());
    if plan.is_empty() && columns == Columns::ALL {
        return loaders.get(Loaders::by_id::<E>).load_one(id).await;
    }
    let Some(found) = loaders
        .get(Loaders::by_id_with::<E>)
        .load_one((id, plan, columns))
        .await?
    else {
        return Ok(None);
    };
    prime_all(loaders, &found.parents).await;
    Ok(Some(found.row))
}

/// Loads the rows named by `ids`, in their order, of those the caller may see (the people
/// of an interaction or a meeting, the rows a handover moved).
pub async fn many<E: Keyed>(
    ctx: &Context<'_>,
    ids: &[i64],
) -> async_graphql::Result<Vec<Visible<E::Model>>> {
    let rows = futures_util::future::try_join_all(ids.iter().map(|id| one::<E>(ctx, *id))).await?;
    Ok(rows.into_iter().flatten().collect())
}

/// Loads the children of a parent row through the request's loader, whole.
pub async fn children<S: ChildrenOf>(
    ctx: &Context<'_>,
    parent: &Visible<<S::Parent as EntityTrait>::Model>,
    set: S,
) -> async_graphql::Result<ChildRows<S>> {
    let Some(parent) = parent_ref::<S>(parent) else {
        return Ok(Vec::new());
    };
    load_children(ctx, parent, set, Columns::ALL).await
}

/// Loads the children of a parent row that the field being resolved answers with, reading
/// only the columns its selection asks for ([`super::columns`]): the rows must go to that
/// selection's resolvers and nowhere else.
pub async fn selected_children<S: ChildrenOf>(
    ctx: &Context<'_>,
    parent: &Visible<<S::Parent as EntityTrait>::Model>,
    set: S,
) -> async_graphql::Result<ChildRows<S>> {
    let Some(parent) = parent_ref::<S>(parent) else {
        return Ok(Vec::new());
    };
    let always = [S::Entity::id_column(), set.parent_column()];
    let columns = Columns::of::<S::Entity>(&ctx.look_ahead(), &always);
    load_children(ctx, parent, set, columns).await
}

fn parent_ref<S: ChildrenOf>(
    parent: &Visible<<S::Parent as EntityTrait>::Model>,
) -> Option<ParentRef> {
    Some(ParentRef {
        id: as_i64(parent.get(S::Parent::id_column()))?,
        shown: parent.shown(),
    })
}

/// Loads the children of the parent of id `parent` through the request's loader, under
/// their whole portal rule.
pub async fn children_by_id<S: ChildSet>(
    ctx: &Context<'_>,
    parent: i64,
    set: S,
) -> async_graphql::Result<ChildRows<S>> {
    let parent = ParentRef {
        id: parent,
        shown: false,
    };
    load_children(ctx, parent, set, Columns::ALL).await
}

async fn load_children<S: ChildSet>(
    ctx: &Context<'_>,
    parent: ParentRef,
    set: S,
    columns: Columns,
) -> async_graphql::Result<ChildRows<S>> {
    Ok(request_loaders(ctx)?
        .get(Loaders::children::<S>)
        .load_one((parent, set, columns))
        .await?
        .unwrap_or_default())
}

/// The latest events of a parent.
pub async fn latest_events(
    ctx: &Context<'_>,
    parent: i64,
    scope: EventScope,
    limit: u32,
) -> async_graphql::Result<Vec<Visible<event::Model>>> {
    Ok(request_loaders(ctx)?
        .get(Loaders::latest_events)
        .load_one((parent, scope, limit))
        .await?
        .unwrap_or_default())
}

/// Projects' health and report schedules, assessed together for every project the
/// request asks about (`service::health::assess`: a few queries for the whole batch).
pub struct HealthOf(Reads, chrono::DateTime<chrono::Utc>);

impl Loader<i64> for HealthOf {
    type Value = Arc<crate::service::health::Assessment>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[i64]) -> Result<HashMap<i64, Self::Value>, Self::Error> {
        let projects = entity::project::Entity::find()
            .filter(entity::project::Column::Id.is_in(keys.iter().copied()))
            .all(&self.0)
            .await
            .map_err(internal)?;
        Ok(crate::service::health::assess(&self.0, &projects, self.1)
            .await?
            .into_iter()
            .map(|(id, a)| (id, Arc::new(a)))
            .collect())
    }
}

/// The health assessment of a project, as of the request's first ask.
pub async fn health_of(
    ctx: &Context<'_>,
    project_id: i64,
) -> async_graphql::Result<Option<Arc<crate::service::health::Assessment>>> {
    let now = super::svc(ctx)?.time.now();
    request_loaders(ctx)?
        .get(|l: &Loaders| l.make(HealthOf(l.db.clone(), now)))
        .load_one(project_id)
        .await
}
