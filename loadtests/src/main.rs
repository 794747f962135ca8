//! `boxoffice-load`: load tools for boxoffice. A thin command line over the
//! `boxoffice_loadtests` library (its `lib.rs` has the module map).
//!
//! Every run is bounded in time and sends traffic only to loopback unless told otherwise.

use boxoffice_loadtests::{bench, compare, durable_floor, floor, kiosk, pages, rush, setup};

use clap::{Parser, Subcommand};

/// mimalloc, as in the server: the generator shares the machine with the server under
/// test, so every cycle it saves goes to the server.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// A lobby kiosk in the terminal: a live seat map over WebSocket; hold, buy, release.
    Kiosk(kiosk::KioskArgs),
    /// WebSocket capacity: N subscribed clients, server memory per connection, fan-out
    /// latency while one showtime sells out.
    WsCapacity(kiosk::capacity::CapacityArgs),
    /// Prepare a target for a rush through the public API: showtimes (one hot), funded
    /// customers, kiosk devices; written to a setup file.
    Setup(setup::SetupArgs),
    /// The release-day rush: simulated customers and kiosks on realistic paths, then the
    /// invariants checked through the API and in the store.
    Rush(rush::RushArgs),
    /// The same rush against two targets in alternation; prints the ratios.
    Compare(compare::CompareArgs),
    /// Server render time of every kind of web page (its `Server-Timing`), p50/p99/max.
    Pages(pages::PagesArgs),
    /// The machine's floor for a fan-out: plain loopback TCP writes and epoll reads to N
    /// sockets, no server, WebSocket or runtime; latency from publication to the last socket.
    LoopbackFloor(floor::FloorArgs),
    /// The machine's floor for durable decisions over HTTP: a bare axum route committing to
    /// SQLite in groups, against a bare trivial route of the same server.
    DurableFloor(durable_floor::DurableFloorArgs),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Plain threads and epoll: no runtime of its own in the way of the measurement.
    match &cli.command {
        Command::LoopbackFloor(args) => return floor::run(args),
        // Its own runtimes: one in the server process, one driving it.
        Command::DurableFloor(args) => return durable_floor::run(args),
        _ => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    match cli.command {
        Command::Bench(args) => runtime.block_on(bench::run(args)),
        Command::Kiosk(args) => runtime.block_on(kiosk::run(args)),
        Command::WsCapacity(args) => runtime.block_on(kiosk::capacity::run(args)),
        Command::Setup(args) => runtime.block_on(setup::run(args)),
        Command::Rush(args) => runtime.block_on(rush::run(args)),
        Command::Compare(args) => runtime.block_on(compare::run(args)),
        Command::Pages(args) => runtime.block_on(pages::run(args)),
        Command::LoopbackFloor(args) => floor::run(&args),
        Command::DurableFloor(args) => durable_floor::run(&args),
    }
}
