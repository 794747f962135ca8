//! `boxoffice-load`: load tools for boxoffice, as a library (the `boxoffice-load` binary is
//! a thin command line over it, and `gateway/tests/rush.rs` runs a short rush with it).
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`target`] | parsing the target URL; loopback only unless `--allow-remote` |
//! | [`api`] | a small typed client of the boxoffice HTTP API |
//! | [`stats`] | latency histograms and counters per operation |
//! | [`bench`] | the hot-showtime bench: durable decisions vs. a trivial endpoint |
//! | [`kiosk`] | the terminal kiosk simulator (`kiosk`) and the WebSocket capacity bench (`ws-capacity`) |
//! | [`setup`] | `setup`: showtimes, funded customers and kiosk devices through the public API |
//! | [`rush`] | `rush`: the release-day rush of simulated customers and kiosks |
//! | [`verify`] | the invariant checks at the end of a rush, through the API and in the store |
//! | [`chart`] | the SVG chart of a rush: throughput and p99 latency over time |
//! | [`compare`] | `compare`: the same rush against two targets in alternation |
//! | [`pages`] | `pages`: server render time of every kind of web page |
//! | [`durable_floor`] | `durable-floor`: the machine's floor for durable decisions over HTTP (bare axum + SQLite) |
//! | [`floor`] | `loopback-floor`: the machine's floor for a fan-out (plain TCP, epoll) |
//!
//! Every run is bounded in time and count and sends traffic only to loopback unless told
//! otherwise.

pub mod api;
pub mod bench;
pub mod chart;
pub mod compare;
pub mod durable_floor;
pub mod floor;
pub mod kiosk;
pub mod pages;
pub mod proc_stat;
pub mod rush;
pub mod setup;
pub mod stats;
pub mod target;
pub mod verify;
