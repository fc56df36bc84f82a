//! Use cases, one module per aggregate.
//!
//! Every write follows one path: begin a transaction, load, check the domain rules,
//! write, record the event with [`UnitOfWork::record`], commit. The change and the event
//! that announces it commit together or not at all. Every operation knows its
//! [`Caller`], whose identity each event records.

pub mod acceptance_criteria;
pub mod action_items;
pub mod agreements;
pub mod clients;
pub mod contracts;
pub mod dashboard;
pub mod digest;
pub mod documents;
pub mod escalations;
pub mod events;
pub mod follow_ups;
pub mod handover;
pub mod health;
pub mod interactions;
pub mod kickoff;
pub mod meetings;
pub mod milestone_ratings;
pub mod negotiations;
pub mod outbox;
pub mod patch;
pub mod pipeline;
pub mod projects;
pub mod proposals;
pub mod reports;
pub mod requirements;
pub mod risks;
pub mod service_levels;
pub mod stages;
pub mod surveys;
pub mod tickets;
pub mod users;
pub mod webhooks;

use chrono::{DateTime, Utc};
use entity::{EntityKind, EventKind, event};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, QueryFilter, SqliteTransactionMode, TransactionOptions,
    TransactionTrait, prelude::Expr,
};

use crate::{
    auth::scope::{Scoped, visible},
    error::{AppError, AppResult},
    live::Hub,
};

pub use crate::auth::Caller;

/// What a service needs to run a use case.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub db: &'a DatabaseConnection,
    pub caller: &'a Caller,
    /// Told after each commit that wrote events, so live feeds publish them at once.
    pub live: Option<&'a Hub>,
    /// Where "now" comes from (tests move it).
    pub time: &'a crate::time::Time,
}

/// The description of one change, before it is written to the event log.
#[derive(Debug, Clone)]
pub struct EventDraft {
    pub kind: EventKind,
    pub entity_kind: EntityKind,
    pub entity_id: i64,
    pub project_id: Option<i64>,
    pub client_id: Option<i64>,
    pub from_status: Option<String>,
    pub to_status: Option<String>,
    pub changes: serde_json::Value,
}

impl EventDraft {
    pub fn new(kind: EventKind, entity_kind: EntityKind, entity_id: i64) -> Self {
        Self {
            kind,
            entity_kind,
            entity_id,
            project_id: None,
            client_id: None,
            from_status: None,
            to_status: None,
            changes: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn project(mut self, project_id: i64, client_id: i64) -> Self {
        self.project_id = Some(project_id);
        self.client_id = Some(client_id);
        self
    }

    pub fn client(mut self, client_id: i64) -> Self {
        self.client_id = Some(client_id);
        self
    }

    pub fn status(mut self, from: impl std::fmt::Display, to: impl std::fmt::Display) -> Self {
        self.from_status = Some(from.to_string());
        self.to_status = Some(to.to_string());
        self
    }

    pub fn changes(mut self, changes: serde_json::Value) -> Self {
        self.changes = changes;
        self
    }
}

/// A transaction that records events as it goes and commits them with the change.
pub struct UnitOfWork<'a> {
    txn: DatabaseTransaction,
    caller: &'a Caller,
    live: Option<&'a Hub>,
    now: DateTime<Utc>,
    recorded: Vec<event::Model>,
}

impl<'a> UnitOfWork<'a> {
    pub async fn begin(ctx: Ctx<'a>) -> AppResult<Self> {
        // On SQLite a deferred transaction that reads first and writes later cannot wait for
        // a concurrent writer and fails with SQLITE_BUSY; IMMEDIATE takes the write lock up
        // front, so writers queue behind the busy timeout instead. PostgreSQL ignores it.
        let options = TransactionOptions {
            sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        let txn = ctx.db.begin_with_options(options).await?;
        Ok(Self {
            txn,
            caller: ctx.caller,
            live: ctx.live,
            now: ctx.time.now(),
            recorded: Vec::new(),
        })
    }

    /// The transaction every read and write of the use case goes through.
    pub fn txn(&self) -> &DatabaseTransaction {
        &self.txn
    }

    /// Who makes the change.
    pub fn caller(&self) -> &Caller {
        self.caller
    }

    /// The instant of this change, the same for every row and event it writes.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Writes one event row in this transaction.
    pub async fn record(&mut self, draft: EventDraft) -> AppResult<()> {
        let (actor_kind, actor_id) = self.caller.actor();
        let event = events::insert(&self.txn, self.now, actor_kind, actor_id, draft).await?;
        self.recorded.push(event);
        Ok(())
    }

    /// The events recorded so far.
    pub fn recorded(&self) -> &[event::Model] {
        &self.recorded
    }

    /// Commits the change with its events and returns the events as stored. What the
    /// change means for a kickoff obligation is written first, in the same transaction.
    pub async fn commit(mut self) -> AppResult<Vec<event::Model>> {
        kickoff::follow(&mut self).await?;
        // After the kickoff: its alerts are events too.
        outbox::follow(&mut self).await?;
        if let Some(newest) = self.recorded.last() {
            events::notify(&self.txn, newest.id).await?;
        }
        self.txn.commit().await?;
        if let (Some(hub), false) = (self.live, self.recorded.is_empty()) {
            hub.wake();
        }
        Ok(self.recorded)
    }
}

/// An entity whose rows carry an optimistic-concurrency `version` and an `id`.
pub trait Versioned: EntityTrait {
    const NAME: &'static str;
    fn id_column() -> Self::Column;
    fn version_column() -> Self::Column;
}

/// The version a caller expects, checked against the stored one.
pub fn check_version(entity: &str, stored: i32, expected: Option<i32>) -> AppResult<()> {
    match expected {
        Some(expected) if expected != stored => Err(AppError::Conflict(format!(
            "{entity} was changed by someone else: expected version {expected}, found {stored}"
        ))),
        _ => Ok(()),
    }
}

/// Writes the set fields of `changes` if and only if the row still has `version`, bumping
/// it; a row changed in between is a `CONFLICT`, never a lost update. Returns the new row.
pub async fn save_versioned<E, A>(
    txn: &DatabaseTransaction,
    changes: A,
    id: i64,
    version: i32,
) -> AppResult<E::Model>
where
    E: Versioned,
    A: ActiveModelTrait<Entity = E> + Send,
{
    let result = E::update_many()
        .set(changes)
        .col_expr(E::version_column(), Expr::value(version + 1))
        .filter(E::id_column().eq(id))
        .filter(E::version_column().eq(version))
        .exec(txn)
        .await?;
    if result.rows_affected == 0 {
        return Err(AppError::Conflict(format!(
            "{} was changed concurrently; reload and retry",
            E::NAME
        )));
    }
    E::find()
        .filter(E::id_column().eq(id))
        .one(txn)
        .await?
        .ok_or(AppError::not_found(E::NAME))
}

/// Loads a row by id, of those the caller may see, or fails with `NOT_FOUND` naming the
/// entity.
pub async fn load<E: Versioned + Scoped>(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    id: i64,
) -> AppResult<E::Model> {
    E::find()
        .filter(E::id_column().eq(id))
        .filter(visible::<E>(caller.scope()?))
        .one(conn)
        .await?
        .ok_or(AppError::not_found(E::NAME))
}

macro_rules! versioned {
    ($($module:ident => $name:literal),+ $(,)?) => {
        $(impl Versioned for entity::$module::Entity {
            const NAME: &'static str = $name;
            fn id_column() -> Self::Column { entity::$module::Column::Id }
            fn version_column() -> Self::Column { entity::$module::Column::Version }
        })+
    };
}

versioned!(
    user => "user",
    client => "client",
    contact => "contact",
    project => "project",
    requirement => "requirement",
    stage => "stage",
    risk => "risk",
    ticket => "ticket",
    service_level_policy => "service-level policy",
    change_request => "change request",
    interaction => "interaction",
    proposal_version => "proposal version",
    proposal_feedback => "proposal feedback",
    negotiation_round => "negotiation round",
    negotiation_term => "negotiation term",
    contract => "contract",
    meeting => "meeting",
    action_item => "action item",
    acceptance_criterion => "acceptance criterion",
    survey => "survey",
    webhook_endpoint => "webhook",
);

/// The number after the highest `number` of a project's rows of `E` (1 for the first).
/// Two writers racing for it are told apart by the table's unique index (`CONFLICT`).
pub async fn next_number<E: EntityTrait>(
    conn: &impl ConnectionTrait,
    project_column: E::Column,
    number_column: E::Column,
    project_id: i64,
) -> AppResult<i32> {
    use sea_orm::QuerySelect;
    let last: Option<i32> = E::find()
        .select_only()
        .column_as(number_column.max(), "n")
        .filter(project_column.eq(project_id))
        .into_tuple()
        .one(conn)
        .await?
        .flatten();
    Ok(last.unwrap_or(0) + 1)
}

/// Ensures that a row named by the caller's input exists *for the caller*, naming the
/// input field when it does not: another client's row is refused exactly like a missing
/// one. Every id a mutation's input names resolves through here (or [`load`]), so no
/// road lets a portal user act on, or learn of, a row outside its scope.
pub async fn require<E: Versioned + Scoped>(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    field: &str,
    id: i64,
) -> AppResult<E::Model> {
    require_where::<E>(conn, field, id, visible::<E>(caller.scope()?)).await
}

/// Whose verdict, rating or answer this is, and who recorded it: a portal user speaks
/// for itself (naming no one else); staff record what a contact of `client_id` said,
/// naming them. Returns `(contact, recording staff member)`.
pub async fn client_voice(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    contact_id: Option<i64>,
    client_id: i64,
) -> AppResult<(i64, Option<i64>)> {
    caller.require_staff_write_or_contact_of(client_id)?;
    let voice = match (caller, contact_id) {
        (Caller::Contact { contact_id: me, .. }, None) => (*me, None),
        (Caller::Contact { contact_id: me, .. }, Some(c)) if c == *me => (c, None),
        (Caller::Contact { .. }, Some(_)) => {
            return Err(AppError::Forbidden(
                "a portal user speaks for itself only".into(),
            ));
        }
        (Caller::Staff { user_id, .. }, Some(c)) => (c, Some(*user_id)),
        // Demo data and imports.
        (Caller::System, Some(c)) => (c, None),
        (Caller::Staff { .. } | Caller::System, None) => {
            return Err(AppError::input(
                "contactId",
                "name the client's contact who said it",
            ));
        }
        _ => return Err(AppError::Forbidden("only a person speaks".into())),
    };
    require_contact_of(conn, caller, "contactId", voice.0, client_id).await?;
    Ok(voice)
}

/// [`require`] for a contact that must also be one of `client_id`'s: a contact of another
/// client named in a project's input is refused, naming the field.
pub async fn require_contact_of(
    conn: &impl ConnectionTrait,
    caller: &Caller,
    field: &str,
    id: i64,
    client_id: i64,
) -> AppResult<entity::contact::Model> {
    let c = require::<entity::contact::Entity>(conn, caller, field, id).await?;
    if c.client_id != client_id {
        return Err(AppError::input(field, "a contact of another client"));
    }
    Ok(c)
}

/// The ids stored in a JSON array column (the people of an interaction or a meeting).
pub fn ids_of(json: &serde_json::Value) -> Vec<i64> {
    json.as_array()
        .map(|a| a.iter().filter_map(serde_json::Value::as_i64).collect())
        .unwrap_or_default()
}

async fn require_where<E: Versioned>(
    conn: &impl ConnectionTrait,
    field: &str,
    id: i64,
    condition: Condition,
) -> AppResult<E::Model> {
    E::find()
        .filter(E::id_column().eq(id))
        .filter(condition)
        .one(conn)
        .await?
        .ok_or_else(|| {
            AppError::input(
                field,
                format!("{field} does not name an existing {}", E::NAME),
            )
        })
}
