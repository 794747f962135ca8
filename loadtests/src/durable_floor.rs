//! `boxoffice-load durable-floor`: the machine's floor for durable decisions over HTTP, with
//! none of boxoffice in the way.
//!
//! It is the `bench` stripped to its bones. A child process serves two routes with a bare
//! axum router (no middleware): `GET /healthz` (the trivial endpoint) and `POST /decide`,
//! whose handler hands the request's small JSON body to one SQLite writer thread (WAL,
//! `synchronous=FULL`, as the real store) through a bounded queue and answers once the row is
//! committed. The writer commits in groups: everything queued while the previous commit ran
//! goes into the next transaction. This process drives it like `bench` does (the same HTTP
//! client, `--connections` tasks): `/healthz` for a phase, `/decide` for a phase, `/healthz`
//! again, and reports the rates and their ratio.
//!
//! A real durable decision does more (authentication, the showtime actor, the seat map,
//! wallets, bookings, the email outbox, idempotency, the middleware stack), so
//! `decide / trivial` is an upper bound of what `bench` can reach on this machine with this
//! stack: where it is near a target, the target leaves no room for the work a decision is.
//! Loopback only; bounded by `--duration` per phase; the data directory is the caller's.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use clap::Args;
use reqwest::Method;
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use crate::api::Api;

/// Options of `boxoffice-load durable-floor`.
#[derive(Debug, Args)]
pub struct DurableFloorArgs {
    /// Concurrent connections (tasks), as `bench --connections`.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u16).range(1..=4096))]
    connections: u16,
    /// Length of each phase (trivial, durable, trivial), e.g. `10s`.
    #[arg(long, default_value = "10s", value_parser = crate::bench::parse_duration)]
    duration: Duration,
    /// Directory for the SQLite file (created; must not hold one already).
    #[arg(long)]
    data_dir: PathBuf,
    /// Write the results as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Internal: run as the server process (prints its port).
    #[arg(long, hide = true)]
    serve: bool,
}

/// Longest a phase may overrun its duration (the last requests finishing).
const PHASE_GRACE: Duration = Duration::from_secs(30);
/// Decisions queued for the writer at most (then handlers wait: back-pressure).
const QUEUE_DEPTH: usize = 4096;
/// Decisions in one transaction at most.
const BATCH_MAX: usize = 1024;

/// Runs the measurement (or, with `--serve`, its server process).
pub fn run(args: &DurableFloorArgs) -> anyhow::Result<()> {
    if args.serve { serve(&args.data_dir) } else { drive(args) }
}

/// One decision for the writer: its payload, and where to say it is durable.
type Decision = (String, oneshot::Sender<i64>);

/// The server process: the writer thread, the two routes, its port on stdout.
fn serve(data_dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(data_dir).with_context(|| format!("creating {}", data_dir.display()))?;
    let path = data_dir.join("durable-floor.db");
    if path.exists() {
        bail!("{} exists already: give an empty --data-dir", path.display());
    }
    let conn = rusqlite::Connection::open(&path)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch("CREATE TABLE decisions (seq INTEGER PRIMARY KEY, payload TEXT NOT NULL)")?;
    let (tx, rx) = mpsc::channel::<Decision>(QUEUE_DEPTH);
    std::thread::Builder::new().name("floor-writer".into()).spawn(move || write_all(conn, rx))?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let app = Router::new().route("/healthz", get(|| async { "ok" })).route("/decide", post(decide)).with_state(tx);
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        println!("{}", listener.local_addr()?.port());
        axum::serve(listener, app).await?;
        anyhow::Ok(())
    })
}

/// `POST /decide`: the body (JSON) is committed, then the answer says its sequence number.
async fn decide(
    State(tx): State<mpsc::Sender<Decision>>,
    axum::Json(body): axum::Json<Value>,
) -> Result<axum::Json<Value>, StatusCode> {
    let (done, durable) = oneshot::channel();
    tx.send((body.to_string(), done)).await.map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    let seq = durable.await.map_err(|_| StatusCode::SERVICE_UNAVAILABLE)?;
    Ok(axum::Json(json!({ "seq": seq })))
}

/// The writer: one transaction per group of queued decisions, each answered after `COMMIT`.
fn write_all(mut conn: rusqlite::Connection, mut rx: mpsc::Receiver<Decision>) {
    let mut batch = Vec::with_capacity(BATCH_MAX);
    while let Some(first) = rx.blocking_recv() {
        batch.push(first);
        while batch.len() < BATCH_MAX
            && let Ok(next) = rx.try_recv()
        {
            batch.push(next);
        }
        let committed = (|| -> rusqlite::Result<Vec<i64>> {
            let tx = conn.transaction()?;
            let mut seqs = Vec::with_capacity(batch.len());
            {
                let mut insert = tx.prepare_cached("INSERT INTO decisions (payload) VALUES (?1)")?;
                for (payload, _) in &batch {
                    insert.execute([payload])?;
                    seqs.push(tx.last_insert_rowid());
                }
            }
            tx.commit()?;
            Ok(seqs)
        })();
        match committed {
            // Answered only now: the rows are on disk.
            Ok(seqs) => batch.drain(..).zip(seqs).for_each(|((_, done), seq)| {
                let _ = done.send(seq);
            }),
            // Dropping the senders answers 503.
            Err(error) => {
                eprintln!("durable-floor: commit failed: {error}");
                batch.clear();
            }
        }
    }
}

/// This process: starts the server, runs the three phases, reports.
fn drive(args: &DurableFloorArgs) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("finding this program")?;
    let mut child = Command::new(exe)
        .args(["durable-floor", "--serve", "--data-dir"])
        .arg(&args.data_dir)
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the server process")?;
    let result = (|| {
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("server stdout")?).read_line(&mut line)?;
        if line.is_empty() {
            bail!("the server process stopped before listening (its error is above)");
        }
        let port: u16 = line.trim().parse().with_context(|| format!("the server said {line:?}, not a port"))?;
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
        runtime.block_on(phases(args, SocketAddr::from((Ipv4Addr::LOCALHOST, port)), child.id()))
    })();
    let _ = child.kill();
    let _ = child.wait();
    result
}

/// A phase's outcome: successful answers per second, and server CPU µs per answer.
struct Phase {
    answers: u64,
    per_second: f64,
    server_cpu_us: f64,
}

async fn phases(args: &DurableFloorArgs, addr: SocketAddr, server_pid: u32) -> anyhow::Result<()> {
    let base = url::Url::parse(&format!("http://{addr}"))?;
    let connections = usize::from(args.connections);
    let api = Api::new(base, connections)?;
    if !api.healthy().await {
        bail!("the floor server does not answer /healthz");
    }
    let before = phase(&api, connections, args.duration, server_pid, "/healthz").await?;
    let durable = phase(&api, connections, args.duration, server_pid, "/decide").await?;
    let after = phase(&api, connections, args.duration, server_pid, "/healthz").await?;
    let trivial = f64::midpoint(before.per_second, after.per_second);
    let ratio = if trivial > 0.0 { durable.per_second / trivial } else { 0.0 };
    let round = |x: f64| (x * 10.0).round() / 10.0;
    let result = json!({
        "connections": connections,
        "phase_seconds": args.duration.as_secs_f64(),
        "trivial_per_second": round(trivial),
        "trivial_before": round(before.per_second), "trivial_after": round(after.per_second),
        "durable_per_second": round(durable.per_second),
        "durable_answers": durable.answers,
        "durable_over_trivial_percent": round(ratio * 100.0),
        "server_cpu_us": {
            "trivial": round(f64::midpoint(before.server_cpu_us, after.server_cpu_us)),
            "durable": round(durable.server_cpu_us),
        },
    });
    println!("{}", serde_json::to_string_pretty(&result)?);
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&result)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// `connections` tasks calling `path` (GET `/healthz`, or POST `/decide` with a small body)
/// for `duration`.
async fn phase(
    api: &Api,
    connections: usize,
    duration: Duration,
    server_pid: u32,
    path: &str,
) -> anyhow::Result<Phase> {
    let started = Instant::now();
    let deadline = started + duration;
    let cpu_before = crate::proc_stat::cpu_seconds(server_pid);
    let tasks = (0..connections).map(|i| {
        let api = api.clone();
        let path = path.to_owned();
        tokio::spawn(async move {
            let body = json!({ "seats": [format!("A{}", i % 25 + 1), format!("A{}", i % 25 + 2)] });
            let mut ok = 0u64;
            while Instant::now() < deadline {
                let answer = if path == "/healthz" {
                    api.call(Method::GET, &path, None, None).await
                } else {
                    api.call(Method::POST, &path, None, Some(&body)).await
                };
                if answer.status == 200 {
                    ok += 1;
                }
            }
            ok
        })
    });
    let joined = tokio::time::timeout(duration + PHASE_GRACE, futures::future::join_all(tasks))
        .await
        .context("a phase overran")?;
    let elapsed = started.elapsed().as_secs_f64();
    let ok: u64 = joined.into_iter().map(|r| r.unwrap_or(0)).sum();
    let cpu = match (cpu_before, crate::proc_stat::cpu_seconds(server_pid)) {
        (Some(b), Some(a)) => a - b,
        _ => 0.0,
    };
    if ok == 0 {
        bail!("no request to {path} succeeded");
    }
    Ok(Phase { answers: ok, per_second: ok as f64 / elapsed, server_cpu_us: cpu * 1e6 / ok as f64 })
}
