//! The e-mail outbox: what each change means for people's inboxes, written in the change's
//! own transaction, so a message is queued exactly when its change commits.
//!
//! Nothing calls [`follow`] by hand: it runs in every [`UnitOfWork`] before it commits and
//! reads the events the change recorded (see `domain::mail::trigger`). Each message is
//! keyed by its event, kind and recipient; the unique key makes a second write of the same
//! message (a retried transaction, another instance) a no-op. Messages to people who
//! unsubscribed from the kind, or have no address, are kept as `SUPPRESSED`, so staff can
//! see why someone heard nothing. The sender (`crate::mail`) delivers the rest.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    ContactStatus, Language, MailKind, MailStatus, RecipientKind, contact,
    kickoff_obligation as ko, mail_unsubscribe as unsub, outbox_message as outbox, project, report,
    survey, survey_client, team_member, ticket, user,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, sea_query::OnConflict,
};
use serde_json::{Value, json};

use super::{UnitOfWork, escalations, service_levels};
use crate::{
    domain::mail::{Trigger, dedupe_key, level_team_role, trigger},
    error::AppResult,
};

/// One person a message goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub kind: RecipientKind,
    pub id: i64,
    pub name: String,
    pub address: Option<String>,
    pub language: Language,
}

impl From<contact::Model> for Recipient {
    fn from(c: contact::Model) -> Self {
        Self {
            kind: RecipientKind::Contact,
            id: c.id,
            name: c.name,
            address: c.email,
            language: c.language,
        }
    }
}

impl From<user::Model> for Recipient {
    fn from(u: user::Model) -> Self {
        Self {
            kind: RecipientKind::User,
            id: u.id,
            name: u.name,
            address: Some(u.email),
            language: u.language,
        }
    }
}

/// A message to queue: its kind, what it comes from, and the template's facts (without
/// the recipient's name, added per recipient).
pub struct Draft {
    pub kind: MailKind,
    /// `e<event id>`, or `p<project>-<week>` for a digest.
    pub source: String,
    pub event_id: Option<i64>,
    pub project_id: Option<i64>,
    pub client_id: Option<i64>,
    pub data: Value,
    pub to: Vec<Recipient>,
}

/// Queues the messages the recorded changes of `uow` call for.
pub(super) async fn follow(uow: &mut UnitOfWork<'_>) -> AppResult<()> {
    let triggers: Vec<(entity::event::Model, Trigger)> = uow
        .recorded()
        .iter()
        .filter_map(|e| trigger(e).map(|t| (e.clone(), t)))
        .collect();
    if triggers.is_empty() {
        return Ok(());
    }
    let mut drafts = Vec::new();
    for (e, t) in &triggers {
        if let Some(d) = compose(uow.txn(), e, *t).await? {
            drafts.push(d);
        }
    }
    queue(uow.txn(), uow.now(), drafts).await
}

/// Writes `drafts`, one row per recipient, each once.
pub async fn queue(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    drafts: Vec<Draft>,
) -> AppResult<()> {
    let people: HashSet<(RecipientKind, i64)> = drafts
        .iter()
        .flat_map(|d| d.to.iter().map(|r| (r.kind, r.id)))
        .collect();
    if people.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = people.iter().map(|(_, id)| *id).collect();
    let opted_out: HashSet<(RecipientKind, i64, MailKind)> = unsub::Entity::find()
        .filter(unsub::Column::RecipientId.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.recipient_kind, u.recipient_id, u.kind))
        .collect();
    let mut rows = Vec::new();
    for d in drafts {
        for r in d.to {
            let mut data = d.data.clone();
            if let Value::Object(map) = &mut data {
                map.insert("name".into(), Value::String(r.name.clone()));
            }
            let (status, why) = if opted_out.contains(&(r.kind, r.id, d.kind)) {
                (MailStatus::Suppressed, Some("unsubscribed from this kind"))
            } else if r.address.as_deref().is_none_or(str::is_empty) {
                (MailStatus::Suppressed, Some("no e-mail address"))
            } else {
                (MailStatus::Pending, None)
            };
            rows.push(outbox::ActiveModel {
                dedupe_key: Set(dedupe_key(d.kind, &d.source, r.kind, r.id)),
                kind: Set(d.kind),
                event_id: Set(d.event_id),
                recipient_kind: Set(r.kind),
                recipient_id: Set(r.id),
                address: Set(r.address),
                language: Set(r.language),
                data: Set(data.to_string()),
                unsubscribe_token: Set(crate::random::hex(24)),
                project_id: Set(d.project_id),
                client_id: Set(d.client_id),
                status: Set(status),
                attempts: Set(0),
                next_attempt_at: Set(now),
                claimed_by: Set(None),
                claimed_until: Set(None),
                last_error: Set(why.map(str::to_owned)),
                created_at: Set(now),
                sent_at: Set(None),
                ..Default::default()
            });
        }
    }
    for chunk in rows.chunks(200) {
        outbox::Entity::insert_many(chunk.to_vec())
            .on_conflict(
                OnConflict::column(outbox::Column::DedupeKey)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

fn day(d: Option<chrono::NaiveDate>) -> Value {
    d.map_or(Value::Null, |d| Value::String(d.to_string()))
}

fn instant(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// The active contacts of `clients`.
async fn contacts_of(db: &impl ConnectionTrait, clients: Vec<i64>) -> AppResult<Vec<Recipient>> {
    Ok(contact::Entity::find()
        .filter(contact::Column::ClientId.is_in(clients))
        .filter(contact::Column::Status.eq(ContactStatus::Active))
        .order_by_asc(contact::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Recipient::from)
        .collect())
}

/// The active users among `ids`.
async fn users(db: &impl ConnectionTrait, ids: BTreeSet<i64>) -> AppResult<Vec<Recipient>> {
    Ok(user::Entity::find()
        .filter(user::Column::Id.is_in(ids))
        .filter(user::Column::Active.eq(true))
        .order_by_asc(user::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(Recipient::from)
        .collect())
}

async fn compose(
    db: &impl ConnectionTrait,
    e: &entity::event::Model,
    t: Trigger,
) -> AppResult<Option<Draft>> {
    let event_id = e.id;
    let draft = |p: Option<&project::Model>, data: Value, to: Vec<Recipient>| Draft {
        kind: t.kind(),
        source: format!("e{event_id}"),
        event_id: Some(event_id),
        project_id: p.map(|p| p.id),
        client_id: p.map(|p| p.client_id),
        data,
        to,
    };
    Ok(match t {
        Trigger::ReportPublished { report } => {
            let Some(r) = report::Entity::find_by_id(report).one(db).await? else {
                return Ok(None);
            };
            let Some(p) = project::Entity::find_by_id(r.project_id).one(db).await? else {
                return Ok(None);
            };
            let author = match r.author_id {
                Some(a) => user::Entity::find_by_id(a).one(db).await?.map(|u| u.name),
                None => None,
            };
            let data = json!({
                "project": p.name,
                "report": {
                    "kind": r.kind, "progress_percent": r.progress_percent,
                    "author": author.unwrap_or_else(|| "the project team".into()),
                    "progress": r.progress, "problems": r.problems, "plan": r.plan,
                    "next_by": day(r.next_by), "body": r.body,
                },
            });
            let to = contacts_of(db, vec![p.client_id]).await?;
            Some(draft(Some(&p), data, to))
        }
        Trigger::SatisfactionRequest { ticket } => {
            let Some(t) = ticket::Entity::find_by_id(ticket).one(db).await? else {
                return Ok(None);
            };
            let Some(p) = project::Entity::find_by_id(t.project_id).one(db).await? else {
                return Ok(None);
            };
            // Whoever reported it; the project's primary contact when no one (or someone
            // who has left) did.
            let mut to = Vec::new();
            for id in [t.reporter_contact_id, p.primary_contact_id]
                .into_iter()
                .flatten()
            {
                if let Some(c) = contact::Entity::find_by_id(id)
                    .filter(contact::Column::Status.eq(ContactStatus::Active))
                    .one(db)
                    .await?
                {
                    to.push(Recipient::from(c));
                    break;
                }
            }
            let data = json!({ "project": p.name, "ticket": { "title": t.title } });
            Some(draft(Some(&p), data, to))
        }
        Trigger::SurveyInvitation { survey } => {
            let Some(s) = survey::Entity::find_by_id(survey).one(db).await? else {
                return Ok(None);
            };
            let clients: Vec<i64> = survey_client::Entity::find()
                .filter(survey_client::Column::SurveyId.eq(s.id))
                .all(db)
                .await?
                .into_iter()
                .map(|c| c.client_id)
                .collect();
            let data = json!({ "survey": {
                "title": s.title,
                "from": s.period_from.date_naive().to_string(),
                "to": s.period_to.date_naive().to_string(),
            } });
            let to = contacts_of(db, clients).await?;
            Some(draft(None, data, to))
        }
        Trigger::ActionItemAssigned { item, contact } => {
            let Some(i) = entity::action_item::Entity::find_by_id(item)
                .one(db)
                .await?
            else {
                return Ok(None);
            };
            let Some(p) = project::Entity::find_by_id(i.project_id).one(db).await? else {
                return Ok(None);
            };
            let to = contact::Entity::find_by_id(contact)
                .filter(contact::Column::Status.eq(ContactStatus::Active))
                .one(db)
                .await?
                .into_iter()
                .map(Recipient::from)
                .collect();
            let data = json!({ "project": p.name,
                "item": { "title": i.title, "due_date": day(i.due_date) } });
            Some(draft(Some(&p), data, to))
        }
        Trigger::ServiceLevel { ticket, breached } => service_level(db, e, ticket, breached)
            .await?
            .map(|(p, data, to)| draft(Some(&p), data, to)),
        Trigger::Kickoff { project, overdue } => {
            let Some(p) = project::Entity::find_by_id(project).one(db).await? else {
                return Ok(None);
            };
            let Some(o) = ko::Entity::find_by_id(project).one(db).await? else {
                return Ok(None);
            };
            let to = users(db, p.primary_owner_id.into_iter().collect()).await?;
            let data = json!({ "project": p.name, "overdue": overdue,
                "started_at": instant(o.started_at), "due_at": instant(o.due_at) });
            Some(draft(Some(&p), data, to))
        }
    })
}

/// A service-level alert goes to the ticket's assignee and the people of the level it is
/// escalated to (the project's team members in the role the level names); to the
/// project's owner when that is nobody.
async fn service_level(
    db: &impl ConnectionTrait,
    e: &entity::event::Model,
    ticket: i64,
    breached: bool,
) -> AppResult<Option<(project::Model, Value, Vec<Recipient>)>> {
    let Some(t) = ticket::Entity::find_by_id(ticket).one(db).await? else {
        return Ok(None);
    };
    let Some(p) = project::Entity::find_by_id(t.project_id).one(db).await? else {
        return Ok(None);
    };
    let facts: Value = serde_json::from_str(&e.changes).unwrap_or_default();
    let mut people: BTreeSet<i64> = t.assignee_id.into_iter().collect();
    let mut level_name = "-".to_owned();
    if let Some(top) = escalations::of_ticket(db, t.id).await?.last() {
        let (policy, _) = service_levels::of_project(db, p.id).await?;
        let ladder = escalations::levels(db, policy.id).await?;
        if let Some(level) = ladder.iter().find(|l| l.level == top.level) {
            level_name = format!("L{} {}", level.level, level.name);
            if let Some(role) = level_team_role(&level.role) {
                let members = team_member::Entity::find()
                    .filter(team_member::Column::ProjectId.eq(p.id))
                    .filter(team_member::Column::Role.eq(role))
                    .all(db)
                    .await?;
                people.extend(members.into_iter().map(|m| m.user_id));
            }
        }
    }
    if people.is_empty() {
        people.extend(p.primary_owner_id);
    }
    let to = users(db, people).await?;
    let due_at = facts
        .get("due_at")
        .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok())
        .map_or_else(|| "-".to_owned(), instant);
    let data = json!({
        "project": p.name,
        "ticket": { "title": t.title, "priority": t.priority.as_str() },
        "clock": facts.get("clock").and_then(Value::as_str).unwrap_or("-"),
        "breached": breached,
        "due_at": due_at,
        "level": level_name,
    });
    Ok(Some((p, data, to)))
}

/// Messages per recipient kind and id that a person unsubscribed from: what staff see.
pub async fn unsubscribed(
    db: &impl ConnectionTrait,
    kind: RecipientKind,
    id: i64,
) -> AppResult<Vec<MailKind>> {
    Ok(unsub::Entity::find()
        .filter(unsub::Column::RecipientKind.eq(kind))
        .filter(unsub::Column::RecipientId.eq(id))
        .all(db)
        .await?
        .into_iter()
        .map(|u| u.kind)
        .collect())
}

/// Unsubscribes the recipient of the message whose link carries `token` from its kind;
/// returns that message, or `None` for an unknown token. Doing it twice is harmless.
pub async fn unsubscribe_by_token(
    db: &impl ConnectionTrait,
    token: &str,
    now: DateTime<Utc>,
) -> AppResult<Option<outbox::Model>> {
    let Some(m) = outbox::Entity::find()
        .filter(outbox::Column::UnsubscribeToken.eq(token))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    set_subscribed(db, m.recipient_kind, m.recipient_id, m.kind, false, now).await?;
    Ok(Some(m))
}

/// Subscribes or unsubscribes one person from one kind.
pub async fn set_subscribed(
    db: &impl ConnectionTrait,
    to: RecipientKind,
    id: i64,
    kind: MailKind,
    subscribed: bool,
    now: DateTime<Utc>,
) -> AppResult<()> {
    if subscribed {
        unsub::Entity::delete_many()
            .filter(unsub::Column::RecipientKind.eq(to))
            .filter(unsub::Column::RecipientId.eq(id))
            .filter(unsub::Column::Kind.eq(kind))
            .exec(db)
            .await?;
    } else {
        unsub::Entity::insert(unsub::ActiveModel {
            recipient_kind: Set(to),
            recipient_id: Set(id),
            kind: Set(kind),
            at: Set(now),
        })
        .on_conflict(
            OnConflict::columns([
                unsub::Column::RecipientKind,
                unsub::Column::RecipientId,
                unsub::Column::Kind,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// Counts of messages by status, for staff and metrics.
pub async fn counts(db: &impl ConnectionTrait) -> AppResult<HashMap<MailStatus, u64>> {
    use sea_orm::QuerySelect;
    let rows: Vec<(MailStatus, i64)> = outbox::Entity::find()
        .select_only()
        .column(outbox::Column::Status)
        .column_as(outbox::Column::Id.count(), "n")
        .group_by(outbox::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(s, n)| (s, u64::try_from(n).unwrap_or(0)))
        .collect())
}

/// Queues the client copy of the weekly digest of every project in delivery whose
/// policy's time zone is in its Friday afternoon, once per project and week (a project
/// already queued this week is passed over; two instances at once are kept apart by the
/// unique key). Returns the next instant a digest comes due.
pub async fn digests(ctx: super::Ctx<'_>) -> AppResult<Option<DateTime<Utc>>> {
    use crate::domain::mail::{digest_applies, digest_due, next_digest};
    use entity::{ProjectStatus, service_level_policy as policy};
    use sea_orm::Iterable;
    let db = ctx.db;
    let now = ctx.time.now();
    let zones: Vec<(i64, chrono_tz::Tz)> = policy::Entity::find()
        .order_by_asc(policy::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| (p.id, p.time_zone.parse().unwrap_or(chrono_tz::UTC)))
        .collect();
    let Some(&(_, default_zone)) = zones.first() else {
        return Ok(None);
    };
    let zone_of = |policy: Option<i64>| {
        policy
            .and_then(|id| zones.iter().find(|(p, _)| *p == id).map(|(_, z)| *z))
            .unwrap_or(default_zone)
    };
    let next = zones.iter().map(|(_, z)| next_digest(now, *z)).min();
    if zones.iter().all(|(_, z)| digest_due(now, *z).is_none()) {
        return Ok(next);
    }
    let statuses: Vec<ProjectStatus> = ProjectStatus::iter()
        .filter(|s| digest_applies(*s))
        .collect();
    let projects = project::Entity::find()
        .filter(project::Column::Status.is_in(statuses))
        .order_by_asc(project::Column::Id)
        .all(db)
        .await?;
    for p in projects {
        let zone = zone_of(p.service_level_policy_id);
        let Some(week) = digest_due(now, zone) else {
            continue;
        };
        if let Err(e) = digest_of(ctx, &p, &week, zone).await {
            // One project's digest failing does not keep the others from going out.
            tracing::warn!(project = p.id, error = ?e, "weekly digest failed");
        }
    }
    Ok(next)
}

/// Which messages staff list.
#[derive(Debug, Default, Clone)]
pub struct OutboxFilter {
    pub status: Option<MailStatus>,
    pub kind: Option<MailKind>,
    pub project_id: Option<i64>,
    pub recipient: Option<(RecipientKind, i64)>,
}

/// The messages of the outbox `filter` picks (staff).
pub fn select(
    caller: &super::Caller,
    filter: OutboxFilter,
) -> AppResult<crate::auth::scope::VisibleSelect<outbox::Entity>> {
    caller.require_staff_read()?;
    // Staff: every message.
    let mut q = crate::auth::scope::VisibleSelect::new(crate::auth::Scope::All);
    if let Some(s) = filter.status {
        q = q.filter(outbox::Column::Status.eq(s));
    }
    if let Some(k) = filter.kind {
        q = q.filter(outbox::Column::Kind.eq(k));
    }
    if let Some(p) = filter.project_id {
        q = q.filter(outbox::Column::ProjectId.eq(p));
    }
    if let Some((kind, id)) = filter.recipient {
        q = q
            .filter(outbox::Column::RecipientKind.eq(kind))
            .filter(outbox::Column::RecipientId.eq(id));
    }
    Ok(q)
}

/// Queues a failed (or suppressed) message again, from its first attempt (staff).
pub async fn retry(ctx: super::Ctx<'_>, id: i64) -> AppResult<outbox::Model> {
    use super::EventDraft;
    use crate::error::AppError;
    use entity::{EntityKind, EventKind};
    use sea_orm::prelude::Expr;
    ctx.caller.require_staff_write()?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let find = async |uow: &UnitOfWork<'_>| -> AppResult<outbox::Model> {
        outbox::Entity::find_by_id(id)
            .one(uow.txn())
            .await?
            .ok_or(AppError::not_found("e-mail"))
    };
    let cur = find(&uow).await?;
    if !crate::domain::mail::can_retry(cur.status) {
        return Err(AppError::transition(
            "e-mail",
            cur.status,
            MailStatus::Pending,
        ));
    }
    if cur.address.as_deref().is_none_or(str::is_empty) {
        return Err(AppError::Conflict(
            "the recipient has no e-mail address; add one first".into(),
        ));
    }
    let now = uow.now();
    let changed = outbox::Entity::update_many()
        .col_expr(
            outbox::Column::Status,
            Expr::value(MailStatus::Pending.as_str()),
        )
        .col_expr(outbox::Column::Attempts, Expr::value(0))
        .col_expr(outbox::Column::NextAttemptAt, Expr::value(now))
        .filter(outbox::Column::Id.eq(id))
        .filter(outbox::Column::Status.eq(cur.status))
        .exec(uow.txn())
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::Conflict(
            "the message changed meanwhile; reload it".into(),
        ));
    }
    let mut draft = EventDraft::new(EventKind::StatusChanged, EntityKind::OutboxMessage, id)
        .status(cur.status, MailStatus::Pending);
    draft.project_id = cur.project_id;
    draft.client_id = cur.client_id;
    uow.record(draft).await?;
    let row = find(&uow).await?;
    uow.commit().await?;
    Ok(row)
}

/// The person the caller is, as a recipient of e-mail.
fn me(caller: &super::Caller) -> AppResult<(RecipientKind, i64)> {
    use super::Caller;
    match caller {
        Caller::Staff { user_id, .. } => Ok((RecipientKind::User, *user_id)),
        Caller::Contact { contact_id, .. } => Ok((RecipientKind::Contact, *contact_id)),
        Caller::Anonymous => Err(crate::error::AppError::Unauthenticated),
        Caller::System => Err(crate::error::AppError::Forbidden(
            "only a person receives e-mail".into(),
        )),
    }
}

/// The kinds of e-mail the caller has unsubscribed from.
pub async fn my_unsubscribed(ctx: super::Ctx<'_>) -> AppResult<Vec<MailKind>> {
    let (kind, id) = me(ctx.caller)?;
    unsubscribed(ctx.db, kind, id).await
}

/// Subscribes or unsubscribes the caller from one kind of e-mail; returns the kinds it is
/// now unsubscribed from.
pub async fn set_my_subscription(
    ctx: super::Ctx<'_>,
    kind: MailKind,
    subscribed: bool,
) -> AppResult<Vec<MailKind>> {
    let (to, id) = me(ctx.caller)?;
    set_subscribed(ctx.db, to, id, kind, subscribed, ctx.time.now()).await?;
    unsubscribed(ctx.db, to, id).await
}

/// Queues the client copy of `p`'s digest of `week` to its contacts, unless queued before.
async fn digest_of(
    ctx: super::Ctx<'_>,
    p: &project::Model,
    week: &crate::domain::mail::DigestWeek,
    zone: chrono_tz::Tz,
) -> AppResult<()> {
    use sea_orm::PaginatorTrait;
    let db = ctx.db;
    let source = format!("p{}-{}", p.id, week.name);
    let queued = outbox::Entity::find()
        .filter(
            outbox::Column::DedupeKey.starts_with(format!("{}:{source}:", MailKind::WeeklyDigest)),
        )
        .count(db)
        .await?;
    if queued > 0 {
        return Ok(());
    }
    let period = crate::domain::satisfaction::Period::new(week.from, week.to)?;
    let d = super::digest::build(ctx, p.id, period, super::digest::Audience::Client).await?;
    let names = |stages: &[entity::stage::Model]| -> Vec<String> {
        stages.iter().map(|s| s.name.clone()).collect()
    };
    let completed: Vec<&entity::stage::Model> =
        d.milestones_completed.iter().map(|(s, _)| s).collect();
    let data = json!({
        "project": p.name,
        "week_from": week.from.with_timezone(&zone).date_naive().to_string(),
        "week_to": week.to.with_timezone(&zone).date_naive().to_string(),
        "completed": completed.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
        "slipped": d.milestones_slipped.iter().map(|s| json!({
        "name": s.stage.name, "from": s.from.to_string(), "to": s.to.to_string() })).collect::<Vec<_>>(),
        "overdue": names(&d.milestones_overdue),
        "tickets_opened": d.tickets_opened,
        "tickets_resolved": d.tickets_resolved,
        "reports_filed": d.reports_filed,
        "risks_raised": d.risks_raised.iter().map(|r| r.title.clone()).collect::<Vec<_>>(),
        "risks_closed": d.risks_closed.iter().map(|r| r.title.clone()).collect::<Vec<_>>(),
    });
    let to = contacts_of(db, vec![p.client_id]).await?;
    let draft = Draft {
        kind: MailKind::WeeklyDigest,
        source,
        event_id: None,
        project_id: Some(p.id),
        client_id: Some(p.client_id),
        data,
        to,
    };
    queue(db, ctx.time.now(), vec![draft]).await?;
    Ok(())
}
