//! The 72-hour kickoff: within 72 hours of signing, the team is formed (a primary owner
//! and at least one other member) and a kickoff meeting is held. A clock like the service
//! levels: at risk when a day is left, overdue after.

use chrono::{DateTime, Duration, Utc};

/// How long the vendor has to form the team and hold the kickoff.
pub const WITHIN: Duration = Duration::hours(72);
/// The obligation is at risk once this much of it has passed (a day left).
pub const AT_RISK_AFTER: Duration = Duration::hours(48);

/// The instants of an obligation started at `signed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Obligation {
    pub started_at: DateTime<Utc>,
    pub at_risk_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
}

impl Obligation {
    pub fn start(signed: DateTime<Utc>) -> Self {
        Self {
            started_at: signed,
            at_risk_at: signed + AT_RISK_AFTER,
            due_at: signed + WITHIN,
        }
    }
}

/// What the obligation needs: "1+N", one primary owner and at least one member besides.
pub fn team_formed(primary_owner: Option<i64>, members: &[i64]) -> bool {
    primary_owner.is_some_and(|owner| members.iter().any(|m| *m != owner))
}

/// Where an obligation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum KickoffState {
    /// Team formed and kickoff held.
    Met,
    Pending,
    /// Less than a day left.
    AtRisk,
    /// Past its 72 hours, unmet.
    Overdue,
}

pub fn state(
    at_risk_at: DateTime<Utc>,
    due_at: DateTime<Utc>,
    met_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> KickoffState {
    match met_at {
        Some(_) => KickoffState::Met,
        None if now > due_at => KickoffState::Overdue,
        None if now >= at_risk_at => KickoffState::AtRisk,
        None => KickoffState::Pending,
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn a_team_is_an_owner_and_someone_else() {
        assert!(team_formed(Some(1), &[1, 2]));
        assert!(team_formed(Some(1), &[2]));
        assert!(!team_formed(Some(1), &[1]), "the owner alone is no team");
        assert!(!team_formed(None, &[2, 3]), "no single point of contact");
    }

    #[test]
    fn the_obligation_is_at_risk_with_a_day_left_and_overdue_after_72_hours() {
        let signed = Utc.with_ymd_and_hms(2026, 12, 1, 9, 0, 0).unwrap();
        let o = Obligation::start(signed);
        let at = |h| state(o.at_risk_at, o.due_at, None, signed + Duration::hours(h));
        assert_eq!(at(47), KickoffState::Pending);
        assert_eq!(at(48), KickoffState::AtRisk);
        assert_eq!(
            at(72),
            KickoffState::AtRisk,
            "due at the 72nd hour, not before"
        );
        assert_eq!(at(73), KickoffState::Overdue);
        let met = state(
            o.at_risk_at,
            o.due_at,
            Some(signed),
            signed + Duration::hours(100),
        );
        assert_eq!(met, KickoffState::Met);
    }
}
