//! The hot-showtime bench: one 500-seat showtime, `--connections` customers each cycling
//! hold 2 adjacent seats → purchase → cancel over HTTP, against a trivial endpoint
//! (`/healthz`) of the same server measured before and after in the same run. It reports
//! durable decisions/s, their ratio to the trivial endpoint's request rate, and latency
//! percentiles per operation; it ends by checking that the seat map adds up.
//!
//! `--cycle` picks other cycles on the same seats, to see what each kind of decision
//! costs: `hold` (every hold replaces the customer's previous one) and `release` (hold →
//! release). They sell nothing: the target is for the default `purchase` cycle.
//!
//! `--server-pid` adds the CPU time the server and the bench itself spent per request in
//! each phase (from `/proc/<pid>/stat`), which says where a ratio comes from, and the
//! server's CPU in the booking phase by thread name (`/proc/<pid>/task`), which says which
//! of its threads (request workers, storage writer, email, …) it went to and how long each
//! waited for a CPU.
//!
//! `--rounds N` alternates the phases: trivial, booking, trivial, … N booking phases in all,
//! each compared with the trivial phases just before and after it; the per-round ratios show
//! how much a machine whose speed drifts (a shared VM) moves the ratio within one run.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use rand::Rng;
use reqwest::Method;
use serde_json::{Value, json};

use crate::api::Api;
use crate::proc_stat::{self, ThreadTimes, ThreadUse, cpu_seconds};
use crate::stats::{self, Stats};

/// Options of `boxoffice-load bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Base URL of the server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    target: String,
    /// Staff token of the server (to create the showtime).
    #[arg(long, env = "BOXOFFICE_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: String,
    /// Concurrent connections (one simulated customer each).
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..=4096))]
    connections: u16,
    /// Length of each measured phase, e.g. `20s`, `2m`.
    #[arg(long, default_value = "20s", value_parser = parse_duration)]
    duration: Duration,
    /// Allow a target that is not on loopback.
    #[arg(long)]
    allow_remote: bool,
    /// Write the results as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// What each customer repeats: `purchase` (hold → purchase → cancel), `hold` (a new
    /// hold replacing the previous one) or `release` (hold → release).
    #[arg(long, value_enum, default_value_t = Cycle::Purchase)]
    cycle: Cycle,
    /// Process id of the server, on this machine: the report then says how much CPU the
    /// server and the bench itself spent per request in each phase (`/proc/<pid>/stat`).
    #[arg(long)]
    server_pid: Option<u32>,
    /// Booking phases, each between two trivial phases (`--rounds 3`: trivial, booking,
    /// trivial, booking, trivial, booking, trivial); every phase lasts `--duration`.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=20))]
    rounds: u16,
}

/// The decisions a customer of the bench repeats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Cycle {
    /// Hold → purchase → cancel (the measure).
    Purchase,
    /// Hold, again and again: each hold replaces the customer's previous one.
    Hold,
    /// Hold → release.
    Release,
}

impl Cycle {
    /// Its name on the command line (and in the JSON report).
    fn name(self) -> String {
        clap::ValueEnum::to_possible_value(&self).map(|v| v.get_name().to_owned()).unwrap_or_default()
    }
}

/// Parses `500ms`, `20s`, `2m` (at most one hour).
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let (number, unit) = text.find(|c: char| !c.is_ascii_digit()).map_or((text, "s"), |i| text.split_at(i));
    let n: u64 = number.parse().map_err(|_| format!("{text:?} is not a duration like 20s, 500ms, 2m or 1h"))?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        "h" => Duration::from_secs(n.saturating_mul(3600)),
        _ => return Err(format!("{text:?}: unit must be ms, s, m or h")),
    };
    if d.is_zero() || d > Duration::from_secs(3600) {
        return Err(format!("{text:?}: between 1 ms and 1 hour"));
    }
    Ok(d)
}

/// Runs the bench and prints the report.
pub async fn run(args: BenchArgs) -> anyhow::Result<()> {
    let base = crate::target::parse(&args.target, args.allow_remote)?;
    let connections = usize::from(args.connections);
    let api = Api::new(base, connections)?;
    if !api.healthy().await {
        bail!("{} does not answer /healthz", args.target);
    }
    if let Some(pid) = args.server_pid
        && cpu_seconds(pid).is_none()
    {
        bail!("--server-pid {pid}: /proc/{pid}/stat cannot be read (no such process on this machine?)");
    }
    let showtime = create_hot_showtime(&api, &args.admin_token).await?;
    let tokens = create_customers(&api, &args.admin_token, connections).await?;
    println!(
        "showtime {showtime}: 500 seats; {connections} connections; {} s per phase; cycle {}",
        args.duration.as_secs_f64(),
        args.cycle.name()
    );

    let seconds = args.duration.as_secs_f64();
    let Phases { trivial, rounds: round_stats, trivial_cpu, booking_cpu } =
        measure(&api, &showtime, &tokens, &args).await;
    let rounds: Vec<Round> = round_stats
        .iter()
        .zip(trivial.windows(2))
        .map(|(round, around)| {
            let trivial_rps = (around[0] + around[1]) as f64 / 2.0 / seconds;
            let hold_purchase = hold_purchase_count(round) as f64 / seconds;
            Round { trivial_rps, hold_purchase, ratio: hold_purchase / trivial_rps.max(1e-9) }
        })
        .collect();
    let median = median_ratio(&rounds);
    let booking_seconds = seconds * round_stats.len() as f64;
    let booking = stats::merge_all(round_stats);
    let trivial_total: u64 = trivial.iter().sum();
    let trivial_rps = trivial_total as f64 / trivial.len() as f64 / seconds;
    let hold_purchase = hold_purchase_count(&booking) as f64 / booking_seconds;
    let durable_decisions = durable_count(&booking);
    let durable = durable_decisions as f64 / booking_seconds;

    println!();
    stats::print_table(&booking, booking_seconds);
    println!();
    let rates: Vec<String> = trivial.iter().map(|n| format!("{:.0}", *n as f64 / seconds)).collect();
    println!("trivial endpoint (/healthz):        {trivial_rps:>10.0} req/s (phases: {})", rates.join(", "));
    println!(
        "durable hold + purchase decisions:  {hold_purchase:>10.0} /s  = {:.1}% of trivial",
        100.0 * hold_purchase / trivial_rps
    );
    println!(
        "all durable decisions:              {durable:>10.0} /s  = {:.1}% of trivial",
        100.0 * durable / trivial_rps
    );
    if rounds.len() > 1 {
        for (i, round) in rounds.iter().enumerate() {
            println!(
                "  round {}: hold + purchase {:.0} /s against {:.0} req/s around it = {:.1}%",
                i + 1,
                round.hold_purchase,
                round.trivial_rps,
                100.0 * round.ratio
            );
        }
        println!("  median of the rounds: {:.1}% of trivial", 100.0 * median);
    }
    let cpu = args.server_pid.map(|_| CpuReport {
        trivial: trivial_cpu.per_request(trivial_total),
        booking: booking_cpu.per_request(durable_decisions),
        booking_cores: booking_cpu.cores(),
        booking_threads: booking_cpu.threads_per_decision(durable_decisions),
    });
    if let Some(cpu) = &cpu {
        cpu.print();
    }
    let counts = check_seat_map(&api, &showtime).await?;
    println!("seat map after the run: {counts}");
    if let Some(path) = &args.json {
        let report = json!({
            "connections": connections,
            "cycle": args.cycle.name(),
            "phase_seconds": seconds,
            "trivial_rps": trivial_rps,
            "trivial_rps_by_phase": trivial.iter().map(|n| *n as f64 / seconds).collect::<Vec<_>>(),
            "hold_purchase_per_s": hold_purchase,
            "durable_decisions_per_s": durable,
            "ratio_hold_purchase_to_trivial": hold_purchase / trivial_rps,
            "rounds": rounds.iter().map(|r| json!({
                "trivial_rps_around": r.trivial_rps, "hold_purchase_per_s": r.hold_purchase, "ratio": r.ratio,
            })).collect::<Vec<_>>(),
            "ratio_median_of_rounds": median,
            "operations": booking.iter().map(|(op, s)| (op.to_string(), json!({
                "ok": s.ok(), "outcomes": s.outcomes, "p50_ms": s.percentile_ms(0.5), "p99_ms": s.percentile_ms(0.99),
                "max_ms": s.latency_us.max() as f64 / 1000.0,
            }))).collect::<serde_json::Map<_, _>>(),
            "seat_map_counts": counts,
            "cpu": cpu.as_ref().map(CpuReport::to_json),
        });
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

async fn create_hot_showtime(api: &Api, admin: &str) -> anyhow::Result<String> {
    let suffix: u32 = rand::rng().random_range(0..1_000_000);
    let film = api
        .create(
            admin,
            "/api/v1/films",
            &json!({"title": format!("Bench {suffix}"), "director": "Bench", "duration_minutes": 120}),
        )
        .await?;
    let rows: Vec<Value> =
        (0..20).map(|r| json!({"label": row_label(r), "seats": "SSSSSSSSSSSS|SSSSSSSSSSSSS"})).collect();
    let auditorium = api
        .create(
            admin,
            "/api/v1/auditoriums",
            &json!({"name": format!("Bench room {suffix}"), "layout": {"rows": rows}}),
        )
        .await?;
    let starts_at = in_days(30);
    api.create(
        admin,
        "/api/v1/showtimes",
        &json!({
            "film_id": film, "auditorium_id": auditorium, "starts_at": starts_at, "version": "VO", "format": "2d",
            "prices": {"currency": "EUR", "tiers": [{"tier": "full", "price_minor": 100}]}
        }),
    )
    .await
}

/// An RFC 3339 time `days` from now, on a whole minute.
fn in_days(days: i64) -> String {
    let at = chrono::Utc::now() + chrono::Duration::days(days);
    at.format("%Y-%m-%dT%H:%M:00Z").to_string()
}

async fn create_customers(api: &Api, admin: &str, n: usize) -> anyhow::Result<Vec<String>> {
    let run: u32 = rand::rng().random_range(0..1_000_000_000);
    let futures = (0..n).map(|i| {
        let api = api.clone();
        let admin = admin.to_owned();
        async move { api.create_customer(&admin, &format!("Bench {i}"), &format!("bench-{run}-{i}@example.test")).await }
    });
    let created = futures::future::join_all(futures).await;
    created.into_iter().map(|r| r.map(|(_, token)| token)).collect()
}

/// What the phases of a run counted: `/healthz` answers of each trivial phase (one more than
/// the booking phases, which they surround), each booking phase's stats, and the CPU spent
/// in each kind of phase.
struct Phases {
    trivial: Vec<u64>,
    rounds: Vec<Stats>,
    trivial_cpu: CpuInterval,
    booking_cpu: CpuInterval,
}

/// Runs `trivial (booking trivial) × rounds`.
async fn measure(api: &Api, showtime: &str, tokens: &[String], args: &BenchArgs) -> Phases {
    let (server, connections) = (args.server_pid, tokens.len());
    let mut mark = CpuSample::now(server);
    let mut trivial = vec![trivial_phase(api, connections, args.duration).await];
    let mut after_trivial = CpuSample::now(server);
    let mut trivial_cpu = after_trivial.since(&mark);
    let mut booking_cpu = CpuInterval::empty();
    let mut rounds = Vec::new();
    for _ in 0..args.rounds {
        rounds.push(booking_phase(api, showtime, tokens, args.duration, args.cycle).await);
        mark = CpuSample::now(server);
        booking_cpu = booking_cpu.plus(mark.since(&after_trivial));
        trivial.push(trivial_phase(api, connections, args.duration).await);
        after_trivial = CpuSample::now(server);
        trivial_cpu = trivial_cpu.plus(after_trivial.since(&mark));
    }
    Phases { trivial, rounds, trivial_cpu, booking_cpu }
}

/// One booking phase against the trivial phases around it.
struct Round {
    trivial_rps: f64,
    hold_purchase: f64,
    ratio: f64,
}

/// The median of the rounds' ratios (the mean of the middle two for an even count).
fn median_ratio(rounds: &[Round]) -> f64 {
    let mut ratios: Vec<f64> = rounds.iter().map(|r| r.ratio).collect();
    ratios.sort_by(f64::total_cmp);
    match ratios.len() {
        0 => 0.0,
        n if n % 2 == 1 => ratios[n / 2],
        n => (ratios[n / 2 - 1] + ratios[n / 2]) / 2.0,
    }
}

/// Holds and purchases answered 2xx.
fn hold_purchase_count(booking: &Stats) -> u64 {
    ok_count(booking, &["hold", "purchase"])
}

/// Durable decisions answered 2xx in the booking phase.
fn durable_count(booking: &Stats) -> u64 {
    ok_count(booking, &["hold", "purchase", "cancel", "release"])
}

/// Answers 2xx to the operations `ops`.
fn ok_count(booking: &Stats, ops: &[&str]) -> u64 {
    ops.iter().map(|op| booking.get(op).map_or(0, stats::OpStats::ok)).sum()
}

/// CPU seconds used so far (or in an interval): the server's, its threads', the bench's,
/// and the wall-clock time they were read at.
struct CpuSample {
    server: Option<f64>,
    server_threads: Option<ThreadTimes>,
    generator: Option<f64>,
    at: Instant,
}

impl CpuSample {
    /// The CPU time of the server and its threads (if its pid is given) and of the bench
    /// itself, now.
    fn now(server: Option<u32>) -> Self {
        Self {
            server: server.and_then(cpu_seconds),
            server_threads: server.and_then(ThreadTimes::read),
            generator: cpu_seconds(std::process::id()),
            at: Instant::now(),
        }
    }

    /// What was used between `earlier` and this sample.
    fn since(&self, earlier: &Self) -> CpuInterval {
        let diff = |a: Option<f64>, b: Option<f64>| Some((a? - b?).max(0.0));
        let threads = match (&self.server_threads, &earlier.server_threads) {
            (Some(now), Some(before)) => now.since(before),
            _ => BTreeMap::new(),
        };
        CpuInterval {
            server: diff(self.server, earlier.server),
            server_threads: threads,
            generator: diff(self.generator, earlier.generator),
            wall: self.at.duration_since(earlier.at).as_secs_f64(),
        }
    }
}

/// CPU seconds the server (in all and by thread name) and the bench used over `wall`
/// seconds.
struct CpuInterval {
    server: Option<f64>,
    server_threads: BTreeMap<String, ThreadUse>,
    generator: Option<f64>,
    wall: f64,
}

impl CpuInterval {
    /// Nothing used yet (known zero, so that sums stay known).
    fn empty() -> Self {
        Self { server: Some(0.0), server_threads: BTreeMap::new(), generator: Some(0.0), wall: 0.0 }
    }

    fn plus(mut self, other: Self) -> Self {
        let sum = |a: Option<f64>, b: Option<f64>| Some(a? + b?);
        proc_stat::add_by_name(&mut self.server_threads, &other.server_threads);
        Self {
            server: sum(self.server, other.server),
            server_threads: self.server_threads,
            generator: sum(self.generator, other.generator),
            wall: self.wall + other.wall,
        }
    }

    /// The server's threads by name, the busiest first: microseconds of CPU per request,
    /// cores in use, and seconds per second spent waiting for a CPU. Names under 0.5 % of
    /// the interval's wall time are left out.
    fn threads_per_decision(&self, requests: u64) -> Vec<ThreadShare> {
        let seconds = self.wall_seconds();
        let mut shares: Vec<ThreadShare> = self
            .server_threads
            .iter()
            .filter(|(_, used)| used.cpu / seconds >= 0.005)
            .map(|(name, used)| ThreadShare {
                name: name.clone(),
                us_per_request: us_per_request(used.cpu, requests),
                cores: used.cpu / seconds,
                waiting: used.waiting / seconds,
            })
            .collect();
        shares.sort_by(|a, b| b.cores.total_cmp(&a.cores).then_with(|| a.name.cmp(&b.name)));
        shares
    }

    /// Microseconds of CPU per request, server and bench.
    fn per_request(&self, requests: u64) -> (Option<f64>, Option<f64>) {
        let per = |cpu: Option<f64>| us_per_request(cpu?, requests);
        (per(self.server), per(self.generator))
    }

    /// Cores in use on average over the interval, server and bench.
    fn cores(&self) -> (Option<f64>, Option<f64>) {
        let seconds = self.wall_seconds();
        (self.server.map(|c| c / seconds), self.generator.map(|c| c / seconds))
    }

    /// The interval's wall-clock seconds, never zero (a divisor).
    fn wall_seconds(&self) -> f64 {
        self.wall.max(1e-3)
    }
}

/// Microseconds of `cpu` seconds per request; `None` without requests.
fn us_per_request(cpu: f64, requests: u64) -> Option<f64> {
    (requests > 0).then(|| cpu * 1e6 / requests as f64)
}

/// One thread name's part of the server's CPU in the booking phase.
struct ThreadShare {
    name: String,
    us_per_request: Option<f64>,
    cores: f64,
    /// Seconds per second runnable but waiting for a CPU (summed over the name's threads).
    waiting: f64,
}

/// CPU per request in each phase: `(server, bench)` microseconds; cores in the booking
/// phase, in all and by server thread name.
struct CpuReport {
    trivial: (Option<f64>, Option<f64>),
    booking: (Option<f64>, Option<f64>),
    booking_cores: (Option<f64>, Option<f64>),
    booking_threads: Vec<ThreadShare>,
}

impl CpuReport {
    /// `us` of server CPU as a number of `/healthz` requests' worth of it in the same run: a
    /// figure that the VM's changes of speed between runs (tens of percent here) cancel out
    /// of, though not a change within the run.
    fn in_trivial_requests(&self, us: Option<f64>) -> Option<f64> {
        let trivial = self.trivial.0.filter(|t| *t > 0.0)?;
        Some(us? / trivial)
    }

    fn print(&self) {
        let show = |v: Option<f64>, digits: usize| v.map_or_else(|| "?".to_owned(), |v| format!("{v:.digits$}"));
        println!(
            "server CPU per /healthz request:    {:>10} µs (the bench's own: {} µs)",
            show(self.trivial.0, 1),
            show(self.trivial.1, 1)
        );
        println!(
            "server CPU per durable decision:    {:>10} µs (the bench's own: {} µs; booking phase: server {} cores, bench {} cores)",
            show(self.booking.0, 1),
            show(self.booking.1, 1),
            show(self.booking_cores.0, 2),
            show(self.booking_cores.1, 2)
        );
        println!(
            "  in /healthz requests' worth:      {:>10} (server CPU per durable decision / per /healthz request; compare builds with this)",
            show(self.in_trivial_requests(self.booking.0), 2)
        );
        if !self.booking_threads.is_empty() {
            println!(
                "server threads in the booking phase (CPU per durable decision, the same in /healthz requests' worth, cores, and seconds per second waiting for a CPU):"
            );
            for thread in &self.booking_threads {
                println!(
                    "  {:<18} {:>8} µs {:>6} {:>6.2} cores {:>6.2} s/s waiting",
                    thread.name,
                    show(thread.us_per_request, 1),
                    show(self.in_trivial_requests(thread.us_per_request), 2),
                    thread.cores,
                    thread.waiting
                );
            }
        }
    }

    fn to_json(&self) -> Value {
        json!({
            "server_us_per_trivial_request": self.trivial.0,
            "bench_us_per_trivial_request": self.trivial.1,
            "server_us_per_durable_decision": self.booking.0,
            "server_durable_decision_in_trivial_requests": self.in_trivial_requests(self.booking.0),
            "bench_us_per_durable_decision": self.booking.1,
            "server_cores_booking_phase": self.booking_cores.0,
            "bench_cores_booking_phase": self.booking_cores.1,
            "server_threads_booking_phase": self.booking_threads.iter().map(|t| json!({
                "name": t.name, "us_per_durable_decision": t.us_per_request,
                "in_trivial_requests": self.in_trivial_requests(t.us_per_request), "cores": t.cores,
                "waiting_for_cpu_s_per_s": t.waiting,
            })).collect::<Vec<_>>(),
        })
    }
}

/// `connections` tasks calling `/healthz` for `duration`; the number of 200 answers.
async fn trivial_phase(api: &Api, connections: usize, duration: Duration) -> u64 {
    let deadline = Instant::now() + duration;
    let tasks = (0..connections).map(|_| {
        let api = api.clone();
        tokio::spawn(async move {
            let mut ok = 0u64;
            let Ok(url) = api.url("/healthz") else { return ok };
            while Instant::now() < deadline {
                if api.lean(Method::GET, url.clone(), None, None, false).await.status == 200 {
                    ok += 1;
                }
            }
            ok
        })
    });
    futures::future::join_all(tasks).await.into_iter().map(|r| r.unwrap_or(0)).sum()
}

/// Every customer repeats `cycle` on its own seats.
async fn booking_phase(api: &Api, showtime: &str, tokens: &[String], duration: Duration, cycle: Cycle) -> Stats {
    let deadline = Instant::now() + duration;
    let lanes = tokens.len();
    let tasks = tokens.iter().cloned().enumerate().map(|(lane, token)| {
        let api = api.clone();
        let showtime = showtime.to_owned();
        let seats = lane_labels(lane, lanes);
        tokio::spawn(async move { customer_loop(&api, &showtime, &token, &seats, deadline, cycle).await })
    });
    stats::merge_all(futures::future::join_all(tasks).await.into_iter().filter_map(Result::ok))
}

/// Seats of the bench room, counted row by row (A1 … A25, B1 …).
const SEATS: usize = 500;
/// Seats per row of the bench room.
const ROW_SEATS: usize = 25;

/// Row `r` of the bench room: `A` to `T`.
fn row_label(r: usize) -> String {
    char::from(b'A' + u8::try_from(r % 26).unwrap_or(0)).to_string()
}

/// The label of seat `i` (counted row by row).
fn seat_label(i: usize) -> String {
    format!("{}{}", row_label(i / ROW_SEATS), i % ROW_SEATS + 1)
}

/// The seats of customer `lane` of `lanes`, each customer's own (its lane), so that the
/// bench measures decisions rather than collisions: two adjacent seats each while the room
/// has them (up to 250 customers), else as many customers as the room allows keep a pair
/// and the others one seat (up to 500 customers: 256 customers are 244 pairs and 12
/// single seats); beyond 500 customers, single seats are shared and their customers take
/// turns. The rush harness measures contended traffic.
fn lane_labels(lane: usize, lanes: usize) -> Vec<String> {
    let pairs = SEATS.saturating_sub(lanes).min(lanes);
    if lane < pairs {
        vec![seat_label(2 * lane), seat_label(2 * lane + 1)]
    } else {
        vec![seat_label((2 * pairs + lane - pairs) % SEATS)]
    }
}

/// One customer's cycles on its own `seats` (see [`lane_labels`]).
async fn customer_loop(
    api: &Api,
    showtime: &str,
    token: &str,
    seats: &[String],
    deadline: Instant,
    cycle: Cycle,
) -> Stats {
    let mut stats = Stats::new();
    let (Ok(holds), Ok(body)) =
        (api.url(&format!("/api/v1/showtimes/{showtime}/holds")), serde_json::to_vec(&json!({ "seats": seats })))
    else {
        return stats;
    };
    let body = bytes::Bytes::from(body);
    while Instant::now() < deadline {
        let hold = api.lean(Method::POST, holds.clone(), Some(token), Some(&body), true).await;
        stats.entry("hold").or_default().record(&hold.outcome(), hold.took);
        let held_ok = hold.is_ok();
        let Some(hold_id) = hold.fields.hold_id.filter(|_| held_ok) else {
            // Only with more than 500 customers: the lane's other customer has the seat.
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        match cycle {
            Cycle::Hold => continue,
            Cycle::Release => {
                let Ok(held) = api.url(&format!("/api/v1/showtimes/{showtime}/holds/{hold_id}")) else { continue };
                let released = api.lean(Method::DELETE, held, Some(token), None, false).await;
                stats.entry("release").or_default().record(&released.outcome(), released.took);
                continue;
            }
            Cycle::Purchase => {}
        }
        let Ok(purchase) = api.url(&format!("/api/v1/showtimes/{showtime}/holds/{hold_id}/purchase")) else {
            continue;
        };
        let bought = api.lean(Method::POST, purchase, Some(token), None, true).await;
        stats.entry("purchase").or_default().record(&bought.outcome(), bought.took);
        let bought_ok = bought.is_ok();
        let Some(booking) = bought.fields.id.filter(|_| bought_ok) else { continue };
        let Ok(cancel) = api.url(&format!("/api/v1/bookings/{booking}/cancel")) else { continue };
        let cancelled = api.lean(Method::POST, cancel, Some(token), None, false).await;
        stats.entry("cancel").or_default().record(&cancelled.outcome(), cancelled.took);
    }
    stats
}

/// Reads the seat map and checks that its counts add up to the capacity.
async fn check_seat_map(api: &Api, showtime: &str) -> anyhow::Result<Value> {
    let map = api.expect(Method::GET, &format!("/api/v1/showtimes/{showtime}/seats"), None, None).await?;
    let counts = map.get("counts").cloned().context("seat map counts")?;
    let n = |k: &str| counts.get(k).and_then(Value::as_u64).unwrap_or(u64::MAX / 8);
    if n("free") + n("held") + n("sold") + n("blocked") != n("capacity") {
        bail!("seat map counts do not add up: {counts}");
    }
    Ok(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lanes_never_share_a_seat_up_to_500_customers() {
        for lanes in [1, 100, 250, 256, 400, 500] {
            let seats: Vec<String> = (0..lanes).flat_map(|lane| lane_labels(lane, lanes)).collect();
            let distinct: std::collections::HashSet<&String> = seats.iter().collect();
            assert_eq!(distinct.len(), seats.len(), "{lanes} customers share no seat");
            assert!(seats.len() <= SEATS);
        }
        assert_eq!(lane_labels(12, 256), ["A25".to_string(), "B1".to_string()], "pairs may span rows");
        assert_eq!(lane_labels(243, 256), ["T12".to_string(), "T13".to_string()], "the last pair");
        assert_eq!(lane_labels(244, 256), ["T14".to_string()], "then single seats");
        assert_eq!(lane_labels(255, 256), ["T25".to_string()], "up to the last seat");
        assert_eq!(lane_labels(249, 250), ["T24".to_string(), "T25".to_string()], "250 customers: all pairs");
        assert_eq!(lane_labels(500, 501), lane_labels(0, 501), "beyond 500, seats are shared");
    }

    #[test]
    fn the_median_of_the_rounds() {
        let rounds = |ratios: &[f64]| -> Vec<Round> {
            ratios.iter().map(|&ratio| Round { trivial_rps: 1.0, hold_purchase: ratio, ratio }).collect()
        };
        assert_eq!(median_ratio(&rounds(&[0.3])), 0.3);
        assert_eq!(median_ratio(&rounds(&[0.5, 0.1, 0.2])), 0.2);
        assert!((median_ratio(&rounds(&[0.4, 0.1, 0.2, 0.3])) - 0.25).abs() < 1e-12);
        assert_eq!(median_ratio(&[]), 0.0);
    }

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("20s"), Ok(Duration::from_secs(20)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("0s").is_err());
        assert_eq!(parse_duration("1h"), Ok(Duration::from_secs(3600)), "the kiosk simulator's default");
        assert!(parse_duration("2h").is_err());
        assert!(parse_duration("abc").is_err());
    }
}
