//! `boxoffice-load loopback-floor`: the machine's floor for a seat-map fan-out, with no
//! boxoffice, no WebSocket and no async runtime in the way.
//!
//! It is the `ws-capacity` sell-out stripped to the kernel's part. A writer process sweeps
//! over N loopback TCP sockets on `--writers` threads and writes each socket everything
//! published since its last write (the coalescing fan-out, with plain non-blocking `write`
//! calls), while this process reads the N other ends with epoll (`mio`, edge-triggered) on
//! `--readers` threads. "Changes" are published at `--rate` a second, each `--bytes` long,
//! change k at `start + k / rate`. For every change it reports the time from its
//! publication to the **last** of the N sockets having read it, as `ws-capacity` does from a
//! decision; both processes read the same monotonic clock (`CLOCK_MONOTONIC`).
//!
//! Whatever a real server and real clients add (framing, JSON, task scheduling, TLS) comes
//! on top of this figure: where the floor is above a latency target, no implementation on
//! this machine meets the target. The writer is a child process (`--writer`, hidden) so
//! that each side stays within a per-process file limit of ~N descriptors. Loopback only,
//! bounded in changes and time (`DRAIN_TIMEOUT` after the last publication).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::process::{Command, Stdio};
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Args;
use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Options of `boxoffice-load loopback-floor`.
#[derive(Debug, Args)]
pub struct FloorArgs {
    /// Sockets to fan out to.
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u32).range(1..=60_000))]
    connections: u32,
    /// Changes published per second.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    rate: u32,
    /// Changes published in all (500: a 500-seat sell-out of 250 holds and 250 purchases).
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    changes: u32,
    /// Bytes per change (a seat-map `change` message is ~200).
    #[arg(long, default_value_t = 200, value_parser = clap::value_parser!(u32).range(1..=65_536))]
    bytes: u32,
    /// Writer threads in the writer process.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=64))]
    writers: u16,
    /// Reader threads in this process.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u16).range(1..=64))]
    readers: u16,
    /// Write the results as JSON to this file.
    #[arg(long)]
    json: Option<std::path::PathBuf>,
    /// Internal: run as the writer process (prints its port, waits for `go` on stdin).
    #[arg(long, hide = true)]
    writer: bool,
}

/// Largest single write (the writer sends a socket's backlog in pieces of this size).
const WRITE_CHUNK: usize = 64 * 1024;
/// Longest the whole run may take beyond the publishing time.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(60);

/// What the writer reports when it is done.
#[derive(Debug, Serialize, Deserialize)]
struct WriterReport {
    /// Publication time of every change (monotonic ns).
    published_ns: Vec<u64>,
    /// `write` calls that sent bytes.
    writes: u64,
    /// `write` calls that found the socket full.
    would_block: u64,
    /// CPU seconds (user + system) the writer spent between `go` and the end.
    cpu_seconds: f64,
}

/// Runs the floor measurement (or, with `--writer`, its writer process).
pub fn run(args: &FloorArgs) -> anyhow::Result<()> {
    if args.writer { writer(args) } else { readers(args) }
}

/// The monotonic clock in ns, the same in every process of the machine.
fn now_ns() -> u64 {
    let mut ts = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &raw mut ts) };
    u64::try_from(ts.tv_sec).unwrap_or(0) * 1_000_000_000 + u64::try_from(ts.tv_nsec).unwrap_or(0)
}

/// CPU seconds (user + system) of this process so far.
fn cpu_seconds() -> f64 {
    // SAFETY: an all-zero rusage is a valid value to be overwritten by getrusage.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &raw mut usage) } != 0 {
        return 0.0;
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// The writer process: accepts the connections, waits for `go`, publishes the changes at
/// the rate and sweeps over the sockets until every one has all of them.
fn writer(args: &FloorArgs) -> anyhow::Result<()> {
    let n = args.connections as usize;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
    println!("{}", listener.local_addr()?.port());
    std::io::stdout().flush()?;
    let mut sockets = Vec::with_capacity(n);
    while sockets.len() < n {
        let (socket, _) = listener.accept()?;
        socket.set_nodelay(true)?;
        socket.set_nonblocking(true)?;
        sockets.push(socket);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    if line.trim() != "go" {
        bail!("expected `go`, got {line:?}");
    }
    let cpu_before = cpu_seconds();
    let changes = args.changes as usize;
    let interval_ns = 1_000_000_000 / u64::from(args.rate);
    // Change k is published at `start + k × interval`, whatever thread writes it.
    let start = now_ns();
    let published_ns: Vec<u64> = (0..changes as u64).map(|k| start + k * interval_ns).collect();
    let writers = usize::from(args.writers).clamp(1, n);
    let mut shares: Vec<Vec<TcpStream>> = (0..writers).map(|_| Vec::new()).collect();
    for (i, socket) in sockets.into_iter().enumerate() {
        shares[i % writers].push(socket);
    }
    let bytes = u64::from(args.bytes);
    let threads: Vec<_> = shares
        .into_iter()
        .map(|share| {
            let published_ns = published_ns.clone();
            std::thread::spawn(move || sweep(share, &published_ns, bytes))
        })
        .collect();
    let (mut writes, mut would_block) = (0u64, 0u64);
    let mut sockets = Vec::new();
    for thread in threads {
        let (share, w, b) = thread.join().map_err(|_| anyhow::anyhow!("a writer thread panicked"))??;
        writes += w;
        would_block += b;
        sockets.extend(share);
    }
    let report = WriterReport { published_ns, writes, would_block, cpu_seconds: cpu_seconds() - cpu_before };
    println!("{}", serde_json::to_string(&report)?);
    // Keep the sockets open until the readers are done (they close first).
    let _ = std::io::stdin().lock().read_line(&mut line);
    Ok(())
}

/// One writer thread: sweeps over `sockets`, writing each one everything published since its
/// last write, until every socket has all the changes. Gives the sockets back (they stay open
/// until the readers are done), with the `write` calls made and those that found a socket full.
fn sweep(mut sockets: Vec<TcpStream>, published_ns: &[u64], bytes: u64) -> anyhow::Result<(Vec<TcpStream>, u64, u64)> {
    let payload = vec![b'x'; WRITE_CHUNK];
    let mut sent = vec![0u64; sockets.len()];
    let (mut writes, mut would_block) = (0u64, 0u64);
    loop {
        let now = now_ns();
        let published = published_ns.partition_point(|&at| at <= now);
        let target = published as u64 * bytes;
        let mut behind = false;
        for (socket, sent) in sockets.iter_mut().zip(sent.iter_mut()) {
            if *sent >= target {
                continue;
            }
            let chunk = usize::try_from(target - *sent).unwrap_or(WRITE_CHUNK).min(WRITE_CHUNK);
            match socket.write(&payload[..chunk]) {
                Ok(written) => {
                    writes += 1;
                    *sent += written as u64;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => would_block += 1,
                Err(e) => return Err(e).context("writing to a socket"),
            }
            behind |= *sent < target;
        }
        if published == published_ns.len() && !behind {
            return Ok((sockets, writes, would_block));
        }
        if !behind && let Some(next) = published_ns.get(published) {
            // Everyone has everything published: sleep until the next change.
            std::thread::sleep(Duration::from_nanos(next.saturating_sub(now_ns())));
        }
    }
}

/// Arrivals seen by one reader thread.
struct Arrivals {
    /// Latest arrival (monotonic ns) of each change.
    last_ns: Vec<u64>,
    /// Sockets that read each change.
    count: Vec<u32>,
    /// `read` calls that returned bytes.
    reads: u64,
}

/// This process: connects the sockets, starts the writer, reads on `--readers` threads,
/// and reports.
fn readers(args: &FloorArgs) -> anyhow::Result<()> {
    let n = args.connections as usize;
    let exe = std::env::current_exe().context("finding this program")?;
    let mut child = Command::new(exe)
        .args(["loopback-floor", "--writer", "--connections", &args.connections.to_string()])
        .args(["--rate", &args.rate.to_string(), "--changes", &args.changes.to_string()])
        .args(["--bytes", &args.bytes.to_string(), "--writers", &args.writers.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("starting the writer process")?;
    let result = drive(args, n, &mut child);
    let _ = child.kill();
    let _ = child.wait();
    result
}

fn drive(args: &FloorArgs, n: usize, child: &mut std::process::Child) -> anyhow::Result<()> {
    let mut from_writer = BufReader::new(child.stdout.take().context("writer stdout")?);
    let mut to_writer = child.stdin.take().context("writer stdin")?;
    let mut line = String::new();
    from_writer.read_line(&mut line)?;
    if line.is_empty() {
        bail!("the writer process stopped before listening (its error is above)");
    }
    let port: u16 = line.trim().parse().with_context(|| format!("the writer said {line:?}, not a port"))?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut sockets = Vec::with_capacity(n);
    for _ in 0..n {
        let socket = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).context("connecting")?;
        socket.set_nonblocking(true)?;
        sockets.push(socket);
    }
    println!("{n} sockets connected; publishing {} changes of {} bytes at {}/s", args.changes, args.bytes, args.rate);
    let readers = usize::from(args.readers).min(n);
    let mut shares: Vec<Vec<TcpStream>> = (0..readers).map(|_| Vec::new()).collect();
    for (i, socket) in sockets.into_iter().enumerate() {
        shares[i % readers].push(socket);
    }
    let changes = args.changes as usize;
    let expected = u64::from(args.changes) * u64::from(args.bytes);
    let deadline = std::time::Instant::now()
        + Duration::from_secs_f64(f64::from(args.changes) / f64::from(args.rate))
        + DRAIN_TIMEOUT;
    let cpu_before = cpu_seconds();
    writeln!(to_writer, "go")?;
    let bytes = u64::from(args.bytes);
    let threads: Vec<_> = shares
        .into_iter()
        .map(|share| std::thread::spawn(move || read_all(share, changes, bytes, expected, deadline)))
        .collect();
    let mut arrivals = Vec::new();
    for thread in threads {
        arrivals.push(thread.join().map_err(|_| anyhow::anyhow!("a reader thread panicked"))??);
    }
    let reader_cpu = cpu_seconds() - cpu_before;
    line.clear();
    from_writer.read_line(&mut line)?;
    let writer: WriterReport = serde_json::from_str(line.trim()).context("reading the writer's report")?;
    let _ = writeln!(to_writer, "done");
    report(args, n, &arrivals, &writer, reader_cpu)
}

/// Reads `sockets` until each has `expected` bytes or the deadline passes.
fn read_all(
    sockets: Vec<TcpStream>,
    changes: usize,
    bytes: u64,
    expected: u64,
    deadline: std::time::Instant,
) -> anyhow::Result<Arrivals> {
    let mut poll = mio::Poll::new()?;
    let mut events = mio::Events::with_capacity(1024);
    let mut streams: HashMap<mio::Token, (mio::net::TcpStream, u64)> = HashMap::with_capacity(sockets.len());
    for (i, socket) in sockets.into_iter().enumerate() {
        let mut stream = mio::net::TcpStream::from_std(socket);
        let token = mio::Token(i);
        poll.registry().register(&mut stream, token, mio::Interest::READABLE)?;
        streams.insert(token, (stream, 0));
    }
    let mut arrivals = Arrivals { last_ns: vec![0; changes], count: vec![0; changes], reads: 0 };
    let mut unfinished = streams.len();
    let mut buffer = vec![0u8; WRITE_CHUNK];
    while unfinished > 0 && std::time::Instant::now() < deadline {
        poll.poll(&mut events, Some(Duration::from_millis(100)))?;
        for event in &events {
            let Some((stream, received)) = streams.get_mut(&event.token()) else { continue };
            loop {
                match stream.read(&mut buffer) {
                    Ok(0) => break,
                    Ok(read) => {
                        arrivals.reads += 1;
                        let now = now_ns();
                        let before = *received / bytes;
                        *received += read as u64;
                        let after = (*received / bytes).min(changes as u64);
                        for change in before..after {
                            let i = usize::try_from(change).unwrap_or(0);
                            arrivals.last_ns[i] = arrivals.last_ns[i].max(now);
                            arrivals.count[i] += 1;
                        }
                        if *received >= expected {
                            unfinished -= 1;
                        }
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                    Err(e) if e.kind() == ErrorKind::Interrupted => {}
                    Err(e) => return Err(e).context("reading a socket"),
                }
            }
        }
    }
    Ok(arrivals)
}

fn report(
    args: &FloorArgs,
    n: usize,
    arrivals: &[Arrivals],
    writer: &WriterReport,
    reader_cpu: f64,
) -> anyhow::Result<()> {
    let mut latency = Histogram::<u64>::new(3)?;
    let mut complete = 0usize;
    for (change, published) in writer.published_ns.iter().enumerate() {
        let count: usize = arrivals.iter().map(|a| a.count.get(change).copied().unwrap_or(0) as usize).sum();
        let last = arrivals.iter().map(|a| a.last_ns.get(change).copied().unwrap_or(0)).max().unwrap_or(0);
        if count == n {
            complete += 1;
            latency.record(last.saturating_sub(*published) / 1000)?;
        }
    }
    let reads: u64 = arrivals.iter().map(|a| a.reads).sum();
    let ms = |q: f64| latency.value_at_quantile(q) as f64 / 1000.0;
    let per_delivery_us = |cpu: f64| if reads == 0 { 0.0 } else { cpu * 1e6 / reads as f64 };
    let result = json!({
        "connections": n, "rate": args.rate, "changes": args.changes, "bytes": args.bytes,
        "readers": args.readers, "writers": args.writers,
        "changes_reaching_every_socket": complete,
        "ms_from_publication_to_last_socket": {"p50": ms(0.5), "p99": ms(0.99), "max": ms(1.0)},
        "writes": writer.writes, "writes_would_block": writer.would_block, "reads": reads,
        "writer_cpu_seconds": (writer.cpu_seconds * 100.0).round() / 100.0,
        "reader_cpu_seconds": (reader_cpu * 100.0).round() / 100.0,
        "cpu_us_per_delivery": {
            "writer": (per_delivery_us(writer.cpu_seconds) * 100.0).round() / 100.0,
            "readers": (per_delivery_us(reader_cpu) * 100.0).round() / 100.0,
        },
    });
    println!("{}", serde_json::to_string_pretty(&result)?);
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&result)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    if complete < writer.published_ns.len() {
        bail!(
            "{} of {} changes did not reach every socket in time",
            writer.published_ns.len() - complete,
            args.changes
        );
    }
    Ok(())
}
