//! WAL checkpoints off the write path. The writer connection never checkpoints by itself
//! (`wal_autocheckpoint = 0`): a checkpoint copies WAL pages into the database file and
//! fsyncs it, which inside a commit would add milliseconds to every client of that batch.
//! A background thread with its own connection runs a `PASSIVE` checkpoint (which never
//! waits for or blocks the writer) whenever commits happened since the last one.
//!
//! Under steady writes that is not enough: the WAL starts over from its beginning only when
//! a checkpoint has copied every frame and no reader is still on the WAL when a write
//! begins, and with the writer busy and reads coming and going that moment never comes: the
//! WAL grew for as long as the load lasted (~600 MB in 25 s of the hot-showtime bench).
//! So when the file passes `SqliteOptions::wal_restart_bytes`, the checkpointer asks the
//! writer for a restart ([`WalRestart`]), and the writer, between two batches (after
//! answering the first), runs a `RESTART` checkpoint on its own connection: it copies what
//! the `PASSIVE` ones left (little), waits at most [`RESTART_WAIT`] for the readers to
//! leave the WAL, and the next write starts the WAL over, cutting the file back to the
//! limit (`journal_size_limit`). Doing it on the writer's thread means it never races the
//! writer for the write lock.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use rusqlite::Connection;

use crate::error::{StorageError, StorageResult};

/// How often the checkpointer looks for new commits.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(200);

/// Longest a `RESTART` checkpoint waits for readers to leave the WAL (the writer waits with
/// it); if they are not done by then it gives up, and the checkpointer asks again.
pub(crate) const RESTART_WAIT: Duration = Duration::from_millis(250);

/// The checkpointer's request for a WAL restart, and the writer's connection settings to
/// run it with.
#[derive(Clone, Debug)]
pub(crate) struct WalRestart {
    /// Set by the checkpointer when the WAL is over its limit; taken by the writer.
    pub(crate) wanted: Arc<AtomicBool>,
    /// The writer connection's usual busy timeout, restored after the restart.
    pub(crate) busy: Duration,
}

impl WalRestart {
    /// No restart asked for yet; `busy` is the writer connection's busy timeout.
    pub(crate) fn new(busy: Duration) -> Self {
        Self { wanted: Arc::new(AtomicBool::new(false)), busy }
    }

    /// On the writer's connection, between batches: runs the restart if one was asked for.
    pub(crate) fn run_if_wanted(&self, conn: &Connection) {
        if !self.wanted.swap(false, Ordering::Relaxed) {
            return;
        }
        let started = std::time::Instant::now();
        let _ = conn.busy_timeout(RESTART_WAIT);
        // The answer's first column is 1 when it could not finish (readers stayed).
        let done = conn.query_row("PRAGMA wal_checkpoint(RESTART)", [], |row| row.get::<_, i64>(0));
        let _ = conn.busy_timeout(self.busy);
        let outcome = match done {
            Ok(0) => "restarted",
            Ok(_) => "busy",
            Err(error) => {
                tracing::warn!(%error, "wal restart failed; will retry");
                "failed"
            }
        };
        metrics::counter!("boxoffice_storage_wal_restarts_total", "outcome" => outcome).increment(1);
        metrics::histogram!("boxoffice_storage_wal_restart_seconds").record(started.elapsed().as_secs_f64());
    }
}

/// Starts the checkpointer; it stops by itself once `alive` can no longer be upgraded
/// (the storage was dropped).
pub(crate) fn spawn(
    options: &super::SqliteOptions,
    commits: Arc<AtomicU64>,
    alive: Weak<()>,
    restart: &WalRestart,
) -> StorageResult<()> {
    let path = options.path.clone();
    let conn = Connection::open(&path).map_err(|e| StorageError::Unavailable(format!("checkpoint connection: {e}")))?;
    let busy = Duration::from_millis(options.busy_timeout_ms);
    conn.busy_timeout(busy).map_err(|e| StorageError::Unavailable(format!("checkpoint connection: {e}")))?;
    let checkpointer = Checkpointer {
        conn,
        wal: wal_path(&path),
        restart_bytes: options.wal_restart_bytes,
        restart_wanted: Arc::clone(&restart.wanted),
    };
    std::thread::Builder::new()
        .name("sqlite-checkpt".into())
        .spawn(move || checkpointer.run(&commits, &alive))
        .map(|_| ())
        .map_err(|e| StorageError::Unavailable(format!("cannot start the checkpoint thread: {e}")))
}

/// The WAL file of the database at `path`.
pub(crate) fn wal_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// The checkpoint thread's connection and settings.
pub(crate) struct Checkpointer {
    pub(crate) conn: Connection,
    pub(crate) wal: PathBuf,
    pub(crate) restart_bytes: u64,
    pub(crate) restart_wanted: Arc<AtomicBool>,
}

impl Checkpointer {
    fn run(&self, commits: &AtomicU64, alive: &Weak<()>) {
        let mut seen = commits.load(Ordering::Relaxed);
        while alive.strong_count() > 0 {
            std::thread::sleep(CHECKPOINT_EVERY);
            let now = commits.load(Ordering::Relaxed);
            if now == seen {
                continue;
            }
            seen = now;
            self.checkpoint();
        }
    }

    /// One round: a `PASSIVE` checkpoint, then a restart asked of the writer if the WAL is
    /// over its limit.
    pub(crate) fn checkpoint(&self) {
        let started = std::time::Instant::now();
        match self.conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            Ok(()) => {
                metrics::histogram!("boxoffice_storage_checkpoint_seconds").record(started.elapsed().as_secs_f64());
            }
            Err(error) => tracing::warn!(%error, "wal checkpoint failed; will retry"),
        }
        let wal_bytes = std::fs::metadata(&self.wal).map_or(0, |m| m.len());
        metrics::gauge!("boxoffice_storage_wal_bytes").set(wal_bytes as f64);
        if wal_bytes > self.restart_bytes {
            self.restart_wanted.store(true, Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::time::Duration;

    use rusqlite::Connection;

    use super::{Checkpointer, WalRestart, wal_path};
    use crate::sqlite::{SqliteOptions, schema};

    fn wal_bytes(path: &std::path::Path) -> u64 {
        std::fs::metadata(wal_path(path)).map_or(0, |m| m.len())
    }

    #[test]
    fn the_wal_file_is_next_to_the_database() {
        assert_eq!(
            wal_path(std::path::Path::new("/data/boxoffice.db")),
            std::path::Path::new("/data/boxoffice.db-wal")
        );
    }

    #[test]
    fn a_wal_over_its_limit_is_restarted_by_the_writer_and_cut_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("wal.db");
        let options = SqliteOptions { wal_restart_bytes: 256 * 1024, ..SqliteOptions::new(&path) };
        let mut writer = Connection::open(&path).expect("open");
        schema::configure_writer(&writer, &options).expect("configure");
        schema::migrate(&mut writer).expect("migrate");
        writer.execute_batch("CREATE TABLE filler (bytes BLOB NOT NULL)").expect("table");
        let write = |conn: &Connection| {
            conn.execute("INSERT INTO filler (bytes) VALUES (zeroblob(64 * 1024))", []).expect("insert");
        };
        // No checkpoint has copied anything: the WAL can only grow.
        for _ in 0..32 {
            write(&writer);
        }
        let restart = WalRestart::new(Duration::from_secs(5));
        // The writer restarts only when asked.
        write(&writer);
        restart.run_if_wanted(&writer);
        write(&writer);
        assert!(wal_bytes(&path) > 2 * 1024 * 1024, "the WAL grew: {} bytes", wal_bytes(&path));
        restart.wanted.store(true, Ordering::Relaxed);
        restart.run_if_wanted(&writer);
        assert!(!restart.wanted.load(Ordering::Relaxed), "the request was taken");
        // The next write starts the WAL over and cuts the file back to the limit.
        write(&writer);
        assert!(
            wal_bytes(&path) <= options.wal_restart_bytes,
            "WAL of {} bytes after the restart (limit {})",
            wal_bytes(&path),
            options.wal_restart_bytes
        );
        let rows: i64 = writer.query_row("SELECT COUNT(*) FROM filler", [], |r| r.get(0)).expect("count");
        assert_eq!(rows, 35, "nothing lost");
    }

    #[test]
    fn the_checkpointer_asks_for_a_restart_when_the_wal_is_over_its_limit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ask.db");
        let options = SqliteOptions { wal_restart_bytes: 64 * 1024, ..SqliteOptions::new(&path) };
        let mut writer = Connection::open(&path).expect("open");
        schema::configure_writer(&writer, &options).expect("configure");
        schema::migrate(&mut writer).expect("migrate");
        writer.execute_batch("CREATE TABLE filler (bytes BLOB NOT NULL)").expect("table");
        for _ in 0..4 {
            writer.execute("INSERT INTO filler (bytes) VALUES (zeroblob(64 * 1024))", []).expect("insert");
        }
        let checkpointer = |restart_bytes| Checkpointer {
            conn: Connection::open(&path).expect("checkpoint connection"),
            wal: wal_path(&path),
            restart_bytes,
            restart_wanted: Arc::new(AtomicBool::new(false)),
        };
        let roomy = checkpointer(u64::MAX);
        roomy.checkpoint();
        assert!(!roomy.restart_wanted.load(Ordering::Relaxed), "under its limit, nothing is asked");
        let tight = checkpointer(options.wal_restart_bytes);
        tight.checkpoint();
        assert!(tight.restart_wanted.load(Ordering::Relaxed), "over its limit, a restart is asked");
    }
}
