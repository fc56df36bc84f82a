//! Service-level clocks of a ticket: first response, periodic update, resolution.
//!
//! The clocks are a fold over what happens to a ticket ([`Fact`]s, each read off the
//! event log), so stored clock state can always be recomputed from the log. Time only
//! enters as the instants of facts and the `now` a state is asked for.
//!
//! Rules:
//! - Opening starts the three clocks of cycle 1, each with the target the policy gives
//!   the ticket's priority (no target: no clock).
//! - The vendor's first public answer (a public staff comment, or a status change out
//!   of NEW) meets FIRST_RESPONSE. Each public staff comment also meets the running
//!   UPDATE clock and starts the next one: a solution or a progress update is owed every
//!   period until resolution.
//! - While a ticket waits on the customer, the clocks in [`pauses`] stop counting.
//! - Resolution meets every clock of the cycle; reopening starts a new cycle with fresh
//!   UPDATE and RESOLUTION clocks. Past cycles are kept.
//! - A priority change re-targets the running clocks (the time already counted stays);
//!   a clock whose new priority has no target is cancelled.
//! - A clock is BREACHED once its counted time exceeds its target, AT_RISK once it
//!   reaches the policy's at-risk share of the target.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entity::{ClockKind, ClockPhase, ClockState, TicketPriority, TicketStatus};

use super::calendar::Calendar;

/// The clocks a ticket status stops: waiting on the customer stops everything the
/// vendor owes, since the next move is the customer's.
pub fn pauses(status: TicketStatus, kind: ClockKind) -> bool {
    match status {
        TicketStatus::WaitingOnCustomer => matches!(
            kind,
            ClockKind::FirstResponse | ClockKind::Update | ClockKind::Resolution
        ),
        _ => false,
    }
}

/// One target of a policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Target {
    pub duration: Duration,
    /// Counted on the policy's business calendar, or around the clock.
    pub business_hours: bool,
}

/// Targets per priority and clock, and the calendar business-hours targets count on.
#[derive(Clone, Debug)]
pub struct Policy {
    pub calendar: Calendar,
    /// Share of a target (1-99 %) after which a running clock is AT_RISK.
    pub at_risk_percent: u8,
    pub targets: HashMap<(TicketPriority, ClockKind), Target>,
}

impl Policy {
    pub fn target(&self, priority: TicketPriority, kind: ClockKind) -> Option<Target> {
        self.targets.get(&(priority, kind)).copied()
    }

    pub fn calendar_for(&self, business_hours: bool) -> &Calendar {
        if business_hours {
            &self.calendar
        } else {
            &Calendar::AllHours
        }
    }

    /// The targets a new installation starts with: the source documents' promise
    /// (first response within 2 hours, a solution or an update within 24 hours) for
    /// every priority, resolution by priority; URGENT counts around the clock, the
    /// others in business hours.
    pub fn default_targets() -> Vec<(TicketPriority, ClockKind, Target)> {
        use ClockKind::*;
        use TicketPriority::*;
        let hours = |h: i64, business_hours| Target {
            duration: Duration::hours(h),
            business_hours,
        };
        let mut all = Vec::new();
        for (priority, resolution_hours, business) in [
            (Urgent, 24, false),
            (High, 27, true),
            (Medium, 45, true),
            (Low, 90, true),
        ] {
            all.push((priority, FirstResponse, hours(2, business)));
            // "A solution or a progress update within 24 hours": around the clock.
            all.push((priority, Update, hours(24, false)));
            all.push((priority, Resolution, hours(resolution_hours, business)));
        }
        all
    }
}

/// One service-level clock.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clock {
    pub kind: ClockKind,
    pub cycle: i32,
    pub target: Target,
    pub started_at: DateTime<Utc>,
    /// Time counted before `since`.
    pub banked: Duration,
    pub phase: ClockPhase,
    /// When the phase began: the (re)start of a running clock, the pause of a paused
    /// one, the end of a met or cancelled one.
    pub since: DateTime<Utc>,
}

impl Clock {
    fn start(kind: ClockKind, cycle: i32, target: Target, at: DateTime<Utc>, paused: bool) -> Self {
        Self {
            kind,
            cycle,
            target,
            started_at: at,
            banked: Duration::zero(),
            phase: if paused {
                ClockPhase::Paused
            } else {
                ClockPhase::Running
            },
            since: at,
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(self.phase, ClockPhase::Running | ClockPhase::Paused)
    }

    /// Time counted up to `now`.
    pub fn elapsed(&self, policy: &Policy, now: DateTime<Utc>) -> Duration {
        match self.phase {
            ClockPhase::Running => {
                self.banked
                    + policy
                        .calendar_for(self.target.business_hours)
                        .working(self.since, now)
            }
            _ => self.banked,
        }
    }

    /// When the counted time reaches `share` of the target, if the clock is running.
    fn reaches(&self, policy: &Policy, share: Duration) -> Option<DateTime<Utc>> {
        (self.phase == ClockPhase::Running).then_some(())?;
        policy
            .calendar_for(self.target.business_hours)
            .add(self.since, share - self.banked)
    }

    /// The instant after which a running clock is BREACHED.
    pub fn breaches_at(&self, policy: &Policy) -> Option<DateTime<Utc>> {
        self.reaches(policy, self.target.duration)
    }

    /// The instant from which a running clock is AT_RISK.
    pub fn at_risk_at(&self, policy: &Policy) -> Option<DateTime<Utc>> {
        let share = self.target.duration * i32::from(policy.at_risk_percent) / 100;
        self.reaches(policy, share)
    }

    /// Target minus counted time at `now` (negative once breached).
    pub fn remaining(&self, policy: &Policy, now: DateTime<Utc>) -> Duration {
        self.target.duration - self.elapsed(policy, now)
    }

    pub fn state(&self, policy: &Policy, now: DateTime<Utc>) -> ClockState {
        let over = self.elapsed(policy, now) > self.target.duration;
        match self.phase {
            ClockPhase::Cancelled => ClockState::Cancelled,
            _ if over => ClockState::Breached,
            ClockPhase::Met => ClockState::Met,
            ClockPhase::Paused => ClockState::Paused,
            ClockPhase::Running => match self.at_risk_at(policy) {
                Some(at) if now >= at => ClockState::AtRisk,
                _ => ClockState::Running,
            },
        }
    }

    /// Moves counted time into `banked`, so that `since` can become `at`.
    fn bank(&mut self, policy: &Policy, at: DateTime<Utc>) {
        self.banked = self.elapsed(policy, at);
        self.since = at;
    }

    fn set_phase(&mut self, policy: &Policy, at: DateTime<Utc>, phase: ClockPhase) {
        if self.is_open() && self.phase != phase {
            self.bank(policy, at);
            self.phase = phase;
        }
    }
}

/// What happens to a ticket, as far as its clocks care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fact {
    Opened {
        priority: TicketPriority,
    },
    StatusChanged {
        to: TicketStatus,
    },
    PriorityChanged {
        to: TicketPriority,
    },
    /// A comment by the vendor's team that the customer can read.
    PublicReply,
}

/// Every clock of one ticket, all cycles, oldest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketClocks {
    pub status: TicketStatus,
    pub priority: TicketPriority,
    pub cycle: i32,
    pub clocks: Vec<Clock>,
}

impl TicketClocks {
    /// The clocks of a ticket opened at `at`.
    pub fn open(policy: &Policy, priority: TicketPriority, at: DateTime<Utc>) -> Self {
        let mut t = Self {
            status: TicketStatus::New,
            priority,
            cycle: 1,
            clocks: Vec::new(),
        };
        for kind in [
            ClockKind::FirstResponse,
            ClockKind::Update,
            ClockKind::Resolution,
        ] {
            t.start(policy, kind, at);
        }
        t
    }

    /// Recomputes the clocks from a ticket's facts in order (the first must be
    /// [`Fact::Opened`]); `None` for an empty history.
    pub fn replay(
        policy: &Policy,
        facts: impl IntoIterator<Item = (DateTime<Utc>, Fact)>,
    ) -> Option<Self> {
        let mut facts = facts.into_iter();
        let (at, Fact::Opened { priority }) = facts.next()? else {
            return None;
        };
        let mut clocks = Self::open(policy, priority, at);
        for (at, fact) in facts {
            clocks.apply(policy, at, fact);
        }
        Some(clocks)
    }

    /// Moves the clocks to another policy at `at` (the project's contract changed it):
    /// the time counted so far stays counted on the old calendar, the open clocks of the
    /// current cycle take the new policy's targets from here on, the way a priority
    /// change re-targets them.
    pub fn change_policy(&mut self, old: &Policy, new: &Policy, at: DateTime<Utc>) {
        let priority = self.priority;
        for c in self.open_clocks() {
            c.bank(old, at);
            match new.target(priority, c.kind) {
                Some(target) => c.target = target,
                None => c.set_phase(new, at, ClockPhase::Cancelled),
            }
        }
    }

    fn start(&mut self, policy: &Policy, kind: ClockKind, at: DateTime<Utc>) {
        if let Some(target) = policy.target(self.priority, kind) {
            let paused = pauses(self.status, kind);
            self.clocks
                .push(Clock::start(kind, self.cycle, target, at, paused));
        }
    }

    /// The open clocks of the current cycle.
    fn open_clocks(&mut self) -> impl Iterator<Item = &mut Clock> {
        let cycle = self.cycle;
        self.clocks
            .iter_mut()
            .filter(move |c| c.cycle == cycle && c.is_open())
    }

    fn meet(&mut self, policy: &Policy, at: DateTime<Utc>, kinds: &[ClockKind]) {
        for c in self.open_clocks().filter(|c| kinds.contains(&c.kind)) {
            c.set_phase(policy, at, ClockPhase::Met);
        }
    }

    pub fn apply(&mut self, policy: &Policy, at: DateTime<Utc>, fact: Fact) {
        match fact {
            Fact::Opened { .. } => {}
            Fact::PublicReply => {
                if owes(self.status) {
                    let had_update = self.open_clocks().any(|c| c.kind == ClockKind::Update);
                    self.meet(policy, at, &[ClockKind::FirstResponse, ClockKind::Update]);
                    if had_update {
                        self.start(policy, ClockKind::Update, at);
                    }
                }
            }
            Fact::PriorityChanged { to } => {
                self.priority = to;
                for c in self
                    .clocks
                    .iter_mut()
                    .filter(|c| c.cycle == self.cycle && c.is_open())
                {
                    match policy.target(to, c.kind) {
                        Some(target) => {
                            c.bank(policy, at);
                            c.target = target;
                        }
                        None => c.set_phase(policy, at, ClockPhase::Cancelled),
                    }
                }
            }
            Fact::StatusChanged { to } => self.change_status(policy, at, to),
        }
    }

    fn change_status(&mut self, policy: &Policy, at: DateTime<Utc>, to: TicketStatus) {
        let from = std::mem::replace(&mut self.status, to);
        if from == TicketStatus::New {
            self.meet(policy, at, &[ClockKind::FirstResponse]);
        }
        match to {
            TicketStatus::Resolved => self.meet(
                policy,
                at,
                &[
                    ClockKind::FirstResponse,
                    ClockKind::Update,
                    ClockKind::Resolution,
                ],
            ),
            _ if from == TicketStatus::Resolved && owes(to) => {
                self.cycle += 1;
                self.start(policy, ClockKind::Update, at);
                self.start(policy, ClockKind::Resolution, at);
            }
            _ => {
                for c in self.open_clocks() {
                    let phase = if pauses(to, c.kind) {
                        ClockPhase::Paused
                    } else {
                        ClockPhase::Running
                    };
                    c.set_phase(policy, at, phase);
                }
            }
        }
    }
}

/// Whether a ticket in this status still owes the customer something.
fn owes(status: TicketStatus) -> bool {
    !matches!(status, TicketStatus::Resolved | TicketStatus::Closed)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveTime, TimeZone, Weekday::*};
    use chrono_tz::Asia::Shanghai;
    use proptest::prelude::*;

    use super::*;
    use crate::domain::{calendar::BusinessHours, status::Lifecycle};

    fn policy() -> Policy {
        Policy {
            calendar: Calendar::Business(
                BusinessHours::new(
                    Shanghai,
                    &[Mon, Tue, Wed, Thu, Fri],
                    NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
                    NaiveTime::from_hms_opt(18, 0, 0).unwrap(),
                    [NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()],
                )
                .unwrap(),
            ),
            at_risk_percent: 75,
            targets: Policy::default_targets()
                .into_iter()
                .map(|(p, k, t)| ((p, k), t))
                .collect(),
        }
    }

    fn sh(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Shanghai
            .with_ymd_and_hms(2026, 11, d, h, m, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn clock(t: &TicketClocks, kind: ClockKind, cycle: i32) -> &Clock {
        t.clocks
            .iter()
            .rfind(|c| c.kind == kind && c.cycle == cycle)
            .unwrap()
    }

    #[test]
    fn first_response_counts_business_hours_and_goes_at_risk_then_breached() {
        let p = policy();
        // Opened Friday 17:00 (HIGH, business hours): 2 h are due Monday 10:00.
        let t = TicketClocks::open(&p, TicketPriority::High, sh(20, 17, 0));
        let fr = clock(&t, ClockKind::FirstResponse, 1);
        assert_eq!(fr.breaches_at(&p), Some(sh(23, 10, 0)));
        // 75 % of 2 h = 90 min: 60 on Friday, 30 on Monday.
        assert_eq!(fr.at_risk_at(&p), Some(sh(23, 9, 30)));
        assert_eq!(fr.state(&p, sh(22, 12, 0)), ClockState::Running);
        assert_eq!(fr.state(&p, sh(23, 9, 45)), ClockState::AtRisk);
        assert_eq!(fr.state(&p, sh(23, 10, 1)), ClockState::Breached);
        assert_eq!(fr.remaining(&p, sh(23, 9, 45)), Duration::minutes(15));
    }

    #[test]
    fn urgent_tickets_count_around_the_clock() {
        let p = policy();
        let t = TicketClocks::open(&p, TicketPriority::Urgent, sh(21, 23, 0));
        assert_eq!(
            clock(&t, ClockKind::FirstResponse, 1).breaches_at(&p),
            Some(sh(22, 1, 0))
        );
    }

    #[test]
    fn a_public_reply_meets_first_response_and_restarts_the_update_clock() {
        let p = policy();
        let mut t = TicketClocks::open(&p, TicketPriority::Urgent, sh(20, 10, 0));
        t.apply(&p, sh(20, 11, 0), Fact::PublicReply);
        let fr = clock(&t, ClockKind::FirstResponse, 1);
        assert_eq!((fr.phase, fr.banked), (ClockPhase::Met, Duration::hours(1)));
        assert_eq!(fr.state(&p, sh(25, 0, 0)), ClockState::Met);
        let updates: Vec<_> = t
            .clocks
            .iter()
            .filter(|c| c.kind == ClockKind::Update)
            .collect();
        assert_eq!(updates.len(), 2);
        assert_eq!(updates[0].phase, ClockPhase::Met);
        assert_eq!(updates[1].started_at, sh(20, 11, 0));
        assert_eq!(updates[1].breaches_at(&p), Some(sh(21, 11, 0)));
    }

    #[test]
    fn a_late_answer_stays_breached() {
        let p = policy();
        let mut t = TicketClocks::open(&p, TicketPriority::Urgent, sh(20, 10, 0));
        t.apply(&p, sh(20, 13, 0), Fact::PublicReply);
        let fr = clock(&t, ClockKind::FirstResponse, 1);
        assert_eq!(fr.phase, ClockPhase::Met);
        assert_eq!(fr.state(&p, sh(21, 0, 0)), ClockState::Breached);
    }

    #[test]
    fn waiting_on_the_customer_pauses_across_a_night_and_a_weekend() {
        let p = policy();
        let mut t = TicketClocks::open(&p, TicketPriority::High, sh(20, 9, 0));
        t.apply(
            &p,
            sh(20, 10, 0),
            Fact::StatusChanged {
                to: TicketStatus::InProgress,
            },
        );
        t.apply(
            &p,
            sh(20, 12, 0),
            Fact::StatusChanged {
                to: TicketStatus::WaitingOnCustomer,
            },
        );
        let res = clock(&t, ClockKind::Resolution, 1).clone();
        assert_eq!(res.phase, ClockPhase::Paused);
        assert_eq!(res.breaches_at(&p), None);
        // Paused from Friday noon to Tuesday 10:00: nothing counts meanwhile.
        assert_eq!(res.elapsed(&p, sh(24, 9, 59)), Duration::hours(3));
        t.apply(
            &p,
            sh(24, 10, 0),
            Fact::StatusChanged {
                to: TicketStatus::InProgress,
            },
        );
        let res = clock(&t, ClockKind::Resolution, 1);
        assert_eq!(res.elapsed(&p, sh(24, 11, 0)), Duration::hours(4));
        // 27 h target, 3 h counted: 24 more working hours = Tue 10:00 + 8 h, Wed 9 h, Thu 7 h.
        assert_eq!(res.breaches_at(&p), Some(sh(26, 16, 0)));
    }

    #[test]
    fn a_priority_change_retargets_and_keeps_counted_time() {
        let p = policy();
        let mut t = TicketClocks::open(&p, TicketPriority::Low, sh(23, 9, 0));
        t.apply(
            &p,
            sh(23, 10, 0),
            Fact::PriorityChanged {
                to: TicketPriority::Urgent,
            },
        );
        let res = clock(&t, ClockKind::Resolution, 1);
        assert_eq!(res.target.duration, Duration::hours(24));
        assert!(!res.target.business_hours);
        // 1 h counted at 10:00, 23 h more around the clock.
        assert_eq!(res.breaches_at(&p), Some(sh(24, 9, 0)));
    }

    #[test]
    fn a_priority_without_a_target_cancels_the_clock() {
        let mut p = policy();
        p.targets
            .remove(&(TicketPriority::Low, ClockKind::Resolution));
        let mut t = TicketClocks::open(&p, TicketPriority::High, sh(23, 9, 0));
        t.apply(
            &p,
            sh(23, 10, 0),
            Fact::PriorityChanged {
                to: TicketPriority::Low,
            },
        );
        let res = clock(&t, ClockKind::Resolution, 1);
        assert_eq!(res.state(&p, sh(30, 0, 0)), ClockState::Cancelled);
        assert_eq!(res.banked, Duration::hours(1));
    }

    #[test]
    fn resolution_meets_the_cycle_and_reopening_starts_another() {
        let p = policy();
        let mut t = TicketClocks::open(&p, TicketPriority::High, sh(23, 9, 0));
        for (h, to) in [
            (10, TicketStatus::InProgress),
            (15, TicketStatus::Resolved),
            (16, TicketStatus::InProgress),
        ] {
            t.apply(&p, sh(23, h, 0), Fact::StatusChanged { to });
        }
        assert_eq!(t.cycle, 2);
        let first = clock(&t, ClockKind::Resolution, 1);
        assert_eq!(
            (first.phase, first.banked),
            (ClockPhase::Met, Duration::hours(6))
        );
        let second = clock(&t, ClockKind::Resolution, 2);
        assert_eq!(second.phase, ClockPhase::Running);
        assert_eq!(second.started_at, sh(23, 16, 0));
        // No second first-response clock: the customer has had an answer.
        assert_eq!(
            t.clocks
                .iter()
                .filter(|c| c.kind == ClockKind::FirstResponse)
                .count(),
            1
        );
    }

    #[test]
    fn replay_gives_the_same_clocks_as_applying_one_by_one() {
        let p = policy();
        let facts = vec![
            (
                sh(20, 9, 0),
                Fact::Opened {
                    priority: TicketPriority::Medium,
                },
            ),
            (sh(20, 9, 30), Fact::PublicReply),
            (
                sh(20, 11, 0),
                Fact::StatusChanged {
                    to: TicketStatus::InProgress,
                },
            ),
            (
                sh(21, 11, 0),
                Fact::PriorityChanged {
                    to: TicketPriority::High,
                },
            ),
            (
                sh(23, 11, 0),
                Fact::StatusChanged {
                    to: TicketStatus::Resolved,
                },
            ),
        ];
        let mut step = TicketClocks::open(&p, TicketPriority::Medium, sh(20, 9, 0));
        for (at, f) in &facts[1..] {
            step.apply(&p, *at, *f);
        }
        assert_eq!(TicketClocks::replay(&p, facts), Some(step));
        assert_eq!(TicketClocks::replay(&p, vec![]), None);
    }

    /// A random, valid history: status moves from the transition table, replies and
    /// priority changes, minutes apart.
    fn history() -> impl Strategy<Value = Vec<(i64, u8, u8)>> {
        prop::collection::vec((1i64..3000, 0u8..3, 0u8..8), 1..40)
    }

    proptest! {
        #[test]
        fn a_clock_never_counts_while_paused_and_never_runs_backwards(steps in history()) {
            let p = policy();
            let mut at = sh(20, 8, 0);
            let mut t = TicketClocks::open(&p, TicketPriority::High, at);
            for (gap, what, pick) in steps {
                let before = t.clone();
                let next = at + Duration::minutes(gap);
                // Over the gap, time counts only on clocks that are running.
                for c in &before.clocks {
                    let (e0, e1) = (c.elapsed(&p, at), c.elapsed(&p, next));
                    prop_assert!(e1 >= e0);
                    if c.phase != ClockPhase::Running {
                        prop_assert_eq!(e1, e0);
                    }
                    if t.status == TicketStatus::WaitingOnCustomer && c.is_open() {
                        prop_assert_eq!(c.phase, ClockPhase::Paused);
                    }
                }
                at = next;
                let fact = match what {
                    0 => {
                        let moves: Vec<_> = TicketStatus::TRANSITIONS
                            .iter()
                            .filter(|(f, _)| *f == t.status)
                            .collect();
                        if moves.is_empty() { continue; }
                        Fact::StatusChanged { to: moves[pick as usize % moves.len()].1 }
                    }
                    1 => Fact::PublicReply,
                    _ => Fact::PriorityChanged {
                        to: [TicketPriority::Low, TicketPriority::Medium, TicketPriority::High, TicketPriority::Urgent][pick as usize % 4],
                    },
                };
                t.apply(&p, at, fact);
                // Applying a fact never changes time already counted.
                for (old, new) in before.clocks.iter().zip(&t.clocks) {
                    prop_assert_eq!(old.elapsed(&p, at), new.elapsed(&p, at));
                }
                // At most one open clock per kind, all in the current cycle.
                for kind in [ClockKind::FirstResponse, ClockKind::Update, ClockKind::Resolution] {
                    let open: Vec<_> = t.clocks.iter().filter(|c| c.kind == kind && c.is_open()).collect();
                    prop_assert!(open.len() <= 1);
                    prop_assert!(open.iter().all(|c| c.cycle == t.cycle));
                }
            }
        }
    }
}
