//! Where "now" comes from: the system clock, or a clock the tests set and advance, so
//! that no test sleeps for a service-level deadline.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Debug, Default)]
pub struct Time(Option<Arc<Mutex<DateTime<Utc>>>>);

/// The system clock.
pub static SYSTEM_TIME: Time = Time(None);

impl Time {
    /// A clock that stands still at `at` until it is moved.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self(Some(Arc::new(Mutex::new(at))))
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(at) => *at.lock().unwrap_or_else(|p| p.into_inner()),
        }
    }

    /// Moves a manual clock forward; the system clock cannot be moved.
    pub fn advance(&self, by: Duration) {
        if let Some(at) = &self.0 {
            *at.lock().unwrap_or_else(|p| p.into_inner()) += by;
        }
    }
}
