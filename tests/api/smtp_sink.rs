//! An SMTP server on loopback for tests and the benchmark: it speaks enough of RFC 5321
//! for a real client (EHLO, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps what it accepted,
//! and can refuse, defer or drop the connection.
#![allow(
    dead_code,
    reason = "the tests and the mail benchmark each use their part"
)]

use std::sync::{
    Arc, Mutex,
    atomic::{AtomicUsize, Ordering},
};

use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
};

/// What the server does with each message.
#[derive(Clone, Copy, Debug)]
pub enum Mode {
    Accept,
    /// Answers RCPT with `code` (450: try later; 550: no such mailbox) for the first
    /// `times` messages, then accepts.
    Refuse {
        code: u16,
        times: usize,
    },
    /// Reads the first `times` messages' data, then closes the connection without an
    /// answer; accepts later ones.
    Drop {
        times: usize,
    },
}

/// A message the server accepted (answered 250 to its data).
#[derive(Clone, Debug)]
pub struct Mail {
    /// When the server accepted it.
    pub at: std::time::Instant,
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Mail {
    /// A header's value (unfolded), by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(v) = value.as_mut() {
                    v.push_str(line.trim_start());
                }
                continue;
            }
            if value.is_some() {
                break;
            }
            if let Some((n, v)) = line.split_once(':')
                && n.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_owned());
            }
        }
        value
    }

    /// The body, decoded from quoted-printable or base64 when it is so encoded, with
    /// `\n` line ends.
    pub fn body(&self) -> String {
        self.raw_body().replace("\r\n", "\n")
    }

    fn raw_body(&self) -> String {
        let raw = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        match self.header("Content-Transfer-Encoding").as_deref() {
            Some(e) if e.eq_ignore_ascii_case("base64") => {
                use base64::Engine;
                let joined: String = raw.split_whitespace().collect();
                String::from_utf8(
                    base64::engine::general_purpose::STANDARD
                        .decode(joined)
                        .unwrap_or_default(),
                )
                .unwrap_or_default()
            }
            Some(e) if e.eq_ignore_ascii_case("quoted-printable") => quoted_printable(raw),
            _ => raw.to_owned(),
        }
    }
}

fn quoted_printable(s: &str) -> String {
    let mut out = Vec::new();
    let bytes = s.replace("=\r\n", "").into_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[derive(Clone)]
pub struct Sink {
    pub port: u16,
    mode: Arc<Mutex<Mode>>,
    /// Messages seen (accepted or not), for the refusals' countdown.
    seen: Arc<AtomicUsize>,
    accepted: Arc<Mutex<Vec<Mail>>>,
    arrived: Arc<tokio::sync::Notify>,
}

impl Sink {
    pub async fn start(mode: Mode) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let sink = Sink {
            port: listener.local_addr().expect("addr").port(),
            mode: Arc::new(Mutex::new(mode)),
            seen: Arc::default(),
            accepted: Arc::default(),
            arrived: Arc::default(),
        };
        let s = sink.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let _ = s.session(socket).await;
                });
            }
        });
        sink
    }

    /// The `SMTP_URL` of this server.
    pub fn url(&self) -> String {
        format!(
            "smtp://127.0.0.1:{}?from=Delivery%20Desk%20%3Cdesk%40vendor.example%3E",
            self.port
        )
    }

    pub fn accepted(&self) -> Vec<Mail> {
        self.accepted.lock().expect("lock").clone()
    }

    /// Waits until `n` messages were accepted (at most `secs` seconds).
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Mail> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let notified = self.arrived.notified();
            let got = self.accepted();
            if got.len() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.accepted();
            }
        }
    }

    async fn session(&self, socket: tokio::net::TcpStream) -> std::io::Result<()> {
        let (read, mut write) = socket.into_split();
        let mut lines = BufReader::new(read);
        write.write_all(b"220 sink.test ESMTP\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        let mut refused = false;
        loop {
            let mut line = String::new();
            if lines.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let upper = line.to_ascii_uppercase();
            if upper.starts_with("EHLO") {
                write
                    .write_all(
                        b"250-sink.test\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 PIPELINING\r\n",
                    )
                    .await?;
            } else if upper.starts_with("HELO") {
                write.write_all(b"250 sink.test\r\n").await?;
            } else if upper.starts_with("MAIL FROM:") {
                from = line[10..].trim().to_owned();
                to.clear();
                refused = false;
                write.write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("RCPT TO:") {
                let n = self.seen.fetch_add(1, Ordering::SeqCst);
                let mode = *self.mode.lock().expect("lock");
                match mode {
                    Mode::Refuse { code, times } if n < times => {
                        refused = true;
                        let reply = format!(
                            "{code} {} mailbox unavailable\r\n",
                            if code < 500 { "4.2.0" } else { "5.1.1" }
                        );
                        write.write_all(reply.as_bytes()).await?;
                    }
                    _ => {
                        to.push(line[8..].trim().to_owned());
                        write.write_all(b"250 OK\r\n").await?;
                    }
                }
            } else if upper.starts_with("DATA") {
                if refused || to.is_empty() {
                    write.write_all(b"503 no valid recipients\r\n").await?;
                    continue;
                }
                write.write_all(b"354 go ahead\r\n").await?;
                let mut data = String::new();
                loop {
                    let mut l = String::new();
                    if lines.read_line(&mut l).await? == 0 {
                        return Ok(());
                    }
                    if l == ".\r\n" {
                        break;
                    }
                    data.push_str(
                        l.strip_prefix('.')
                            .filter(|_| l.starts_with(".."))
                            .unwrap_or(&l),
                    );
                }
                let n = self.seen.load(Ordering::SeqCst);
                let mode = *self.mode.lock().expect("lock");
                if let Mode::Drop { times } = mode
                    && n <= times
                {
                    // Gone before answering: the client cannot know it arrived.
                    return Ok(());
                }
                self.accepted.lock().expect("lock").push(Mail {
                    at: std::time::Instant::now(),
                    from: from.clone(),
                    to: std::mem::take(&mut to),
                    data,
                });
                self.arrived.notify_waiters();
                write.write_all(b"250 2.0.0 queued\r\n").await?;
            } else if upper.starts_with("RSET") {
                to.clear();
                refused = false;
                write.write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("NOOP") {
                write.write_all(b"250 OK\r\n").await?;
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                write.write_all(b"502 not implemented\r\n").await?;
            }
        }
    }
}
