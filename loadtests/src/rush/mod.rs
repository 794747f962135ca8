//! `boxoffice-load rush`: the release-day rush. `--users` simulated customers arrive over
//! `--ramp` (closed loop: each waits for an answer before its next step) and visit once
//! ([`journey`]); a `--kiosk-share` of them are walk-ins served by kiosk devices over the
//! WebSocket ([`kiosk`]); `--rate N/s` adds open-loop arrivals on a fixed schedule, whose
//! latencies count from the intended send time. A progress line shows requests/s, errors
//! and the hot showtime's sold/held/free ([`progress`]); the end prints a table per
//! operation, writes a JSON result and an SVG chart ([`report`]), and checks the
//! invariants through the API and in the store ([`crate::verify`]). Any violation: a report
//! and a non-zero exit.
//! The options are in [`options`]; the recorder of results in [`record`]; the simulated
//! customers' seat maps in [`seats`], read on their own low-priority runtime ([`feed`]).
//!
//! Bounded: at most 100 000 users and 10 000 arrivals/s, at most one hour; users still busy
//! at `--duration` stop at their next step, and are cut off 15 s later.

pub mod feed;
pub mod journey;
pub mod kiosk;
pub mod options;
pub mod progress;
pub mod record;
pub mod report;
pub mod seats;

use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use rand::SeedableRng;
use rand::rngs::StdRng;
use tokio::time::Instant;
use url::Url;

pub use self::options::{Behaviour, RushArgs, open_window, parse_args, parse_rate};

use self::journey::{Ending, Visitor};
use self::record::{Loop, Recorder};
use crate::api::Api;
use crate::setup::{Plan, Setup};
use crate::verify::Facts;

/// Grace after `--duration` before busy users are cut off.
const GRACE: Duration = Duration::from_secs(15);
/// HTTP connections kept per target.
const POOL_CONNECTIONS: usize = 4096;

/// What every simulated client shares.
pub struct Ctx {
    /// The HTTP API.
    pub api: Api,
    /// The WebSocket endpoint.
    pub ws_url: Url,
    /// Where results go.
    pub recorder: Arc<Recorder>,
    /// The hot showtime.
    pub hot: String,
    /// The other showtimes.
    pub others: Vec<String>,
    /// Behaviour shares.
    pub behaviour: Behaviour,
    /// No new step starts after this.
    pub deadline: Instant,
    /// The runtime that reads the customers' live seat maps.
    pub feeds: feed::Feeds,
}

/// The RNG of user `index` under `seed`.
pub fn user_rng(seed: u64, index: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// Runs `rush`: prints the report, writes the files; an error when an invariant is violated.
///
/// # Errors
/// Bad options, a failed setup, or violated invariants.
pub async fn run(args: RushArgs) -> anyhow::Result<()> {
    let report = execute(&args).await?;
    report.print();
    report.write(&args.json, &args.chart)?;
    if report.verification.violation_count > 0 {
        bail!("{} invariant violation(s); see above", report.verification.violation_count);
    }
    Ok(())
}

/// Sets up (unless `--setup`), runs the rush, verifies; the report.
///
/// # Errors
/// Bad options or a failed setup.
pub async fn execute(args: &RushArgs) -> anyhow::Result<report::RushReport> {
    args.behaviour.check()?;
    let base = crate::target::parse(&args.target, args.allow_remote)?;
    let admin = crate::setup::admin_token(args.admin_token.as_deref(), args.data_dir.as_deref())?;
    let store = args.store.as_deref().map(crate::verify::store::parse_store).transpose()?;
    let api = Api::new(base.clone(), POOL_CONNECTIONS)?;
    let open_users = args.rate.map_or(0, |r| u64::from(r) * open_window(args.duration).as_secs()).min(100_000) as u32;
    let setup = match &args.setup {
        Some(path) => Setup::load(path)?,
        None => {
            let plan = Plan {
                customers: (args.users + open_users).max(1),
                hot_rows: 20,
                others: args.others,
                kiosks: args.kiosks,
                poor_share: 0.15,
                seed: args.seed,
            };
            let started = std::time::Instant::now();
            let setup = crate::setup::prepare(&api, &admin, &plan).await?;
            println!(
                "setup {}: {} customers, {} showtimes, {} kiosks in {:.1} s",
                setup.tag,
                setup.customers.len(),
                setup.others.len() + 1,
                setup.kiosks.len(),
                started.elapsed().as_secs_f64()
            );
            setup
        }
    };
    if setup.customers.len() < (args.users + open_users) as usize {
        bail!("the setup has {} customers; this rush needs {}", setup.customers.len(), args.users + open_users);
    }
    let hot = if args.showtime == "hottest" { setup.hot.id.clone() } else { args.showtime.clone() };
    let mut facts = Facts { kiosks: setup.kiosks.iter().map(|k| k.id.clone()).collect(), ..Facts::default() };
    facts.showtimes = std::iter::once((setup.hot.id.clone(), setup.hot.capacity))
        .chain(setup.others.iter().map(|s| (s.id.clone(), s.capacity)))
        .collect();
    facts.customers = setup
        .customers
        .iter()
        .take((args.users + open_users) as usize)
        .map(|c| (c.id.clone(), c.credit_minor))
        .collect();
    let recorder = Arc::new(Recorder::new(facts));
    let ctx = Arc::new(Ctx {
        api: api.clone(),
        ws_url: crate::kiosk::client::ws_url(&base)?,
        recorder: Arc::clone(&recorder),
        others: setup.others.iter().map(|s| s.id.clone()).filter(|id| *id != hot).collect(),
        hot,
        behaviour: args.behaviour,
        deadline: Instant::now() + args.duration,
        feeds: feed::Feeds::start(0, args.feed_nice)?,
    });
    let monitor = progress::Monitor::start(Arc::clone(&ctx), u64::from(args.users + open_users), args.quiet);
    let endings = spawn_all(&ctx, args, &setup, open_users).await;
    monitor.stop().await;
    let wall = recorder.start().elapsed();
    let (closed, open, timeline, facts, sold_out_at) = recorder.finish();
    let verification = crate::verify::run(&api, &admin, &facts, store.as_deref()).await;
    Ok(report::RushReport::new(
        args,
        &ctx.hot,
        &setup,
        wall,
        closed,
        open,
        timeline,
        &facts,
        sold_out_at,
        &endings,
        verification,
        recorder.ws_messages.load(std::sync::atomic::Ordering::Relaxed),
    ))
}

/// Starts every user, kiosk and open-loop arrival; their endings once all are done or cut off.
async fn spawn_all(ctx: &Arc<Ctx>, args: &RushArgs, setup: &Setup, open_users: u32) -> Vec<Ending> {
    let users = u64::from(args.users);
    let kiosk_users =
        if setup.kiosks.is_empty() { 0 } else { (users as f64 * args.behaviour.kiosk_share).round() as u64 };
    let web_users = users - kiosk_users;
    let start = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..web_users {
        let arrival = start + args.ramp.mul_f64(i as f64 / web_users.max(1) as f64);
        let visitor = Visitor::new(
            Arc::clone(ctx),
            Loop::Closed,
            setup.customers[i as usize].clone(),
            user_rng(args.seed, i),
            arrival,
        );
        tasks.spawn(async move { vec![visitor.run().await] });
    }
    for (k, kiosk) in setup.kiosks.iter().enumerate() {
        let walk_ins: Vec<u64> =
            (web_users..users).filter(|u| (u - web_users) as usize % setup.kiosks.len() == k).collect();
        if !walk_ins.is_empty() {
            tasks.spawn(kiosk::device(Arc::clone(ctx), kiosk.clone(), walk_ins, args.seed));
        }
    }
    if let Some(rate) = args.rate {
        for j in 0..u64::from(open_users) {
            let arrival = start + Duration::from_secs_f64(j as f64 / f64::from(rate));
            let customer = setup.customers[(users + j) as usize].clone();
            let visitor = Visitor::new(Arc::clone(ctx), Loop::Open, customer, user_rng(args.seed, users + j), arrival);
            tasks.spawn(async move { vec![visitor.run().await] });
        }
    }
    let mut endings = Vec::new();
    let cutoff = ctx.deadline + GRACE;
    while let Ok(Some(done)) = tokio::time::timeout_at(cutoff, tasks.join_next()).await {
        let done = done.unwrap_or_else(|_| vec![Ending::Unserved("panicked")]);
        for ending in &done {
            ctx.recorder.users_done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            if matches!(ending, Ending::Served(_)) {
                ctx.recorder.users_served.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
        endings.extend(done);
    }
    let cut_off = tasks.len();
    tasks.abort_all();
    endings.extend((0..cut_off).map(|_| Ending::Unserved("cut_off")));
    endings
}
