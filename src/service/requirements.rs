//! The requirement list of a project: category, feasibility and scope of each line.

use entity::{EntityKind, EventKind, Feasibility, RequirementCategory, project, requirement};
use sea_orm::{ActiveModelTrait, Set};

use super::{
    Ctx, EventDraft, UnitOfWork, agreements, check_version, load, patch::Changes, require,
    save_versioned,
};
use crate::{
    domain::requirement::{check_alternative, check_unsigned},
    error::AppResult,
    snapshot,
};

pub struct NewRequirement {
    pub project_id: i64,
    pub title: String,
    pub detail: Option<String>,
    pub category: RequirementCategory,
    pub feasibility: Feasibility,
    pub alternative: Option<String>,
    pub in_scope: bool,
    pub scope_note: Option<String>,
}

#[derive(Default)]
pub struct RequirementPatch {
    pub title: Option<String>,
    pub detail: Option<Option<String>>,
    pub category: Option<RequirementCategory>,
    pub feasibility: Option<Feasibility>,
    pub alternative: Option<Option<String>>,
    pub in_scope: Option<bool>,
    pub scope_note: Option<Option<String>>,
}

pub async fn create(ctx: Ctx<'_>, new: NewRequirement) -> AppResult<requirement::Model> {
    ctx.caller.require_staff_write()?;
    check_alternative(new.feasibility, new.alternative.as_deref())?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let project =
        require::<project::Entity>(uow.txn(), ctx.caller, "projectId", new.project_id).await?;
    check_unsigned(agreements::signed_version(uow.txn(), project.id).await?)?;
    let row = requirement::ActiveModel {
        project_id: Set(new.project_id),
        title: Set(new.title),
        detail: Set(new.detail),
        category: Set(new.category),
        feasibility: Set(new.feasibility),
        alternative: Set(new.alternative),
        in_scope: Set(new.in_scope),
        scope_note: Set(new.scope_note),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    let snap = snapshot!(row; title, category, feasibility, alternative, in_scope, scope_note);
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::Requirement, row.id)
            .project(project.id, project.client_id)
            .changes(snap),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn update(
    ctx: Ctx<'_>,
    id: i64,
    p: RequirementPatch,
    expected: Option<i32>,
) -> AppResult<requirement::Model> {
    ctx.caller.require_staff_write()?;
    // Destructured so that a field added to the patch and not applied fails to compile.
    let RequirementPatch {
        title,
        detail,
        category,
        feasibility,
        alternative,
        in_scope,
        scope_note,
    } = p;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<requirement::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("requirement", cur.version, expected)?;
    let resulting_alternative = alternative.clone().unwrap_or(cur.alternative.clone());
    check_alternative(
        feasibility.unwrap_or(cur.feasibility),
        resulting_alternative.as_deref(),
    )?;
    let project = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    check_unsigned(agreements::signed_version(uow.txn(), project.id).await?)?;
    let mut ch = Changes::default();
    let am = requirement::ActiveModel {
        title: ch.field("title", &cur.title, title),
        detail: ch.field("detail", &cur.detail, detail),
        category: ch.field("category", &cur.category, category),
        feasibility: ch.field("feasibility", &cur.feasibility, feasibility),
        alternative: ch.field("alternative", &cur.alternative, alternative),
        in_scope: ch.field("in_scope", &cur.in_scope, in_scope),
        scope_note: ch.field("scope_note", &cur.scope_note, scope_note),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    if ch.is_empty() {
        return Ok(cur);
    }
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::Requirement, id)
            .project(project.id, project.client_id)
            .changes(ch.into_json()),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// The analysis of one requirement (DOMAIN, step 2), replacing the previous one.
pub struct Analysis {
    pub nature: entity::RequirementNature,
    pub effort_tenth_days: Option<i32>,
    pub cost: Option<crate::domain::money::Money>,
    pub resources: Option<String>,
}

/// Records who analysed a requirement, when, and what they estimated. Estimates do not
/// change the scope, so a signed sheet does not freeze them.
pub async fn analyse(
    ctx: Ctx<'_>,
    id: i64,
    a: Analysis,
    expected: Option<i32>,
) -> AppResult<requirement::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<requirement::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("requirement", cur.version, expected)?;
    let project = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    let (cost_minor, cost_currency) = match a.cost {
        Some(m) => (Some(m.minor), Some(m.currency)),
        None => (None, None),
    };
    let am = requirement::ActiveModel {
        nature: Set(Some(a.nature)),
        effort_tenth_days: Set(a.effort_tenth_days),
        cost_minor: Set(cost_minor),
        cost_currency: Set(cost_currency),
        resources: Set(a.resources),
        analysed_by: Set(ctx.caller.user_id()),
        analysed_at: Set(Some(uow.now())),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::Requirement, id)
            .project(project.id, project.client_id)
            .changes(
                snapshot!(row; nature, effort_tenth_days, cost_minor, cost_currency, analysed_by),
            ),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
