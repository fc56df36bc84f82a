//! Live feeds: every committed event pushed to its subscribers, in log order, resumable.
//!
//! - [`Hub`]: one per server process. A single pump reads newly committed events from the
//!   log once and fans them out in memory; it is woken by local commits and, on
//!   PostgreSQL, by `NOTIFY` from other instances ([`listener`]).
//! - [`feed`]: one subscriber's stream: replay from the log after a cursor, then live,
//!   with no gap and no duplicate at the seam, caught up from the log when it falls behind.

pub mod feed;
pub mod hub;
pub mod listener;

pub use feed::{Filter, feed};
pub use hub::Hub;

/// The PostgreSQL notification channel; the payload is the id of the newest event of the
/// committing transaction (the log holds the events themselves).
pub const CHANNEL: &str = "delivery_desk_events";
