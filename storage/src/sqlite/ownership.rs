//! Showtime ownership on SQLite: the epoch table (schema migration 3), take-over, the
//! fence every journal append checks, and the journal tail a follower reads.
//!
//! Several local `boxoffice serve` processes may share one database file (WAL mode, each
//! waiting up to `busy_timeout_ms` for the write lock). SQLite serializes their write
//! transactions, so "raise the epoch" and "append if the epoch is still mine" can never
//! interleave: a take-over either happens before a batch (which is then fenced) or after
//! it (and the new owner's replay sees the batch).

use rusqlite::{Connection, OptionalExtension, params};

use super::convert::{DbResultExt, from_json, to_i64, to_u64};
use crate::error::{StorageError, StorageResult};
use crate::ids::ShowtimeId;
use crate::journal::JournalEntry;
use crate::ownership::{NODE_ID_BYTES_MAX, ShowtimeOwner};
use crate::time::Timestamp;

/// Migration 3 (appended to `schema::MIGRATIONS`; never edit once released).
pub(crate) const V3_SHOWTIME_OWNERS: &str = r"
CREATE TABLE showtime_owners (
    showtime_id    TEXT PRIMARY KEY NOT NULL,
    epoch          INTEGER NOT NULL CHECK (epoch > 0),
    node_id        TEXT NOT NULL,
    acquired_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
";

/// Raises the showtime's epoch by one (1 the first time) for `node`; the new epoch.
pub(crate) fn acquire(conn: &Connection, showtime: ShowtimeId, node: &str, at: Timestamp) -> StorageResult<u64> {
    check_node(node)?;
    let epoch: i64 = conn
        .prepare_cached(
            "INSERT INTO showtime_owners (showtime_id, epoch, node_id, acquired_at_ms) VALUES (?1, 1, ?2, ?3)
             ON CONFLICT (showtime_id) DO UPDATE
                 SET epoch = epoch + 1, node_id = excluded.node_id, acquired_at_ms = excluded.acquired_at_ms
             RETURNING epoch",
        )
        .db()?
        .query_row(params![showtime.to_string(), node, at.as_millis()], |row| row.get(0))
        .db()?;
    to_u64("showtime epoch", epoch)
}

/// The current owner, if the showtime was ever acquired.
pub(crate) fn owner(conn: &Connection, showtime: ShowtimeId) -> StorageResult<Option<ShowtimeOwner>> {
    let row: Option<(i64, String, i64)> = conn
        .prepare_cached("SELECT epoch, node_id, acquired_at_ms FROM showtime_owners WHERE showtime_id = ?1")
        .db()?
        .query_row(params![showtime.to_string()], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .optional()
        .db()?;
    row.map(|(epoch, node, at)| {
        Ok(ShowtimeOwner { node, epoch: to_u64("showtime epoch", epoch)?, acquired_at: Timestamp::from_millis(at) })
    })
    .transpose()
}

/// `Fenced` unless the showtime's epoch is `epoch` (0: the writer does not use fencing,
/// which is only allowed while nobody ever acquired the showtime).
pub(crate) fn check_epoch(conn: &Connection, showtime: ShowtimeId, epoch: u64) -> StorageResult<()> {
    let current: Option<i64> = conn
        .prepare_cached("SELECT epoch FROM showtime_owners WHERE showtime_id = ?1")
        .db()?
        .query_row(params![showtime.to_string()], |row| row.get(0))
        .optional()
        .db()?;
    let current = current.map(|c| to_u64("showtime epoch", c)).transpose()?.unwrap_or(0);
    if current == epoch { Ok(()) } else { Err(StorageError::Fenced { showtime, epoch, current }) }
}

/// The entries after `after`, in sequence order.
pub(crate) fn journal_after(conn: &Connection, showtime: ShowtimeId, after: u64) -> StorageResult<Vec<JournalEntry>> {
    let mut stmt = conn
        .prepare_cached("SELECT seq, at_ms, event FROM journal WHERE showtime_id = ?1 AND seq > ?2 ORDER BY seq")
        .db()?;
    let rows = stmt
        .query_map(params![showtime.to_string(), to_i64("journal seq", after)?], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?, row.get::<_, String>(2)?))
        })
        .db()?;
    let mut entries = Vec::new();
    for row in rows {
        let (seq, at, event) = row.db()?;
        entries.push(JournalEntry {
            seq: to_u64("journal seq", seq)?,
            at: Timestamp::from_millis(at),
            event: from_json("journal event", &event)?,
        });
    }
    Ok(entries)
}

fn check_node(node: &str) -> StorageResult<()> {
    if node.is_empty() || node.len() > NODE_ID_BYTES_MAX {
        return Err(StorageError::Unavailable(format!(
            "a node id must have 1 to {NODE_ID_BYTES_MAX} bytes, got {}",
            node.len()
        )));
    }
    Ok(())
}
