//! When a subscriber's bytes arrived, as the kernel saw them (Linux `SO_TIMESTAMPNS`).
//!
//! The live benchmark's load generator shares the machine's two cores with the server, so
//! the moment it reads a frame includes however long it waited for a core: a client on
//! its own machine, as every real subscriber is, would have had the frame then. The
//! kernel stamps each segment as it is queued on the receiving socket (on loopback, inside
//! the server's `sendto`), and `recvmsg` hands that stamp back with the bytes. This stream
//! reads through `recvmsg` and keeps the stamp of its last read, which is when the last
//! byte of a frame read whole (frames here are a few hundred bytes) reached the
//! subscriber.

use std::{
    io::{self, IoSliceMut},
    os::fd::AsRawFd,
    pin::Pin,
    task::{Context, Poll, ready},
};

use chrono::{DateTime, Utc};
use nix::sys::socket::{
    ControlMessageOwned, MsgFlags, recvmsg, setsockopt, sockopt::ReceiveTimestampns,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, Interest, ReadBuf},
    net::TcpStream,
};

/// A TCP stream that remembers when the bytes of its last read arrived.
pub struct Stamped {
    inner: TcpStream,
    last: Option<DateTime<Utc>>,
}

impl Stamped {
    /// `inner`, with the kernel asked to stamp what it receives from now on.
    pub fn new(inner: TcpStream) -> io::Result<Self> {
        setsockopt(&inner, ReceiveTimestampns, &true)?;
        Ok(Self { inner, last: None })
    }

    /// When the bytes of the last read arrived (`None` before any stamped read).
    pub fn arrived(&self) -> Option<DateTime<Utc>> {
        self.last
    }

    fn recv(&self, buf: &mut [u8]) -> io::Result<(usize, Option<DateTime<Utc>>)> {
        let mut iov = [IoSliceMut::new(buf)];
        let mut control = nix::cmsg_space!(nix::sys::time::TimeSpec);
        let msg = recvmsg::<()>(
            self.inner.as_raw_fd(),
            &mut iov,
            Some(&mut control),
            MsgFlags::empty(),
        )?;
        let stamp = msg.cmsgs()?.find_map(|c| match c {
            ControlMessageOwned::ScmTimestampns(t) => {
                DateTime::from_timestamp(t.tv_sec(), u32::try_from(t.tv_nsec()).ok()?)
            }
            _ => None,
        });
        Ok((msg.bytes, stamp))
    }
}

impl AsyncRead for Stamped {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            ready!(this.inner.poll_read_ready(cx))?;
            let unfilled = buf.initialize_unfilled();
            // `try_io` clears the readiness when the kernel has nothing after all.
            match this
                .inner
                .try_io(Interest::READABLE, || this.recv(unfilled))
            {
                Ok((n, stamp)) => {
                    buf.advance(n);
                    if stamp.is_some() {
                        this.last = stamp;
                    }
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl AsyncWrite for Stamped {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}
