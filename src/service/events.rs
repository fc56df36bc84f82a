//! The event log: append-only, one row per change, ids strictly increasing in commit order.

use chrono::{DateTime, Utc};
use entity::{ActorKind, event};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseBackend, DatabaseTransaction, Set, Statement,
};

use super::EventDraft;
use crate::error::AppResult;

/// Any constant distinct from other advisory locks of the application.
const EVENT_LOG_LOCK: i64 = 0x0dd0_e7e7;

/// Appends one event in `txn`.
///
/// On PostgreSQL a sequence hands out ids at insert time, so two concurrent transactions
/// could commit their events out of id order and a reader following ids would skip one.
/// A transaction-scoped advisory lock serialises event writers until commit, so ids become
/// visible in order. SQLite has a single writer and needs nothing.
pub async fn insert(
    txn: &DatabaseTransaction,
    now: DateTime<Utc>,
    actor_kind: ActorKind,
    actor_id: Option<i64>,
    draft: EventDraft,
) -> AppResult<event::Model> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_advisory_xact_lock($1)",
            [EVENT_LOG_LOCK.into()],
        ))
        .await?;
    }
    let row = event::ActiveModel {
        occurred_at: Set(now),
        actor_kind: Set(actor_kind),
        actor_id: Set(actor_id),
        kind: Set(draft.kind),
        entity_kind: Set(draft.entity_kind),
        entity_id: Set(draft.entity_id),
        project_id: Set(draft.project_id),
        client_id: Set(draft.client_id),
        from_status: Set(draft.from_status),
        to_status: Set(draft.to_status),
        changes: Set(draft.changes.to_string()),
        ..Default::default()
    };
    Ok(row.insert(txn).await?)
}

/// On PostgreSQL, announces the transaction's newest event to every server instance
/// (`LISTEN` in `live::listener`). PostgreSQL delivers it at commit, and not at all on
/// rollback, so a listener never hears of an event it cannot read.
pub async fn notify(txn: &DatabaseTransaction, newest: i64) -> AppResult<()> {
    if txn.get_database_backend() == DatabaseBackend::Postgres {
        txn.execute_raw(Statement::from_sql_and_values(
            DatabaseBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [crate::live::CHANNEL.into(), newest.to_string().into()],
        ))
        .await?;
    }
    Ok(())
}
