//! The satisfaction report: scores of the follow-ups of tickets resolved in a period,
//! summarised, and compared with the period just before.

use chrono::{DateTime, Utc};

use super::follow_up::Score;
use crate::error::{AppError, AppResult};

/// A half-open period `[from, to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

impl Period {
    /// Longest period a report covers: ten years.
    const MAX_DAYS: i64 = 3660;

    pub fn new(from: DateTime<Utc>, to: DateTime<Utc>) -> AppResult<Self> {
        if to <= from {
            return Err(AppError::input("to", "must be after `from`"));
        }
        if (to - from).num_days() > Self::MAX_DAYS {
            return Err(AppError::input("to", "a report covers at most ten years"));
        }
        Ok(Self { from, to })
    }

    /// The period of the same length that ends where this one starts: the quarter
    /// before a quarter, the week before a week.
    pub fn previous(&self) -> Self {
        Self {
            from: self.from - (self.to - self.from),
            to: self.from,
        }
    }

    pub fn contains(&self, t: DateTime<Utc>) -> bool {
        self.from <= t && t < self.to
    }
}

/// Follow-ups of one group (all, a client, a project) in one period.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Summary {
    /// Follow-ups owed: tickets resolved in the period, not reopened since.
    pub follow_ups: u32,
    /// Distribution of recorded scores: index 0 is score 1.
    pub distribution: [u32; 5],
}

impl Summary {
    pub fn add(&mut self, score: Option<Score>) {
        self.follow_ups += 1;
        if let Some(s) = score {
            self.distribution[s.index()] += 1;
        }
    }

    pub fn responses(&self) -> u32 {
        self.distribution.iter().sum()
    }

    /// Mean score; `None` without responses.
    pub fn average(&self) -> Option<f64> {
        let n = self.responses();
        let total: u32 = (1..=5u32).zip(self.distribution).map(|(s, c)| s * c).sum();
        (n > 0).then(|| f64::from(total) / f64::from(n))
    }

    /// Share of follow-ups that got a score (0..=1); `None` without follow-ups.
    pub fn response_rate(&self) -> Option<f64> {
        (self.follow_ups > 0).then(|| f64::from(self.responses()) / f64::from(self.follow_ups))
    }

    /// Share of responses scoring 4 or 5 (0..=1); `None` without responses.
    pub fn satisfied_share(&self) -> Option<f64> {
        let n = self.responses();
        (n > 0).then(|| f64::from(self.distribution[3] + self.distribution[4]) / f64::from(n))
    }
}

/// Which way the average went against the previous period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum TrendDirection {
    Up,
    Down,
    /// Within 0.05 points.
    Flat,
    /// One of the two periods has no response.
    Unknown,
}

/// The change from `previous` to `current`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Trend {
    pub average_change: Option<f64>,
    pub response_rate_change: Option<f64>,
    pub direction: TrendDirection,
}

impl Trend {
    const FLAT: f64 = 0.05;

    pub fn between(previous: &Summary, current: &Summary) -> Self {
        let diff = |a: Option<f64>, b: Option<f64>| Some(b? - a?);
        let average_change = diff(previous.average(), current.average());
        let direction = match average_change {
            None => TrendDirection::Unknown,
            Some(d) if d > Self::FLAT => TrendDirection::Up,
            Some(d) if d < -Self::FLAT => TrendDirection::Down,
            Some(_) => TrendDirection::Flat,
        };
        Self {
            average_change,
            response_rate_change: diff(previous.response_rate(), current.response_rate()),
            direction,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn summary(scores: &[Option<i32>]) -> Summary {
        let mut s = Summary::default();
        for score in scores {
            s.add(score.map(|v| Score::new(v).unwrap()));
        }
        s
    }

    #[test]
    fn an_empty_period_has_no_average_and_no_rate() {
        let s = Summary::default();
        assert_eq!(s.average(), None);
        assert_eq!(s.response_rate(), None);
        assert_eq!(s.satisfied_share(), None);
    }

    #[test]
    fn average_distribution_and_response_rate() {
        let s = summary(&[Some(5), Some(4), Some(3), None]);
        assert_eq!(s.follow_ups, 4);
        assert_eq!(s.responses(), 3);
        assert_eq!(s.distribution, [0, 0, 1, 1, 1]);
        assert_eq!(s.average(), Some(4.0));
        assert_eq!(s.response_rate(), Some(0.75));
        assert_eq!(s.satisfied_share(), Some(2.0 / 3.0));
    }

    #[test]
    fn the_trend_compares_averages() {
        let before = summary(&[Some(3), Some(4)]);
        let now = summary(&[Some(5), Some(4), None]);
        let t = Trend::between(&before, &now);
        assert_eq!(t.average_change, Some(1.0));
        assert_eq!(t.direction, TrendDirection::Up);
        assert_eq!(t.response_rate_change, Some(2.0 / 3.0 - 1.0));
        assert_eq!(
            Trend::between(&now, &before).direction,
            TrendDirection::Down
        );
        assert_eq!(Trend::between(&now, &now).direction, TrendDirection::Flat);
        assert_eq!(
            Trend::between(&Summary::default(), &now).direction,
            TrendDirection::Unknown
        );
    }

    #[test]
    fn the_previous_period_has_the_same_length_and_ends_at_the_start() {
        let from = Utc.with_ymd_and_hms(2026, 7, 1, 0, 0, 0).unwrap();
        let to = Utc.with_ymd_and_hms(2026, 10, 1, 0, 0, 0).unwrap();
        let p = Period::new(from, to).unwrap();
        let prev = p.previous();
        assert_eq!(prev.to, from);
        assert_eq!(prev.to - prev.from, to - from);
        assert!(p.contains(from) && !p.contains(to));
        assert!(Period::new(to, from).is_err());
        assert!(Period::new(from, from).is_err());
    }
}
