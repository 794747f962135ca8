//! Time as an input. Pure code takes `now`; only the actor asks a [`Clock`].

use std::sync::Arc;

use boxoffice_storage::Timestamp;

/// A source of the current time.
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> Timestamp;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that follows tokio's (pausable) time from a fixed start; tests use it with
/// `tokio::time::pause` and `advance` to expire holds without sleeping.
#[derive(Debug, Clone)]
pub struct TokioClock {
    origin: Timestamp,
    started: tokio::time::Instant,
}

impl TokioClock {
    /// A clock that reads `origin` now and advances with tokio time.
    #[must_use]
    pub fn starting_at(origin: Timestamp) -> Arc<Self> {
        Arc::new(Self { origin, started: tokio::time::Instant::now() })
    }
}

impl Clock for TokioClock {
    fn now(&self) -> Timestamp {
        let elapsed = i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX);
        self.origin.plus_millis(elapsed)
    }
}

/// The wall clock moved forward by an adjustable offset (zero to start with); black-box
/// tests use it to reach "after the showtime ended" without waiting.
#[derive(Debug, Default)]
pub struct OffsetClock {
    offset_ms: std::sync::atomic::AtomicI64,
}

impl OffsetClock {
    /// The wall clock, not moved yet.
    #[must_use]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// Moves the clock forward by `ms`.
    pub fn advance_ms(&self, ms: i64) {
        self.offset_ms.fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> Timestamp {
        Timestamp::now().plus_millis(self.offset_ms.load(std::sync::atomic::Ordering::SeqCst))
    }
}

/// A clock that only moves when told to; for tests.
#[derive(Debug)]
pub struct ManualClock {
    now_ms: std::sync::atomic::AtomicI64,
}

impl ManualClock {
    /// A clock reading `start`.
    #[must_use]
    pub fn starting_at(start: Timestamp) -> Arc<Self> {
        Arc::new(Self { now_ms: std::sync::atomic::AtomicI64::new(start.as_millis()) })
    }

    /// Moves the clock forward.
    pub fn advance_ms(&self, ms: i64) {
        self.now_ms.fetch_add(ms, std::sync::atomic::Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_millis(self.now_ms.load(std::sync::atomic::Ordering::SeqCst))
    }
}
