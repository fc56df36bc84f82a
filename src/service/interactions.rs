//! The interaction log of a client (DOMAIN, step 1): calls, visits, demos... with who took
//! part, the outcome and the next step owed. Sales-internal: the portal never sees it.

use chrono::{DateTime, Utc};
use entity::{EntityKind, EventKind, InteractionKind, client, interaction, project, user};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, Set};

use super::{Ctx, EventDraft, UnitOfWork, check_version, load, require, save_versioned};
use crate::{
    auth::{Scope, scope::VisibleSelect},
    domain::interaction::NextStep,
    error::{AppError, AppResult},
    snapshot,
};

pub struct NewInteraction {
    pub client_id: i64,
    pub project_id: Option<i64>,
    pub kind: InteractionKind,
    pub occurred_at: DateTime<Utc>,
    pub user_ids: Vec<i64>,
    pub contact_ids: Vec<i64>,
    pub summary: String,
    pub outcome: Option<String>,
    pub next_step: Option<NextStep>,
}

#[derive(Default)]
pub struct InteractionFilter {
    pub client_id: Option<i64>,
    pub project_id: Option<i64>,
    /// Only those whose next step is not done and due before `before` (today).
    pub next_step_due_before: Option<chrono::NaiveDate>,
}

pub fn list(scope: Scope, f: InteractionFilter) -> VisibleSelect<interaction::Entity> {
    use interaction::Column as C;
    let mut q = VisibleSelect::<interaction::Entity>::new(scope);
    if let Some(id) = f.client_id {
        q = q.filter(C::ClientId.eq(id));
    }
    if let Some(id) = f.project_id {
        q = q.filter(C::ProjectId.eq(id));
    }
    if let Some(today) = f.next_step_due_before {
        // `domain::interaction::overdue`, in SQL.
        q = q.filter(
            Condition::all()
                .add(C::NextStepDue.lt(today))
                .add(C::NextStepDoneAt.is_null()),
        );
    }
    q
}

/// An event on an interaction: on its client's timeline, and its project's if it has one.
fn event(kind: EventKind, row: &interaction::Model) -> EventDraft {
    let draft = EventDraft::new(kind, EntityKind::Interaction, row.id).client(row.client_id);
    match row.project_id {
        Some(p) => draft.project(p, row.client_id),
        None => draft,
    }
}

/// Logs an interaction; the client's first interaction dates its first contact.
pub async fn log(ctx: Ctx<'_>, new: NewInteraction) -> AppResult<interaction::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let c = require::<client::Entity>(uow.txn(), ctx.caller, "clientId", new.client_id).await?;
    if let Some(id) = new.project_id {
        let p = require::<project::Entity>(uow.txn(), ctx.caller, "projectId", id).await?;
        if p.client_id != c.id {
            return Err(AppError::input(
                "projectId",
                "the project is another client's",
            ));
        }
    }
    for id in &new.user_ids {
        require::<user::Entity>(uow.txn(), ctx.caller, "userIds", *id).await?;
    }
    for id in &new.contact_ids {
        super::require_contact_of(uow.txn(), ctx.caller, "contactIds", *id, c.id).await?;
    }
    if let Some(step) = &new.next_step {
        require::<user::Entity>(uow.txn(), ctx.caller, "nextStepOwnerId", step.owner_id).await?;
    }
    let row = interaction::ActiveModel {
        client_id: Set(c.id),
        project_id: Set(new.project_id),
        kind: Set(new.kind),
        occurred_at: Set(new.occurred_at),
        user_ids: Set(serde_json::json!(new.user_ids)),
        contact_ids: Set(serde_json::json!(new.contact_ids)),
        summary: Set(new.summary),
        outcome: Set(new.outcome),
        next_step: Set(new.next_step.as_ref().map(|s| s.what.clone())),
        next_step_owner_id: Set(new.next_step.as_ref().map(|s| s.owner_id)),
        next_step_due: Set(new.next_step.as_ref().map(|s| s.due)),
        next_step_done_at: Set(None),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        event(EventKind::Created, &row).changes(snapshot!(row; kind, occurred_at, next_step_due)),
    )
    .await?;
    // "A client's firstContactAt is its first interaction."
    if c.first_contact_at
        .is_none_or(|first| row.occurred_at < first)
    {
        let am = client::ActiveModel {
            first_contact_at: Set(Some(row.occurred_at)),
            updated_at: Set(uow.now()),
            ..Default::default()
        };
        save_versioned(uow.txn(), am, c.id, c.version).await?;
        uow.record(
            EventDraft::new(EventKind::Updated, EntityKind::Client, c.id)
                .client(c.id)
                .changes(serde_json::json!({ "first_contact_at": row.occurred_at })),
        )
        .await?;
    }
    uow.commit().await?;
    Ok(row)
}

/// Marks an interaction's next step done.
pub async fn complete_next_step(
    ctx: Ctx<'_>,
    id: i64,
    expected: Option<i32>,
) -> AppResult<interaction::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<interaction::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("interaction", cur.version, expected)?;
    if cur.next_step.is_none() {
        return Err(AppError::Conflict(
            "the interaction has no next step".into(),
        ));
    }
    if cur.next_step_done_at.is_some() {
        return Err(AppError::Conflict("the next step is done already".into()));
    }
    let am = interaction::ActiveModel {
        next_step_done_at: Set(Some(uow.now())),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        event(EventKind::Updated, &row)
            .changes(serde_json::json!({ "next_step_done_at": row.next_step_done_at })),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
