//! Project health, computed from signals and returned with its reasons.
//!
//! Each signal gives a reason with a level; the project's health is the worst level.
//! The team's declared health is kept beside it, and the two may disagree.

use chrono::{DateTime, Utc};
use entity::ProjectHealth;

use super::risk::RiskSeverity;

/// A milestone this many days late makes a project OFF_TRACK.
pub const LATE_DAYS_OFF_TRACK: i64 = 14;
/// This many tickets with a breached clock make a project OFF_TRACK.
pub const BREACHED_TICKETS_OFF_TRACK: usize = 3;

/// What a reason is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, async_graphql::Enum)]
pub enum HealthSignal {
    OverdueMilestone,
    OpenRisk,
    BreachedServiceLevel,
    ReportOverdue,
    /// The customer's own action items are overdue: the project waits on the customer.
    WaitingOnCustomer,
    /// The vendor's action items are overdue.
    ActionItemOverdue,
    /// The team was not formed or the kickoff not held within 72 hours of signing.
    KickoffOverdue,
}

/// One reason for a project's health.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason {
    pub signal: HealthSignal,
    pub health: ProjectHealth,
    pub detail: String,
}

/// What the assessment reads of a project.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Signals {
    /// Name and days late of each milestone past its due date.
    pub overdue_milestones: Vec<(String, i64)>,
    /// Title and severity of each open risk.
    pub open_risks: Vec<(String, RiskSeverity)>,
    /// Open tickets with a clock past its target.
    pub breached_tickets: usize,
    /// When the overdue progress report was due, if one is.
    pub report_overdue_since: Option<DateTime<Utc>>,
    /// Title and days late of each overdue customer-side action item.
    pub overdue_customer_items: Vec<(String, i64)>,
    /// Title and days late of each overdue vendor-side action item.
    pub overdue_vendor_items: Vec<(String, i64)>,
    /// When the unmet kickoff obligation was due, if it is overdue.
    pub kickoff_overdue_since: Option<DateTime<Utc>>,
}

/// The reason a side's overdue action items give, naming the latest of them.
fn overdue_items(signal: HealthSignal, who: &str, items: &[(String, i64)]) -> Option<Reason> {
    let (title, late) = items.iter().max_by_key(|(_, late)| *late)?;
    Some(Reason {
        signal,
        health: ProjectHealth::AtRisk,
        detail: format!(
            "{} {who} action item(s) overdue, {title:?} by {late} days",
            items.len()
        ),
    })
}

fn rank(h: ProjectHealth) -> u8 {
    match h {
        ProjectHealth::OnTrack => 0,
        ProjectHealth::AtRisk => 1,
        ProjectHealth::OffTrack => 2,
    }
}

/// The health of a project and why, worst reason first.
pub fn assess(s: &Signals) -> (ProjectHealth, Vec<Reason>) {
    let mut reasons = Vec::new();
    for (name, late) in &s.overdue_milestones {
        reasons.push(Reason {
            signal: HealthSignal::OverdueMilestone,
            health: if *late > LATE_DAYS_OFF_TRACK {
                ProjectHealth::OffTrack
            } else {
                ProjectHealth::AtRisk
            },
            detail: format!("milestone {name:?} is {late} days overdue"),
        });
    }
    for (title, severity) in &s.open_risks {
        let (health, band) = match severity {
            RiskSeverity::Critical => (ProjectHealth::OffTrack, "critical"),
            RiskSeverity::High => (ProjectHealth::AtRisk, "high"),
            _ => continue,
        };
        reasons.push(Reason {
            signal: HealthSignal::OpenRisk,
            health,
            detail: format!("{band} risk {title:?} is open"),
        });
    }
    if s.breached_tickets > 0 {
        reasons.push(Reason {
            signal: HealthSignal::BreachedServiceLevel,
            health: if s.breached_tickets >= BREACHED_TICKETS_OFF_TRACK {
                ProjectHealth::OffTrack
            } else {
                ProjectHealth::AtRisk
            },
            detail: format!(
                "{} open ticket(s) past a service-level target",
                s.breached_tickets
            ),
        });
    }
    if let Some(due) = s.report_overdue_since {
        reasons.push(Reason {
            signal: HealthSignal::ReportOverdue,
            health: ProjectHealth::AtRisk,
            detail: format!("a progress report was due at {}", due.to_rfc3339()),
        });
    }
    if let Some(due) = s.kickoff_overdue_since {
        reasons.push(Reason {
            signal: HealthSignal::KickoffOverdue,
            health: ProjectHealth::AtRisk,
            detail: format!(
                "no team formed and kickoff held within 72 hours of signing (due {})",
                due.to_rfc3339()
            ),
        });
    }
    reasons.extend(overdue_items(
        HealthSignal::WaitingOnCustomer,
        "customer",
        &s.overdue_customer_items,
    ));
    reasons.extend(overdue_items(
        HealthSignal::ActionItemOverdue,
        "vendor",
        &s.overdue_vendor_items,
    ));
    reasons.sort_by_key(|r| std::cmp::Reverse(rank(r.health)));
    let health = reasons.first().map_or(ProjectHealth::OnTrack, |r| r.health);
    (health, reasons)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn overdue_items_of_each_side_are_reasons_of_their_own() {
        let s = Signals {
            overdue_customer_items: vec![("Interface protocol".into(), 2), ("VPN".into(), 5)],
            overdue_vendor_items: vec![("Install guide".into(), 1)],
            ..Signals::default()
        };
        let (h, reasons) = assess(&s);
        assert_eq!(h, ProjectHealth::AtRisk);
        assert_eq!(reasons[0].signal, HealthSignal::WaitingOnCustomer);
        assert_eq!(
            reasons[0].detail,
            "2 customer action item(s) overdue, \"VPN\" by 5 days"
        );
        assert_eq!(reasons[1].signal, HealthSignal::ActionItemOverdue);
    }

    #[test]
    fn no_signal_is_on_track() {
        let (h, reasons) = assess(&Signals::default());
        assert_eq!(h, ProjectHealth::OnTrack);
        assert!(reasons.is_empty());
    }

    #[test]
    fn the_worst_reason_decides() {
        let s = Signals {
            overdue_milestones: vec![("Go-live".into(), 3)],
            open_risks: vec![
                ("Supplier".into(), RiskSeverity::Medium),
                ("Key contact leaving".into(), RiskSeverity::High),
            ],
            breached_tickets: 0,
            report_overdue_since: Some(Utc.with_ymd_and_hms(2026, 11, 20, 1, 0, 0).unwrap()),
            ..Signals::default()
        };
        let (h, reasons) = assess(&s);
        assert_eq!(h, ProjectHealth::AtRisk);
        // A medium risk is no reason.
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert_eq!(
            reasons[1].detail,
            "high risk \"Key contact leaving\" is open"
        );

        let late = Signals {
            overdue_milestones: vec![("Hardware".into(), LATE_DAYS_OFF_TRACK + 1)],
            ..s.clone()
        };
        let (h, reasons) = assess(&late);
        assert_eq!(h, ProjectHealth::OffTrack);
        assert_eq!(reasons[0].signal, HealthSignal::OverdueMilestone);
    }

    #[test]
    fn breached_tickets_and_critical_risks_weigh_in() {
        let some = Signals {
            breached_tickets: 1,
            ..Signals::default()
        };
        assert_eq!(assess(&some).0, ProjectHealth::AtRisk);
        let many = Signals {
            breached_tickets: BREACHED_TICKETS_OFF_TRACK,
            ..Signals::default()
        };
        assert_eq!(assess(&many).0, ProjectHealth::OffTrack);
        let critical = Signals {
            open_risks: vec![("Data loss".into(), RiskSeverity::Critical)],
            ..Signals::default()
        };
        assert_eq!(assess(&critical).0, ProjectHealth::OffTrack);
    }
}
