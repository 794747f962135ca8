//! The pool of read connections. Reads run on blocking threads
//! (`tokio::task::spawn_blocking`); in WAL mode they never wait for the writer.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;
use tokio::sync::Semaphore;

use super::convert::DbResultExt;
use super::schema;
use crate::error::{StorageError, StorageResult};

/// At most `size` read connections, each used by one read at a time.
pub(crate) struct ReadPool {
    idle: Mutex<Vec<Connection>>,
    permits: Arc<Semaphore>,
    path: PathBuf,
    busy_timeout_ms: u64,
}

impl ReadPool {
    /// Opens `size` (at least one) read connections to `path`.
    pub(crate) fn open(path: PathBuf, size: usize, busy_timeout_ms: u64) -> StorageResult<Self> {
        let size = size.max(1);
        let idle = (0..size).map(|_| open_reader(&path, busy_timeout_ms)).collect::<StorageResult<Vec<_>>>()?;
        Ok(Self { idle: Mutex::new(idle), permits: Arc::new(Semaphore::new(size)), path, busy_timeout_ms })
    }

    /// Runs `read` on a pooled connection, on a blocking thread.
    pub(crate) async fn run<T, F>(self: &Arc<Self>, read: F) -> StorageResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StorageResult<T> + Send + 'static,
    {
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| StorageError::Unavailable("the sqlite reader pool is closed".into()))?;
        let pool = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = pool.checkout()?;
            let result = read(&conn);
            pool.checkin(conn);
            result
        })
        .await
        .map_err(|e| StorageError::Unavailable(format!("sqlite read task failed: {e}")))?
    }

    /// An idle connection; a new one if a panicking read lost one.
    fn checkout(&self) -> StorageResult<Connection> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        match idle {
            Some(conn) => Ok(conn),
            None => open_reader(&self.path, self.busy_timeout_ms),
        }
    }

    /// Returns a connection, unless a read left it inside a transaction that cannot be
    /// rolled back.
    fn checkin(&self, conn: Connection) {
        if !conn.is_autocommit() && conn.execute_batch("ROLLBACK").is_err() {
            return;
        }
        self.idle.lock().unwrap_or_else(PoisonError::into_inner).push(conn);
    }
}

fn open_reader(path: &Path, busy_timeout_ms: u64) -> StorageResult<Connection> {
    let conn = Connection::open(path).db()?;
    schema::configure_reader(&conn, busy_timeout_ms)?;
    Ok(conn)
}
