//! SMTP connections: where to, how (plain, STARTTLS, TLS), as whom, and a small pool of
//! open connections, one per message being sent at once.
//!
//! lettre speaks the protocol; the sockets are ours, with `TCP_NODELAY`: lettre writes a
//! message's data and its closing `.` in two writes, and with Nagle's algorithm the second
//! waits for the server's delayed acknowledgement, 40 ms per message on Linux (87
//! messages/s against a loopback server where 4 connections could do several hundred).

use std::time::{Duration, Instant};

use lettre::{
    address::Envelope,
    transport::smtp::{
        authentication::{Credentials, Mechanism},
        client::{AsyncSmtpConnection, TlsParameters},
        extension::ClientId,
    },
};
use tokio::sync::Mutex;

/// How a connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tls {
    /// Plain text (a relay on the same host or network).
    None,
    /// STARTTLS, refused if the server does not offer it.
    Required,
    /// STARTTLS when the server offers it.
    Opportunistic,
    /// TLS from the first byte (`smtps://`, port 465).
    Wrapper,
}

/// The server an `SMTP_URL` names.
#[derive(Debug, Clone)]
pub struct Server {
    pub host: String,
    pub port: u16,
    pub tls: Tls,
    pub credentials: Option<(String, String)>,
    /// The EHLO name: the URL's path, or the host's name.
    pub hello: Option<String>,
}

/// Why a message was not sent: `permanent` (a 5xx answer) or worth trying again.
#[derive(Debug)]
pub struct SendError {
    pub permanent: bool,
    pub message: String,
}

impl From<lettre::transport::smtp::Error> for SendError {
    fn from(e: lettre::transport::smtp::Error) -> Self {
        Self {
            permanent: e.is_permanent(),
            message: e.to_string(),
        }
    }
}

/// Open connections to one server, reused message after message.
pub struct Pool {
    server: Server,
    timeout: Duration,
    /// Connections not in use, with when each was last used.
    idle: Mutex<Vec<(Instant, AsyncSmtpConnection)>>,
}

/// Longest a connection waits unused for its next message: servers close idle ones (after
/// 5 minutes, RFC 5321), and a fresh one costs less than a failed attempt.
const IDLE: Duration = Duration::from_secs(60);

impl Pool {
    pub fn new(server: Server, timeout: Duration) -> Self {
        Self {
            server,
            timeout,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn hello(&self) -> ClientId {
        self.server
            .hello
            .clone()
            .map_or_else(ClientId::default, ClientId::Domain)
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let s = &self.server;
        let hello = self.hello();
        let tls = || TlsParameters::new(s.host.clone());
        let mut conn = if s.tls == Tls::Wrapper {
            // Implicit TLS: lettre opens the socket (Nagle stays on for these).
            AsyncSmtpConnection::connect_tokio1(
                (s.host.as_str(), s.port),
                Some(self.timeout),
                &hello,
                Some(tls()?),
                None,
            )
            .await?
        } else {
            let stream = tokio::net::TcpStream::connect((s.host.as_str(), s.port))
                .await
                .map_err(|e| SendError {
                    permanent: false,
                    message: format!("connecting to {}:{}: {e}", s.host, s.port),
                })?;
            let _ = stream.set_nodelay(true);
            AsyncSmtpConnection::connect_with_transport(Box::new(stream), &hello).await?
        };
        match s.tls {
            Tls::Required => conn.starttls(tls()?, &hello).await?,
            Tls::Opportunistic if conn.can_starttls() => conn.starttls(tls()?, &hello).await?,
            _ => {}
        }
        if let Some((user, password)) = &s.credentials {
            conn.auth(
                &[Mechanism::Plain, Mechanism::Login],
                &Credentials::new(user.clone(), password.clone()),
            )
            .await?;
        }
        Ok(conn)
    }

    /// Sends one message on an idle connection (or a new one), within the timeout.
    pub async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        let attempt = async {
            let reused = self
                .idle
                .lock()
                .await
                .pop()
                .filter(|(at, c)| at.elapsed() < IDLE && !c.has_broken());
            let (was_reused, mut conn) = match reused {
                Some((_, c)) => (true, c),
                None => (false, self.connect().await?),
            };
            let mut sent = conn.send(envelope, message).await;
            if let Err(e) = &sent
                && was_reused
                && !e.is_response()
            {
                // The server closed the idle connection: once more on a new one.
                conn = self.connect().await?;
                sent = conn.send(envelope, message).await;
            }
            if !conn.has_broken() {
                self.idle.lock().await.push((Instant::now(), conn));
            }
            sent.map(|_| ()).map_err(SendError::from)
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(result) => result,
            Err(_) => Err(SendError {
                permanent: false,
                message: format!("no answer within {} s", self.timeout.as_secs()),
            }),
        }
    }
}
