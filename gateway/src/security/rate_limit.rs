//! A small keyed rate limiter: a fixed number of hits per key per window (a token bucket
//! that refills continuously), with a bounded number of keys. Used for logins and password
//! resets, per client IP and per account; refusals become 429 with `Retry-After`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Most keys remembered; beyond, full buckets are forgotten (they carry no state).
pub const KEYS_MAX: usize = 100_000;

#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// `max` hits per `window` for each key.
#[derive(Debug)]
pub struct RateLimiter {
    max: f64,
    window: Duration,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// A limiter of `max` hits per `window` per key.
    #[must_use]
    pub fn new(max: u32, window: Duration) -> Self {
        Self { max: f64::from(max.max(1)), window: window.max(Duration::from_millis(1)), buckets: Mutex::default() }
    }

    fn refill(&self, bucket: &mut Bucket, now: Instant) {
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.max / self.window.as_secs_f64()).min(self.max);
        bucket.at = now;
    }

    fn retry_after(&self, bucket: &Bucket) -> Duration {
        let missing = (1.0 - bucket.tokens).max(0.0);
        Duration::from_secs_f64(missing * self.window.as_secs_f64() / self.max).max(Duration::from_secs(1))
    }

    /// Checks without using a hit: `Err(retry_after)` if `key` has none left.
    ///
    /// # Errors
    /// How long until the next hit is allowed.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.apply(key, false)
    }

    /// Uses one hit of `key`.
    ///
    /// # Errors
    /// How long until the next hit is allowed (nothing is used then).
    pub fn hit(&self, key: &str) -> Result<(), Duration> {
        self.apply(key, true)
    }

    fn apply(&self, key: &str, take: bool) -> Result<(), Duration> {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return Ok(()); // A poisoned lock only ever follows a panic elsewhere; fail open.
        };
        if buckets.len() >= KEYS_MAX && !buckets.contains_key(key) {
            let (max, window) = (self.max, self.window);
            buckets.retain(|_, b| {
                let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
                b.tokens + elapsed * max / window.as_secs_f64() < max
            });
            if buckets.len() >= KEYS_MAX {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(key.to_owned()).or_insert(Bucket { tokens: self.max, at: now });
        self.refill(bucket, now);
        if bucket.tokens < 1.0 {
            return Err(self.retry_after(bucket));
        }
        if take {
            bucket.tokens -= 1.0;
        }
        Ok(())
    }

    /// Gives `key` its whole allowance back (after a successful login).
    pub fn reset(&self, key: &str) {
        if let Ok(mut buckets) = self.buckets.lock() {
            buckets.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn allows_max_per_window_then_refills() {
        let limiter = RateLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            limiter.hit("ip:1").expect("allowed");
        }
        let wait = limiter.hit("ip:1").expect_err("limited");
        assert!(wait >= Duration::from_secs(19) && wait <= Duration::from_secs(21), "{wait:?}");
        assert!(limiter.check("ip:1").is_err());
        limiter.hit("ip:2").expect("other keys are separate");
        tokio::time::advance(Duration::from_secs(21)).await;
        limiter.hit("ip:1").expect("one hit refilled");
        assert!(limiter.hit("ip:1").is_err());
        limiter.reset("ip:1");
        limiter.hit("ip:1").expect("reset");
    }
}
