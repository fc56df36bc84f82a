//! Milestone ratings: when a stage is done, the client's contacts rate it 1-5 with a
//! comment; rating again replaces the contact's rating.

use entity::{EntityKind, EventKind, milestone_rating as rating, project, stage};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::OnConflict};
use serde_json::json;

use super::{Ctx, EventDraft, UnitOfWork, client_voice, load};
use crate::{
    domain::{follow_up::Score, survey::check_ratable},
    error::{AppError, AppResult},
};

/// Records (or replaces) a contact's rating of a done milestone: the portal user's own,
/// or one staff recorded naming the contact.
pub async fn rate(
    ctx: Ctx<'_>,
    stage_id: i64,
    score: i32,
    comment: Option<String>,
    contact_id: Option<i64>,
) -> AppResult<rating::Model> {
    let score = Score::new(score)?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    // Another client's milestone is NOT_FOUND in the portal's scope.
    let s = load::<stage::Entity>(uow.txn(), ctx.caller, stage_id).await?;
    let p = load::<project::Entity>(uow.txn(), ctx.caller, s.project_id).await?;
    let (by, recorded_by) = client_voice(uow.txn(), ctx.caller, contact_id, p.client_id).await?;
    check_ratable(s.status)?;
    let row = rating::ActiveModel {
        stage_id: Set(s.id),
        contact_id: Set(by),
        project_id: Set(p.id),
        client_id: Set(p.client_id),
        score: Set(score.get()),
        comment: Set(comment.clone()),
        rated_at: Set(uow.now()),
        recorded_by_user_id: Set(recorded_by),
    };
    rating::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([rating::Column::StageId, rating::Column::ContactId])
                .update_columns([
                    rating::Column::Score,
                    rating::Column::Comment,
                    rating::Column::RatedAt,
                    rating::Column::RecordedByUserId,
                ])
                .to_owned(),
        )
        .exec_without_returning(uow.txn())
        .await?;
    uow.record(
        EventDraft::new(EventKind::SatisfactionRecorded, EntityKind::Stage, s.id)
            .project(p.id, p.client_id)
            .changes(json!({
                "score": score.get(),
                "comment": comment,
                "contact_id": by,
                "recorded_by_user_id": recorded_by,
            })),
    )
    .await?;
    let row = rating::Entity::find()
        .filter(rating::Column::StageId.eq(s.id))
        .filter(rating::Column::ContactId.eq(by))
        .one(uow.txn())
        .await?
        .ok_or(AppError::not_found("milestone rating"))?;
    uow.commit().await?;
    Ok(row)
}
