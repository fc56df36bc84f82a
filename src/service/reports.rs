//! Progress reports: daily, weekly and at milestone reviews; drafted by the team,
//! published to the client (the portal sees published ones only, and records when each
//! contact first read one).

use entity::{
    EntityKind, EventKind, ReportKind, ReportStatus, project, report, report_read, stage, user,
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use super::{Caller, Ctx, EventDraft, UnitOfWork, load, require};
use crate::{
    domain::{
        report::{Parts, compose},
        status::Lifecycle,
    },
    error::{AppError, AppResult},
    snapshot,
};

pub struct NewReport {
    pub project_id: i64,
    pub kind: ReportKind,
    /// The text, or the parts it is composed from.
    pub parts: Parts,
    /// Kept as a draft (the team's) instead of published to the client at once.
    pub draft: bool,
    /// 0..=100, checked at the edge.
    pub progress_percent: i32,
    pub stage_id: Option<i64>,
    /// Defaults to the calling staff member.
    pub author_id: Option<i64>,
}

pub async fn create(ctx: Ctx<'_>, new: NewReport) -> AppResult<report::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let project =
        require::<project::Entity>(uow.txn(), ctx.caller, "projectId", new.project_id).await?;
    match (new.kind, new.stage_id) {
        (ReportKind::MilestoneReview, None) => {
            return Err(AppError::input(
                "stageId",
                "a milestone review names the stage it reviews",
            ));
        }
        (_, Some(stage_id)) => {
            let stage =
                require::<stage::Entity>(uow.txn(), ctx.caller, "stageId", stage_id).await?;
            if stage.project_id != project.id {
                return Err(AppError::input(
                    "stageId",
                    "the stage belongs to another project",
                ));
            }
        }
        _ => {}
    }
    let author_id = match (new.author_id, ctx.caller) {
        (Some(id), _) => Some(
            require::<user::Entity>(uow.txn(), ctx.caller, "authorId", id)
                .await?
                .id,
        ),
        (None, Caller::Staff { user_id, .. }) => Some(*user_id),
        (None, _) => None,
    };
    let body = compose(new.kind, &new.parts)?;
    let status = if new.draft {
        ReportStatus::Draft
    } else {
        ReportStatus::Published
    };
    let Parts {
        progress,
        problems,
        plan,
        next_by,
        ..
    } = new.parts;
    let row = report::ActiveModel {
        project_id: Set(project.id),
        stage_id: Set(new.stage_id),
        kind: Set(new.kind),
        body: Set(body),
        progress_percent: Set(new.progress_percent),
        author_id: Set(author_id),
        created_at: Set(uow.now()),
        status: Set(status),
        published_at: Set((status == ReportStatus::Published).then(|| uow.now())),
        progress: Set(progress),
        problems: Set(problems),
        plan: Set(plan),
        next_by: Set(next_by),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    // The portal sees a report's events from its publication on (`to_status`).
    let mut draft = EventDraft::new(EventKind::Created, EntityKind::Report, row.id)
        .project(project.id, project.client_id)
        .changes(snapshot!(row; kind, progress_percent, stage_id, author_id, status));
    draft.to_status = Some(status.to_string());
    uow.record(draft).await?;
    uow.commit().await?;
    Ok(row)
}

/// Publishes a draft to the client: from now on it is in the portal (and its feed).
pub async fn publish(ctx: Ctx<'_>, id: i64) -> AppResult<report::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load_report(&uow, ctx.caller, id).await?;
    cur.status.check(ReportStatus::Published)?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, cur.project_id).await?;
    // Conditional, so two publications of one draft make one.
    let done = report::Entity::update_many()
        .col_expr(
            report::Column::Status,
            ReportStatus::Published.as_str().into(),
        )
        .col_expr(report::Column::PublishedAt, uow.now().into())
        .filter(report::Column::Id.eq(id))
        .filter(report::Column::Status.eq(ReportStatus::Draft))
        .exec(uow.txn())
        .await?;
    if done.rows_affected == 0 {
        return Err(AppError::transition(
            "report",
            cur.status,
            ReportStatus::Published,
        ));
    }
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::Report, id)
            .project(p.id, p.client_id)
            .status(ReportStatus::Draft, ReportStatus::Published),
    )
    .await?;
    let row = load_report(&uow, ctx.caller, id).await?;
    uow.commit().await?;
    Ok(row)
}

/// Records that the calling contact read a published report (the first time only).
pub async fn read(ctx: Ctx<'_>, id: i64) -> AppResult<report::Model> {
    let Caller::Contact { contact_id, .. } = ctx.caller else {
        return Err(AppError::Forbidden(
            "a report is read by the client's contacts in the portal".into(),
        ));
    };
    let uow = UnitOfWork::begin(ctx).await?;
    // In the portal's scope: another client's report, or a draft, is NOT_FOUND.
    let row = load_report(&uow, ctx.caller, id).await?;
    report_read::Entity::insert(report_read::ActiveModel {
        report_id: Set(row.id),
        contact_id: Set(*contact_id),
        first_read_at: Set(uow.now()),
    })
    .on_conflict(
        sea_orm::sea_query::OnConflict::columns([
            report_read::Column::ReportId,
            report_read::Column::ContactId,
        ])
        .do_nothing()
        .to_owned(),
    )
    .exec_without_returning(uow.txn())
    .await?;
    uow.commit().await?;
    Ok(row)
}

async fn load_report(uow: &UnitOfWork<'_>, caller: &Caller, id: i64) -> AppResult<report::Model> {
    report::Entity::find_by_id(id)
        .filter(crate::auth::scope::visible::<report::Entity>(
            caller.scope()?,
        ))
        .one(uow.txn())
        .await?
        .ok_or(AppError::not_found("report"))
}
