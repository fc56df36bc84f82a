//! Webhook rules: which events an endpoint wants, how a request is signed, how long to
//! wait after a failure, and when an endpoint that keeps failing is disabled.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{EntityKind, EventKind, event};
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::error::{AppError, AppResult};

/// What an endpoint registered for; an empty list wants every value.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Interest {
    pub event_kinds: Vec<EventKind>,
    pub entity_kinds: Vec<EntityKind>,
    pub project_ids: Vec<i64>,
    pub client_ids: Vec<i64>,
}

impl Interest {
    /// Whether `e` is one the endpoint wants. A project or client filter wants only
    /// events about that project or client (an event about no project is not one).
    pub fn wants(&self, e: &event::Model) -> bool {
        let any =
            |list: &[i64], v: Option<i64>| list.is_empty() || v.is_some_and(|v| list.contains(&v));
        (self.event_kinds.is_empty() || self.event_kinds.contains(&e.kind))
            && (self.entity_kinds.is_empty() || self.entity_kinds.contains(&e.entity_kind))
            && any(&self.project_ids, e.project_id)
            && any(&self.client_ids, e.client_id)
    }
}

/// The signature header's value: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, as
/// Stripe signs. The timestamp lets a receiver refuse a replayed request.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

/// How long to wait after the `failures`-th failure in a row: `base` doubled each time,
/// at most `cap`.
pub fn backoff(failures: u32, base: Duration, cap: Duration) -> Duration {
    base.saturating_mul(1u32 << failures.saturating_sub(1).min(20))
        .min(cap)
}

/// Whether an endpoint failing since `since` has failed long enough to be disabled.
pub fn gives_up(since: DateTime<Utc>, now: DateTime<Utc>, after: Duration) -> bool {
    (now - since).to_std().is_ok_and(|d| d >= after)
}

/// Longest URL accepted.
const MAX_URL: usize = 2_000;

/// An endpoint's URL: absolute `http` or `https` with a host, no credentials in it.
pub fn check_url(url: &str) -> AppResult<String> {
    let url = url.trim();
    let bad = |why: &str| AppError::input("url", why);
    if url.len() > MAX_URL {
        return Err(bad("the URL is too long"));
    }
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad("the URL must start with https:// or http://"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if authority.is_empty() || authority.starts_with(':') {
        return Err(bad("the URL has no host"));
    }
    if authority.contains('@') {
        return Err(bad(
            "credentials do not belong in the URL; the secret signs requests",
        ));
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(bad("the URL contains spaces or control characters"));
    }
    Ok(url.to_owned())
}

/// Shortest secret accepted.
pub const MIN_SECRET: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    fn event(
        kind: EventKind,
        entity: EntityKind,
        project: Option<i64>,
        client: Option<i64>,
    ) -> event::Model {
        event::Model {
            id: 1,
            occurred_at: Utc::now(),
            actor_kind: entity::ActorKind::System,
            actor_id: None,
            kind,
            entity_kind: entity,
            entity_id: 1,
            project_id: project,
            client_id: client,
            from_status: None,
            to_status: None,
            changes: "{}".into(),
        }
    }

    #[test]
    fn an_empty_interest_wants_everything_and_filters_narrow_it() {
        let e = event(
            EventKind::StatusChanged,
            EntityKind::Ticket,
            Some(7),
            Some(3),
        );
        assert!(Interest::default().wants(&e));
        let tickets = Interest {
            entity_kinds: vec![EntityKind::Ticket],
            ..Default::default()
        };
        assert!(tickets.wants(&e));
        let stages = Interest {
            entity_kinds: vec![EntityKind::Stage],
            ..Default::default()
        };
        assert!(!stages.wants(&e));
        let other_client = Interest {
            client_ids: vec![4],
            ..Default::default()
        };
        assert!(!other_client.wants(&e));
        let project = Interest {
            project_ids: vec![7],
            event_kinds: vec![EventKind::StatusChanged],
            ..Default::default()
        };
        assert!(project.wants(&e));
        let no_project = event(EventKind::Created, EntityKind::Survey, None, None);
        assert!(!project.wants(&no_project));
    }

    #[test]
    fn the_signature_is_hmac_sha256_over_timestamp_and_body() {
        // The value Python computes: hmac.new(key, b"1700000000." + body, sha256).
        let s = signature("whsec_test_secret", 1_700_000_000, br#"{"a":1}"#);
        assert_eq!(
            s,
            "t=1700000000,v1=aecbc681fe3d2604c08ff8e880a0988d997a12367fcf9545e6a3b90c1dfc04b7"
        );
    }

    #[test]
    fn backoff_doubles_to_its_cap() {
        let base = Duration::from_secs(2);
        let cap = Duration::from_secs(60);
        assert_eq!(backoff(1, base, cap), Duration::from_secs(2));
        assert_eq!(backoff(2, base, cap), Duration::from_secs(4));
        assert_eq!(backoff(5, base, cap), Duration::from_secs(32));
        assert_eq!(backoff(6, base, cap), cap);
        assert_eq!(backoff(60, base, cap), cap);
    }

    #[test]
    fn urls_and_giving_up() {
        assert!(check_url("https://hooks.example.com/dd?x=1").is_ok());
        assert!(check_url("http://127.0.0.1:9000/").is_ok());
        assert!(check_url("ftp://x").is_err());
        assert!(check_url("https://user:pw@x.example").is_err());
        assert!(check_url("https:///path").is_err());
        assert!(check_url("https://a b").is_err());
        let t = Utc::now();
        assert!(!gives_up(
            t,
            t + chrono::Duration::seconds(5),
            Duration::from_secs(10)
        ));
        assert!(gives_up(
            t,
            t + chrono::Duration::seconds(10),
            Duration::from_secs(10)
        ));
    }
}
