//! A per-caller rate limit: a token bucket per caller, refilled continuously.
//!
//! Kept in memory per server instance; behind a load balancer each instance enforces it
//! on the traffic it sees.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Buckets of requests per caller key; a rate of 0 means no limit (as every other 0 of
/// the configuration does).
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<String, (f64, Instant)>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `key`'s bucket, or says how long to wait for one.
    pub fn check(&self, key: &str, now: Instant) -> Result<(), Duration> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute.max(1));
        let per_second = capacity / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() > 100_000 {
            // Forget full buckets so that memory stays bounded by active callers.
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.duration_since(*at).as_secs_f64() * per_second < capacity
            });
        }
        let (tokens, at) = buckets.entry(key.to_owned()).or_insert((capacity, now));
        *tokens = (*tokens + now.duration_since(*at).as_secs_f64() * per_second).min(capacity);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - *tokens) / per_second))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_of_zero_is_no_limit() {
        let limiter = RateLimiter::new(0);
        let t = Instant::now();
        assert!((0..10_000).all(|_| limiter.check("a", t).is_ok()));
    }

    #[test]
    fn a_caller_over_its_rate_waits_and_others_do_not() {
        let limiter = RateLimiter::new(2);
        let t = Instant::now();
        assert!(limiter.check("a", t).is_ok());
        assert!(limiter.check("a", t).is_ok());
        let wait = limiter.check("a", t).unwrap_err();
        assert!(
            wait > Duration::from_secs(25) && wait <= Duration::from_secs(30),
            "{wait:?}"
        );
        assert!(limiter.check("b", t).is_ok());
        assert!(limiter.check("a", t + Duration::from_secs(30)).is_ok());
    }
}
