//! Webhook endpoints: registered by staff, delivered to by `crate::webhooks`, replayed
//! from a chosen cursor. An endpoint starts at the log's head: it receives what happens
//! after its registration (a replay reaches back).

use entity::{EntityKind, EventKind, WebhookStatus, event, webhook_endpoint as endpoint};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde_json::json;

use super::{Ctx, EventDraft, UnitOfWork, check_version, load, save_versioned};
use crate::{
    domain::webhook::{Interest, MIN_SECRET, check_url},
    error::{AppError, AppResult},
};

/// What a registration asks for.
pub struct NewEndpoint {
    pub url: String,
    /// At least 16 characters; generated when not given.
    pub secret: Option<String>,
    pub interest: Interest,
}

/// The interest stored on an endpoint.
pub fn interest_of(row: &endpoint::Model) -> Interest {
    Interest {
        event_kinds: serde_json::from_str(&row.event_kinds).unwrap_or_default(),
        entity_kinds: serde_json::from_str(&row.entity_kinds).unwrap_or_default(),
        project_ids: serde_json::from_str(&row.project_ids).unwrap_or_default(),
        client_ids: serde_json::from_str(&row.client_ids).unwrap_or_default(),
    }
}

fn new_secret() -> String {
    // 256 bits from the operating system's randomness.
    format!("whsec_{}", crate::random::hex(32))
}

/// Registers an endpoint (staff); returns it with its secret.
pub async fn register(ctx: Ctx<'_>, new: NewEndpoint) -> AppResult<endpoint::Model> {
    ctx.caller.require_staff_write()?;
    let url = check_url(&new.url)?;
    let secret = match new.secret {
        Some(s) if s.chars().count() < MIN_SECRET => {
            return Err(AppError::input(
                "secret",
                format!("a secret has at least {MIN_SECRET} characters"),
            ));
        }
        Some(s) => s,
        None => new_secret(),
    };
    let mut uow = UnitOfWork::begin(ctx).await?;
    // A filter naming what does not exist would silently match nothing.
    for (field, ids, found) in [
        (
            "projectIds",
            &new.interest.project_ids,
            entity::project::Entity::find()
                .filter(entity::project::Column::Id.is_in(new.interest.project_ids.clone()))
                .count(uow.txn())
                .await?,
        ),
        (
            "clientIds",
            &new.interest.client_ids,
            entity::client::Entity::find()
                .filter(entity::client::Column::Id.is_in(new.interest.client_ids.clone()))
                .count(uow.txn())
                .await?,
        ),
    ] {
        let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
        if found != distinct.len() as u64 {
            return Err(AppError::input(field, "names one that does not exist"));
        }
    }
    let head: Option<i64> = event::Entity::find()
        .select_only()
        .column_as(event::Column::Id.max(), "head")
        .into_tuple()
        .one(uow.txn())
        .await?
        .flatten();
    let list = |v: serde_json::Value| v.to_string();
    let i = &new.interest;
    let row = endpoint::ActiveModel {
        url: Set(url),
        secret: Set(secret),
        event_kinds: Set(list(json!(i.event_kinds))),
        entity_kinds: Set(list(json!(i.entity_kinds))),
        project_ids: Set(list(json!(i.project_ids))),
        client_ids: Set(list(json!(i.client_ids))),
        status: Set(WebhookStatus::Active),
        cursor: Set(head.unwrap_or(0)),
        failures: Set(0),
        created_at: Set(uow.now()),
        created_by_user_id: Set(ctx.caller.user_id()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    // The event's changes never carry the secret.
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::Webhook, row.id)
            .changes(json!({ "url": row.url, "interest": new.interest, "cursor": row.cursor })),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// Sets an endpoint's cursor back (or forward) to `after` and makes it active: it
/// delivers again every wanted event after that one, in order. Ends any delivery under
/// way (its lease), so the next one starts from the new cursor.
pub async fn replay(
    ctx: Ctx<'_>,
    id: i64,
    after: i64,
    expected: Option<i32>,
) -> AppResult<endpoint::Model> {
    set_state(ctx, id, expected, Some(after), WebhookStatus::Active, None).await
}

/// Enables or disables an endpoint by hand.
pub async fn set_enabled(
    ctx: Ctx<'_>,
    id: i64,
    enabled: bool,
    expected: Option<i32>,
) -> AppResult<endpoint::Model> {
    let (status, reason) = if enabled {
        (WebhookStatus::Active, None)
    } else {
        (
            WebhookStatus::Disabled,
            Some("disabled by staff".to_owned()),
        )
    };
    set_state(ctx, id, expected, None, status, reason).await
}

async fn set_state(
    ctx: Ctx<'_>,
    id: i64,
    expected: Option<i32>,
    cursor: Option<i64>,
    status: WebhookStatus,
    reason: Option<String>,
) -> AppResult<endpoint::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<endpoint::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("webhook", cur.version, expected)?;
    if cursor.is_some_and(|c| c < 0) {
        return Err(AppError::input("after", "not a cursor of the event log"));
    }
    let am = endpoint::ActiveModel {
        status: Set(status),
        disabled_reason: Set(reason.clone()),
        failures: Set(0),
        next_attempt_at: Set(None),
        failing_since: Set(None),
        // A delivery under way loses its lease: its next write finds it gone and stops.
        lease_owner: Set(None),
        lease_until: Set(None),
        cursor: cursor.map_or(sea_orm::ActiveValue::NotSet, Set),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::Webhook, id).changes(json!({
            "status": status,
            "cursor": row.cursor,
            "disabled_reason": reason,
        })),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// Registered endpoints, oldest first (staff).
pub async fn list(ctx: Ctx<'_>) -> AppResult<Vec<endpoint::Model>> {
    ctx.caller.require_staff_read()?;
    Ok(endpoint::Entity::find()
        .order_by_asc(endpoint::Column::Id)
        .all(ctx.db)
        .await?)
}
