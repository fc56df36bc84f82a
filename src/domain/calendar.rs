//! Working time: when a service-level clock counts.
//!
//! A target counts either around the clock or on a business calendar (working days and
//! hours in one time zone, minus holidays). Both answer the two questions clocks ask:
//! how much working time lies between two instants, and when a given amount of working
//! time will have passed.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// How far ahead a deadline is searched for: ten years. Only a calendar whose every
/// working day is a holiday would need more, and that has no deadline at all.
const HORIZON_DAYS: usize = 3660;

/// Working days and hours in one time zone, minus holidays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BusinessHours {
    tz: Tz,
    /// Working weekdays, indexed from Monday.
    days: [bool; 7],
    opens: NaiveTime,
    closes: NaiveTime,
    holidays: BTreeSet<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CalendarError {
    NoWorkingDay,
    ClosesBeforeOpening,
    UnknownTimeZone(String),
}

impl std::fmt::Display for CalendarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoWorkingDay => f.write_str("a business calendar needs at least one working day"),
            Self::ClosesBeforeOpening => f.write_str("the working day must close after it opens"),
            Self::UnknownTimeZone(name) => write!(
                f,
                "unknown time zone {name:?} (use an IANA name such as Asia/Shanghai)"
            ),
        }
    }
}

impl BusinessHours {
    pub fn new(
        tz: Tz,
        days: &[Weekday],
        opens: NaiveTime,
        closes: NaiveTime,
        holidays: impl IntoIterator<Item = NaiveDate>,
    ) -> Result<Self, CalendarError> {
        if days.is_empty() {
            return Err(CalendarError::NoWorkingDay);
        }
        if closes <= opens {
            return Err(CalendarError::ClosesBeforeOpening);
        }
        let mut mask = [false; 7];
        for d in days {
            mask[d.num_days_from_monday() as usize] = true;
        }
        Ok(Self {
            tz,
            days: mask,
            opens,
            closes,
            holidays: holidays.into_iter().collect(),
        })
    }

    pub fn time_zone(name: &str) -> Result<Tz, CalendarError> {
        name.parse()
            .map_err(|_| CalendarError::UnknownTimeZone(name.to_owned()))
    }

    /// The working window of a local date, as UTC instants, if the date is worked.
    fn window(&self, date: NaiveDate) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        if !self.days[date.weekday().num_days_from_monday() as usize]
            || self.holidays.contains(&date)
        {
            return None;
        }
        let at = |t: NaiveTime| {
            let local = date.and_time(t);
            // A time skipped by a daylight-saving jump counts from just after the jump.
            self.tz
                .from_local_datetime(&local)
                .earliest()
                .or_else(|| {
                    self.tz
                        .from_local_datetime(&(local + Duration::hours(1)))
                        .earliest()
                })
                .map(|t| t.with_timezone(&Utc))
        };
        let (open, close) = (at(self.opens)?, at(self.closes)?);
        (close > open).then_some((open, close))
    }

    fn local_date(&self, t: DateTime<Utc>) -> NaiveDate {
        t.with_timezone(&self.tz).date_naive()
    }
}

/// When a clock counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Calendar {
    /// Every second counts (24/7 support).
    AllHours,
    Business(BusinessHours),
}

impl Calendar {
    /// The calendar's date of `t`: local in its time zone, UTC around the clock.
    pub fn date_of(&self, t: DateTime<Utc>) -> NaiveDate {
        match self {
            Calendar::AllHours => t.date_naive(),
            Calendar::Business(b) => b.local_date(t),
        }
    }

    /// The first instant of `date` in the calendar's time zone (UTC around the clock).
    pub fn start_of(&self, date: NaiveDate) -> DateTime<Utc> {
        let midnight = date.and_time(NaiveTime::MIN);
        match self {
            Calendar::AllHours => midnight.and_utc(),
            Calendar::Business(b) => {
                b.tz.from_local_datetime(&midnight)
                    .earliest()
                    .map_or_else(|| midnight.and_utc(), |t| t.with_timezone(&Utc))
            }
        }
    }

    /// The Monday-to-Sunday week holding `date`, as the half-open instants
    /// `[Monday 00:00, next Monday 00:00)` of the calendar's time zone.
    pub fn week_of(&self, date: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
        (
            self.start_of(monday),
            self.start_of(monday + Duration::days(7)),
        )
    }

    /// Working time in `[from, to)`; zero if `to` is not after `from`.
    pub fn working(&self, from: DateTime<Utc>, to: DateTime<Utc>) -> Duration {
        if to <= from {
            return Duration::zero();
        }
        let b = match self {
            Calendar::AllHours => return to - from,
            Calendar::Business(b) => b,
        };
        let mut total = Duration::zero();
        let mut date = b.local_date(from);
        let last = b.local_date(to);
        while date <= last {
            if let Some((open, close)) = b.window(date) {
                let (s, e) = (open.max(from), close.min(to));
                if e > s {
                    total += e - s;
                }
            }
            date = date.succ_opt().expect("dates before year 262143");
        }
        total
    }

    /// The instant at which `work` of working time has passed since `from`; `None` if
    /// that is beyond the search horizon (a calendar without working days ahead).
    pub fn add(&self, from: DateTime<Utc>, work: Duration) -> Option<DateTime<Utc>> {
        if work <= Duration::zero() {
            return Some(from);
        }
        let b = match self {
            Calendar::AllHours => return from.checked_add_signed(work),
            Calendar::Business(b) => b,
        };
        let mut left = work;
        let mut date = b.local_date(from);
        for _ in 0..HORIZON_DAYS {
            if let Some((open, close)) = b.window(date) {
                let start = open.max(from);
                if close > start {
                    let available = close - start;
                    if left <= available {
                        return Some(start + left);
                    }
                    left -= available;
                }
            }
            date = date.succ_opt()?;
        }
        None
    }

    /// The close of the `n`-th working day after the local date of `from`: "within 3
    /// working days" of a Monday is Thursday at closing time. Around the clock, `n` days
    /// of 24 hours. `None` past the search horizon.
    pub fn end_of_working_days(&self, from: DateTime<Utc>, n: u32) -> Option<DateTime<Utc>> {
        let b = match self {
            Calendar::AllHours => return from.checked_add_signed(Duration::days(i64::from(n))),
            Calendar::Business(b) => b,
        };
        if n == 0 {
            return Some(from);
        }
        let mut left = n;
        let mut date = b.local_date(from);
        for _ in 0..HORIZON_DAYS {
            date = date.succ_opt()?;
            if let Some((_, close)) = b.window(date) {
                left -= 1;
                if left == 0 {
                    return Some(close);
                }
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use chrono::Weekday::*;
    use chrono_tz::{America::New_York, Asia::Shanghai};

    use super::*;

    fn hm(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// 09:00-18:00 Monday to Friday in Shanghai, with 2026-10-01 (National Day) off.
    fn shanghai() -> Calendar {
        Calendar::Business(
            BusinessHours::new(
                Shanghai,
                &[Mon, Tue, Wed, Thu, Fri],
                hm(9, 0),
                hm(18, 0),
                [day(2026, 10, 1)],
            )
            .unwrap(),
        )
    }

    /// A Shanghai wall-clock time as UTC.
    fn sh(y: i32, m: u32, d: u32, h: u32, min: u32) -> DateTime<Utc> {
        Shanghai
            .with_ymd_and_hms(y, m, d, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn around_the_clock_counts_every_second() {
        let from = sh(2026, 11, 20, 17, 0);
        assert_eq!(
            Calendar::AllHours.add(from, Duration::hours(2)),
            Some(from + Duration::hours(2))
        );
        assert_eq!(
            Calendar::AllHours.working(from, from + Duration::hours(30)),
            Duration::hours(30)
        );
    }

    #[test]
    fn within_one_working_day() {
        // Friday 2026-11-20, 10:00 + 2 h = 12:00 the same day.
        let cal = shanghai();
        assert_eq!(
            cal.add(sh(2026, 11, 20, 10, 0), Duration::hours(2)),
            Some(sh(2026, 11, 20, 12, 0))
        );
    }

    #[test]
    fn a_night_and_a_weekend_do_not_count() {
        let cal = shanghai();
        // Friday 17:00 + 2 h: one hour on Friday, one on Monday morning.
        let due = cal.add(sh(2026, 11, 20, 17, 0), Duration::hours(2));
        assert_eq!(due, Some(sh(2026, 11, 23, 10, 0)));
        assert_eq!(
            cal.working(sh(2026, 11, 20, 17, 0), sh(2026, 11, 23, 10, 0)),
            Duration::hours(2)
        );
        // Saturday evening: the clock starts on Monday at opening.
        assert_eq!(
            cal.add(sh(2026, 11, 21, 20, 0), Duration::minutes(30)),
            Some(sh(2026, 11, 23, 9, 30))
        );
        // 24 working hours from Monday 09:00 = 2 days and 6 hours of working days.
        assert_eq!(
            cal.add(sh(2026, 11, 23, 9, 0), Duration::hours(24)),
            Some(sh(2026, 11, 25, 15, 0))
        );
    }

    #[test]
    fn holidays_are_skipped() {
        // Wednesday 2026-09-30 17:00 + 2 h: Thursday is National Day, so Friday 10:00.
        let cal = shanghai();
        assert_eq!(
            cal.add(sh(2026, 9, 30, 17, 0), Duration::hours(2)),
            Some(sh(2026, 10, 2, 10, 0))
        );
        assert_eq!(
            cal.working(sh(2026, 9, 30, 0, 0), sh(2026, 10, 3, 0, 0)),
            Duration::hours(18)
        );
    }

    #[test]
    fn the_time_zone_decides_the_working_day() {
        // 01:00 UTC on a Monday is 09:00 in Shanghai: working time has begun.
        let cal = shanghai();
        let utc = Utc.with_ymd_and_hms(2026, 11, 23, 1, 0, 0).unwrap();
        assert_eq!(
            cal.add(utc, Duration::hours(1)),
            Some(utc + Duration::hours(1))
        );
        // The same instant in New York is Sunday evening: nothing counts until Monday 09:00.
        let ny = Calendar::Business(
            BusinessHours::new(
                New_York,
                &[Mon, Tue, Wed, Thu, Fri],
                hm(9, 0),
                hm(17, 0),
                [],
            )
            .unwrap(),
        );
        let monday_9_ny = New_York
            .with_ymd_and_hms(2026, 11, 23, 9, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            ny.add(utc, Duration::hours(1)),
            Some(monday_9_ny + Duration::hours(1))
        );
    }

    #[test]
    fn a_daylight_saving_change_keeps_working_hours_local() {
        // New York springs forward on Sunday 2026-03-08: Monday's 09:00-17:00 is still 8 h.
        let ny = Calendar::Business(
            BusinessHours::new(
                New_York,
                &[Mon, Tue, Wed, Thu, Fri],
                hm(9, 0),
                hm(17, 0),
                [],
            )
            .unwrap(),
        );
        let friday = New_York
            .with_ymd_and_hms(2026, 3, 6, 16, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        let monday_10 = New_York
            .with_ymd_and_hms(2026, 3, 9, 10, 0, 0)
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(ny.add(friday, Duration::hours(2)), Some(monday_10));
        assert_eq!(ny.working(friday, monday_10), Duration::hours(2));
    }

    #[test]
    fn add_and_working_agree() {
        let cal = shanghai();
        let from = sh(2026, 9, 29, 13, 17);
        for minutes in [1, 59, 60, 300, 540, 541, 1440, 5000, 20000] {
            let work = Duration::minutes(minutes);
            let due = cal.add(from, work).unwrap();
            assert_eq!(cal.working(from, due), work, "{minutes} min");
        }
    }

    #[test]
    fn bad_calendars_are_refused() {
        assert_eq!(
            BusinessHours::new(Shanghai, &[], hm(9, 0), hm(18, 0), []),
            Err(CalendarError::NoWorkingDay)
        );
        assert_eq!(
            BusinessHours::new(Shanghai, &[Mon], hm(18, 0), hm(9, 0), []),
            Err(CalendarError::ClosesBeforeOpening)
        );
        assert!(BusinessHours::time_zone("Mars/Olympus").is_err());
        assert_eq!(BusinessHours::time_zone("Asia/Shanghai"), Ok(Shanghai));
    }

    #[test]
    fn a_calendar_of_holidays_only_has_no_deadline() {
        let start = day(2026, 11, 23);
        let every_day = (0..4000).map(|i| start + Duration::days(i));
        let cal = Calendar::Business(
            BusinessHours::new(Shanghai, &[Mon], hm(9, 0), hm(18, 0), every_day).unwrap(),
        );
        assert_eq!(cal.add(sh(2026, 11, 23, 8, 0), Duration::hours(1)), None);
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = shanghai();
        // Monday 2026-11-16 at 15:00: the third working day after is Thursday, closing.
        assert_eq!(
            cal.end_of_working_days(sh(2026, 11, 16, 15, 0), 3),
            Some(sh(2026, 11, 19, 18, 0))
        );
        // Thursday 2026-11-19 late in the evening: Friday, Monday, Tuesday.
        assert_eq!(
            cal.end_of_working_days(sh(2026, 11, 19, 23, 0), 3),
            Some(sh(2026, 11, 24, 18, 0))
        );
        // Tuesday 2026-09-29: Wednesday, (National Day off), Friday, Monday.
        assert_eq!(
            cal.end_of_working_days(sh(2026, 9, 29, 10, 0), 3),
            Some(sh(2026, 10, 5, 18, 0))
        );
        let from = sh(2026, 11, 20, 17, 0);
        assert_eq!(
            Calendar::AllHours.end_of_working_days(from, 3),
            Some(from + Duration::days(3))
        );
    }

    #[test]
    fn a_week_runs_monday_to_monday_in_local_time() {
        let (from, to) = shanghai().week_of(day(2026, 11, 26));
        assert_eq!(from, sh(2026, 11, 23, 0, 0));
        assert_eq!(to, sh(2026, 11, 30, 0, 0));
        assert_eq!(
            Calendar::AllHours.week_of(day(2026, 11, 23)).0,
            Utc.with_ymd_and_hms(2026, 11, 23, 0, 0, 0).unwrap()
        );
    }
}
