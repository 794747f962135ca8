//! The embedded default backend: one SQLite file in WAL mode.
//!
//! * **Writes** go through one writer thread that owns the write connection. Callers queue
//!   ops on a bounded channel (a full queue is [`StorageError::Overloaded`]); the thread
//!   commits whatever is queued in one transaction (group commit), an op that fails rolled
//!   back alone, and answers every op only once `COMMIT` returned. See `writer`.
//! * **Reads** use a small pool of read connections on blocking threads; WAL lets them run
//!   while the writer commits.
//! * The schema is versioned with `PRAGMA user_version` and migrated by [`SqliteStorage::open`].
//!
//! Nested structures (film details, layouts, prices, booking lines, journal events) are
//! stored as JSON; the columns that are filtered or ordered on are stored beside them.

mod accounts_impl;
mod accounts_read;
mod accounts_schema;
mod accounts_write;
mod backup;
mod balances;
mod checkpoint;
mod convert;
mod notices;
mod ownership;
mod pool;
mod query;
mod read_catalog;
mod read_journal;
mod read_wallet;
mod reviews;
mod schema;
mod storage_impl;
mod write_catalog;
mod write_journal;
mod write_wallet;
mod writer;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rusqlite::Connection;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, watch};

use self::convert::DbResultExt;
use self::pool::ReadPool;
use self::writer::{Msg, Writer};
use crate::error::{StorageError, StorageResult};

/// The schema version this build writes (`PRAGMA user_version` after [`SqliteStorage::open`]).
pub const SCHEMA_VERSION: usize = schema::MIGRATIONS.len();

/// How to open a [`SqliteStorage`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SqliteOptions {
    /// The database file; its parent directories are created if missing.
    pub path: PathBuf,
    /// `synchronous=FULL` (every commit is on disk when answered) if `true`, else `NORMAL`
    /// (a power cut may lose the last commits, never corrupt the file). Default `true`.
    pub synchronous_full: bool,
    /// Writes that may wait for the writer before callers get `Overloaded`. Default 8192.
    pub write_queue_capacity: usize,
    /// Most ops committed in one transaction. Default 512.
    pub batch_ops_max: usize,
    /// Read connections. Default 4.
    pub readers: usize,
    /// How long a connection waits for a lock before failing, in milliseconds. Default 5000.
    pub busy_timeout_ms: u64,
    /// WAL size past which the checkpointer restarts the WAL (and the file is cut back to
    /// this size). Under steady writes a `PASSIVE` checkpoint never catches up with the
    /// writer, and without a restart the WAL would grow for as long as the load lasts.
    /// Default 64 MiB.
    pub wal_restart_bytes: u64,
    /// The write connection's page cache. The pages a booking touches (the tails of the
    /// journal and of the bookings, the customers' index pages) must stay in memory between
    /// commits, or every commit reads some of them back from the file. Default 64 MiB.
    pub writer_cache_bytes: u64,
}

impl SqliteOptions {
    /// The default of [`SqliteOptions::writer_cache_bytes`]: 64 MiB.
    pub const WRITER_CACHE_BYTES_DEFAULT: u64 = 64 * 1024 * 1024;

    /// The defaults for a database at `path`.
    #[must_use]
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            synchronous_full: true,
            write_queue_capacity: 8192,
            batch_ops_max: 512,
            readers: 4,
            busy_timeout_ms: 5000,
            wal_restart_bytes: 64 * 1024 * 1024,
            writer_cache_bytes: Self::WRITER_CACHE_BYTES_DEFAULT,
        }
    }
}

/// The SQLite implementation of [`crate::Storage`].
///
/// Dropping it is safe: the writer thread still commits and answers what is queued, then
/// stops. Call [`SqliteStorage::close`] to wait for that. A write whose caller stops
/// waiting (its future dropped) after it was queued is still applied.
pub struct SqliteStorage {
    queue: mpsc::Sender<Msg>,
    readers: Arc<ReadPool>,
    commits: Arc<AtomicU64>,
    stopped: watch::Receiver<bool>,
    path: PathBuf,
    /// Dropped with the storage, which stops the checkpoint thread.
    _alive: Arc<()>,
}

impl std::fmt::Debug for SqliteStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStorage").field("path", &self.path).field("commits", &self.commits()).finish()
    }
}

impl SqliteStorage {
    /// Opens (creating if needed) the database, applies pending schema migrations and
    /// starts the writer thread. Does not need a Tokio runtime; the reads do.
    ///
    /// # Errors
    /// `Unavailable` if the file cannot be opened or was written by a newer build,
    /// `Corrupt` if it is not an SQLite database.
    pub fn open(options: SqliteOptions) -> StorageResult<Self> {
        if let Some(parent) = options.path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .map_err(|e| StorageError::Unavailable(format!("cannot create directory {}: {e}", parent.display())))?;
        }
        let mut conn = Connection::open(&options.path).db()?;
        schema::configure_writer(&conn, &options)?;
        schema::migrate(&mut conn)?;
        let readers = Arc::new(ReadPool::open(options.path.clone(), options.readers, options.busy_timeout_ms)?);
        let commits = Arc::new(AtomicU64::new(0));
        let (queue, receiver) = mpsc::channel(options.write_queue_capacity.max(1));
        let (stopped_tx, stopped) = watch::channel(false);
        let alive = Arc::new(());
        let restart = checkpoint::WalRestart::new(std::time::Duration::from_millis(options.busy_timeout_ms));
        checkpoint::spawn(&options, Arc::clone(&commits), Arc::downgrade(&alive), &restart)?;
        Writer::new(conn, options.batch_ops_max, Arc::clone(&commits), restart)
            .spawn(receiver, stopped_tx)
            .map_err(|e| StorageError::Unavailable(format!("cannot start the sqlite writer thread: {e}")))?;
        tracing::info!(path = %options.path.display(), "sqlite storage open");
        Ok(Self { queue, readers, commits, stopped, path: options.path, _alive: alive })
    }

    /// Stops accepting writes (later ones get `Unavailable`), then waits until every write
    /// already queued is committed and answered and the writer thread stopped. Reads keep
    /// working. Calling it again is harmless.
    pub async fn close(&self) {
        // Waits for room in the queue; fails only if the writer is already stopping.
        let _ = self.queue.send(Msg::Close).await;
        let mut stopped = self.stopped.clone();
        // An error means the writer thread is gone, which is what we wait for.
        let _ = stopped.wait_for(|stopped| *stopped).await;
    }

    /// How many write transactions were committed since [`SqliteStorage::open`] (each holds
    /// one or more ops).
    #[must_use]
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// The database file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Queues a write and waits for its answer (after the commit).
    async fn write<T, F>(&self, work: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> StorageResult<T> + Send + 'static,
    {
        self.submit(work).await
    }

    /// Queues a write at once (so writes submitted one after the other are applied in that
    /// order) and returns a future of its answer (after the commit).
    fn submit<T, F>(&self, work: F) -> impl std::future::Future<Output = StorageResult<T>> + Send + 'static
    where
        T: Send + 'static,
        F: FnMut(&Connection) -> StorageResult<T> + Send + 'static,
    {
        let (msg, answer) = writer::op(work);
        let queued = self.queue.try_send(msg).map_err(|error| match error {
            TrySendError::Full(_) => StorageError::Overloaded,
            TrySendError::Closed(_) => StorageError::Unavailable("sqlite storage is closed".into()),
        });
        async move {
            queued?;
            answer.await.map_err(|_| StorageError::Unavailable("the sqlite writer stopped before answering".into()))?
        }
    }

    /// Runs a read on the reader pool.
    async fn read<T, F>(&self, read: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StorageResult<T> + Send + 'static,
    {
        self.readers.run(read).await
    }

    /// `Unavailable` once the writer stopped (closed, or failed).
    fn check_writer(&self) -> StorageResult<()> {
        if *self.stopped.borrow() || self.queue.is_closed() {
            return Err(StorageError::Unavailable("the sqlite writer is stopped".into()));
        }
        Ok(())
    }
}
