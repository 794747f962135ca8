//! `boxoffice-load ws-capacity`: opens `--connections` WebSocket clients subscribed to one
//! 500-seat showtime, measures the server's memory per idle connection (VmRSS of
//! `--server-pid` before and after), then sells the showtime out over HTTP (`--buyers`
//! customers, hold 2 seats → purchase) and measures, for every decision, the time from the
//! HTTP 2xx (and from the request) to the **last** subscriber receiving the change.
//!
//! Each client records arrivals in shared arrays indexed by sequence number (the latest
//! arrival time and a count); one observer client also maps each change to its seats so
//! decisions can be matched to sequence numbers. Every client checks that its sequence
//! numbers are consecutive. Bounded: the sell-out ends when the showtime is sold out, and
//! every wait has a deadline.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::atomic::{AtomicU32, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::Args;
use futures::StreamExt;
use hdrhistogram::Histogram;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::client;
use crate::api::Api;
use crate::proc_stat::cpu_seconds;

mod sellout;

/// Options of `boxoffice-load ws-capacity`.
#[derive(Debug, Args)]
pub struct CapacityArgs {
    /// Base URL of the server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    target: String,
    /// Staff token of the server (to create the showtime).
    #[arg(long, env = "BOXOFFICE_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: String,
    /// WebSocket clients to open.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=60_000))]
    connections: u32,
    /// Local source addresses 127.0.0.1 .. 127.0.0.N (about 28k connections fit on one).
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u8).range(1..=64))]
    sources: u8,
    /// Process id of the server, to read its memory (VmRSS) before and after.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Customers buying in parallel during the sell-out.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=1000))]
    buyers: u16,
    /// Connections being opened at once.
    #[arg(long, default_value_t = 256)]
    connect_concurrency: usize,
    /// Allow a target that is not on loopback.
    #[arg(long)]
    allow_remote: bool,
    /// Write the results as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// Write every decision as a CSV line to this file (seq, kind, ms since the start: sent,
    /// 2xx, last subscriber; clients that received it).
    #[arg(long)]
    decisions_csv: Option<std::path::PathBuf>,
    /// Subscribe without `coalesce` (one `change` message per change, as clients that
    /// predate `changes` get), to compare.
    #[arg(long)]
    no_coalesce: bool,
    /// Decisions per second over all buyers (each hold and each purchase is one); without it
    /// every buyer goes as fast as the server answers. Pacing measures the fan-out at a fixed
    /// rate of changes, whatever the server's decision speed.
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    rate: Option<u32>,
}

/// Sequence numbers tracked (a 500-seat sell-out makes 500 changes).
const SEQ_MAX: usize = 4096;
/// Longest wait for every client to connect, or for the last change to arrive everywhere.
const PHASE_TIMEOUT: Duration = Duration::from_secs(180);

/// A change as the observer saw it: `(seq, change kind, first seat, decided at (ms since
/// the epoch, the server's clock))`.
type ObservedChange = (u64, String, String, Option<i64>);

/// What every client writes to.
struct Board {
    start: Instant,
    /// Latest arrival (ns since `start`) per seq.
    last_arrival: Vec<AtomicU64>,
    /// Clients that received each seq.
    received: Vec<AtomicU32>,
    ready: AtomicUsize,
    failed: AtomicUsize,
    closed: AtomicUsize,
    gaps: AtomicUsize,
    snapshots_after_start: AtomicUsize,
    /// Frames carrying changes, and changes in them (`changes` messages carry several).
    change_frames: AtomicU64,
    changes_received: AtomicU64,
    /// The observer's `(seq, change, first seat)`.
    changes: Mutex<Vec<ObservedChange>>,
    /// Wall-clock time of `start`, in ms since the epoch (to place the server's decision
    /// times, the changes' `at`, on the `start` timeline).
    start_wall_ms: f64,
}

impl Board {
    fn new() -> Self {
        Self {
            start: Instant::now(),
            last_arrival: (0..SEQ_MAX).map(|_| AtomicU64::new(0)).collect(),
            received: (0..SEQ_MAX).map(|_| AtomicU32::new(0)).collect(),
            ready: AtomicUsize::new(0),
            failed: AtomicUsize::new(0),
            closed: AtomicUsize::new(0),
            gaps: AtomicUsize::new(0),
            snapshots_after_start: AtomicUsize::new(0),
            change_frames: AtomicU64::new(0),
            changes_received: AtomicU64::new(0),
            changes: Mutex::new(Vec::new()),
            start_wall_ms: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        }
    }

    fn nanos(&self) -> u64 {
        u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }
}

/// Runs the bench and prints the report.
pub async fn run(args: CapacityArgs) -> anyhow::Result<()> {
    let base = crate::target::parse(&args.target, args.allow_remote)?;
    let api = Api::new(base.clone(), usize::from(args.buyers))?;
    if !api.healthy().await {
        bail!("{} does not answer /healthz", args.target);
    }
    let showtime = sellout::create_showtime(&api, &args.admin_token).await?;
    let tokens = sellout::create_buyers(&api, &args.admin_token, usize::from(args.buyers)).await?;
    let url = client::ws_url(&base)?;
    let n = args.connections as usize;
    let rss_before = args.server_pid.and_then(rss_kib);
    println!("showtime {showtime}: opening {n} subscribed connections from {} source address(es)", args.sources);
    let board = Arc::new(Board::new());
    let connect_started = Instant::now();
    let clients = open_clients(&args, &url, &showtime, &board);
    let ready =
        wait_for(PHASE_TIMEOUT, || board.ready.load(Ordering::Relaxed) + board.failed.load(Ordering::Relaxed) >= n)
            .await;
    let connected = board.ready.load(Ordering::Relaxed);
    println!(
        "{connected} connected, {} failed, in {:.1} s{}",
        board.failed.load(Ordering::Relaxed),
        connect_started.elapsed().as_secs_f64(),
        if ready { "" } else { " (timed out)" }
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss_after = args.server_pid.and_then(rss_kib);
    let per_connection = match (rss_before, rss_after) {
        (Some(b), Some(a)) if connected > 0 => Some((a.saturating_sub(b)) as f64 * 1024.0 / connected as f64),
        _ => None,
    };
    let load_before = load_average();
    let cpu_before = args.server_pid.and_then(cpu_seconds);
    let sellout_started = Instant::now();
    let decisions = sellout::sell_out(&api, &showtime, &tokens, board.start, args.rate).await;
    let sellout_seconds = sellout_started.elapsed().as_secs_f64();
    // Every decision is one change; when the sell-out outruns the fan-out, the observer has
    // not seen them all yet, and the last one is the one every client must receive.
    let observed = || board.changes.lock().map_or(0, |c| c.len());
    wait_for(PHASE_TIMEOUT, || observed() >= decisions.len()).await;
    let last_seq = board.changes.lock().map(|c| c.iter().map(|x| x.0).max().unwrap_or(0)).unwrap_or(0);
    let alive = connected - board.closed.load(Ordering::Relaxed);
    let all_arrived = wait_for(PHASE_TIMEOUT, || {
        let seq = usize::try_from(last_seq).unwrap_or(0).min(SEQ_MAX - 1);
        board.received[seq].load(Ordering::Relaxed) as usize >= alive
    })
    .await;
    let server = Server {
        rss_kib: (rss_before, rss_after, args.server_pid.and_then(rss_kib)),
        per_connection,
        cpu_seconds: (cpu_before, args.server_pid.and_then(cpu_seconds)),
        load_average: (load_before, load_average()),
        sellout_seconds,
    };
    let report = report(&board, &decisions, connected, alive, &server, all_arrived);
    for client in clients {
        client.abort();
    }
    println!("{}", serde_json::to_string_pretty(&report)?);
    if let Some(path) = &args.decisions_csv {
        std::fs::write(path, decisions_csv(&board, &decisions))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Spawns the clients, `connect_concurrency` connecting at a time.
fn open_clients(
    args: &CapacityArgs,
    url: &url::Url,
    showtime: &str,
    board: &Arc<Board>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let gate = Arc::new(tokio::sync::Semaphore::new(args.connect_concurrency.max(1)));
    (0..args.connections as usize)
        .map(|i| {
            let source =
                IpAddr::V4(Ipv4Addr::new(127, 0, 0, 1 + u8::try_from(i % usize::from(args.sources)).unwrap_or(0)));
            let local = (args.sources > 1).then_some(source);
            let (url, showtime, board, gate) = (url.clone(), showtime.to_owned(), Arc::clone(board), Arc::clone(&gate));
            // The observer maps every change to its decision, so it takes them one by one
            // (a coalescing client may catch up with a snapshot instead).
            let coalesce = !args.no_coalesce && i != 0;
            tokio::spawn(async move { subscriber(i == 0, coalesce, url, local, showtime, board, gate).await })
        })
        .collect()
}

async fn subscriber(
    observer: bool,
    coalesce: bool,
    url: url::Url,
    local: Option<IpAddr>,
    showtime: String,
    board: Arc<Board>,
    gate: Arc<tokio::sync::Semaphore>,
) {
    let permit = gate.acquire_owned().await;
    let setup = async {
        let mut ws = client::connect(&url, local).await?;
        client::send(&mut ws, "subscribe", "s", json!({"showtime_id": showtime, "coalesce": coalesce})).await?;
        let mut seq = None;
        while seq.is_none() {
            let m = client::next(&mut ws, Duration::from_secs(60)).await?.context("closed")?;
            if m["type"] == "snapshot" {
                seq = m["seq"].as_u64();
            } else if m["type"] == "error" {
                bail!("subscribe refused: {m}");
            }
        }
        anyhow::Ok((ws, seq.unwrap_or(0)))
    };
    let (mut ws, mut at) = match setup.await {
        Ok(ok) => ok,
        Err(_) => {
            board.failed.fetch_add(1, Ordering::Relaxed);
            return;
        }
    };
    drop(permit);
    board.ready.fetch_add(1, Ordering::Relaxed);
    while let Some(Ok(frame)) = ws.next().await {
        let Message::Text(text) = frame else { continue };
        let text = text.as_str();
        // Every server message starts `{"v":1,"type":"…"`: the type is read from the
        // prefix, the sequence numbers by a scan, no JSON is built (the generator shares
        // the cores with the server). Pushed messages carry no `id`, answers do.
        let kind = text.strip_prefix(r#"{"v":1,"type":""#).unwrap_or("");
        if kind.starts_with(r#"snapshot""#) {
            // A catch-up (the client fell far behind a burst) or a resync: the changes up to
            // its seq reach the client now, in this one message.
            let Some(seq) = field_u64(text, r#""seq":"#) else { continue };
            board.snapshots_after_start.fetch_add(1, Ordering::Relaxed);
            let now = board.nanos();
            for covered in at + 1..=seq {
                let slot = usize::try_from(covered).unwrap_or(SEQ_MAX - 1).min(SEQ_MAX - 1);
                board.last_arrival[slot].fetch_max(now, Ordering::Relaxed);
                board.received[slot].fetch_add(1, Ordering::Relaxed);
            }
            at = at.max(seq);
            continue;
        }
        let first = if kind.starts_with(r#"change""#) {
            0
        } else if kind.starts_with(r#"changes""#) {
            // The header (`from`, `seq`) comes before the array; each element is a `change`.
            match text.find(r#""changes":["#) {
                Some(i) => i,
                None => continue,
            }
        } else {
            continue;
        };
        let now = board.nanos();
        let mut changes = 0;
        let mut rest = &text[first..];
        while let Some(i) = rest.find(r#""seq":"#) {
            rest = &rest[i + 6..];
            let Some(seq) = field_u64(rest, "") else { break };
            if seq != at + 1 {
                board.gaps.fetch_add(1, Ordering::Relaxed);
            }
            at = seq;
            changes += 1;
            let slot = usize::try_from(seq).unwrap_or(SEQ_MAX - 1).min(SEQ_MAX - 1);
            board.last_arrival[slot].fetch_max(now, Ordering::Relaxed);
            board.received[slot].fetch_add(1, Ordering::Relaxed);
        }
        board.change_frames.fetch_add(1, Ordering::Relaxed);
        board.changes_received.fetch_add(changes, Ordering::Relaxed);
        if observer && let Ok(v) = serde_json::from_str::<Value>(text) {
            let list =
                if v["type"] == "changes" { v["changes"].as_array().cloned().unwrap_or_default() } else { vec![v] };
            if let Ok(mut changes) = board.changes.lock() {
                for v in list {
                    let first = v["seats"][0]["label"].as_str().unwrap_or("").to_owned();
                    let change = v["change"].as_str().unwrap_or("").to_owned();
                    let at = v["at"]
                        .as_str()
                        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                        .map(|t| t.timestamp_millis());
                    changes.push((v["seq"].as_u64().unwrap_or(0), change, first, at));
                }
            }
        }
    }
    board.closed.fetch_add(1, Ordering::Relaxed);
}

/// The number after `key` in `text` (a cheap scan instead of parsing every message).
fn field_u64(text: &str, key: &str) -> Option<u64> {
    let rest = &text[text.find(key)? + key.len()..];
    let end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    rest[..end].parse().ok()
}

async fn wait_for(limit: Duration, done: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if done() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    done()
}

/// Load averages (1, 5, 15 minutes) of the machine.
fn load_average() -> Option<String> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    Some(text.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
}

/// What the bench saw of the server.
struct Server {
    /// VmRSS before the clients, once they are connected, after the sell-out (KiB).
    rss_kib: (Option<u64>, Option<u64>, Option<u64>),
    /// Bytes per idle connection.
    per_connection: Option<f64>,
    /// Server CPU seconds before and after the sell-out.
    cpu_seconds: (Option<f64>, Option<f64>),
    /// Load averages before and after the sell-out.
    load_average: (Option<String>, Option<String>),
    /// How long the sell-out took.
    sellout_seconds: f64,
}

/// VmRSS of a process, in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// One line per decision: `seq,kind,sent_ms,ok_ms,last_ms,received`.
fn decisions_csv(board: &Board, decisions: &[sellout::Decision]) -> String {
    let changes = board.changes.lock().map(|c| c.clone()).unwrap_or_default();
    let mut lines = vec!["seq,kind,sent_ms,ok_ms,last_ms,received".to_owned()];
    let ms = |ns: u64| ns as f64 / 1e6;
    for d in decisions {
        let Some((seq, ..)) = changes.iter().find(|(_, kind, seat, _)| *kind == d.kind && *seat == d.first_seat) else {
            continue;
        };
        let slot = usize::try_from(*seq).unwrap_or(SEQ_MAX - 1).min(SEQ_MAX - 1);
        let last = board.last_arrival[slot].load(Ordering::Relaxed);
        let received = board.received[slot].load(Ordering::Relaxed);
        lines.push(format!("{seq},{},{:.3},{:.3},{:.3},{received}", d.kind, ms(d.sent_ns), ms(d.ok_ns), ms(last)));
    }
    lines.sort_by_key(|l| l.split(',').next().and_then(|s| s.parse::<u64>().ok()).unwrap_or(0));
    lines.join("\n") + "\n"
}

fn report(
    board: &Board,
    decisions: &[sellout::Decision],
    connected: usize,
    alive: usize,
    server: &Server,
    all_arrived: bool,
) -> Value {
    let changes = board.changes.lock().map(|c| c.clone()).unwrap_or_default();
    let mut from_ok = Histogram::<u64>::new(3).ok();
    let mut from_sent = Histogram::<u64>::new(3).ok();
    let mut from_decision = Histogram::<u64>::new(3).ok();
    let mut matched = 0;
    for d in decisions {
        let Some((seq, _, _, at)) = changes.iter().find(|(_, kind, seat, _)| *kind == d.kind && *seat == d.first_seat)
        else {
            continue;
        };
        let slot = usize::try_from(*seq).unwrap_or(SEQ_MAX - 1).min(SEQ_MAX - 1);
        let last = board.last_arrival[slot].load(Ordering::Relaxed);
        matched += 1;
        // The decision's time on the `start` timeline (the server's clock, ms resolution:
        // up to 1 ms early, so the figure errs long).
        if let (Some(at), Some(h)) = (at, from_decision.as_mut()) {
            let decided_ns = ((*at as f64 - board.start_wall_ms) * 1e6).max(0.0) as u64;
            let _ = h.record(last.saturating_sub(decided_ns) / 1000);
        }
        if let Some(h) = from_ok.as_mut() {
            let _ = h.record(last.saturating_sub(d.ok_ns) / 1000);
        }
        if let Some(h) = from_sent.as_mut() {
            let _ = h.record(last.saturating_sub(d.sent_ns) / 1000);
        }
    }
    let pct = |h: &Option<Histogram<u64>>, q: f64| h.as_ref().map_or(0.0, |h| h.value_at_quantile(q) as f64 / 1000.0);
    json!({
        "connections_connected": connected,
        "connections_alive_at_end": alive,
        "server_rss_kib_before": server.rss_kib.0, "server_rss_kib_after": server.rss_kib.1,
        "server_bytes_per_connection": server.per_connection.map(|b| b.round()),
        "server_rss_kib_after_sellout": server.rss_kib.2,
        "server_cpu_seconds_sellout": match server.cpu_seconds {
            (Some(before), Some(after)) => Some(((after - before) * 100.0).round() / 100.0),
            _ => None,
        },
        "load_average_before_sellout": server.load_average.0, "load_average_after_sellout": server.load_average.1,
        "decisions": decisions.len(), "decisions_matched": matched,
        "sellout_seconds": (server.sellout_seconds * 10.0).round() / 10.0,
        "changes_seen_by_observer": changes.len(),
        "every_change_reached_every_client": all_arrived,
        "gaps": board.gaps.load(Ordering::Relaxed), "snapshots_after_start": board.snapshots_after_start.load(Ordering::Relaxed),
        "change_frames": board.change_frames.load(Ordering::Relaxed),
        "changes_received": board.changes_received.load(Ordering::Relaxed),
        "fanout_ms_from_decision": {
            "p50": pct(&from_decision, 0.5), "p99": pct(&from_decision, 0.99), "max": pct(&from_decision, 1.0)
        },
        "fanout_ms_from_2xx": {"p50": pct(&from_ok, 0.5), "p99": pct(&from_ok, 0.99), "max": pct(&from_ok, 1.0)},
        "fanout_ms_from_request": {"p50": pct(&from_sent, 0.5), "p99": pct(&from_sent, 0.99), "max": pct(&from_sent, 1.0)},
    })
}
