//! The quarterly survey of existing clients and the milestone rating: who may still
//! answer, the would-recommend scale, and what a survey's answers sum up to.

use entity::{StageStatus, SurveyStatus};

use super::{satisfaction::Summary, status::Lifecycle};
use crate::error::{AppError, AppResult};

impl Lifecycle for SurveyStatus {
    const ENTITY: &'static str = "survey";
    const TRANSITIONS: &'static [(Self, Self)] = &[(SurveyStatus::Open, SurveyStatus::Closed)];
}

/// A milestone is rated once it is done; a reopened one keeps its ratings but takes no
/// new ones until it is done again.
pub fn check_ratable(stage: StageStatus) -> AppResult<()> {
    if stage == StageStatus::Done {
        Ok(())
    } else {
        Err(AppError::Conflict(format!(
            "a milestone is rated once it is DONE; this one is {stage}"
        )))
    }
}

/// How likely the contact would recommend the vendor: 0 (not at all) to 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recommend(u8);

impl Recommend {
    pub fn new(value: i32) -> AppResult<Self> {
        u8::try_from(value)
            .ok()
            .filter(|v| *v <= 10)
            .map(Self)
            .ok_or_else(|| AppError::input("recommend", "must be between 0 and 10"))
    }

    pub fn get(self) -> i32 {
        i32::from(self.0)
    }
}

/// The answers of one group (a survey, or one client in it).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct SurveySummary {
    /// Scores against the contacts invited: `follow_ups` is the number invited.
    pub scores: Summary,
    /// Answers per would-recommend value: index 0 is 0.
    pub recommend: [u32; 11],
}

impl SurveySummary {
    /// A group of `invited` contacts.
    pub fn invited(invited: u32) -> Self {
        Self {
            scores: Summary {
                follow_ups: invited,
                ..Summary::default()
            },
            ..Self::default()
        }
    }

    /// Counts one answer. More answers than invitations (a contact added after the
    /// survey opened answered too) raise the base, so the rate stays at most 1.
    pub fn add(&mut self, score: super::follow_up::Score, recommend: Recommend) {
        self.scores.distribution[score.index()] += 1;
        self.scores.follow_ups = self.scores.follow_ups.max(self.scores.responses());
        self.recommend[usize::from(recommend.0)] += 1;
    }

    /// Mean would-recommend value, 0-10; `None` without answers.
    pub fn average_recommend(&self) -> Option<f64> {
        let n: u32 = self.recommend.iter().sum();
        let total: u32 = (0u32..).zip(self.recommend).map(|(v, c)| v * c).sum();
        (n > 0).then(|| f64::from(total) / f64::from(n))
    }

    /// Net promoter score: the share answering 9-10 minus the share answering 0-6, in
    /// points from -100 to 100; `None` without answers.
    pub fn net_promoter(&self) -> Option<f64> {
        let n: u32 = self.recommend.iter().sum();
        let promoters: u32 = self.recommend[9..].iter().sum();
        let detractors: u32 = self.recommend[..7].iter().sum();
        (n > 0).then(|| 100.0 * (f64::from(promoters) - f64::from(detractors)) / f64::from(n))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        follow_up::Score,
        satisfaction::{Trend, TrendDirection},
    };

    fn answer(s: &mut SurveySummary, score: i32, recommend: i32) {
        s.add(
            Score::new(score).unwrap(),
            Recommend::new(recommend).unwrap(),
        );
    }

    #[test]
    fn rate_averages_and_net_promoter_score() {
        let mut s = SurveySummary::invited(4);
        answer(&mut s, 5, 10);
        answer(&mut s, 4, 8);
        answer(&mut s, 2, 3);
        assert_eq!(s.scores.responses(), 3);
        assert_eq!(s.scores.response_rate(), Some(0.75));
        assert_eq!(s.scores.average(), Some(11.0 / 3.0));
        assert_eq!(s.scores.distribution, [0, 1, 0, 1, 1]);
        assert_eq!(s.average_recommend(), Some(7.0));
        // One promoter, one passive, one detractor: 0.
        assert_eq!(s.net_promoter(), Some(0.0));
    }

    #[test]
    fn an_unanswered_survey_has_no_averages() {
        let s = SurveySummary::invited(3);
        assert_eq!(s.scores.response_rate(), Some(0.0));
        assert_eq!(s.scores.average(), None);
        assert_eq!(s.average_recommend(), None);
        assert_eq!(s.net_promoter(), None);
    }

    #[test]
    fn answers_beyond_the_invited_raise_the_base() {
        let mut s = SurveySummary::invited(1);
        answer(&mut s, 4, 9);
        answer(&mut s, 5, 9);
        assert_eq!(s.scores.response_rate(), Some(1.0));
        assert_eq!(s.net_promoter(), Some(100.0));
    }

    #[test]
    fn the_trend_against_the_previous_survey() {
        let mut before = SurveySummary::invited(2);
        answer(&mut before, 3, 6);
        let mut now = SurveySummary::invited(2);
        answer(&mut now, 4, 9);
        answer(&mut now, 5, 9);
        let t = Trend::between(&before.scores, &now.scores);
        assert_eq!(t.direction, TrendDirection::Up);
        assert_eq!(t.average_change, Some(1.5));
        assert_eq!(t.response_rate_change, Some(0.5));
    }

    #[test]
    fn bounds_and_lifecycle() {
        assert!(Recommend::new(-1).is_err() && Recommend::new(11).is_err());
        assert_eq!(Recommend::new(0).unwrap().get(), 0);
        assert!(SurveyStatus::Open.check(SurveyStatus::Closed).is_ok());
        assert!(SurveyStatus::Closed.check(SurveyStatus::Open).is_err());
        assert!(check_ratable(StageStatus::Done).is_ok());
        assert!(check_ratable(StageStatus::InProgress).is_err());
    }
}
