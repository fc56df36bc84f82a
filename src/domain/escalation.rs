//! The three-level response mechanism: frontline support, then engineering, then R&D
//! and management. Levels are data (see the policy); these are the rules of moving up.
//!
//! Escalating never pauses a service-level clock: what the customer is owed (a first
//! response, an update every 24 hours, a resolution) is owed whoever works on it, so
//! [`super::service_level::pauses`] knows nothing of escalation.

use chrono::Duration;
use entity::TicketGrade;

use super::service_level::Target;
use crate::error::{AppError, AppResult};

/// One level of the ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// 1 for the first level.
    pub level: i32,
    pub name: String,
    /// Who answers at this level, e.g. "R&D".
    pub role: String,
    /// How soon someone at this level must acknowledge an escalation to it.
    pub ack: Target,
}

/// The levels of a policy, numbered 1..=n without gaps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ladder(Vec<Level>);

impl Ladder {
    pub const MAX_LEVELS: usize = 5;

    pub fn new(mut levels: Vec<Level>) -> AppResult<Self> {
        levels.sort_by_key(|l| l.level);
        if levels.is_empty() || levels.len() > Self::MAX_LEVELS {
            return Err(AppError::input(
                "escalationLevels",
                format!("give 1 to {} levels", Self::MAX_LEVELS),
            ));
        }
        for (i, l) in levels.iter().enumerate() {
            if usize::try_from(l.level).ok() != Some(i + 1) {
                return Err(AppError::input(
                    "escalationLevels.level",
                    "levels are numbered 1, 2, 3... without gaps or repeats",
                ));
            }
            if l.name.trim().is_empty() || l.role.trim().is_empty() {
                return Err(AppError::input(
                    "escalationLevels.name",
                    "every level needs a name and a role",
                ));
            }
            if l.ack.duration <= Duration::zero() {
                return Err(AppError::input(
                    "escalationLevels.ackMinutes",
                    "must be at least 1",
                ));
            }
        }
        Ok(Self(levels))
    }

    /// The source documents' ladder: frontline support, engineering, R&D.
    pub fn defaults() -> Vec<Level> {
        let level = |level, name: &str, role: &str, minutes| Level {
            level,
            name: name.into(),
            role: role.into(),
            ack: Target {
                duration: Duration::minutes(minutes),
                business_hours: false,
            },
        };
        vec![
            level(1, "Frontline support", "Customer service", 30),
            level(2, "Engineering", "Technical support engineer", 60),
            level(3, "R&D and management", "R&D", 120),
        ]
    }

    pub fn levels(&self) -> &[Level] {
        &self.0
    }

    pub fn top(&self) -> i32 {
        self.0.last().map_or(0, |l| l.level)
    }

    /// The level a ticket at `current` (0: never escalated) moves to when escalated to
    /// `requested`, or one level up when none is asked for. Escalation only goes up.
    pub fn step(&self, current: i32, requested: Option<i32>) -> AppResult<&Level> {
        let to = requested.unwrap_or(current + 1);
        if requested.is_some_and(|r| r < 1 || r > self.top()) {
            return Err(AppError::input(
                "level",
                format!("levels are 1 to {}", self.top()),
            ));
        }
        if to <= current || to > self.top() {
            return Err(AppError::transition("escalation", name(current), name(to)));
        }
        self.0
            .iter()
            .find(|l| l.level == to)
            .ok_or_else(|| AppError::input("level", "no such level"))
    }
}

/// The level a ticket of `grade` starts at on a ladder whose top is `top`: a minor
/// problem is frontline work (no escalation), a major one goes to the second level
/// (engineering), a critical one straight to the top (R&D and management).
pub fn start_level(grade: TicketGrade, top: i32) -> Option<i32> {
    match grade {
        TicketGrade::Minor => None,
        TicketGrade::Major => Some(2.min(top)),
        TicketGrade::Critical => Some(top),
    }
}

/// The level a ticket is at, from the levels it was escalated to: 0 when never.
pub fn current_level(levels: impl IntoIterator<Item = i32>) -> i32 {
    levels.into_iter().max().unwrap_or(0)
}

fn name(level: i32) -> String {
    if level == 0 {
        "NONE".into()
    } else {
        format!("LEVEL_{level}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ladder() -> Ladder {
        Ladder::new(Ladder::defaults()).unwrap()
    }

    #[test]
    fn the_default_ladder_has_three_levels() {
        let l = ladder();
        assert_eq!(l.top(), 3);
        assert_eq!(l.levels()[2].role, "R&D");
    }

    #[test]
    fn escalation_moves_up_one_level_unless_told_where() {
        let l = ladder();
        assert_eq!(l.step(0, None).unwrap().level, 1);
        assert_eq!(l.step(1, None).unwrap().level, 2);
        assert_eq!(l.step(0, Some(3)).unwrap().level, 3);
    }

    #[test]
    fn escalation_never_goes_down_or_past_the_top() {
        let l = ladder();
        let err = l.step(3, None).unwrap_err();
        assert!(matches!(err, AppError::InvalidTransition { .. }), "{err:?}");
        assert!(matches!(
            l.step(2, Some(2)).unwrap_err(),
            AppError::InvalidTransition { .. }
        ));
        assert!(matches!(
            l.step(2, Some(1)).unwrap_err(),
            AppError::InvalidTransition { .. }
        ));
        assert!(matches!(
            l.step(0, Some(4)).unwrap_err(),
            AppError::BadUserInput { .. }
        ));
    }

    #[test]
    fn the_grade_sets_the_level_a_ticket_starts_at() {
        assert_eq!(start_level(TicketGrade::Minor, 3), None);
        assert_eq!(start_level(TicketGrade::Major, 3), Some(2));
        assert_eq!(start_level(TicketGrade::Critical, 3), Some(3));
        // A one-level ladder: both go to its only level.
        assert_eq!(start_level(TicketGrade::Major, 1), Some(1));
        assert_eq!(start_level(TicketGrade::Critical, 1), Some(1));
    }

    #[test]
    fn the_current_level_is_the_highest_reached() {
        assert_eq!(current_level([]), 0);
        assert_eq!(current_level([1, 3]), 3);
    }

    #[test]
    fn a_ladder_is_numbered_without_gaps() {
        let mut levels = Ladder::defaults();
        levels.remove(1);
        assert!(Ladder::new(levels).is_err());
        assert!(Ladder::new(Vec::new()).is_err());
        let mut unnamed = Ladder::defaults();
        unnamed[0].role = " ".into();
        assert!(Ladder::new(unnamed).is_err());
        let mut instant = Ladder::defaults();
        instant[0].ack.duration = Duration::zero();
        assert!(Ladder::new(instant).is_err());
        // Given out of order, they are put in order.
        let mut shuffled = Ladder::defaults();
        shuffled.reverse();
        assert_eq!(Ladder::new(shuffled).unwrap(), ladder());
    }
}
