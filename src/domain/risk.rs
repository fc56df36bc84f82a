//! Risk scoring: likelihood x impact on 1-5 scales, graded into a severity.

use async_graphql::Enum;

/// How bad a risk is, from its score (likelihood x impact, 1..=25).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Enum)]
pub enum RiskSeverity {
    Low,
    Medium,
    High,
    Critical,
}

impl RiskSeverity {
    /// The usual 5x5 matrix: 1-4 low, 5-9 medium, 10-16 high, 20-25 critical.
    pub fn of(likelihood: i32, impact: i32) -> Self {
        Self::of_score(likelihood * impact)
    }

    pub fn of_score(score: i32) -> Self {
        match score {
            ..=4 => Self::Low,
            5..=9 => Self::Medium,
            10..=16 => Self::High,
            _ => Self::Critical,
        }
    }

    /// The scores of this band, for filtering in SQL.
    pub fn scores(self) -> std::ops::RangeInclusive<i32> {
        match self {
            Self::Low => 1..=4,
            Self::Medium => 5..=9,
            Self::High => 10..=16,
            Self::Critical => 17..=25,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_follows_the_five_by_five_matrix() {
        assert_eq!(RiskSeverity::of(1, 1), RiskSeverity::Low);
        assert_eq!(RiskSeverity::of(2, 2), RiskSeverity::Low);
        assert_eq!(RiskSeverity::of(3, 3), RiskSeverity::Medium);
        assert_eq!(RiskSeverity::of(4, 4), RiskSeverity::High);
        assert_eq!(RiskSeverity::of(4, 5), RiskSeverity::Critical);
        assert_eq!(RiskSeverity::of(5, 5), RiskSeverity::Critical);
    }

    #[test]
    fn the_bands_cover_every_score_once() {
        for score in 1..=25 {
            let band = RiskSeverity::of_score(score);
            assert!(band.scores().contains(&score), "{score}");
        }
    }
}
