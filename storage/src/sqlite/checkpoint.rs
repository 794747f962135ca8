//! WAL checkpoints off the write path. The writer connection never checkpoints
//! (`wal_autocheckpoint = 0`): a checkpoint copies WAL pages into the database file and
//! fsyncs it, which inside a commit would add milliseconds to every client of that batch.
//! A background thread with its own connection runs a `PASSIVE` checkpoint (which never
//! waits for or blocks the writer) whenever commits happened since the last one.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use rusqlite::Connection;

use crate::error::{StorageError, StorageResult};

/// How often the checkpointer looks for new commits.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Starts the checkpointer; it stops by itself once `alive` can no longer be upgraded
/// (the storage was dropped).
pub(crate) fn spawn(
    path: PathBuf,
    commits: Arc<AtomicU64>,
    alive: Weak<()>,
    busy_timeout_ms: u64,
) -> StorageResult<()> {
    let conn = Connection::open(&path).map_err(|e| StorageError::Unavailable(format!("checkpoint connection: {e}")))?;
    conn.busy_timeout(Duration::from_millis(busy_timeout_ms))
        .map_err(|e| StorageError::Unavailable(format!("checkpoint connection: {e}")))?;
    std::thread::Builder::new()
        .name("sqlite-checkpoint".into())
        .spawn(move || run(&conn, &commits, &alive))
        .map(|_| ())
        .map_err(|e| StorageError::Unavailable(format!("cannot start the checkpoint thread: {e}")))
}

fn run(conn: &Connection, commits: &AtomicU64, alive: &Weak<()>) {
    let mut seen = commits.load(Ordering::Relaxed);
    while alive.strong_count() > 0 {
        std::thread::sleep(CHECKPOINT_EVERY);
        let now = commits.load(Ordering::Relaxed);
        if now == seen {
            continue;
        }
        seen = now;
        let started = std::time::Instant::now();
        match conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            Ok(()) => {
                metrics::histogram!("boxoffice_storage_checkpoint_seconds").record(started.elapsed().as_secs_f64())
            }
            Err(error) => tracing::warn!(%error, "wal checkpoint failed; will retry"),
        }
    }
}
