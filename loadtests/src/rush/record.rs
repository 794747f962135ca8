//! What a rush records: per-operation outcomes and HdrHistogram latencies (closed-loop and
//! open-loop apart), a per-second timeline (requests, errors, p99, the hot showtime's
//! counts), live counters for the progress line, and the facts the verification needs
//! (every booking and cancellation acknowledged to a client).
//!
//! One mutex guards the lot: a record is a few hundred nanoseconds, and a rush makes a few
//! thousand a second.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use serde::Serialize;

use crate::stats::{OpStats, Stats};
use crate::verify::{AckedBooking, Facts};

/// Closed-loop users or open-loop arrivals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loop {
    /// Each user waits for an answer before its next step.
    Closed,
    /// Arrivals on a fixed schedule; latency counted from the intended send time.
    Open,
}

/// Outcomes that are answers, not failures: the server said no for a good reason.
pub fn is_error(outcome: &str) -> bool {
    !matches!(
        outcome,
        "ok" | "seats_unavailable" | "sold_out" | "insufficient_balance" | "not_enough_tickets" | "declined"
    )
}

/// One second of the timeline.
#[derive(Debug, Clone)]
pub struct Second {
    /// Requests answered in that second.
    pub requests: u64,
    /// Of which errors.
    pub errors: u64,
    /// Their latencies (µs).
    pub latency_us: Histogram<u64>,
    /// The hot showtime's `(sold, held, free)` sampled in that second.
    pub hot: Option<(u64, u64, u64)>,
}

impl Second {
    fn new() -> Self {
        let latency_us = Histogram::new_with_bounds(1, 60_000_000, 2).expect("constant histogram bounds are valid");
        Self { requests: 0, errors: 0, latency_us, hot: None }
    }
}

/// A timeline point as written to the result file.
#[derive(Debug, Clone, Serialize)]
pub struct Point {
    /// Seconds since the start.
    pub t_s: u64,
    /// Requests answered.
    pub requests: u64,
    /// Errors.
    pub errors: u64,
    /// p99 latency (ms) of that second.
    pub p99_ms: f64,
    /// The hot showtime's sold, held, free.
    pub hot: Option<(u64, u64, u64)>,
}

#[derive(Default)]
struct Inner {
    closed: Stats,
    open: Stats,
    timeline: Vec<Second>,
    facts: Facts,
    first_sold_out: Option<Duration>,
}

/// The recorder shared by every simulated client.
pub struct Recorder {
    start: Instant,
    inner: Mutex<Inner>,
    /// Requests answered so far.
    pub requests: AtomicU64,
    /// Errors so far.
    pub errors: AtomicU64,
    /// Users who finished (served or not).
    pub users_done: AtomicU64,
    /// Users who got a definite answer (a booking, sold out, insufficient balance, ...).
    pub users_served: AtomicU64,
    /// WebSocket messages received by the simulated seat maps.
    pub ws_messages: AtomicU64,
}

/// Longest timeline kept (the run's bound is one hour).
const TIMELINE_S_MAX: usize = 3_700;

impl Recorder {
    /// A recorder whose clock starts now.
    pub fn new(facts: Facts) -> Self {
        Self {
            start: Instant::now(),
            inner: Mutex::new(Inner { facts, ..Inner::default() }),
            requests: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            users_done: AtomicU64::new(0),
            users_served: AtomicU64::new(0),
            ws_messages: AtomicU64::new(0),
        }
    }

    /// When the run started.
    pub fn start(&self) -> Instant {
        self.start
    }

    fn with<T>(&self, f: impl FnOnce(&mut Inner) -> T) -> T {
        let mut inner = self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut inner)
    }

    fn second(inner: &mut Inner, at: Duration) -> Option<&mut Second> {
        let s = usize::try_from(at.as_secs()).unwrap_or(usize::MAX).min(TIMELINE_S_MAX);
        while inner.timeline.len() <= s {
            inner.timeline.push(Second::new());
        }
        inner.timeline.get_mut(s)
    }

    /// Records one answered operation of `latency`.
    pub fn record(&self, mode: Loop, op: &'static str, outcome: &str, latency: Duration) {
        let error = is_error(outcome);
        self.requests.fetch_add(1, Ordering::Relaxed);
        if error {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        let at = self.start.elapsed();
        self.with(|inner| {
            let stats = if mode == Loop::Closed { &mut inner.closed } else { &mut inner.open };
            stats.entry(op).or_insert_with(OpStats::default).record(outcome, latency);
            if let Some(second) = Self::second(inner, at) {
                second.requests += 1;
                second.errors += u64::from(error);
                let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX).clamp(1, 60_000_000);
                let _ = second.latency_us.record(us);
            }
        });
    }

    /// Adds a latency to an operation's stats without counting a request (a view of
    /// requests already recorded, such as the `sold_out` answers of `hold`).
    pub fn also(&self, mode: Loop, op: &'static str, outcome: &str, latency: Duration) {
        self.with(|inner| {
            let stats = if mode == Loop::Closed { &mut inner.closed } else { &mut inner.open };
            stats.entry(op).or_insert_with(OpStats::default).record(outcome, latency);
        });
    }

    /// Notes a `sold_out` answer for the hot showtime (the first one is the sell-out time).
    pub fn sold_out(&self) {
        let at = self.start.elapsed();
        self.with(|inner| inner.first_sold_out = inner.first_sold_out.or(Some(at)));
    }

    /// Notes the hot showtime's counts now.
    pub fn hot_counts(&self, sold: u64, held: u64, free: u64) {
        let at = self.start.elapsed();
        self.with(|inner| {
            if let Some(second) = Self::second(inner, at) {
                second.hot = Some((sold, held, free));
            }
        });
    }

    /// A booking acknowledged to a client.
    pub fn booked(&self, booking: AckedBooking) {
        self.with(|inner| inner.facts.bookings.insert(booking.id.clone(), booking));
    }

    /// A cancellation acknowledged to a client.
    pub fn cancelled(&self, booking_id: &str) {
        self.with(|inner| {
            if let Some(b) = inner.facts.bookings.get_mut(booking_id) {
                b.cancelled = true;
            }
        });
    }

    /// A payment or cancellation whose outcome the client never learnt (network error,
    /// timeout): the customer's wallet is checked against the store only.
    pub fn uncertain(&self, customer_id: &str) {
        self.with(|inner| inner.facts.uncertain.insert(customer_id.to_owned()));
    }

    /// Everything recorded: closed-loop stats, open-loop stats, timeline, facts, sell-out time.
    pub fn finish(&self) -> (Stats, Stats, Vec<Point>, Facts, Option<Duration>) {
        self.with(|inner| {
            let points = inner
                .timeline
                .iter()
                .enumerate()
                .map(|(t, s)| Point {
                    t_s: t as u64,
                    requests: s.requests,
                    errors: s.errors,
                    p99_ms: if s.requests == 0 { 0.0 } else { s.latency_us.value_at_quantile(0.99) as f64 / 1000.0 },
                    hot: s.hot,
                })
                .collect();
            let facts = std::mem::take(&mut inner.facts);
            (std::mem::take(&mut inner.closed), std::mem::take(&mut inner.open), points, facts, inner.first_sold_out)
        })
    }
}
