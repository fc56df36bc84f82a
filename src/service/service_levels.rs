//! Service-level policies and the stored clocks of tickets.
//!
//! The rules are in [`crate::domain::service_level`]; this module loads a policy into
//! its domain form, keeps each ticket's `ticket_clocks` rows equal to the fold of its
//! facts (inside the ticket change's own transaction), and writes the at-risk and
//! breach alerts, each exactly once.

use chrono::{DateTime, Duration, NaiveDate, Utc, Weekday};
use entity::{
    ClockPhase, EntityKind, EventKind, TicketPriority, service_level_policy as policy,
    service_level_target as target, ticket, ticket_clock,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
    prelude::Expr,
    sea_query::{ExprTrait, OnConflict},
};
use serde_json::json;

use super::{Caller, Ctx, EventDraft, UnitOfWork, load};
use crate::{
    domain::{
        calendar::{BusinessHours, Calendar},
        escalation::{Ladder, Level},
        service_level::{Clock, Fact, Policy, Target, TicketClocks},
    },
    error::{AppError, AppResult},
};

/// The name of the policy installed at first start.
pub const DEFAULT_POLICY: &str = "Standard";

const WEEKDAYS: [(Weekday, &str); 7] = [
    (Weekday::Mon, "MON"),
    (Weekday::Tue, "TUE"),
    (Weekday::Wed, "WED"),
    (Weekday::Thu, "THU"),
    (Weekday::Fri, "FRI"),
    (Weekday::Sat, "SAT"),
    (Weekday::Sun, "SUN"),
];

pub fn parse_weekday(s: &str) -> Option<Weekday> {
    WEEKDAYS.iter().find(|(_, n)| *n == s).map(|(d, _)| *d)
}

pub fn weekday_name(d: Weekday) -> &'static str {
    WEEKDAYS[d.num_days_from_monday() as usize].1
}

/// Installs the default policy (Shanghai business hours, the targets of
/// [`Policy::default_targets`]) unless it exists; safe for instances starting together.
pub async fn install_default(db: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<()> {
    let opens = chrono::NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
    let closes = chrono::NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default();
    policy::Entity::insert(policy::ActiveModel {
        name: Set(DEFAULT_POLICY.into()),
        time_zone: Set("Asia/Shanghai".into()),
        work_days: Set("MON,TUE,WED,THU,FRI".into()),
        opens_at: Set(opens),
        closes_at: Set(closes),
        holidays: Set(json!([])),
        at_risk_percent: Set(75),
        auto_escalate_on_breach: Set(true),
        created_at: Set(now),
        updated_at: Set(now),
        version: Set(1),
        ..Default::default()
    })
    .on_conflict(
        OnConflict::column(policy::Column::Name)
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(db)
    .await?;
    let Some(row) = policy::Entity::find()
        .filter(policy::Column::Name.eq(DEFAULT_POLICY))
        .one(db)
        .await?
    else {
        return Err(AppError::Internal(
            "the default policy was not installed".into(),
        ));
    };
    let targets = Policy::default_targets()
        .into_iter()
        .map(|(priority, kind, t)| target::ActiveModel {
            policy_id: Set(row.id),
            priority: Set(priority),
            kind: Set(kind),
            minutes: Set(i32::try_from(t.duration.num_minutes()).unwrap_or(i32::MAX)),
            business_hours: Set(t.business_hours),
            ..Default::default()
        });
    target::Entity::insert_many(targets)
        .on_conflict(
            OnConflict::columns([
                target::Column::PolicyId,
                target::Column::Priority,
                target::Column::Kind,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    // The ladder only where it has none: an administrator's ladder is never topped up.
    if super::escalations::levels(db, row.id).await?.is_empty() {
        let ladder = Ladder::new(Ladder::defaults())?;
        super::escalations::replace(db, row.id, &ladder).await?;
    }
    Ok(())
}

/// The policy rows in their domain form.
pub fn to_domain(p: &policy::Model, targets: &[target::Model]) -> AppResult<Policy> {
    let broken =
        |what: String| AppError::Internal(format!("service-level policy {}: {what}", p.id).into());
    let tz = BusinessHours::time_zone(&p.time_zone).map_err(|e| broken(e.to_string()))?;
    let days = p
        .work_days
        .split(',')
        .filter(|d| !d.is_empty())
        .map(|d| parse_weekday(d).ok_or_else(|| broken(format!("bad weekday {d:?}"))))
        .collect::<AppResult<Vec<_>>>()?;
    let holidays: Vec<NaiveDate> =
        serde_json::from_value(p.holidays.clone()).map_err(|e| broken(e.to_string()))?;
    let hours = BusinessHours::new(tz, &days, p.opens_at, p.closes_at, holidays)
        .map_err(|e| broken(e.to_string()))?;
    Ok(Policy {
        calendar: Calendar::Business(hours),
        at_risk_percent: u8::try_from(p.at_risk_percent.clamp(1, 99)).unwrap_or(75),
        targets: targets
            .iter()
            .map(|t| {
                (
                    (t.priority, t.kind),
                    Target {
                        duration: Duration::minutes(i64::from(t.minutes)),
                        business_hours: t.business_hours,
                    },
                )
            })
            .collect(),
    })
}

/// The policy tickets follow: the oldest one (the default).
pub async fn current(db: &impl ConnectionTrait) -> AppResult<(policy::Model, Vec<target::Model>)> {
    let Some(p) = policy::Entity::find()
        .order_by_asc(policy::Column::Id)
        .one(db)
        .await?
    else {
        return Err(AppError::Internal(
            "no service-level policy installed".into(),
        ));
    };
    let targets = targets_of(db, p.id).await?;
    Ok((p, targets))
}

/// A policy's targets, by priority and clock.
async fn targets_of(db: &impl ConnectionTrait, policy_id: i64) -> AppResult<Vec<target::Model>> {
    Ok(target::Entity::find()
        .filter(target::Column::PolicyId.eq(policy_id))
        .order_by_asc(target::Column::Priority)
        .order_by_asc(target::Column::Kind)
        .all(db)
        .await?)
}

pub async fn current_policy(db: &impl ConnectionTrait) -> AppResult<Policy> {
    let (p, targets) = current(db).await?;
    to_domain(&p, &targets)
}

/// A policy by id, with its targets.
async fn by_id(
    db: &impl ConnectionTrait,
    id: i64,
) -> AppResult<(policy::Model, Vec<target::Model>)> {
    let p = policy::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::not_found("service-level policy"))?;
    let targets = targets_of(db, p.id).await?;
    Ok((p, targets))
}

/// A policy by id, in its domain form.
pub async fn policy_by_id(db: &impl ConnectionTrait, id: i64) -> AppResult<Policy> {
    let (p, targets) = by_id(db, id).await?;
    to_domain(&p, &targets)
}

/// The policy a project's tickets follow: the one its contract names, or the default.
pub async fn of_project(
    db: &impl ConnectionTrait,
    project_id: i64,
) -> AppResult<(policy::Model, Vec<target::Model>)> {
    let named: Option<Option<i64>> = entity::project::Entity::find_by_id(project_id)
        .select_only()
        .column(entity::project::Column::ServiceLevelPolicyId)
        .into_tuple()
        .one(db)
        .await?;
    match named.flatten() {
        Some(id) => by_id(db, id).await,
        None => current(db).await,
    }
}

/// [`of_project`] in its domain form.
pub async fn policy_of_project(db: &impl ConnectionTrait, project_id: i64) -> AppResult<Policy> {
    let (p, targets) = of_project(db, project_id).await?;
    to_domain(&p, &targets)
}

/// Makes a signed project follow another policy (its contract's after-sales terms
/// changed): the running clocks of its open tickets are re-targeted, each ticket with an
/// event that names the policy (so a replay of the log re-targets at the same instant).
pub async fn change_project_policy(
    uow: &mut UnitOfWork<'_>,
    p: &entity::project::Model,
    policy_id: Option<i64>,
) -> AppResult<()> {
    let (old_row, old_targets) = of_project(uow.txn(), p.id).await?;
    let old = to_domain(&old_row, &old_targets)?;
    let am = entity::project::ActiveModel {
        service_level_policy_id: Set(policy_id),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    super::save_versioned(uow.txn(), am, p.id, p.version).await?;
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::Project, p.id)
            .project(p.id, p.client_id)
            .changes(json!({ "service_level_policy_id": policy_id })),
    )
    .await?;
    let (new_row, new_targets) = of_project(uow.txn(), p.id).await?;
    let new = to_domain(&new_row, &new_targets)?;
    let open = ticket::Entity::find()
        .filter(ticket::Column::ProjectId.eq(p.id))
        .filter(super::tickets::open_condition(true))
        .order_by_asc(ticket::Column::Id)
        .all(uow.txn())
        .await?;
    for t in open {
        let old_rows = rows(uow.txn(), t.id).await?;
        let mut clocks = TicketClocks {
            status: t.status,
            priority: t.priority,
            cycle: old_rows.iter().map(|r| r.cycle).max().unwrap_or(1),
            clocks: old_rows.iter().map(clock_of).collect(),
        };
        clocks.change_policy(&old, &new, uow.now());
        save(uow, &new, t.id, &clocks, &old_rows).await?;
        uow.record(
            EventDraft::new(EventKind::Updated, EntityKind::Ticket, t.id)
                .project(t.project_id, t.client_id)
                .changes(json!({
                    "service_level_policy_id": new_row.id,
                    "previous_service_level_policy_id": old_row.id,
                })),
        )
        .await?;
    }
    Ok(())
}

pub fn clock_of(row: &ticket_clock::Model) -> Clock {
    Clock {
        kind: row.kind,
        cycle: row.cycle,
        target: Target {
            duration: Duration::minutes(i64::from(row.target_minutes)),
            business_hours: row.business_hours,
        },
        started_at: row.started_at,
        banked: Duration::seconds(row.banked_seconds),
        phase: row.phase,
        since: row.since,
    }
}

/// The row of `clock`; an alert already written stays written only while its instant
/// has not moved into the future (a re-targeted clock may come due again).
fn row_of(
    policy: &Policy,
    ticket_id: i64,
    clock: &Clock,
    old: Option<&ticket_clock::Model>,
    now: DateTime<Utc>,
) -> ticket_clock::ActiveModel {
    let at_risk_at = clock.at_risk_at(policy);
    let breaches_at = clock.breaches_at(policy);
    let kept = |flag: Option<bool>, at: Option<DateTime<Utc>>| {
        flag.unwrap_or(false) && at.is_none_or(|at| at <= now)
    };
    ticket_clock::ActiveModel {
        ticket_id: Set(ticket_id),
        cycle: Set(clock.cycle),
        kind: Set(clock.kind),
        target_minutes: Set(i32::try_from(clock.target.duration.num_minutes()).unwrap_or(i32::MAX)),
        business_hours: Set(clock.target.business_hours),
        started_at: Set(clock.started_at),
        banked_seconds: Set(clock.banked.num_seconds()),
        phase: Set(clock.phase),
        since: Set(clock.since),
        at_risk_at: Set(at_risk_at),
        breaches_at: Set(breaches_at),
        at_risk_alerted: Set(kept(old.map(|o| o.at_risk_alerted), at_risk_at)),
        breach_alerted: Set(kept(old.map(|o| o.breach_alerted), breaches_at)),
        ..Default::default()
    }
}

/// The clock rows of a ticket, locked for the rest of the transaction on PostgreSQL: the
/// rows written back carry the alert flags, and an alert claimed meanwhile by an alarm
/// task (another transaction) must not be overwritten by the flags read before it, or it
/// would be written twice. (SQLite transactions here take the write lock up front.)
async fn rows(db: &impl ConnectionTrait, ticket_id: i64) -> AppResult<Vec<ticket_clock::Model>> {
    let mut q = ticket_clock::Entity::find()
        .filter(ticket_clock::Column::TicketId.eq(ticket_id))
        .order_by_asc(ticket_clock::Column::Id);
    if db.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        q = q.lock_exclusive();
    }
    Ok(q.all(db).await?)
}

/// Starts the clocks of a ticket just created.
pub async fn open(uow: &UnitOfWork<'_>, t: &ticket::Model) -> AppResult<()> {
    let policy = policy_of_project(uow.txn(), t.project_id).await?;
    let clocks = TicketClocks::open(&policy, t.priority, uow.now());
    save(uow, &policy, t.id, &clocks, &[]).await
}

/// Applies one fact to the clocks of `before` (the ticket as it was before the fact).
pub async fn track(uow: &UnitOfWork<'_>, before: &ticket::Model, fact: Fact) -> AppResult<()> {
    let policy = policy_of_project(uow.txn(), before.project_id).await?;
    let old = rows(uow.txn(), before.id).await?;
    let mut clocks = TicketClocks {
        status: before.status,
        priority: before.priority,
        cycle: old.iter().map(|r| r.cycle).max().unwrap_or(1),
        clocks: old.iter().map(clock_of).collect(),
    };
    clocks.apply(&policy, uow.now(), fact);
    save(uow, &policy, before.id, &clocks, &old).await
}

async fn save(
    uow: &UnitOfWork<'_>,
    policy: &Policy,
    ticket_id: i64,
    clocks: &TicketClocks,
    old: &[ticket_clock::Model],
) -> AppResult<()> {
    for (i, clock) in clocks.clocks.iter().enumerate() {
        let prev = old.get(i);
        if prev.is_some_and(|p| clock_of(p) == *clock) {
            continue;
        }
        let mut row = row_of(policy, ticket_id, clock, prev, uow.now());
        match prev {
            Some(p) => {
                row.id = Set(p.id);
                row.update(uow.txn()).await?;
            }
            None => {
                row.insert(uow.txn()).await?;
            }
        }
    }
    Ok(())
}

/// A new calendar and set of targets for a policy; all of it is replaced.
pub struct PolicyChange {
    pub time_zone: String,
    pub work_days: Vec<String>,
    pub opens_at: chrono::NaiveTime,
    pub closes_at: chrono::NaiveTime,
    pub holidays: Vec<NaiveDate>,
    pub at_risk_percent: i32,
    pub targets: Vec<(TicketPriority, entity::ClockKind, i32, bool)>,
    /// Unchanged when `None`.
    pub auto_escalate_on_breach: Option<bool>,
    /// The whole ladder, replacing the old one; unchanged when `None`.
    pub escalation_levels: Option<Vec<Level>>,
}

/// Longest target: one year.
const MAX_TARGET_MINUTES: i32 = 366 * 24 * 60;

/// A [`PolicyChange`] checked: a calendar that has working time and targets in range.
struct Checked {
    time_zone: String,
    days: Vec<Weekday>,
    opens_at: chrono::NaiveTime,
    closes_at: chrono::NaiveTime,
    holidays: Vec<NaiveDate>,
    at_risk_percent: i32,
    targets: Vec<(TicketPriority, entity::ClockKind, i32, bool)>,
    auto_escalate_on_breach: Option<bool>,
    ladder: Option<Ladder>,
}

fn check(change: PolicyChange) -> AppResult<Checked> {
    let PolicyChange {
        time_zone,
        work_days,
        opens_at,
        closes_at,
        holidays,
        at_risk_percent,
        targets,
        auto_escalate_on_breach,
        escalation_levels,
    } = change;
    let ladder = escalation_levels.map(Ladder::new).transpose()?;
    let tz = BusinessHours::time_zone(&time_zone).map_err(|e| AppError::input("timeZone", e))?;
    let mut days = Vec::new();
    for d in &work_days {
        let day = parse_weekday(d)
            .ok_or_else(|| AppError::input("workDays", format!("{d:?} is not MON..SUN")))?;
        if !days.contains(&day) {
            days.push(day);
        }
    }
    BusinessHours::new(tz, &days, opens_at, closes_at, holidays.iter().copied()).map_err(|e| {
        let field = match e {
            crate::domain::calendar::CalendarError::NoWorkingDay => "workDays",
            _ => "closesAt",
        };
        AppError::input(field, e)
    })?;
    if !(1..=99).contains(&at_risk_percent) {
        return Err(AppError::input("atRiskPercent", "must be between 1 and 99"));
    }
    let mut seen = std::collections::HashSet::new();
    for (priority, kind, minutes, _) in &targets {
        if !(1..=MAX_TARGET_MINUTES).contains(minutes) {
            return Err(AppError::input(
                "targets.minutes",
                format!("must be between 1 and {MAX_TARGET_MINUTES}"),
            ));
        }
        if !seen.insert((*priority, *kind)) {
            return Err(AppError::input(
                "targets",
                format!("{} {kind} is given twice", priority.as_str()),
            ));
        }
    }
    Ok(Checked {
        time_zone,
        days,
        opens_at,
        closes_at,
        holidays,
        at_risk_percent,
        targets,
        auto_escalate_on_breach,
        ladder,
    })
}

/// Adds a policy (ADMIN) that contracts can name: its calendar, targets and ladder.
pub async fn create_policy(
    ctx: Ctx<'_>,
    name: String,
    change: PolicyChange,
) -> AppResult<(policy::Model, Vec<target::Model>)> {
    ctx.caller.require_admin()?;
    let c = check(change)?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let mut days = c.days;
    days.sort_by_key(|d| d.num_days_from_monday());
    let row = policy::ActiveModel {
        name: Set(name),
        time_zone: Set(c.time_zone),
        work_days: Set(days
            .iter()
            .map(|d| weekday_name(*d))
            .collect::<Vec<_>>()
            .join(",")),
        opens_at: Set(c.opens_at),
        closes_at: Set(c.closes_at),
        holidays: Set(json!(c.holidays)),
        at_risk_percent: Set(c.at_risk_percent),
        auto_escalate_on_breach: Set(c.auto_escalate_on_breach.unwrap_or(true)),
        created_at: Set(uow.now()),
        updated_at: Set(uow.now()),
        version: Set(1),
        ..Default::default()
    }
    .insert(uow.txn())
    .await
    .map_err(|e| match AppError::from(e) {
        AppError::Conflict(_) => AppError::Conflict("a policy of that name exists".into()),
        other => other,
    })?;
    if !c.targets.is_empty() {
        target::Entity::insert_many(c.targets.iter().map(|(priority, kind, minutes, business)| {
            target::ActiveModel {
                policy_id: Set(row.id),
                priority: Set(*priority),
                kind: Set(*kind),
                minutes: Set(*minutes),
                business_hours: Set(*business),
                ..Default::default()
            }
        }))
        .exec_without_returning(uow.txn())
        .await?;
    }
    if let Some(ladder) = &c.ladder {
        super::escalations::replace(uow.txn(), row.id, ladder).await?;
    }
    let (_, stored) = by_id(uow.txn(), row.id).await?;
    uow.record(
        EventDraft::new(EventKind::Created, EntityKind::ServiceLevelPolicy, row.id)
            .changes(json!({ "name": row.name, "time_zone": row.time_zone })),
    )
    .await?;
    uow.commit().await?;
    Ok((row, stored))
}

/// Replaces a policy's calendar and targets (ADMIN). Clocks already running keep the
/// targets they started with; clocks started from now on (and re-targeted ones) use
/// the new ones.
pub async fn update_policy(
    ctx: Ctx<'_>,
    id: i64,
    change: PolicyChange,
    expected: Option<i32>,
) -> AppResult<(policy::Model, Vec<target::Model>)> {
    ctx.caller.require_admin()?;
    let Checked {
        time_zone,
        days,
        opens_at,
        closes_at,
        holidays,
        at_risk_percent,
        targets,
        auto_escalate_on_breach,
        ladder,
    } = check(change)?;
    let mut uow = UnitOfWork::begin(ctx).await?;
    let cur = load::<policy::Entity>(uow.txn(), ctx.caller, id).await?;
    super::check_version("service-level policy", cur.version, expected)?;
    let mut ordered_days = days;
    ordered_days.sort_by_key(|d| d.num_days_from_monday());
    let work_days = ordered_days
        .iter()
        .map(|d| weekday_name(*d))
        .collect::<Vec<_>>()
        .join(",");
    let holidays = json!(holidays);
    let am = policy::ActiveModel {
        time_zone: Set(time_zone.clone()),
        work_days: Set(work_days.clone()),
        opens_at: Set(opens_at),
        closes_at: Set(closes_at),
        holidays: Set(holidays.clone()),
        at_risk_percent: Set(at_risk_percent),
        auto_escalate_on_breach: auto_escalate_on_breach.map_or(sea_orm::NotSet, Set),
        updated_at: Set(uow.now()),
        ..Default::default()
    };
    let row = super::save_versioned(uow.txn(), am, id, cur.version).await?;
    target::Entity::delete_many()
        .filter(target::Column::PolicyId.eq(id))
        .exec(uow.txn())
        .await?;
    if !targets.is_empty() {
        target::Entity::insert_many(targets.iter().map(|(priority, kind, minutes, business)| {
            target::ActiveModel {
                policy_id: Set(id),
                priority: Set(*priority),
                kind: Set(*kind),
                minutes: Set(*minutes),
                business_hours: Set(*business),
                ..Default::default()
            }
        }))
        .exec_without_returning(uow.txn())
        .await?;
    }
    if let Some(ladder) = &ladder {
        super::escalations::replace(uow.txn(), id, ladder).await?;
    }
    let stored = target::Entity::find()
        .filter(target::Column::PolicyId.eq(id))
        .order_by_asc(target::Column::Priority)
        .order_by_asc(target::Column::Kind)
        .all(uow.txn())
        .await?;
    uow.record(
        EventDraft::new(EventKind::Updated, EntityKind::ServiceLevelPolicy, id).changes(json!({
            "time_zone": time_zone,
            "work_days": work_days,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "holidays": holidays,
            "at_risk_percent": at_risk_percent,
            "targets": targets
                .iter()
                .map(|(p, k, m, b)| json!({ "priority": p, "clock": k, "minutes": m, "business_hours": b }))
                .collect::<Vec<_>>(),
            "auto_escalate_on_breach": row.auto_escalate_on_breach,
            "escalation_levels": ladder.as_ref().map(|l| l.levels().iter().map(|l| json!({
                "level": l.level,
                "name": l.name,
                "role": l.role,
                "ack_minutes": l.ack.duration.num_minutes(),
                "business_hours": l.ack.business_hours,
            })).collect::<Vec<_>>()),
        })),
    )
    .await?;
    uow.commit().await?;
    Ok((row, stored))
}

/// Which alert a clock row is due for at `now`, if any.
fn due(row: &ticket_clock::Model, now: DateTime<Utc>) -> Option<EventKind> {
    let overrun = row.banked_seconds > i64::from(row.target_minutes) * 60;
    match row.phase {
        _ if row.breach_alerted => None,
        ClockPhase::Running if row.breaches_at.is_some_and(|at| at < now) => {
            Some(EventKind::ServiceLevelBreached)
        }
        // Met late or paused after its target passed while no alert task ran.
        ClockPhase::Met | ClockPhase::Paused if overrun => Some(EventKind::ServiceLevelBreached),
        ClockPhase::Running
            if !row.at_risk_alerted && row.at_risk_at.is_some_and(|at| at <= now) =>
        {
            Some(EventKind::ServiceLevelAtRisk)
        }
        _ => None,
    }
}

/// Writes every alert that is due at `ctx`'s now, each once (a conditional update
/// claims it, so concurrent instances and restarts never write it twice); returns how
/// many were written.
pub async fn fire_due(ctx: Ctx<'_>) -> AppResult<usize> {
    const BATCH: u64 = 200;
    let now = ctx.time.now();
    let minutes = Expr::col(ticket_clock::Column::TargetMinutes).mul(60);
    let candidates = sea_orm::Condition::any()
        .add(
            sea_orm::Condition::all()
                .add(ticket_clock::Column::Phase.eq(ClockPhase::Running))
                .add(ticket_clock::Column::AtRiskAlerted.eq(false))
                .add(ticket_clock::Column::AtRiskAt.lte(now)),
        )
        .add(
            sea_orm::Condition::all()
                .add(ticket_clock::Column::Phase.eq(ClockPhase::Running))
                .add(ticket_clock::Column::BreachAlerted.eq(false))
                .add(ticket_clock::Column::BreachesAt.lt(now)),
        )
        .add(
            sea_orm::Condition::all()
                .add(ticket_clock::Column::Phase.is_in([ClockPhase::Met, ClockPhase::Paused]))
                .add(ticket_clock::Column::BreachAlerted.eq(false))
                .add(Expr::col(ticket_clock::Column::BankedSeconds).gt(minutes)),
        );
    let mut fired = 0;
    let mut after = 0;
    loop {
        let batch = ticket_clock::Entity::find()
            .filter(candidates.clone())
            .filter(ticket_clock::Column::Id.gt(after))
            .order_by_asc(ticket_clock::Column::Id)
            .limit(BATCH)
            .all(ctx.db)
            .await?;
        for row in &batch {
            after = row.id;
            if let Some(kind) = due(row, now) {
                fired += usize::from(alert(ctx, row, kind).await?);
            }
        }
        if (batch.len() as u64) < BATCH {
            return Ok(fired);
        }
    }
}

/// Claims and writes one alert; false if another task claimed it first.
async fn alert(ctx: Ctx<'_>, row: &ticket_clock::Model, kind: EventKind) -> AppResult<bool> {
    let mut uow = UnitOfWork::begin(ctx).await?;
    let flag = match kind {
        EventKind::ServiceLevelAtRisk => ticket_clock::Column::AtRiskAlerted,
        _ => ticket_clock::Column::BreachAlerted,
    };
    let mut claim = ticket_clock::Entity::update_many()
        .col_expr(flag, Expr::value(true))
        .filter(ticket_clock::Column::Id.eq(row.id))
        .filter(flag.eq(false));
    if kind == EventKind::ServiceLevelBreached {
        // A breach makes the at-risk alert moot.
        claim = claim.col_expr(ticket_clock::Column::AtRiskAlerted, Expr::value(true));
    }
    if claim.exec(uow.txn()).await?.rows_affected == 0 {
        return Ok(false);
    }
    let t = load::<ticket::Entity>(uow.txn(), ctx.caller, row.ticket_id).await?;
    let due_at = match kind {
        EventKind::ServiceLevelAtRisk => row.at_risk_at,
        _ => row.breaches_at,
    };
    uow.record(
        EventDraft::new(kind, EntityKind::Ticket, t.id)
            .project(t.project_id, t.client_id)
            .changes(json!({
                "clock": row.kind,
                "cycle": row.cycle,
                "priority": t.priority,
                "due_at": due_at,
            })),
    )
    .await?;
    if kind == EventKind::ServiceLevelBreached {
        let (p, _) = of_project(uow.txn(), t.project_id).await?;
        super::escalations::on_breach(&mut uow, &p, &t, row.kind).await?;
    }
    uow.commit().await?;
    Ok(true)
}

/// The next instant an alert may come due, if any clock is running towards one.
pub async fn next_due(db: &impl ConnectionTrait) -> AppResult<Option<DateTime<Utc>>> {
    let mut next: Option<DateTime<Utc>> = None;
    for (at, flag) in [
        (
            ticket_clock::Column::AtRiskAt,
            ticket_clock::Column::AtRiskAlerted,
        ),
        (
            ticket_clock::Column::BreachesAt,
            ticket_clock::Column::BreachAlerted,
        ),
    ] {
        let row = ticket_clock::Entity::find()
            .filter(ticket_clock::Column::Phase.eq(ClockPhase::Running))
            .filter(flag.eq(false))
            .filter(at.is_not_null())
            .order_by_asc(at)
            .one(db)
            .await?;
        let instant = row.and_then(|r| match at {
            ticket_clock::Column::AtRiskAt => r.at_risk_at,
            _ => r.breaches_at,
        });
        next = match (next, instant) {
            (Some(a), Some(b)) => Some(Ord::min(a, b)),
            (a, b) => a.or(b),
        };
    }
    Ok(next)
}

fn changes(e: &entity::event::Model) -> serde_json::Value {
    serde_json::from_str(&e.changes).unwrap_or_default()
}

/// The clocks of a ticket recomputed from its events alone, for audits and the test
/// that stored clocks equal the log's fold.
pub async fn replay(db: &impl ConnectionTrait, ticket_id: i64) -> AppResult<Option<TicketClocks>> {
    use entity::event;
    let t = load::<ticket::Entity>(db, &Caller::System, ticket_id).await?;
    let mut events = event::Entity::find()
        .filter(event::Column::EntityKind.eq(EntityKind::Ticket))
        .filter(event::Column::EntityId.eq(ticket_id))
        .all(db)
        .await?;
    // Comments are their own entities; their CREATED event names the ticket.
    let comments = event::Entity::find()
        .filter(event::Column::EntityKind.eq(EntityKind::TicketComment))
        .filter(event::Column::Kind.eq(EventKind::Created))
        .filter(event::Column::ProjectId.eq(t.project_id))
        .all(db)
        .await?;
    events.extend(
        comments
            .into_iter()
            .filter(|e| changes(e)["ticket_id"].as_i64() == Some(ticket_id)),
    );
    events.sort_by_key(|e| e.id);
    /// A fact of the ticket, or the policy it moved to.
    enum Step {
        Fact(Fact),
        Policy(i64),
    }
    let steps: Vec<(DateTime<Utc>, Step)> = events
        .iter()
        .filter_map(|e| {
            let step = match (e.entity_kind, e.kind) {
                (EntityKind::Ticket, EventKind::Created) => Step::Fact(Fact::Opened {
                    priority: serde_json::from_value::<TicketPriority>(
                        changes(e)["priority"].clone(),
                    )
                    .ok()?,
                }),
                (EntityKind::Ticket, EventKind::StatusChanged) => Step::Fact(Fact::StatusChanged {
                    to: entity::TicketStatus::parse(e.to_status.as_deref()?)?,
                }),
                (EntityKind::Ticket, EventKind::Updated) => {
                    let ch = changes(e);
                    match ch.get("service_level_policy_id").and_then(|v| v.as_i64()) {
                        Some(id) => Step::Policy(id),
                        None => Step::Fact(Fact::PriorityChanged {
                            to: serde_json::from_value(ch.get("priority")?.clone()).ok()?,
                        }),
                    }
                }
                (EntityKind::TicketComment, EventKind::Created)
                    if changes(e)["internal"] == json!(false)
                        && e.actor_kind == entity::ActorKind::User =>
                {
                    Step::Fact(Fact::PublicReply)
                }
                _ => return None,
            };
            Some((e.occurred_at, step))
        })
        .collect();
    // The policy at opening: the one the first re-targeting left, or else the one the
    // project follows now (it never changed while the ticket was open).
    let first_previous = events.iter().find_map(|e| {
        (e.entity_kind == EntityKind::Ticket && e.kind == EventKind::Updated)
            .then(|| changes(e)["previous_service_level_policy_id"].as_i64())
            .flatten()
    });
    let mut policy = match first_previous {
        Some(id) => {
            let (p, targets) = by_id(db, id).await?;
            to_domain(&p, &targets)?
        }
        None => policy_of_project(db, t.project_id).await?,
    };
    let mut steps = steps.into_iter();
    let Some((at, Step::Fact(Fact::Opened { priority }))) = steps.next() else {
        return Ok(None);
    };
    let mut clocks = TicketClocks::open(&policy, priority, at);
    for (at, step) in steps {
        match step {
            Step::Fact(fact) => clocks.apply(&policy, at, fact),
            Step::Policy(id) => {
                let (p, targets) = by_id(db, id).await?;
                let next = to_domain(&p, &targets)?;
                clocks.change_policy(&policy, &next, at);
                policy = next;
            }
        }
    }
    Ok(Some(clocks))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use entity::ClockKind;

    use super::*;

    fn row(phase: ClockPhase) -> ticket_clock::Model {
        let t0 = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
        ticket_clock::Model {
            id: 1,
            ticket_id: 1,
            cycle: 1,
            kind: ClockKind::FirstResponse,
            target_minutes: 120,
            business_hours: true,
            started_at: t0,
            banked_seconds: 0,
            phase,
            since: t0,
            at_risk_at: Some(t0 + Duration::minutes(90)),
            breaches_at: Some(t0 + Duration::minutes(120)),
            at_risk_alerted: false,
            breach_alerted: false,
        }
    }

    #[test]
    fn alerts_come_due_in_order_and_once() {
        let r = row(ClockPhase::Running);
        let t0 = r.started_at;
        assert_eq!(due(&r, t0 + Duration::minutes(89)), None);
        assert_eq!(
            due(&r, t0 + Duration::minutes(90)),
            Some(EventKind::ServiceLevelAtRisk)
        );
        let alerted = ticket_clock::Model {
            at_risk_alerted: true,
            ..r.clone()
        };
        assert_eq!(due(&alerted, t0 + Duration::minutes(120)), None);
        assert_eq!(
            due(&alerted, t0 + Duration::minutes(121)),
            Some(EventKind::ServiceLevelBreached)
        );
        let done = ticket_clock::Model {
            breach_alerted: true,
            ..alerted
        };
        assert_eq!(due(&done, t0 + Duration::days(9)), None);
    }

    #[test]
    fn a_clock_met_late_is_still_reported_breached() {
        let late = ticket_clock::Model {
            banked_seconds: 121 * 60,
            ..row(ClockPhase::Met)
        };
        assert_eq!(
            due(&late, late.started_at),
            Some(EventKind::ServiceLevelBreached)
        );
        let on_time = ticket_clock::Model {
            banked_seconds: 120 * 60,
            ..row(ClockPhase::Met)
        };
        assert_eq!(due(&on_time, on_time.started_at + Duration::days(3)), None);
    }
}
