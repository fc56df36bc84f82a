//! E-mail delivery: the sender task takes due messages from the outbox (written by
//! `service::outbox` in each change's transaction) and sends them over SMTP.
//!
//! - Claims: an instance claims a batch with one conditional `UPDATE … RETURNING`
//!   (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so instances never wait for or take each
//!   other's rows; SQLite has one process per file). A claim runs out after
//!   [`MailOptions::claim`]: the rows of an instance that died are sent by another.
//! - Outcomes: sent; a temporary failure (an SMTP 4xx, a dropped connection, a timeout)
//!   is tried again with a doubling wait, up to [`MailOptions::max_attempts`]; a permanent
//!   refusal (5xx) fails at once. Failed messages stay in the outbox, shown to staff.
//! - At least once: an instance that dies between the server's "250" and writing `SENT`
//!   leaves the message to be sent again, with the same `Message-ID` (the row's), so the
//!   receiving side can tell. Never twice otherwise: one claim per message at a time.
//! - Without an SMTP server configured nothing is sent and nothing read: messages wait in
//!   the outbox as `PENDING`, to go when one is.
//! - The task reads only when a commit may have queued mail (an event that calls for it,
//!   from any instance), when a retry comes due, and at [`MailOptions::poll`].

pub mod smtp;
pub mod templates;

use std::time::Duration;

use chrono::{DateTime, Utc};
use entity::{MailStatus, outbox_message as outbox};
use futures_util::StreamExt;
use lettre::{
    Message,
    message::{
        Mailbox,
        header::{ContentType, HeaderName, HeaderValue},
    },
};
use sea_orm::{
    ColumnTrait, DatabaseBackend, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect,
    Statement, prelude::Expr,
};
use tokio::sync::broadcast;
use tokio_util::sync::CancellationToken;

pub use templates::Links;

use crate::{domain::mail::retry_after, live::Hub, time::Time};

/// The SMTP server and the sender, from one URL: `smtp://user:pass@host:587?tls=required`
/// (STARTTLS), `smtps://…:465` (TLS from the start), `smtp://host:25` (plain, for a
/// local relay), with `&from=Name <address>` naming the sender.
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    server: smtp::Server,
    from: Mailbox,
}

impl SmtpSettings {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = url::Url::parse(raw).map_err(|e| format!("SMTP_URL: {e}"))?;
        let query = |key: &str| {
            url.query_pairs()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v.into_owned())
        };
        let (tls, default_port) = match (url.scheme(), query("tls").as_deref()) {
            ("smtp", None | Some("none")) => (smtp::Tls::None, 25),
            ("smtp", Some("required")) => (smtp::Tls::Required, 587),
            ("smtp", Some("opportunistic")) => (smtp::Tls::Opportunistic, 587),
            ("smtps", None) => (smtp::Tls::Wrapper, 465),
            (scheme, tls) => {
                return Err(format!(
                    "SMTP_URL: use smtp:// (with tls=required, tls=opportunistic or none) or \
                     smtps://, not {scheme}:// with tls={}",
                    tls.unwrap_or("-")
                ));
            }
        };
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("SMTP_URL names no host")?
            .trim_matches(['[', ']'])
            .to_owned();
        let decode = |s: &str| {
            percent_decode(s).ok_or_else(|| "SMTP_URL: the credentials are not UTF-8".to_owned())
        };
        let credentials = match url.password() {
            Some(p) => Some((decode(url.username())?, decode(p)?)),
            None if !url.username().is_empty() => {
                return Err("SMTP_URL has a user without a password".into());
            }
            None => None,
        };
        let hello = Some(url.path().trim_matches('/').to_owned()).filter(|p| !p.is_empty());
        let from = query("from")
            .ok_or("SMTP_URL needs a sender: add from=Name%20%3Caddress%3E to its query")?
            .parse::<Mailbox>()
            .map_err(|e| format!("SMTP_URL's from is not an address: {e}"))?;
        Ok(Self {
            server: smtp::Server {
                host,
                port: url.port().unwrap_or(default_port),
                tls,
                credentials,
                hello,
            },
            from,
        })
    }

    /// Where mail goes, for logs (never the password).
    pub fn describe(&self) -> String {
        let s = &self.server;
        format!(
            "{}:{} ({:?}{}), from {}",
            s.host,
            s.port,
            s.tls,
            s.credentials
                .as_ref()
                .map_or(String::new(), |(user, _)| format!(", as {user}")),
            self.from
        )
    }
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 3 <= bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 3;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// Settings of e-mail delivery.
#[derive(Debug, Clone)]
pub struct MailOptions {
    /// Where mail goes; none keeps it in the outbox.
    pub smtp: Option<SmtpSettings>,
    /// Where the links in messages point.
    pub links: Links,
    /// The wait after the first temporary failure; doubled after each next one (to an
    /// hour).
    pub retry_base: Duration,
    /// Attempts before a message that keeps failing temporarily is given up.
    pub max_attempts: u32,
    /// How long the SMTP server has for one command.
    pub timeout: Duration,
    /// How long a claim holds: a message claimed longer ago is claimed again.
    pub claim: Duration,
    /// The longest wait between two looks when no event calls for one.
    pub poll: Duration,
    /// Messages claimed at once, and sent at once.
    pub batch: u64,
    pub concurrency: usize,
}

impl Default for MailOptions {
    fn default() -> Self {
        Self {
            smtp: None,
            links: Links::new("http://localhost:8080"),
            retry_base: Duration::from_secs(60),
            max_attempts: 10,
            timeout: Duration::from_secs(30),
            claim: Duration::from_secs(300),
            poll: Duration::from_secs(30),
            batch: 50,
            concurrency: 4,
        }
    }
}

/// A handle on the sender task.
#[derive(Clone)]
pub struct Mailer {
    stopped: CancellationToken,
}

impl Mailer {
    /// Starts the sender on the current runtime; when `stop` is cancelled it finishes
    /// the messages under way and stops.
    pub fn start(
        db: DatabaseConnection,
        hub: Hub,
        time: Time,
        options: MailOptions,
        stop: CancellationToken,
    ) -> Self {
        let stopped = CancellationToken::new();
        tokio::spawn(run(db, hub, time, options, stop, stopped.clone()));
        Self { stopped }
    }

    /// Resolves once the task has stopped.
    pub async fn stopped(&self) {
        self.stopped.cancelled().await;
    }
}

struct Sender {
    db: DatabaseConnection,
    time: Time,
    options: MailOptions,
    smtp: SmtpSettings,
    pool: smtp::Pool,
    me: String,
}

/// What became of one attempt.
enum Outcome {
    Sent,
    Retry(String),
    Failed(String),
}

async fn run(
    db: DatabaseConnection,
    hub: Hub,
    time: Time,
    options: MailOptions,
    stop: CancellationToken,
    stopped: CancellationToken,
) {
    let _done = stopped.drop_guard();
    let Some(smtp) = options.smtp.clone() else {
        tracing::info!("e-mail: no SMTP_URL; messages wait in the outbox");
        return;
    };
    let pool = smtp::Pool::new(smtp.server.clone(), options.timeout);
    tracing::info!(smtp = %smtp.describe(), "e-mail: sending");
    let sender = Sender {
        me: format!("{}-{}", std::process::id(), crate::random::hex(6)),
        db,
        time,
        options,
        smtp,
        pool,
    };
    let mut events = hub.subscribe();
    loop {
        let wait = match sender.round(&stop).await {
            Ok(next) => next
                .map(|at| (at - sender.time.now()).to_std().unwrap_or_default())
                .unwrap_or(sender.options.poll)
                .min(sender.options.poll),
            Err(e) => {
                tracing::warn!(error = ?e, "e-mail: sending round failed");
                Duration::from_secs(1).min(sender.options.poll)
            }
        };
        if stop.is_cancelled() {
            return;
        }
        let nap = tokio::time::sleep(wait);
        tokio::pin!(nap);
        loop {
            tokio::select! {
                () = stop.cancelled() => return,
                () = &mut nap => break,
                received = events.recv() => match received {
                    Ok(e) if crate::domain::mail::may_queue(&e) => break,
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => break,
                    Err(broadcast::error::RecvError::Closed) => {
                        events = hub.subscribe();
                        break;
                    }
                },
            }
        }
    }
}

impl Sender {
    /// Sends every due message, batch after batch; returns when the next retry is due.
    async fn round(
        &self,
        stop: &CancellationToken,
    ) -> crate::error::AppResult<Option<DateTime<Utc>>> {
        loop {
            let batch = self.claim().await?;
            let full = batch.len() as u64 >= self.options.batch;
            let outcomes: Vec<(outbox::Model, Outcome)> = futures_util::stream::iter(batch)
                .map(|m| async move {
                    let outcome = self.send(&m).await;
                    (m, outcome)
                })
                .buffer_unordered(self.options.concurrency.max(1))
                .collect()
                .await;
            self.record(outcomes).await?;
            if !full || stop.is_cancelled() {
                break;
            }
        }
        let next: Option<DateTime<Utc>> = outbox::Entity::find()
            .select_only()
            .column_as(outbox::Column::NextAttemptAt.min(), "next")
            .filter(outbox::Column::Status.eq(MailStatus::Pending))
            .into_tuple()
            .one(&self.db)
            .await?
            .flatten();
        Ok(next)
    }

    /// Claims up to a batch of due messages (and any whose claim ran out).
    async fn claim(&self) -> crate::error::AppResult<Vec<outbox::Model>> {
        let now = self.time.now();
        let until = now + chrono::Duration::from_std(self.options.claim).unwrap_or_default();
        let backend = self.db.get_database_backend();
        let (p, skip) = match backend {
            DatabaseBackend::Postgres => (
                ["$1", "$2", "$3", "$4", "$5", "$6"],
                " FOR UPDATE SKIP LOCKED",
            ),
            _ => (["?", "?", "?", "?", "?", "?"], ""),
        };
        let sql = format!(
            "UPDATE outbox_messages SET status = {sending}, claimed_by = {me}, claimed_until = {until}, \
             attempts = attempts + 1 \
             WHERE id IN (SELECT id FROM outbox_messages \
               WHERE (status = {pending} AND next_attempt_at <= {now}) \
                  OR (status = {sending2} AND claimed_until < {now2}) \
               ORDER BY next_attempt_at, id LIMIT {limit}{skip}) \
             RETURNING *",
            sending = p[0],
            me = p[1],
            until = p[2],
            pending = p[3],
            now = p[4],
            sending2 = p[0],
            now2 = p[4],
            limit = self.options.batch,
        );
        // SQLite binds `?` by position, so the repeated ones are bound again.
        let mut values: Vec<sea_orm::Value> = vec![
            MailStatus::Sending.as_str().into(),
            self.me.clone().into(),
            until.into(),
            MailStatus::Pending.as_str().into(),
            now.into(),
        ];
        if backend != DatabaseBackend::Postgres {
            values.push(MailStatus::Sending.as_str().into());
            values.push(now.into());
        }
        Ok(outbox::Entity::find()
            .from_raw_sql(Statement::from_sql_and_values(backend, sql, values))
            .all(&self.db)
            .await?)
    }

    async fn send(&self, m: &outbox::Model) -> Outcome {
        let message = match self.message(m) {
            Ok(message) => message,
            Err(e) => return Outcome::Failed(e),
        };
        match self
            .pool
            .send(message.envelope(), &message.formatted())
            .await
        {
            Ok(()) => Outcome::Sent,
            Err(e) if e.permanent => Outcome::Failed(format!("refused: {}", e.message)),
            Err(e) => Outcome::Retry(e.message),
        }
    }

    fn message(&self, m: &outbox::Model) -> Result<Message, String> {
        let data: serde_json::Value =
            serde_json::from_str(&m.data).map_err(|e| format!("message data: {e}"))?;
        let rendered = templates::render(
            m.kind,
            m.language,
            &data,
            &self.options.links,
            &m.unsubscribe_token,
        )?;
        let address = m.address.as_deref().ok_or("no address")?;
        let name = data.get("name").and_then(|v| v.as_str()).map(str::to_owned);
        let to = Mailbox::new(
            name,
            address
                .parse()
                .map_err(|e| format!("bad address {address:?}: {e}"))?,
        );
        let domain = self.smtp.from.email.domain().to_owned();
        let unsubscribe = self.options.links.unsubscribe(&m.unsubscribe_token);
        Message::builder()
            .from(self.smtp.from.clone())
            .to(to)
            .subject(rendered.subject)
            // The row's id: a message sent again after a crash is recognisably the same.
            .message_id(Some(format!(
                "<outbox-{}-{}@{domain}>",
                m.id,
                &m.unsubscribe_token[..8]
            )))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe"),
                format!("<{unsubscribe}>"),
            ))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                "List-Unsubscribe=One-Click".into(),
            ))
            .header(ContentType::TEXT_PLAIN)
            .body(rendered.body)
            .map_err(|e| format!("building the message: {e}"))
    }

    /// Writes the outcomes: the sent ones in one statement, each other on its own; every
    /// write only while this instance still holds the claim.
    async fn record(&self, outcomes: Vec<(outbox::Model, Outcome)>) -> crate::error::AppResult<()> {
        let now = self.time.now();
        let mine = || outbox::Column::ClaimedBy.eq(self.me.clone());
        let sent: Vec<i64> = outcomes
            .iter()
            .filter(|(_, o)| matches!(o, Outcome::Sent))
            .map(|(m, _)| m.id)
            .collect();
        if !sent.is_empty() {
            outbox::Entity::update_many()
                .col_expr(
                    outbox::Column::Status,
                    Expr::value(MailStatus::Sent.as_str()),
                )
                .col_expr(outbox::Column::SentAt, Expr::value(now))
                .col_expr(
                    outbox::Column::ClaimedBy,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    outbox::Column::ClaimedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .col_expr(
                    outbox::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .filter(outbox::Column::Id.is_in(sent))
                .filter(mine())
                .exec(&self.db)
                .await?;
        }
        for (m, outcome) in outcomes {
            let attempts = u32::try_from(m.attempts).unwrap_or(u32::MAX);
            let (status, next, error) = match outcome {
                Outcome::Sent => continue,
                Outcome::Failed(e) => (MailStatus::Failed, now, e),
                Outcome::Retry(e) => {
                    match retry_after(attempts, self.options.retry_base, self.options.max_attempts)
                    {
                        Some(wait) => (MailStatus::Pending, now + wait, e),
                        None => (
                            MailStatus::Failed,
                            now,
                            format!("gave up after {attempts} attempts: {e}"),
                        ),
                    }
                }
            };
            tracing::warn!(message = m.id, status = %status, error = %error, "e-mail not sent");
            outbox::Entity::update_many()
                .col_expr(outbox::Column::Status, Expr::value(status.as_str()))
                .col_expr(outbox::Column::NextAttemptAt, Expr::value(next))
                .col_expr(outbox::Column::LastError, Expr::value(Some(error)))
                .col_expr(
                    outbox::Column::ClaimedBy,
                    Expr::value(Option::<String>::None),
                )
                .col_expr(
                    outbox::Column::ClaimedUntil,
                    Expr::value(Option::<DateTime<Utc>>::None),
                )
                .filter(outbox::Column::Id.eq(m.id))
                .filter(mine())
                .exec(&self.db)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_smtp_url_names_server_tls_credentials_and_sender() {
        let s = SmtpSettings::parse(
            "smtp://desk:s%40cret@mail.example:2587/desk.vendor.example?tls=required&from=Delivery%20Desk%20%3Cdesk%40vendor.example%3E",
        )
        .expect("valid");
        assert_eq!(s.from.email.to_string(), "desk@vendor.example");
        assert_eq!(s.from.name.as_deref(), Some("Delivery Desk"));
        assert_eq!(s.server.host, "mail.example");
        assert_eq!(s.server.port, 2587);
        assert_eq!(s.server.tls, smtp::Tls::Required);
        assert_eq!(s.server.credentials, Some(("desk".into(), "s@cret".into())));
        assert_eq!(s.server.hello.as_deref(), Some("desk.vendor.example"));
        assert!(!s.describe().contains("cret"), "{}", s.describe());
        let plain =
            SmtpSettings::parse("smtp://127.0.0.1?from=desk@vendor.example").expect("plain");
        assert_eq!((plain.server.port, plain.server.tls), (25, smtp::Tls::None));
        let wrapped =
            SmtpSettings::parse("smtps://mail.example?from=desk@vendor.example").expect("tls");
        assert_eq!(
            (wrapped.server.port, wrapped.server.tls),
            (465, smtp::Tls::Wrapper)
        );
        let starttls =
            SmtpSettings::parse("smtp://mail.example?tls=opportunistic&from=desk@vendor.example")
                .expect("tls");
        assert_eq!(
            (starttls.server.port, starttls.server.tls),
            (587, smtp::Tls::Opportunistic)
        );
        for bad in [
            "smtp://127.0.0.1:2525",
            "smtp://127.0.0.1?from=not-an-address",
            "http://mail.example?from=desk@vendor.example",
            "smtp://mail.example?tls=sometimes&from=desk@vendor.example",
            "smtps://mail.example?tls=required&from=desk@vendor.example",
            "smtp://user@mail.example?from=desk@vendor.example",
        ] {
            assert!(SmtpSettings::parse(bad).is_err(), "{bad}");
        }
    }
}
