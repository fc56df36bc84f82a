//! What was agreed, when, by whom: the signed requirement confirmation sheet, the change
//! requests that amend it (each approval signs a new version), and the client's
//! acceptance sign-off that moves a project to after-sales.

use entity::{
    ChangeRequestStatus, EntityKind, EventKind, ProjectStatus, acceptance, change_request, project,
    requirement, requirement_sheet as sheet, user,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde_json::json;

use super::{
    Caller, Ctx, EventDraft, UnitOfWork, check_version, load, require, require_contact_of,
    save_versioned,
};
use crate::{
    domain::{
        money::Money,
        requirement::{Agreed, ScopeChange},
        status::{Lifecycle, ProjectPhase},
    },
    error::{AppError, AppResult},
    snapshot,
};

/// The latest signed version of a project's sheet, if it was signed.
pub async fn signed_version(db: &impl ConnectionTrait, project_id: i64) -> AppResult<Option<i32>> {
    Ok(sheet::Entity::find()
        .filter(sheet::Column::ProjectId.eq(project_id))
        .order_by_desc(sheet::Column::Version)
        .one(db)
        .await?
        .map(|s| s.version))
}

/// Signs the next version of the sheet: the project's requirements as they are now.
async fn sign_version(
    uow: &mut UnitOfWork<'_>,
    p: &project::Model,
    vendor_signer: i64,
    client_signer: i64,
    note: Option<String>,
    change_request: Option<i64>,
) -> AppResult<sheet::Model> {
    let requirements = requirement::Entity::find()
        .filter(requirement::Column::ProjectId.eq(p.id))
        .order_by_asc(requirement::Column::Id)
        .all(uow.txn())
        .await?;
    if requirements.is_empty() {
        return Err(AppError::Conflict(
            "the project has no requirements to sign".into(),
        ));
    }
    let agreed: Vec<Agreed> = requirements.iter().map(Agreed::from).collect();
    let version = signed_version(uow.txn(), p.id).await?.unwrap_or(0) + 1;
    let row = sheet::ActiveModel {
        project_id: Set(p.id),
        version: Set(version),
        requirements: Set(json!(agreed)),
        signed_at: Set(uow.now()),
        vendor_signer_id: Set(vendor_signer),
        client_signer_id: Set(client_signer),
        note: Set(note),
        change_request_id: Set(change_request),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        EventDraft::new(EventKind::SignedOff, EntityKind::RequirementSheet, row.id)
            .project(p.id, p.client_id)
            .changes(
                snapshot!(row; version, vendor_signer_id, client_signer_id, change_request_id),
            ),
    )
    .await?;
    Ok(row)
}

/// Signs version 1 of a project's sheet (staff, naming both signatories). From then on
/// the requirement list is frozen.
pub async fn sign_sheet(
    ctx: Ctx<'_>,
    project_id: i64,
    vendor_signer_id: i64,
    client_signer_id: i64,
    note: Option<String>,
) -> AppResult<sheet::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, project_id).await?;
    if let Some(v) = signed_version(uow.txn(), p.id).await? {
        return Err(AppError::Conflict(format!(
            "the requirement sheet is already signed (version {v}): amend it with a change request"
        )));
    }
    require::<user::Entity>(uow.txn(), ctx.caller, "vendorSignerId", vendor_signer_id).await?;
    require_contact_of(
        uow.txn(),
        ctx.caller,
        "clientSignerId",
        client_signer_id,
        p.client_id,
    )
    .await?;
    let row = sign_version(&mut uow, &p, vendor_signer_id, client_signer_id, note, None).await?;
    uow.commit().await?;
    Ok(row)
}

pub struct NewChangeRequest {
    pub project_id: i64,
    pub title: String,
    pub reason: String,
    pub schedule_impact_days: Option<i32>,
    pub cost_impact: Option<Money>,
    pub scope_impact: Option<String>,
    pub scope_change: ScopeChange,
}

/// Proposes a change to a signed sheet: by staff, or by the client in the portal.
pub async fn propose(ctx: Ctx<'_>, new: NewChangeRequest) -> AppResult<change_request::Model> {
    new.scope_change.check()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let p = require::<project::Entity>(uow.txn(), ctx.caller, "projectId", new.project_id).await?;
    ctx.caller.require_staff_write_or_contact_of(p.client_id)?;
    if signed_version(uow.txn(), p.id).await?.is_none() {
        return Err(AppError::Conflict(
            "the requirement sheet is not signed yet: edit the requirements directly".into(),
        ));
    }
    if !new.scope_change.descope.is_empty() {
        let in_scope = requirement::Entity::find()
            .filter(requirement::Column::ProjectId.eq(p.id))
            .filter(requirement::Column::InScope.eq(true))
            .filter(requirement::Column::Id.is_in(new.scope_change.descope.clone()))
            .all(uow.txn())
            .await?;
        if in_scope.len() != new.scope_change.descope.len() {
            return Err(AppError::input(
                "scopeChange.descope",
                "name requirements of this project that are in scope",
            ));
        }
    }
    let (by_user, by_contact) = match ctx.caller {
        Caller::Staff { user_id, .. } => (Some(*user_id), None),
        Caller::Contact { contact_id, .. } => (None, Some(*contact_id)),
        _ => (None, None),
    };
    let row = change_request::ActiveModel {
        project_id: Set(p.id),
        title: Set(new.title),
        reason: Set(new.reason),
        schedule_impact_days: Set(new.schedule_impact_days),
        cost_impact_minor: Set(new.cost_impact.as_ref().map(|m| m.minor)),
        cost_impact_currency: Set(new.cost_impact.map(|m| m.currency)),
        scope_impact: Set(new.scope_impact),
        scope_change: Set(json!(new.scope_change)),
        status: Set(ChangeRequestStatus::Proposed),
        proposed_at: Set(uow.now()),
        proposed_by_user_id: Set(by_user),
        proposed_by_contact_id: Set(by_contact),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::ChangeRequest, row.id)
            .project(p.id, p.client_id)
            .changes(snapshot!(row; title, schedule_impact_days, cost_impact_minor, cost_impact_currency, status)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// The decision on a change request.
pub enum Decision {
    /// Approved by the deciding staff member with the client's named contact; the
    /// scope change is applied and signed as the sheet's next version.
    Approve {
        client_approver_id: i64,
    },
    Reject,
}

pub async fn decide(
    ctx: Ctx<'_>,
    id: i64,
    decision: Decision,
    note: Option<String>,
    expected: Option<i32>,
) -> AppResult<change_request::Model> {
    ctx.caller.require_staff_write()?;
    let Caller::Staff { user_id, .. } = ctx.caller else {
        return Err(AppError::Forbidden(
            "a change request is decided by a person".into(),
        ));
    };
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<change_request::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("change request", cur.version, expected)?;
    let to = match decision {
        Decision::Approve { .. } => ChangeRequestStatus::Approved,
        Decision::Reject => ChangeRequestStatus::Rejected,
    };
    cur.status.check(to)?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    let mut approver = None;
    let mut sheet_version = None;
    if let Decision::Approve { client_approver_id } = decision {
        require_contact_of(
            uow.txn(),
            ctx.caller,
            "clientApproverId",
            client_approver_id,
            p.client_id,
        )
        .await?;
        approver = Some(client_approver_id);
        let change: ScopeChange = serde_json::from_value(cur.scope_change.clone())
            .map_err(|e| AppError::Internal(format!("change request {id}: {e}").into()))?;
        apply(&mut uow, &p, &change).await?;
        let signed = sign_version(
            &mut uow,
            &p,
            *user_id,
            client_approver_id,
            note.clone(),
            Some(cur.id),
        )
        .await?;
        sheet_version = Some(signed.version);
    }
    let am = change_request::ActiveModel {
        status: Set(to),
        decided_at: Set(Some(uow.now())),
        decided_by_user_id: Set(Some(*user_id)),
        client_approver_id: Set(approver),
        decision_note: Set(note),
        sheet_version: Set(sheet_version),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::ChangeRequest, id)
            .project(p.id, p.client_id)
            .status(cur.status, to)
            .changes(json!({ "sheet_version": sheet_version, "client_approver_id": approver })),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// Applies an approved scope change to the requirement list, each line with its event.
async fn apply(
    uow: &mut UnitOfWork<'_>,
    p: &project::Model,
    change: &ScopeChange,
) -> AppResult<()> {
    for a in &change.add {
        let row = requirement::ActiveModel {
            project_id: Set(p.id),
            title: Set(a.title.clone()),
            detail: Set(a.detail.clone()),
            category: Set(a.category),
            feasibility: Set(a.feasibility),
            alternative: Set(a.alternative.clone()),
            in_scope: Set(true),
            scope_note: Set(a.scope_note.clone()),
            created_at: Set(uow.now()),
            updated_at: Set(uow.now()),
            version: Set(1),
            ..Default::default()
        }
        .insert(uow.txn())
        .await?;
        uow.record(
            EventDraft::new(EventKind::Created, EntityKind::Requirement, row.id)
                .project(p.id, p.client_id)
                .changes(
                    snapshot!(row; title, category, feasibility, alternative, in_scope, scope_note),
                ),
        )
        .await?;
    }
    for id in &change.descope {
        let cur = load::<requirement::Entity>(uow.txn(), &Caller::System, *id).await?;
        if cur.project_id != p.id || !cur.in_scope {
            return Err(AppError::Conflict(format!(
                "requirement {:?} is no longer in scope; the change request is out of date",
                cur.title
            )));
        }
        let am = requirement::ActiveModel {
            in_scope: Set(false),
            updated_at: Set(uow.now()),
            ..Default::default()
        };
        save_versioned(uow.txn(), am, cur.id, cur.version).await?;
        uow.record(
            EventDraft::new(EventKind::Updated, EntityKind::Requirement, cur.id)
                .project(p.id, p.client_id)
                .changes(json!({ "in_scope": { "from": true, "to": false } })),
        )
        .await?;
    }
    Ok(())
}

/// The client's acceptance sign-off: moves a project in ACCEPTANCE to AFTER_SALES. A
/// portal user signs as itself; staff record a signature given elsewhere, naming the
/// contact.
pub async fn accept(
    ctx: Ctx<'_>,
    project_id: i64,
    contact_id: Option<i64>,
    notes: Option<String>,
    waiver_reason: Option<String>,
) -> AppResult<(project::Model, acceptance::Model)> {
    let mut uow = UnitOfWork::begin(ctx).await?;
    let p = require::<project::Entity>(uow.txn(), ctx.caller, "projectId", project_id).await?;
    ctx.caller.require_staff_write_or_contact_of(p.client_id)?;
    let (signer, recorded_by) = match ctx.caller {
        // A portal user signs as itself: naming another contact is refused (as a missing
        // one if it is another client's), never replaced by the caller.
        Caller::Contact { contact_id: me, .. } => match contact_id {
            None => (*me, None),
            Some(c) => {
                require_contact_of(uow.txn(), ctx.caller, "contactId", c, p.client_id).await?;
                if c != *me {
                    return Err(AppError::Forbidden(
                        "a portal user signs acceptance as itself".into(),
                    ));
                }
                (c, None)
            }
        },
        Caller::Staff { user_id, .. } => {
            let Some(c) = contact_id else {
                return Err(AppError::input(
                    "contactId",
                    "name the client's contact who signed",
                ));
            };
            (c, Some(*user_id))
        }
        _ => {
            return Err(AppError::Forbidden(
                "acceptance is signed by a person".into(),
            ));
        }
    };
    require_contact_of(uow.txn(), ctx.caller, "contactId", signer, p.client_id).await?;
    if p.status != ProjectStatus::Acceptance {
        return Err(AppError::transition(
            "project",
            p.status,
            ProjectStatus::AfterSales,
        ));
    }
    // Acceptance against what was agreed: every criterion passed, or waived with a reason.
    crate::domain::acceptance::check_sign_off(
        super::acceptance_criteria::statuses(uow.txn(), p.id).await?,
        waiver_reason.as_deref(),
    )?;
    let next = ProjectPhase {
        status: p.status,
        held_from: p.held_from,
    }
    .transition(
        ProjectStatus::AfterSales,
        super::projects::contract_facts(&p.contract_number, &p.contract_signed_on),
    )?;
    let row = acceptance::ActiveModel {
        project_id: Set(p.id),
        signed_at: Set(uow.now()),
        contact_id: Set(signer),
        recorded_by_user_id: Set(recorded_by),
        notes: Set(notes),
        waiver_reason: Set(waiver_reason),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    let am = project::ActiveModel {
        status: Set(next.status),
        held_from: Set(next.held_from),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let updated = save_versioned(uow.txn(), am, p.id, p.version).await?;
    uow.record(
        EventDraft::new(EventKind::SignedOff, EntityKind::Project, p.id)
            .project(p.id, p.client_id)
            .changes(snapshot!(row; contact_id, recorded_by_user_id, notes, waiver_reason)),
    )
    .await?;
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::Project, p.id)
            .project(p.id, p.client_id)
            .status(p.status, next.status),
    )
    .await?;
    uow.commit().await?;
    Ok((updated, row))
}
