//! The options of `boxoffice-load rush` and how the simulated customers behave.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::bail;
use clap::{Args, Parser};
use serde::Serialize;

use crate::bench::parse_duration;

/// Options of `boxoffice-load rush`.
#[derive(Debug, Clone, Args)]
pub struct RushArgs {
    /// Base URL of the server.
    #[arg(long, default_value = "http://127.0.0.1:8080")]
    pub target: String,
    /// Staff token (else read from `<data dir>/admin-token`).
    #[arg(long, env = "BOXOFFICE_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// The server's data directory, to read its `admin-token` file.
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// A setup file from `boxoffice-load setup`; without one, the rush sets up first.
    #[arg(long)]
    pub setup: Option<PathBuf>,
    /// Simulated customers (closed loop).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(0..=100_000))]
    pub users: u32,
    /// The showtime everyone wants: an id, or `hottest` (the setup's hot showtime).
    #[arg(long, default_value = "hottest")]
    pub showtime: String,
    /// Bound of the run, e.g. `60s`.
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub duration: Duration,
    /// Users arrive evenly over this time.
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub ramp: Duration,
    /// Seed of every simulated customer's choices.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Open-loop arrivals per second (`200/s`), on top of the closed-loop users.
    #[arg(long, value_parser = parse_rate)]
    pub rate: Option<u32>,
    /// How the simulated customers behave.
    #[command(flatten)]
    pub behaviour: Behaviour,
    /// Other showtimes created by the inline setup.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u32).range(0..=500))]
    pub others: u32,
    /// Kiosk devices created by the inline setup (each serves its walk-ins one by one).
    #[arg(long, default_value_t = 40, value_parser = clap::value_parser!(u32).range(0..=200))]
    pub kiosks: u32,
    /// The server's store, checked directly at the end: `sqlite:PATH`.
    #[arg(long)]
    pub store: Option<String>,
    /// Where to write the JSON result.
    #[arg(long, default_value = "rush-result.json")]
    pub json: PathBuf,
    /// Where to write the SVG chart.
    #[arg(long, default_value = "rush.svg")]
    pub chart: PathBuf,
    /// No progress line.
    #[arg(long)]
    pub quiet: bool,
    /// Allow a target that is not on loopback.
    #[arg(long)]
    pub allow_remote: bool,
    /// CPU priority (nice, 0..=19) of the threads that read the customers' live seat maps;
    /// above 0 they give way to the requests whose latency is measured.
    #[arg(long, default_value_t = crate::rush::feed::FEED_NICE, value_parser = clap::value_parser!(u8).range(0..=19))]
    pub feed_nice: u8,
}

/// How the simulated customers behave.
#[derive(Debug, Clone, Copy, Args, Serialize)]
pub struct Behaviour {
    /// Share of web customers who want the hot showtime (the others pick another one).
    #[arg(long, default_value_t = 0.85)]
    pub hot_share: f64,
    /// Share who walk away from their hold (half of them release it first).
    #[arg(long, default_value_t = 0.10)]
    pub abandon_share: f64,
    /// Share of bookers who cancel.
    #[arg(long, default_value_t = 0.08)]
    pub cancel_share: f64,
    /// Share of users who are walk-ins at a kiosk.
    #[arg(long, default_value_t = 0.02)]
    pub kiosk_share: f64,
    /// Multiplies every think time (1 = browse 0.2–2 s, choose 0.5–3 s, pay 1–4 s).
    #[arg(long, default_value_t = 1.0)]
    pub think_scale: f64,
    /// Web customers read the seat map with `GET …/seats` (reloading it after a conflict)
    /// instead of a live WebSocket subscription: to measure what the live feed costs.
    #[arg(long)]
    pub http_seat_map: bool,
}

impl Behaviour {
    /// Refuses shares outside 0..=1 and think scales outside 0..=10.
    pub(crate) fn check(&self) -> anyhow::Result<()> {
        let shares = [self.hot_share, self.abandon_share, self.cancel_share, self.kiosk_share];
        if shares.iter().any(|s| !(0.0..=1.0).contains(s)) || !(0.0..=10.0).contains(&self.think_scale) {
            bail!("shares are 0 to 1 and --think-scale 0 to 10");
        }
        Ok(())
    }
}

/// Parses `200/s` or `200` (1 to 10 000).
pub fn parse_rate(text: &str) -> Result<u32, String> {
    let n: u32 = text.trim_end_matches("/s").parse().map_err(|_| format!("{text:?} is not a rate like 200/s"))?;
    if (1..=10_000).contains(&n) { Ok(n) } else { Err(format!("{text:?}: 1 to 10000 per second")) }
}

/// `RushArgs` from command-line words (for tests and `compare`).
///
/// # Errors
/// Words clap refuses.
pub fn parse_args(words: &[&str]) -> anyhow::Result<RushArgs> {
    #[derive(Parser)]
    struct Wrapper {
        #[command(flatten)]
        args: RushArgs,
    }
    Ok(Wrapper::try_parse_from(std::iter::once("rush").chain(words.iter().copied()))?.args)
}

/// How long open-loop visitors keep arriving: until 15 s before the end (at least half the
/// run), so that the last of them can finish their visit.
pub fn open_window(duration: Duration) -> Duration {
    duration.saturating_sub(Duration::from_secs(15)).max(duration / 2)
}
