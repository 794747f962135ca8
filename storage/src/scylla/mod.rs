//! The ScyllaDB backend: the scale-out store for several engine nodes.
//!
//! | module | what it holds | compiled |
//! | --- | --- | --- |
//! | [`url`] | `scylla://HOST:PORT,.../KEYSPACE` | always |
//! | [`account_rows`] | the stored form of accounts and sessions | always |
//! | [`options`] | [`ScyllaOptions`]: consistency, timeouts, replication | always |
//! | [`schema`] | the CQL schema and its migrations (`docs/scylla-schema.md`) | always |
//! | [`statements`] | every prepared statement | always |
//! | [`batches`] | the conditional batches of the write path | always |
//! | [`rows`] | row mapping, results of lightweight transactions | always |
//! | [`filter`] | catalog filters, pagination, the overlap rule | always |
//! | `session`, `store`, ... | the driver glue: [`ScyllaStorage`] | feature `scylla` |
//!
//! The driver is heavy to compile, so its glue is behind the crate feature `scylla`; the
//! rest is plain code, compiled and unit-tested in every build.
//!
//! Guarantees: every statement is prepared (token-aware routing to a replica of its
//! partition); every request runs under the configured timeout and consistency
//! (`LOCAL_QUORUM`, `LOCAL_SERIAL` for lightweight transactions by default); a showtime's
//! group commit is one conditional single-partition batch, fenced by the showtime's
//! ownership epoch; retries can never apply a decision twice, because every write is keyed
//! by what it decides (a journal sequence number, a ledger reference, a booking id).

pub mod account_rows;
pub mod batches;
pub mod filter;
pub mod options;
pub mod rows;
pub mod schema;
pub mod statements;
pub mod url;

#[cfg(feature = "scylla")]
mod account_store;
#[cfg(feature = "scylla")]
mod accounts;
#[cfg(feature = "scylla")]
mod catalog;
#[cfg(feature = "scylla")]
mod journal;
#[cfg(feature = "scylla")]
mod reviews;
#[cfg(feature = "scylla")]
mod session;
#[cfg(feature = "scylla")]
mod store;
#[cfg(feature = "scylla")]
mod wallet;

pub use self::options::{Level, ScyllaOptions, SerialLevel};
#[cfg(feature = "scylla")]
pub use self::session::ScyllaStorage;
pub use self::url::{ScyllaUrl, UrlError};
