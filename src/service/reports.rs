//! Progress reports: daily, weekly and at milestone reviews.

use entity::{EntityKind, EventKind, ReportKind, project, report, stage, user};
use sea_orm::{ActiveModelTrait, Set};

use super::{Caller, Ctx, EventDraft, UnitOfWork, require};
use crate::{
    error::{AppError, AppResult},
    snapshot,
};

pub struct NewReport {
    pub project_id: i64,
    pub kind: ReportKind,
    pub body: String,
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
    let row = report::ActiveModel {
        project_id: Set(project.id),
        stage_id: Set(new.stage_id),
        kind: Set(new.kind),
        body: Set(new.body),
        progress_percent: Set(new.progress_percent),
        author_id: Set(author_id),
        created_at: Set(uow.now()),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::Report, row.id)
            .project(project.id, project.client_id)
            .changes(snapshot!(row; kind, progress_percent, stage_id, author_id)),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}
