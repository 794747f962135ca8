//! Per-operation counters and HdrHistogram latencies.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;

/// Outcomes and latencies of one operation.
#[derive(Debug)]
pub struct OpStats {
    /// Latencies in microseconds.
    pub latency_us: Histogram<u64>,
    /// Count by outcome (`ok`, an error code, `http_503`, `network`).
    pub outcomes: BTreeMap<String, u64>,
}

impl Default for OpStats {
    fn default() -> Self {
        Self {
            // 1 µs to 60 s, 3 significant digits.
            latency_us: Histogram::new_with_bounds(1, 60_000_000, 3).expect("constant histogram bounds are valid"),
            outcomes: BTreeMap::new(),
        }
    }
}

impl OpStats {
    /// Records one call.
    pub fn record(&mut self, outcome: &str, took: Duration) {
        let us = u64::try_from(took.as_micros()).unwrap_or(u64::MAX).clamp(1, 60_000_000);
        let _ = self.latency_us.record(us);
        *self.outcomes.entry(outcome.to_owned()).or_default() += 1;
    }

    /// Calls that succeeded.
    pub fn ok(&self) -> u64 {
        self.outcomes.get("ok").copied().unwrap_or(0)
    }

    /// Merges another recorder into this one.
    pub fn merge(&mut self, other: &OpStats) {
        let _ = self.latency_us.add(&other.latency_us);
        for (k, v) in &other.outcomes {
            *self.outcomes.entry(k.clone()).or_default() += v;
        }
    }

    /// A latency percentile in milliseconds.
    pub fn percentile_ms(&self, q: f64) -> f64 {
        self.latency_us.value_at_quantile(q) as f64 / 1000.0
    }
}

/// Stats by operation name.
pub type Stats = BTreeMap<&'static str, OpStats>;

/// Merges per-worker stats.
pub fn merge_all(parts: impl IntoIterator<Item = Stats>) -> Stats {
    let mut total = Stats::new();
    for part in parts {
        for (op, s) in part {
            total.entry(op).or_default().merge(&s);
        }
    }
    total
}

/// Prints a table: one row per operation.
pub fn print_table(stats: &Stats, seconds: f64) {
    println!(
        "{:<14} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}  outcomes",
        "operation", "count", "ok/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    for (op, s) in stats {
        let count: u64 = s.outcomes.values().sum();
        println!(
            "{:<14} {:>9} {:>9.0} {:>9.2} {:>9.2} {:>9.2} {:>9.2}  {:?}",
            op,
            count,
            s.ok() as f64 / seconds,
            s.percentile_ms(0.50),
            s.percentile_ms(0.90),
            s.percentile_ms(0.99),
            s.latency_us.max() as f64 / 1000.0,
            s.outcomes
        );
    }
}
