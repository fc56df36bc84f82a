//! The quarterly survey of existing clients: staff opens one for a period and a set of
//! clients, each of their contacts answers once (in the portal, or staff records it),
//! staff closes it; its report sums the answers by client against the previous survey.

use std::collections::{BTreeMap, BTreeSet};

use entity::{
    ContactStatus, EntityKind, EventKind, SurveyStatus, client, contact, survey, survey_answer,
    survey_client,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set, sea_query::OnConflict,
};
use serde_json::json;

use super::{
    Caller, Ctx, EventDraft, UnitOfWork, check_version, client_voice, load, require, save_versioned,
};
use crate::{
    domain::{
        follow_up::Score,
        satisfaction::{Period, Trend},
        status::Lifecycle,
        survey::{Recommend, SurveySummary},
    },
    error::{AppError, AppResult},
};

/// Most clients one survey asks.
const MAX_CLIENTS: usize = 1_000;

/// Opens a survey of `clients` about `period`; each client's active contacts are its
/// invitations.
pub async fn open(
    ctx: Ctx<'_>,
    title: String,
    period: Period,
    clients: Vec<i64>,
) -> AppResult<survey::Model> {
    ctx.caller.require_staff_write()?;
    let clients: BTreeSet<i64> = clients.into_iter().collect();
    if clients.is_empty() {
        return Err(AppError::input("clientIds", "name at least one client"));
    }
    if clients.len() > MAX_CLIENTS {
        return Err(AppError::input(
            "clientIds",
            format!("at most {MAX_CLIENTS} clients"),
        ));
    }
    let mut uow = UnitOfWork::begin(ctx).await?;
    let found = client::Entity::find()
        .filter(client::Column::Id.is_in(clients.iter().copied()))
        .count(uow.txn())
        .await?;
    if found != clients.len() as u64 {
        return Err(AppError::input(
            "clientIds",
            "names a client that does not exist",
        ));
    }
    let row = survey::ActiveModel {
        title: Set(title),
        period_from: Set(period.from),
        period_to: Set(period.to),
        status: Set(SurveyStatus::Open),
        opened_at: Set(uow.now()),
        opened_by_user_id: Set(ctx.caller.user_id()),
        ..Default::default()
    }
    .insert(uow.txn())
    .await?;
    let mut invited: BTreeMap<i64, i32> = clients.iter().map(|c| (*c, 0)).collect();
    let active: Vec<i64> = contact::Entity::find()
        .select_only()
        .column(contact::Column::ClientId)
        .filter(contact::Column::ClientId.is_in(clients.iter().copied()))
        .filter(contact::Column::Status.eq(ContactStatus::Active))
        .into_tuple()
        .all(uow.txn())
        .await?;
    for c in active {
        *invited.entry(c).or_default() += 1;
    }
    survey_client::Entity::insert_many(invited.iter().map(|(c, n)| survey_client::ActiveModel {
        survey_id: Set(row.id),
        client_id: Set(*c),
        invited: Set(*n),
    }))
    .exec_without_returning(uow.txn())
    .await?;
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::Survey, row.id).changes(json!({
            "title": row.title,
            "period_from": row.period_from,
            "period_to": row.period_to,
            "client_ids": clients,
        })),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// Closes a survey: it takes no more answers.
pub async fn close(ctx: Ctx<'_>, id: i64, expected: Option<i32>) -> AppResult<survey::Model> {
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<survey::Entity>(uow.txn(), ctx.caller, id).await?;
    check_version("survey", cur.version, expected)?;
    cur.status.check(SurveyStatus::Closed)?;
    let am = survey::ActiveModel {
        status: Set(SurveyStatus::Closed),
        closed_at: Set(Some(uow.now())),
        ..Default::default()
    };
    let row = save_versioned(uow.txn(), am, id, cur.version).await?;
    uow.record(
        EventDraft::new(EventKind::StatusChanged, EntityKind::Survey, id)
            .status(cur.status, SurveyStatus::Closed),
    )
    .await?;
    uow.commit().await?;
    Ok(row)
}

/// A contact's answer.
pub struct Answer {
    pub score: i32,
    pub recommend: i32,
    pub comment: Option<String>,
    /// Staff name the contact whose answer they record; a portal user answers as itself.
    pub contact_id: Option<i64>,
}

/// Records a contact's one answer to an open survey of its client.
pub async fn answer(ctx: Ctx<'_>, id: i64, a: Answer) -> AppResult<survey_answer::Model> {
    let score = Score::new(a.score)?;
    let recommend = Recommend::new(a.recommend)?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    // In the portal's scope a survey of other clients is NOT_FOUND.
    let s = load::<survey::Entity>(uow.txn(), ctx.caller, id).await?;
    let client_id = match ctx.caller {
        Caller::Contact { client_id, .. } => *client_id,
        _ => {
            let Some(c) = a.contact_id else {
                return Err(AppError::input(
                    "contactId",
                    "name the client's contact who answered",
                ));
            };
            require::<contact::Entity>(uow.txn(), ctx.caller, "contactId", c)
                .await?
                .client_id
        }
    };
    let asked = survey_client::Entity::find_by_id((s.id, client_id))
        .one(uow.txn())
        .await?;
    if asked.is_none() {
        return Err(AppError::input(
            "contactId",
            "this survey does not ask the contact's client",
        ));
    }
    let (by, recorded_by) = client_voice(uow.txn(), ctx.caller, a.contact_id, client_id).await?;
    if s.status != SurveyStatus::Open {
        return Err(AppError::Conflict("the survey is closed".into()));
    }
    let row = survey_answer::ActiveModel {
        survey_id: Set(s.id),
        contact_id: Set(by),
        client_id: Set(client_id),
        score: Set(score.get()),
        recommend: Set(recommend.get()),
        comment: Set(a.comment),
        answered_at: Set(uow.now()),
        recorded_by_user_id: Set(recorded_by),
    };
    // The key refuses a second answer, even two arriving together.
    let written = survey_answer::Entity::insert(row.clone())
        .on_conflict(
            OnConflict::columns([
                survey_answer::Column::SurveyId,
                survey_answer::Column::ContactId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(uow.txn())
        .await?;
    if written == 0 {
        return Err(AppError::Conflict(
            "this contact has already answered the survey".into(),
        ));
    }
    uow.record(
        EventDraft::new(EventKind::SatisfactionRecorded, EntityKind::Survey, s.id)
            .client(client_id)
            .changes(json!({
                "contact_id": by,
                "score": score.get(),
                "recommend": recommend.get(),
                "recorded_by_user_id": recorded_by,
            })),
    )
    .await?;
    let row = survey_answer::Entity::find_by_id((s.id, by))
        .one(uow.txn())
        .await?
        .ok_or(AppError::not_found("survey answer"))?;
    uow.commit().await?;
    Ok(row)
}

/// One client in a survey's report.
#[derive(Debug, Clone)]
pub struct ClientResult {
    pub client_id: i64,
    pub summary: SurveySummary,
    /// The same client in the previous survey, if that one asked it.
    pub previous: Option<SurveySummary>,
    pub trend: Trend,
}

/// What a survey's answers sum up to, against the survey before it.
#[derive(Debug, Clone)]
pub struct Report {
    pub survey: survey::Model,
    pub overall: SurveySummary,
    /// The survey whose period starts last before this one's.
    pub previous: Option<(survey::Model, SurveySummary)>,
    pub trend: Trend,
    pub by_client: Vec<ClientResult>,
}

/// Sums one survey: overall and by client id.
async fn sums(
    ctx: Ctx<'_>,
    survey_id: i64,
) -> AppResult<(SurveySummary, BTreeMap<i64, SurveySummary>)> {
    let asked = survey_client::Entity::find()
        .filter(survey_client::Column::SurveyId.eq(survey_id))
        .all(ctx.db)
        .await?;
    let answers = survey_answer::Entity::find()
        .filter(survey_answer::Column::SurveyId.eq(survey_id))
        .all(ctx.db)
        .await?;
    let invited = |n: i32| SurveySummary::invited(u32::try_from(n).unwrap_or(0));
    let mut overall = invited(asked.iter().map(|a| a.invited).sum());
    let mut by_client: BTreeMap<i64, SurveySummary> = asked
        .iter()
        .map(|a| (a.client_id, invited(a.invited)))
        .collect();
    for a in answers {
        // Stored values were checked on the way in (and by the table); others are skipped.
        let (Ok(score), Ok(recommend)) = (Score::new(a.score), Recommend::new(a.recommend)) else {
            continue;
        };
        overall.add(score, recommend);
        by_client
            .entry(a.client_id)
            .or_default()
            .add(score, recommend);
    }
    Ok((overall, by_client))
}

/// The report of survey `id` (staff).
pub async fn report(ctx: Ctx<'_>, id: i64) -> AppResult<Report> {
    ctx.caller.require_staff_read()?;
    let s = load::<survey::Entity>(ctx.db, ctx.caller, id).await?;
    let before = survey::Entity::find()
        .filter(survey::Column::PeriodFrom.lt(s.period_from))
        .order_by_desc(survey::Column::PeriodFrom)
        .order_by_desc(survey::Column::Id)
        .one(ctx.db)
        .await?;
    let (overall, by_client) = sums(ctx, s.id).await?;
    let (previous, mut previous_by_client) = match before {
        Some(b) => {
            let (o, by) = sums(ctx, b.id).await?;
            (Some((b, o)), by)
        }
        None => (None, BTreeMap::new()),
    };
    let trend = Trend::between(
        &previous.as_ref().map(|p| p.1).unwrap_or_default().scores,
        &overall.scores,
    );
    let by_client = by_client
        .into_iter()
        .map(|(client_id, summary)| {
            let previous = previous_by_client.remove(&client_id);
            ClientResult {
                client_id,
                trend: Trend::between(&previous.unwrap_or_default().scores, &summary.scores),
                summary,
                previous,
            }
        })
        .collect();
    Ok(Report {
        survey: s,
        overall,
        previous,
        trend,
        by_client,
    })
}

/// Surveys the caller may see, optionally of one status.
pub fn list(
    scope: crate::auth::Scope,
    status: Option<SurveyStatus>,
) -> crate::auth::scope::VisibleSelect<survey::Entity> {
    let mut q = crate::auth::scope::VisibleSelect::<survey::Entity>::new(scope);
    if let Some(s) = status {
        q = q.filter(survey::Column::Status.eq(s));
    }
    q
}
