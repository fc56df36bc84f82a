//! The risk log of a project.

use entity::{EntityKind, EventKind, RiskCategory, RiskStatus, project, risk, user};
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, Set};

use super::{
    Ctx, EventDraft, UnitOfWork, check_version, load, patch::Changes, require, save_versioned,
};
use crate::{
    auth::{Scope, scope::VisibleSelect},
    domain::{risk::RiskSeverity, status::Lifecycle},
    error::AppResult,
    snapshot,
};

pub struct NewRisk {
    pub project_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub category: RiskCategory,
    /// 1..=5, checked at the edge.
    pub likelihood: i32,
    /// 1..=5, checked at the edge.
    pub impact: i32,
    pub owner_id: Option<i64>,
    pub mitigation: Option<String>,
    pub contingency: Option<String>,
    /// Show the risk in the client's portal.
    pub shared_with_client: bool,
}

#[derive(Default)]
pub struct RiskPatch {
    pub title: Option<String>,
    pub description: Option<Option<String>>,
    pub category: Option<RiskCategory>,
    pub likelihood: Option<i32>,
    pub impact: Option<i32>,
    pub owner_id: Option<Option<i64>>,
    pub mitigation: Option<Option<String>>,
    pub contingency: Option<Option<String>>,
    pub shared_with_client: Option<bool>,
}

/// Narrows the risk log across projects.
#[derive(Default)]
pub struct RiskFilter {
    /// Only risks not closed (or only closed ones).
    pub open: Option<bool>,
    pub severities: Vec<RiskSeverity>,
    pub project_id: Option<i64>,
    pub client_id: Option<i64>,
}

/// Risks visible in `scope` that match `f`.
pub fn list(scope: Scope, f: RiskFilter) -> VisibleSelect<risk::Entity> {
    let mut q = VisibleSelect::<risk::Entity>::new(scope);
    match f.open {
        Some(true) => q = q.filter(risk::Column::Status.ne(RiskStatus::Closed)),
        Some(false) => q = q.filter(risk::Column::Status.eq(RiskStatus::Closed)),
        None => {}
    }
    if !f.severities.is_empty() {
        let mut any = Condition::any();
        for s in f.severities {
            let scores = s.scores();
            any = any.add(risk::Column::Score.between(*scores.start(), *scores.end()));
        }
        q = q.filter(any);
    }
    if let Some(p) = f.project_id {
        q = q.filter(risk::Column::ProjectId.eq(p));
    }
    if let Some(c) = f.client_id {
        q = q.filter(
            risk::Column::ProjectId.in_subquery(
                sea_orm::sea_query::Query::select()
                    .column(project::Column::Id)
                    .from(project::Entity)
                    .and_where(project::Column::ClientId.eq(c))
                    .to_owned(),
            ),
        );
    }
    q
}

pub async fn create(ctx: Ctx<'_>, new: NewRisk) -> AppResult<risk::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let project =
        require::<project::Entity>(uow.txn(), ctx.caller, "projectId", new.project_id).await?;
    if let Some(owner) = new.owner_id {
        require::<user::Entity>(uow.txn(), ctx.caller, "ownerId", owner).await?;
    }
    let row = risk::ActiveModel {
        project_id: Set(new.project_id),
        title: Set(new.title),
        description: Set(new.description),
        category: Set(new.category),
        likelihood: Set(new.likelihood),
        impact: Set(new.impact),
        score: Set(new.likelihood * new.impact),
        owner_id: Set(new.owner_id),
        mitigation: Set(new.mitigation),
        contingency: Set(new.contingency),
        status: Set(RiskStatus::Open),
        shared_with_client: Set(new.shared_with_client),
        raised_at: Set(uow.now()),
        closed_at: Set(None),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    let snap = snapshot!(row; title, category, likelihood, impact, owner_id, mitigation, contingency, status);
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::Risk, row.id)
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
    p: RiskPatch,
    expected: Option<i32>,
) -> AppResult<risk::Model> {
    ctx.caller.require_staff_write()?;
    // Destructured so that a field added to the patch and not applied fails to compile.
    let RiskPatch {
        title,
        description,
        category,
        likelihood,
        impact,
        owner_id,
        mitigation,
        contingency,
        shared_with_client,
    } = p;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<risk::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("risk", cur.version, expected)?;
    if let Some(Some(owner)) = owner_id {
        require::<user::Entity>(uow.txn(), ctx.caller, "ownerId", owner).await?;
    }
    let project = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    let mut ch = Changes::default();
    let am = risk::ActiveModel {
        title: ch.field("title", &cur.title, title),
        description: ch.field("description", &cur.description, description),
        category: ch.field("category", &cur.category, category),
        likelihood: ch.field("likelihood", &cur.likelihood, likelihood),
        impact: ch.field("impact", &cur.impact, impact),
        owner_id: ch.field("owner_id", &cur.owner_id, owner_id),
        mitigation: ch.field("mitigation", &cur.mitigation, mitigation),
        contingency: ch.field("contingency", &cur.contingency, contingency),
        shared_with_client: ch.field(
            "shared_with_client",
            &cur.shared_with_client,
            shared_with_client,
        ),
        // Kept equal to likelihood x impact, whichever of the two changes.
        score: Set(likelihood.unwrap_or(cur.likelihood) * impact.unwrap_or(cur.impact)),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    if ch.is_empty() {
        return Ok(cur);
    }
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::Risk, id)
            .project(project.id, project.client_id)
            .changes(ch.into_json()),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

pub async fn change_status(
    ctx: Ctx<'_>,
    id: i64,
    to: RiskStatus,
    expected: Option<i32>,
) -> AppResult<risk::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<risk::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("risk", cur.version, expected)?;
    cur.status.check(to)?;
    let project = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    let am = risk::ActiveModel {
        status: Set(to),
        closed_at: Set((to == RiskStatus::Closed).then(|| uow.now())),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::Risk, id)
            .project(project.id, project.client_id)
            .status(cur.status, to),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
