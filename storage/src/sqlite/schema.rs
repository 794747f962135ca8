//! Connection settings and versioned schema migrations.
//!
//! The schema version is SQLite's `PRAGMA user_version`: migration `i` (from 0) brings a
//! database from version `i` to `i + 1`. Migrations run in order inside one transaction at
//! [`super::SqliteStorage::open`]; a database written by a newer build is refused.

use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use super::SqliteOptions;
use super::convert::DbResultExt;
use crate::error::{StorageError, StorageResult};

/// The schema migrations, oldest first. Never edit a released entry: append a new one.
pub(crate) const MIGRATIONS: &[&str] = &[
    V1_INITIAL,
    super::accounts_schema::V2_ACCOUNTS,
    super::ownership::V3_SHOWTIME_OWNERS,
    super::reviews::V4_REVIEWS,
    super::notices::V5_BOOKING_NOTICES,
    super::balances::V6_WALLET_BALANCES,
];

const V1_INITIAL: &str = r"
CREATE TABLE films (
    id               TEXT PRIMARY KEY NOT NULL,
    title            TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    search_text      TEXT NOT NULL,
    details          TEXT NOT NULL,
    created_at_ms    INTEGER NOT NULL,
    deleted_at_ms    INTEGER
);
CREATE INDEX films_by_title ON films (title, id) WHERE deleted_at_ms IS NULL;

CREATE TABLE auditoriums (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    capacity      INTEGER NOT NULL,
    details       TEXT NOT NULL,
    deleted_at_ms INTEGER
);
CREATE INDEX auditoriums_by_name ON auditoriums (name, id) WHERE deleted_at_ms IS NULL;

CREATE TABLE showtimes (
    id            TEXT PRIMARY KEY NOT NULL,
    auditorium_id TEXT NOT NULL,
    film_id       TEXT NOT NULL,
    starts_at_ms  INTEGER NOT NULL,
    ends_at_ms    INTEGER NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
    details       TEXT NOT NULL,
    deleted_at_ms INTEGER
);
CREATE INDEX showtimes_by_auditorium ON showtimes (auditorium_id, starts_at_ms);
CREATE INDEX showtimes_by_film ON showtimes (film_id, starts_at_ms);
CREATE INDEX showtimes_by_start ON showtimes (starts_at_ms);

CREATE TABLE customers (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    email         TEXT NOT NULL,
    email_key     TEXT NOT NULL UNIQUE, -- the email lower-cased (Unicode) by the backend
    token_sha256  BLOB NOT NULL UNIQUE,
    created_at_ms INTEGER NOT NULL
);

CREATE TABLE ledger (
    id           INTEGER PRIMARY KEY, -- application order
    customer_id  TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    kind         TEXT NOT NULL,
    reference    TEXT NOT NULL UNIQUE,
    memo         TEXT NOT NULL,
    at_ms        INTEGER NOT NULL
);
CREATE INDEX ledger_by_wallet ON ledger (customer_id, currency, amount_minor);
CREATE INDEX ledger_by_customer ON ledger (customer_id, id);

CREATE TABLE journal (
    showtime_id TEXT NOT NULL,
    seq         INTEGER NOT NULL,
    at_ms       INTEGER NOT NULL,
    event       TEXT NOT NULL,
    PRIMARY KEY (showtime_id, seq)
) WITHOUT ROWID;

CREATE TABLE bookings (
    id              TEXT PRIMARY KEY NOT NULL,
    showtime_id     TEXT NOT NULL,
    customer_id     TEXT NOT NULL,
    payment_id      TEXT NOT NULL UNIQUE,
    reference       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('confirmed', 'cancelled')),
    total_minor     INTEGER NOT NULL,
    currency        TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    cancelled_at_ms INTEGER,
    cancel_reason   TEXT,
    record          TEXT NOT NULL
);
CREATE INDEX bookings_by_customer ON bookings (customer_id, created_at_ms, id);
CREATE INDEX bookings_by_showtime ON bookings (showtime_id, created_at_ms, id);
CREATE INDEX bookings_cancelled ON bookings (payment_id) WHERE status = 'cancelled';

CREATE TABLE idempotency (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        INTEGER NOT NULL,
    body          BLOB NOT NULL,
    created_at_ms INTEGER NOT NULL,
    PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_by_age ON idempotency (created_at_ms);
";

/// Prepared statements kept per connection: every fixed statement of the backend and the
/// common listing variants, and the writer's transaction statements.
const STATEMENT_CACHE_CAPACITY: usize = 96;

/// Settings shared by the writer and the readers.
fn configure_common(conn: &Connection, busy_timeout_ms: u64) -> StorageResult<()> {
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE_CAPACITY);
    conn.busy_timeout(Duration::from_millis(busy_timeout_ms)).db()?;
    conn.pragma_update(None, "foreign_keys", true).db()
}

/// WAL, the durability level and the common settings, on the write connection.
pub(crate) fn configure_writer(conn: &Connection, options: &SqliteOptions) -> StorageResult<()> {
    configure_common(conn, options.busy_timeout_ms)?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)).db()?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StorageError::Unavailable(format!("cannot enable WAL journal mode (got {mode})")));
    }
    let synchronous = if options.synchronous_full { "FULL" } else { "NORMAL" };
    conn.pragma_update(None, "synchronous", synchronous).db()?;
    // When an op of a batch fails after writing, the batch runs again with each op in a
    // savepoint, whose sub-journal (the pages before the op) only serves to roll that op
    // back inside the open transaction; statements that may fail half-way keep one too.
    // Keep them in memory rather than in a temporary file (a crash rolls the whole
    // transaction back anyway).
    conn.pragma_update(None, "temp_store", "MEMORY").db()?;
    // A negative size is in KiB.
    let cache_kib = i64::try_from(options.writer_cache_bytes / 1024).unwrap_or(i64::MAX);
    conn.pragma_update(None, "cache_size", -cache_kib).db()?;
    // Checkpoints run on their own thread (see `checkpoint.rs`), never inside a commit.
    conn.pragma_update(None, "wal_autocheckpoint", 0).db()?;
    // When the WAL starts over after a restart, its file is cut back to this size.
    let limit = i64::try_from(options.wal_restart_bytes).unwrap_or(i64::MAX);
    conn.pragma_update(None, "journal_size_limit", limit).db()
}

/// A read connection: never writes (`query_only`).
pub(crate) fn configure_reader(conn: &Connection, busy_timeout_ms: u64) -> StorageResult<()> {
    configure_common(conn, busy_timeout_ms)?;
    conn.pragma_update(None, "query_only", true).db()
}

/// Brings the database to the newest schema version, in one transaction.
///
/// # Errors
/// `Unavailable` if the database was written by a newer build (or a migration fails).
pub(crate) fn migrate(conn: &mut Connection) -> StorageResult<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).db()?;
    let found: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0)).db()?;
    let known = MIGRATIONS.len();
    let current =
        usize::try_from(found).map_err(|_| StorageError::Corrupt(format!("negative schema version {found}")))?;
    if current > known {
        return Err(StorageError::Unavailable(format!(
            "database schema version {current} is newer than this build supports ({known}); \
             upgrade boxoffice or restore a backup"
        )));
    }
    if current == known {
        return Ok(());
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current) {
        tx.execute_batch(sql)
            .map_err(|e| StorageError::Unavailable(format!("schema migration {} failed: {e}", index + 1)))?;
    }
    tx.pragma_update(None, "user_version", i64::try_from(known).unwrap_or(i64::MAX)).db()?;
    tx.commit().db()?;
    tracing::info!(from = current, to = known, "sqlite schema migrated");
    Ok(())
}
