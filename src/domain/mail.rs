//! E-mail rules: which change makes which message, how a failed attempt is retried, and
//! when a project's weekly digest goes out.

use chrono::{DateTime, Datelike, Duration, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use entity::{
    EntityKind, EventKind, MailKind, MailStatus, ProjectStatus, RecipientKind, ReportStatus,
    TeamRole, event,
};

/// What a committed event asks to be told, and to whom it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A report was published to the client: its project's client contacts.
    ReportPublished { report: i64 },
    /// A ticket was resolved: its reporter is asked how it went.
    SatisfactionRequest { ticket: i64 },
    /// A survey was opened: the invited clients' contacts.
    SurveyInvitation { survey: i64 },
    /// A customer-side action item was given to a contact.
    ActionItemAssigned { item: i64, contact: i64 },
    /// A ticket's clock is at risk or breached: its assignee and escalation level.
    ServiceLevel { ticket: i64, breached: bool },
    /// A kickoff obligation is at risk or overdue: the project's owner.
    Kickoff { project: i64, overdue: bool },
}

impl Trigger {
    pub fn kind(self) -> MailKind {
        match self {
            Self::ReportPublished { .. } => MailKind::ReportPublished,
            Self::SatisfactionRequest { .. } => MailKind::SatisfactionRequest,
            Self::SurveyInvitation { .. } => MailKind::SurveyInvitation,
            Self::ActionItemAssigned { .. } => MailKind::ActionItemAssigned,
            Self::ServiceLevel { .. } => MailKind::ServiceLevelAlert,
            Self::Kickoff { .. } => MailKind::KickoffAlert,
        }
    }
}

/// The message an event calls for, if any. Pure: the sender also uses it to tell, from
/// the live feed alone, whether a commit may have queued mail.
pub fn trigger(e: &event::Model) -> Option<Trigger> {
    let to = e.to_status.as_deref();
    let id = e.entity_id;
    match (e.entity_kind, e.kind) {
        (EntityKind::Report, EventKind::Created | EventKind::StatusChanged)
            if to == Some(ReportStatus::Published.as_str()) =>
        {
            Some(Trigger::ReportPublished { report: id })
        }
        (EntityKind::Ticket, EventKind::StatusChanged)
            if to == Some(entity::TicketStatus::Resolved.as_str()) =>
        {
            Some(Trigger::SatisfactionRequest { ticket: id })
        }
        (EntityKind::Survey, EventKind::Created) => Some(Trigger::SurveyInvitation { survey: id }),
        (EntityKind::ActionItem, EventKind::Created | EventKind::Updated) => {
            let changes: serde_json::Value = serde_json::from_str(&e.changes).ok()?;
            let contact = changes.get("assignee_contact_id")?.as_i64()?;
            Some(Trigger::ActionItemAssigned { item: id, contact })
        }
        (EntityKind::Ticket, EventKind::ServiceLevelAtRisk) => Some(Trigger::ServiceLevel {
            ticket: id,
            breached: false,
        }),
        (EntityKind::Ticket, EventKind::ServiceLevelBreached) => Some(Trigger::ServiceLevel {
            ticket: id,
            breached: true,
        }),
        (EntityKind::Kickoff, EventKind::KickoffAtRisk) => Some(Trigger::Kickoff {
            project: id,
            overdue: false,
        }),
        (EntityKind::Kickoff, EventKind::KickoffOverdue) => Some(Trigger::Kickoff {
            project: id,
            overdue: true,
        }),
        _ => None,
    }
}

/// Whether an event may have queued mail or changed the outbox: what wakes the sender.
pub fn may_queue(e: &event::Model) -> bool {
    e.entity_kind == EntityKind::OutboxMessage || trigger(e).is_some()
}

/// Where staff may send a message again from: a failed one (its cause fixed), or one
/// suppressed for want of an address (the address added since). A message that is
/// queued, being sent or sent is not sent again by hand.
pub fn can_retry(status: MailStatus) -> bool {
    matches!(status, MailStatus::Failed | MailStatus::Suppressed)
}

/// What makes a message once-only: every instance inserts under this key and the unique
/// index keeps the first.
pub fn dedupe_key(kind: MailKind, source: &str, to: RecipientKind, id: i64) -> String {
    format!("{kind}:{source}:{to}:{id}")
}

/// When a message is tried again after its `attempts`-th temporary failure, or `None`
/// when it has failed often enough to give up: the wait doubles from `base` up to `cap`.
pub fn retry_after(
    attempts: u32,
    base: std::time::Duration,
    max_attempts: u32,
) -> Option<Duration> {
    const CAP: std::time::Duration = std::time::Duration::from_secs(3600);
    if attempts >= max_attempts {
        return None;
    }
    let wait = super::webhook::backoff(attempts, base, CAP.max(base));
    Duration::from_std(wait).ok()
}

/// The project team role an escalation level's role names ("R&D", "Technical support",
/// "PROJECT_MANAGER"...), whose members are that level's people; `None` when it names
/// none (the ladder's roles are free text).
pub fn level_team_role(role: &str) -> Option<TeamRole> {
    let key: String = role
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    Some(match key.as_str() {
        "rd" | "engineer" | "engineering" | "engineers" | "development" => TeamRole::Engineer,
        "projectmanager" | "pm" => TeamRole::ProjectManager,
        "implementationmanager" | "implementation" => TeamRole::ImplementationManager,
        "customersuccess" | "customersuccessmanager" | "csm" => TeamRole::CustomerSuccessManager,
        "customerservice" | "servicedesk" | "support" => TeamRole::CustomerService,
        "technicalsupport" | "techsupport" => TeamRole::TechnicalSupport,
        "productmanager" | "product" => TeamRole::ProductManager,
        "sales" => TeamRole::Sales,
        "salesmanager" => TeamRole::SalesManager,
        "salesrepresentative" => TeamRole::SalesRepresentative,
        "legal" => TeamRole::Legal,
        _ => return None,
    })
}

/// The phases of a project whose client gets a weekly digest.
pub fn digest_applies(status: ProjectStatus) -> bool {
    matches!(
        status,
        ProjectStatus::ContractSigned
            | ProjectStatus::Requirements
            | ProjectStatus::Design
            | ProjectStatus::Execution
            | ProjectStatus::Acceptance
    )
}

/// Friday afternoon: the local hour the weekly digest goes out.
const DIGEST_AT: NaiveTime = match NaiveTime::from_hms_opt(15, 0, 0) {
    Some(t) => t,
    None => panic!("15:00 is a time"),
};

/// One week's digest: the week's name (ISO year and week, in the policy's time zone) and
/// the period it covers, from the last Friday's sending to this one's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestWeek {
    pub name: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
}

/// The digest due at `now` in time zone `tz`: on Friday from 15:00 to midnight, local
/// time. A server that was down all Friday afternoon does not send it on Saturday.
pub fn digest_due(now: DateTime<Utc>, tz: Tz) -> Option<DigestWeek> {
    let local = now.with_timezone(&tz);
    if local.weekday() != Weekday::Fri || local.time() < DIGEST_AT {
        return None;
    }
    let at = tz
        .from_local_datetime(&local.date_naive().and_time(DIGEST_AT))
        .earliest()?
        .with_timezone(&Utc);
    let week = local.iso_week();
    Some(DigestWeek {
        name: format!("{}-W{:02}", week.year(), week.week()),
        from: at - Duration::days(7),
        to: at,
    })
}

/// The next instant a digest becomes due in `tz` after `now` (the next Friday 15:00).
pub fn next_digest(now: DateTime<Utc>, tz: Tz) -> DateTime<Utc> {
    let local = now.with_timezone(&tz);
    let mut day = local.date_naive();
    loop {
        if day.weekday() == Weekday::Fri
            && let Some(at) = tz.from_local_datetime(&day.and_time(DIGEST_AT)).earliest()
            && at.with_timezone(&Utc) > now
        {
            return at.with_timezone(&Utc);
        }
        day = day.succ_opt().unwrap_or(day);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(entity: EntityKind, kind: EventKind, to: Option<&str>, changes: &str) -> event::Model {
        event::Model {
            id: 9,
            kind,
            entity_kind: entity,
            entity_id: 4,
            project_id: Some(1),
            client_id: Some(2),
            from_status: None,
            to_status: to.map(str::to_owned),
            changes: changes.into(),
            actor_kind: entity::ActorKind::System,
            actor_id: None,
            occurred_at: Utc::now(),
        }
    }

    #[test]
    fn only_the_changes_that_concern_someone_make_mail() {
        use EntityKind as E;
        use EventKind as K;
        let cases = [
            (
                ev(E::Report, K::Created, Some("PUBLISHED"), "{}"),
                Some(MailKind::ReportPublished),
            ),
            (ev(E::Report, K::Created, Some("DRAFT"), "{}"), None),
            (
                ev(E::Report, K::StatusChanged, Some("PUBLISHED"), "{}"),
                Some(MailKind::ReportPublished),
            ),
            (
                ev(E::Ticket, K::StatusChanged, Some("RESOLVED"), "{}"),
                Some(MailKind::SatisfactionRequest),
            ),
            (ev(E::Ticket, K::StatusChanged, Some("CLOSED"), "{}"), None),
            (
                ev(E::Survey, K::Created, None, "{}"),
                Some(MailKind::SurveyInvitation),
            ),
            (ev(E::Survey, K::StatusChanged, Some("CLOSED"), "{}"), None),
            (
                ev(
                    E::ActionItem,
                    K::Created,
                    None,
                    r#"{"assignee_contact_id":3}"#,
                ),
                Some(MailKind::ActionItemAssigned),
            ),
            (
                ev(
                    E::ActionItem,
                    K::Created,
                    None,
                    r#"{"assignee_contact_id":null,"assignee_user_id":2}"#,
                ),
                None,
            ),
            (
                ev(E::ActionItem, K::Updated, None, r#"{"title":"x"}"#),
                None,
            ),
            (
                ev(E::Ticket, K::ServiceLevelAtRisk, None, "{}"),
                Some(MailKind::ServiceLevelAlert),
            ),
            (
                ev(E::Ticket, K::ServiceLevelBreached, None, "{}"),
                Some(MailKind::ServiceLevelAlert),
            ),
            (
                ev(E::Kickoff, K::KickoffOverdue, None, "{}"),
                Some(MailKind::KickoffAlert),
            ),
            (ev(E::Project, K::Updated, None, "{}"), None),
        ];
        for (e, want) in cases {
            assert_eq!(
                trigger(&e).map(Trigger::kind),
                want,
                "{:?} {:?}",
                e.entity_kind,
                e.kind
            );
        }
        let assigned = ev(
            E::ActionItem,
            K::Updated,
            None,
            r#"{"assignee_contact_id":7}"#,
        );
        assert_eq!(
            trigger(&assigned),
            Some(Trigger::ActionItemAssigned {
                item: 4,
                contact: 7
            })
        );
    }

    #[test]
    fn an_escalation_level_names_its_people_by_team_role() {
        assert_eq!(level_team_role("R&D"), Some(TeamRole::Engineer));
        assert_eq!(
            level_team_role("Technical support"),
            Some(TeamRole::TechnicalSupport)
        );
        assert_eq!(
            level_team_role("PROJECT_MANAGER"),
            Some(TeamRole::ProjectManager)
        );
        assert_eq!(level_team_role("Board of directors"), None);
    }

    #[test]
    fn only_failed_or_suppressed_messages_are_sent_again_by_hand() {
        use sea_orm::Iterable;
        let retriable: Vec<MailStatus> = MailStatus::iter().filter(|s| can_retry(*s)).collect();
        assert_eq!(retriable, [MailStatus::Failed, MailStatus::Suppressed]);
    }

    #[test]
    fn retries_double_then_give_up() {
        let base = std::time::Duration::from_secs(60);
        assert_eq!(retry_after(1, base, 8), Some(Duration::seconds(60)));
        assert_eq!(retry_after(2, base, 8), Some(Duration::seconds(120)));
        assert_eq!(retry_after(7, base, 8), Some(Duration::seconds(3600)));
        assert_eq!(retry_after(8, base, 8), None);
    }

    #[test]
    fn the_digest_is_due_on_friday_afternoon_local_time() {
        let tz: Tz = "Asia/Shanghai".parse().expect("zone");
        // Friday 2026-12-04 14:59 and 15:00 in Shanghai (UTC+8).
        let before = Utc.with_ymd_and_hms(2026, 12, 4, 6, 59, 0).unwrap();
        let at = Utc.with_ymd_and_hms(2026, 12, 4, 7, 0, 0).unwrap();
        assert_eq!(digest_due(before, tz), None);
        let week = digest_due(at, tz).expect("due");
        assert_eq!(week.name, "2026-W49");
        assert_eq!(week.to, at);
        assert_eq!(week.from, at - Duration::days(7));
        // Saturday 00:00 local is too late; the next one is a week on.
        let saturday = Utc.with_ymd_and_hms(2026, 12, 4, 16, 0, 0).unwrap();
        assert_eq!(digest_due(saturday, tz), None);
        assert_eq!(next_digest(before, tz), at);
        assert_eq!(next_digest(at, tz), at + Duration::days(7));
        // The same Friday 15:00 in London is another instant.
        let london: Tz = "Europe/London".parse().expect("zone");
        assert_eq!(
            next_digest(before, london),
            Utc.with_ymd_and_hms(2026, 12, 4, 15, 0, 0).unwrap()
        );
    }
}
