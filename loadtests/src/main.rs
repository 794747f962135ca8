//! `boxoffice-load`: load tools for boxoffice.
//!
//! | module | what it holds |
//! | --- | --- |
//! | `target` | parsing the target URL; loopback only unless `--allow-remote` |
//! | `api` | a small typed client of the boxoffice HTTP API |
//! | `stats` | latency histograms and counters per operation |
//! | `bench` | the hot-showtime bench: durable decisions vs. a trivial endpoint |
//!
//! Every run is bounded in time and sends traffic only to loopback unless told otherwise.

mod api;
mod bench;
mod stats;
mod target;

use clap::{Parser, Subcommand};

/// Load tools for boxoffice.
#[derive(Debug, Parser)]
#[command(name = "boxoffice-load", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Hammer one hot 500-seat showtime with hold → purchase → cancel cycles over HTTP and
    /// compare durable decisions/s with a trivial endpoint of the same server.
    Bench(bench::BenchArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match cli.command {
        Command::Bench(args) => runtime.block_on(bench::run(args)),
    }
}
