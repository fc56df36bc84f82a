//! Projects and their "1+N" service teams.

use chrono::NaiveDate;
use entity::{
    ContactStatus, EntityKind, EventKind, ProjectStatus, TeamRole, client, project, team_member,
    user,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, ModelTrait, QueryFilter, Set};

use super::{
    Ctx, EventDraft, UnitOfWork, check_version, load, patch::Changes, require, save_versioned,
};
use crate::{
    auth::{Scope, scope::VisibleSelect},
    domain::{
        input::date_order,
        money::Money,
        status::{ContractFacts, ProjectPhase, initial_project_status},
    },
    error::{AppError, AppResult},
    snapshot,
};

pub struct NewProject {
    pub client_id: i64,
    pub name: String,
    pub description: Option<String>,
    pub contract_number: Option<String>,
    pub contract_value: Option<Money>,
    pub contract_signed_on: Option<NaiveDate>,
    pub planned_start: Option<NaiveDate>,
    pub planned_end: Option<NaiveDate>,
    pub primary_owner_id: Option<i64>,
    /// Hide the contract value from the client's portal.
    pub contract_value_internal: bool,
}

#[derive(Default)]
pub struct ProjectPatch {
    pub name: Option<String>,
    pub description: Option<Option<String>>,
    pub contract_number: Option<Option<String>>,
    pub contract_value: Option<Option<Money>>,
    pub contract_signed_on: Option<Option<NaiveDate>>,
    pub planned_start: Option<Option<NaiveDate>>,
    pub planned_end: Option<Option<NaiveDate>>,
    pub primary_owner_id: Option<Option<i64>>,
    /// The client's contact who is the first point of contact (active, of its client).
    pub primary_contact_id: Option<Option<i64>>,
    pub contract_value_internal: Option<bool>,
}

#[derive(Default)]
pub struct ProjectFilter {
    pub client_ids: Vec<i64>,
    pub statuses: Vec<ProjectStatus>,
    /// Planned end strictly before this date.
    pub due_before: Option<NaiveDate>,
    pub primary_owner_id: Option<i64>,
}

pub fn list(scope: Scope, f: ProjectFilter) -> VisibleSelect<project::Entity> {
    let mut q = VisibleSelect::<project::Entity>::new(scope);
    if !f.client_ids.is_empty() {
        q = q.filter(project::Column::ClientId.is_in(f.client_ids));
    }
    if !f.statuses.is_empty() {
        q = q.filter(project::Column::Status.is_in(f.statuses));
    }
    if let Some(date) = f.due_before {
        q = q.filter(project::Column::PlannedEnd.lt(date));
    }
    if let Some(owner) = f.primary_owner_id {
        q = q.filter(project::Column::PrimaryOwnerId.eq(owner));
    }
    q
}

pub(super) fn contract_facts(
    number: &Option<String>,
    signed_on: &Option<NaiveDate>,
) -> ContractFacts {
    ContractFacts {
        has_contract_number: number.is_some(),
        has_signed_date: signed_on.is_some(),
    }
}

pub async fn create(ctx: Ctx<'_>, new: NewProject) -> AppResult<project::Model> {
    ctx.caller.require_staff_write()?;
    date_order("plannedEnd", new.planned_start, new.planned_end)?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    require::<client::Entity>(uow.txn(), ctx.caller, "clientId", new.client_id).await?;
    if let Some(owner) = new.primary_owner_id {
        require::<user::Entity>(uow.txn(), ctx.caller, "primaryOwnerId", owner).await?;
    }
    let status = initial_project_status(contract_facts(
        &new.contract_number,
        &new.contract_signed_on,
    ));
    let (value, currency) = match new.contract_value {
        Some(m) => (Some(m.minor), Some(m.currency)),
        None => (None, None),
    };
    let row = project::ActiveModel {
        client_id: Set(new.client_id),
        name: Set(new.name),
        description: Set(new.description),
        status: Set(status),
        held_from: Set(None),
        contract_number: Set(new.contract_number),
        contract_value_minor: Set(value),
        currency: Set(currency),
        contract_value_internal: Set(new.contract_value_internal),
        contract_signed_on: Set(new.contract_signed_on),
        planned_start: Set(new.planned_start),
        planned_end: Set(new.planned_end),
        primary_owner_id: Set(new.primary_owner_id),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    let snap = snapshot!(row; name, status, contract_number, contract_signed_on, planned_start, planned_end, primary_owner_id);
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::Project, row.id)
            .project(row.id, row.client_id)
            .changes(snap),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn update(
    ctx: Ctx<'_>,
    id: i64,
    p: ProjectPatch,
    expected: Option<i32>,
) -> AppResult<project::Model> {
    ctx.caller.require_staff_write()?;
    // Destructured so that a field added to the patch and not applied fails to compile.
    let ProjectPatch {
        name,
        description,
        contract_number,
        contract_value,
        contract_signed_on,
        planned_start,
        planned_end,
        primary_owner_id,
        primary_contact_id,
        contract_value_internal,
    } = p;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<project::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("project", cur.version, expected)?;
    if let Some(Some(owner)) = primary_owner_id {
        require::<user::Entity>(uow.txn(), ctx.caller, "primaryOwnerId", owner).await?;
    }
    if let Some(Some(id)) = primary_contact_id {
        let c =
            super::require_contact_of(uow.txn(), ctx.caller, "primaryContactId", id, cur.client_id)
                .await?;
        if c.status != ContactStatus::Active {
            return Err(AppError::input(
                "primaryContactId",
                "the contact has left the client",
            ));
        }
    }
    let start = planned_start.unwrap_or(cur.planned_start);
    let end = planned_end.unwrap_or(cur.planned_end);
    date_order("plannedEnd", start, end)?;
    let number = contract_number
        .clone()
        .unwrap_or(cur.contract_number.clone());
    let signed = contract_signed_on.unwrap_or(cur.contract_signed_on);
    let phase = ProjectPhase {
        status: cur.status,
        held_from: cur.held_from,
    };
    if phase.requires_contract() && (number.is_none() || signed.is_none()) {
        return Err(AppError::input(
            "contractNumber",
            format!(
                "a project in {} keeps its contract number and signed date",
                cur.status
            ),
        ));
    }
    let (value, currency) = match contract_value {
        Some(Some(m)) => (Some(Some(m.minor)), Some(Some(m.currency))),
        Some(None) => (Some(None), Some(None)),
        None => (None, None),
    };
    let mut ch = Changes::default();
    let am = project::ActiveModel {
        name: ch.field("name", &cur.name, name),
        description: ch.field("description", &cur.description, description),
        contract_number: ch.field("contract_number", &cur.contract_number, contract_number),
        contract_value_minor: ch.field("contract_value_minor", &cur.contract_value_minor, value),
        currency: ch.field("currency", &cur.currency, currency),
        contract_signed_on: ch.field(
            "contract_signed_on",
            &cur.contract_signed_on,
            contract_signed_on,
        ),
        planned_start: ch.field("planned_start", &cur.planned_start, planned_start),
        planned_end: ch.field("planned_end", &cur.planned_end, planned_end),
        primary_owner_id: ch.field("primary_owner_id", &cur.primary_owner_id, primary_owner_id),
        primary_contact_id: ch.field(
            "primary_contact_id",
            &cur.primary_contact_id,
            primary_contact_id,
        ),
        contract_value_internal: ch.field(
            "contract_value_internal",
            &cur.contract_value_internal,
            contract_value_internal,
        ),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    if ch.is_empty() {
        return Ok(cur);
    }
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::Project, id)
            .project(id, cur.client_id)
            .changes(ch.into_json()),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn change_status(
    ctx: Ctx<'_>,
    id: i64,
    to: ProjectStatus,
    expected: Option<i32>,
) -> AppResult<project::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<project::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("project", cur.version, expected)?;
    let phase = ProjectPhase {
        status: cur.status,
        held_from: cur.held_from,
    };
    let next = phase.transition(
        to,
        contract_facts(&cur.contract_number, &cur.contract_signed_on),
    )?;
    let am = project::ActiveModel {
        status: Set(next.status),
        held_from: Set(next.held_from),
        // Progress reports are owed from the start of execution.
        reports_due_from: if next.status == ProjectStatus::Execution
            && cur.status != ProjectStatus::OnHold
        {
            Set(Some(uow.now()))
        } else {
            sea_orm::NotSet
        },
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::Project, id)
            .project(id, cur.client_id)
            .status(cur.status, next.status),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn add_team_member(
    ctx: Ctx<'_>,
    project_id: i64,
    user_id: i64,
    role: TeamRole,
) -> AppResult<team_member::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let project =
        require::<project::Entity>(uow.txn(), ctx.caller, "projectId", project_id).await?;
    require::<user::Entity>(uow.txn(), ctx.caller, "userId", user_id).await?;
    let existing = team_member::Entity::find()
        .filter(team_member::Column::ProjectId.eq(project_id))
        .filter(team_member::Column::UserId.eq(user_id))
        .filter(team_member::Column::Role.eq(role))
        .one(uow.txn())
        .await?;
    if existing.is_some() {
        return Err(AppError::Conflict(format!(
            "the user is already on the team as {role}"
        )));
    }
    let row = team_member::ActiveModel {
        project_id: Set(project_id),
        user_id: Set(user_id),
        role: Set(role),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::TeamMember, row.id)
            .project(project_id, project.client_id)
            .changes(snapshot!(row; user_id, role)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// Removes a member from a team; returns the removed membership.
pub async fn remove_team_member(ctx: Ctx<'_>, id: i64) -> AppResult<team_member::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let member = team_member::Entity::find_by_id(id)
        .one(uow.txn())
        .await?
        .ok_or(AppError::not_found("team member"))?;
    let project = load::<project::Entity>(uow.txn(), ctx.caller, member.project_id).await?;
    member.clone().delete(uow.txn()).await?;
    uow.record(
        EventDraft::new(EventKind::Deleted, EntityKind::TeamMember, id)
            .project(project.id, project.client_id)
            .changes(snapshot!(member; user_id, role)),
    )
    .await?;
    uow.commit().await?;
    Ok(member)
}
