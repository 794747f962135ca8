//! The end of a rush: a table per operation (count, successes, each error code,
//! p50/p90/p99/max from the HdrHistograms), the summary (users served, throughput, the hot
//! showtime's sell-out), the invariants, the JSON result file and the chart.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use serde::Serialize;

use super::journey::Ending;
use super::record::Point;
use super::{Behaviour, RushArgs};
use crate::setup::Setup;
use crate::stats::Stats;
use crate::verify::{Facts, Verification};

/// One operation in the result file.
#[derive(Debug, Clone, Serialize)]
pub struct OpSummary {
    /// Calls.
    pub count: u64,
    /// Successes.
    pub ok: u64,
    /// Count by outcome (`ok`, error codes, `http_503`, `network`).
    pub outcomes: BTreeMap<String, u64>,
    /// Percentiles and maximum, in milliseconds.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Maximum.
    pub max_ms: f64,
}

fn summarize(stats: &Stats) -> BTreeMap<String, OpSummary> {
    stats
        .iter()
        .map(|(op, s)| {
            let summary = OpSummary {
                count: s.outcomes.values().sum(),
                ok: s.ok(),
                outcomes: s.outcomes.clone(),
                p50_ms: s.percentile_ms(0.50),
                p90_ms: s.percentile_ms(0.90),
                p99_ms: s.percentile_ms(0.99),
                max_ms: s.latency_us.max() as f64 / 1000.0,
            };
            ((*op).to_owned(), summary)
        })
        .collect()
}

/// The hot showtime at the end.
#[derive(Debug, Clone, Serialize)]
pub struct Hot {
    /// Its id.
    pub id: String,
    /// Seats.
    pub capacity: u32,
    /// Seconds from the start to the first `sold_out` answer.
    pub sold_out_after_s: Option<f64>,
    /// Seconds from the start to the first sample with no free seat.
    pub no_free_seat_after_s: Option<u64>,
    /// Last sample: sold, held, free.
    pub last: Option<(u64, u64, u64)>,
}

/// Everything a rush found; the JSON result file.
#[derive(Debug, Clone, Serialize)]
pub struct RushReport {
    /// The target.
    pub target: String,
    /// Seed, users, duration, ramp, open-loop rate.
    pub seed: u64,
    /// Closed-loop users.
    pub users: u32,
    /// Open-loop arrivals per second.
    pub rate: Option<u32>,
    /// `--duration` in seconds.
    pub duration_s: f64,
    /// `--ramp` in seconds.
    pub ramp_s: f64,
    /// Behaviour shares.
    pub behaviour: Behaviour,
    /// Wall time of the run (without setup and verification).
    pub wall_s: f64,
    /// Requests answered per second over the run.
    pub requests_per_s: f64,
    /// How visits ended: `served:booked`, `served:sold_out`, `unserved:deadline`, ...
    pub endings: BTreeMap<String, u64>,
    /// Visits that got a definite answer.
    pub served: u64,
    /// Visits that did not.
    pub unserved: u64,
    /// WebSocket messages received by the simulated seat maps.
    pub ws_messages: u64,
    /// Bookings acknowledged to clients, and of those cancelled.
    pub bookings: (u64, u64),
    /// The hot showtime.
    pub hot: Hot,
    /// Closed-loop operations.
    pub operations: BTreeMap<String, OpSummary>,
    /// Open-loop operations (latency from the intended send time).
    pub open_loop_operations: BTreeMap<String, OpSummary>,
    /// Per second: requests, errors, p99, hot counts.
    pub timeline: Vec<Point>,
    /// The invariants.
    pub verification: Verification,
    /// What the clients were told (for re-checking; not written to the result file).
    #[serde(skip)]
    pub facts: Facts,
}

impl RushReport {
    /// Assembles the report.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        args: &RushArgs,
        hot: &str,
        setup: &Setup,
        wall: Duration,
        closed: Stats,
        open: Stats,
        timeline: Vec<Point>,
        facts: &Facts,
        sold_out_at: Option<Duration>,
        endings: &[Ending],
        verification: Verification,
        ws_messages: u64,
    ) -> Self {
        let mut by_ending = BTreeMap::new();
        for e in endings {
            let key = match e {
                Ending::Served(why) => format!("served:{why}"),
                Ending::Unserved(why) => format!("unserved:{why}"),
            };
            *by_ending.entry(key).or_insert(0) += 1;
        }
        let served = endings.iter().filter(|e| matches!(e, Ending::Served(_))).count() as u64;
        let requests: u64 = timeline.iter().map(|p| p.requests).sum();
        let capacity = if hot == setup.hot.id { setup.hot.capacity } else { 0 };
        let hot = Hot {
            id: hot.to_owned(),
            capacity,
            sold_out_after_s: sold_out_at.map(|d| d.as_secs_f64()),
            no_free_seat_after_s: timeline.iter().find(|p| p.hot.is_some_and(|(_, _, free)| free == 0)).map(|p| p.t_s),
            last: timeline.iter().rev().find_map(|p| p.hot),
        };
        Self {
            target: args.target.clone(),
            seed: args.seed,
            users: args.users,
            rate: args.rate,
            duration_s: args.duration.as_secs_f64(),
            ramp_s: args.ramp.as_secs_f64(),
            behaviour: args.behaviour,
            wall_s: wall.as_secs_f64(),
            requests_per_s: requests as f64 / wall.as_secs_f64().max(0.001),
            endings: by_ending,
            served,
            ws_messages,
            unserved: endings.len() as u64 - served,
            bookings: (facts.bookings.len() as u64, facts.bookings.values().filter(|b| b.cancelled).count() as u64),
            hot,
            operations: summarize(&closed),
            open_loop_operations: summarize(&open),
            timeline,
            verification,
            facts: facts.clone(),
        }
    }

    /// Prints the tables, the summary and the invariants.
    pub fn print(&self) {
        println!();
        print_table("closed loop", &self.operations);
        if !self.open_loop_operations.is_empty() {
            print_table("open loop (latency from the intended send time)", &self.open_loop_operations);
        }
        println!(
            "users: {} served, {} unserved  {:?}\nrequests: {:.0}/s over {:.1} s; WebSocket messages received {}; bookings acknowledged {} (cancelled {})",
            self.served,
            self.unserved,
            self.endings,
            self.requests_per_s,
            self.wall_s,
            self.ws_messages,
            self.bookings.0,
            self.bookings.1
        );
        let h = &self.hot;
        println!(
            "hot showtime {} ({} seats): first sold_out answer after {}, no free seat from {}, last sold/held/free {:?}",
            h.id,
            h.capacity,
            h.sold_out_after_s.map_or("-".to_owned(), |s| format!("{s:.2} s")),
            h.no_free_seat_after_s.map_or("-".to_owned(), |s| format!("{s} s")),
            h.last
        );
        self.verification.print();
    }

    /// Writes the JSON result and the chart.
    ///
    /// # Errors
    /// A file cannot be written.
    pub fn write(&self, json: &Path, chart: &Path) -> anyhow::Result<()> {
        std::fs::write(json, serde_json::to_vec_pretty(self)?)?;
        crate::chart::draw(&self.timeline, chart, &format!("rush: {} users, seed {}", self.users, self.seed))?;
        println!("result: {}  chart: {}", json.display(), chart.display());
        Ok(())
    }
}

fn print_table(title: &str, ops: &BTreeMap<String, OpSummary>) {
    println!("{title}:");
    println!(
        "  {:<18} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}  outcomes",
        "operation", "count", "ok", "p50 ms", "p90 ms", "p99 ms", "max ms"
    );
    for (op, s) in ops {
        let others: Vec<String> =
            s.outcomes.iter().filter(|(k, _)| *k != "ok").map(|(k, v)| format!("{k}={v}")).collect();
        println!(
            "  {op:<18} {:>8} {:>8} {:>9.2} {:>9.2} {:>9.2} {:>9.2}  {}",
            s.count,
            s.ok,
            s.p50_ms,
            s.p90_ms,
            s.p99_ms,
            s.max_ms,
            others.join(" ")
        );
    }
}
