//! The single writer thread and its group commit.
//!
//! Every write is an op: a closure run on the write connection, and a oneshot to answer.
//! The thread waits for one op, takes whatever else is already queued (up to
//! `batch_ops_max` ops in all) and runs the batch in one `BEGIN IMMEDIATE` transaction.
//! An op that fails is rolled back alone and the others still commit: the batch first runs
//! its ops one after the other with nothing around them (nearly every batch, where no op
//! fails after changing a row); if one does, the transaction is rolled back and the batch
//! runs again with each op inside its own savepoint. A savepoint copies every page an op is
//! the first to change into SQLite's statement journal, which was ~13 % of the writer's CPU
//! when every op had one; ops are plain functions of the connection, so running one again
//! on the state it first saw gives the same answer. Only after `COMMIT` returned is any op answered; if
//! `BEGIN` or `COMMIT` fails, nothing of the batch is applied and every op of it gets
//! `Unavailable`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Instant;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot, watch};

use super::convert::DbResultExt;
use crate::error::{StorageError, StorageResult};

/// One queued write, type-erased so ops with different results share the queue.
pub(crate) trait Job: Send {
    /// Runs the op on the write connection; `true` if it succeeded (keep its changes).
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller: the op's own result if the batch committed, else `batch`'s error.
    fn answer(self: Box<Self>, batch: Result<(), StorageError>);
}

/// What travels on the write queue.
pub(crate) enum Msg {
    /// A write to run.
    Job(Box<dyn Job>),
    /// Stop accepting writes, run what is queued, then stop.
    Close,
}

struct Op<T, F> {
    work: F,
    result: Option<StorageResult<T>>,
    reply: oneshot::Sender<StorageResult<T>>,
}

impl<T, F> Job for Op<T, F>
where
    T: Send,
    F: FnMut(&Connection) -> StorageResult<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let work = &mut self.work;
        let result = catch_unwind(AssertUnwindSafe(|| work(conn)))
            .unwrap_or_else(|_| Err(StorageError::Unavailable("storage write op panicked".into())));
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn answer(self: Box<Self>, batch: Result<(), StorageError>) {
        let reply = match batch {
            Err(error) => Err(error),
            Ok(()) => {
                self.result.unwrap_or_else(|| Err(StorageError::Unavailable("storage write op was not run".into())))
            }
        };
        // The caller may have given up waiting; the write stands either way.
        let _ = self.reply.send(reply);
    }
}

/// Wraps `work` as a queue message and the receiver of its answer. `work` may run twice
/// (see the module's comment), each time on the same state: it must only read and write
/// through the connection.
pub(crate) fn op<T, F>(work: F) -> (Msg, oneshot::Receiver<StorageResult<T>>)
where
    T: Send + 'static,
    F: FnMut(&Connection) -> StorageResult<T> + Send + 'static,
{
    let (reply, answer) = oneshot::channel();
    (Msg::Job(Box::new(Op { work, result: None, reply })), answer)
}

/// The write connection and the group-commit loop.
pub(crate) struct Writer {
    conn: Connection,
    batch_ops_max: usize,
    commits: Arc<AtomicU64>,
    restart: super::checkpoint::WalRestart,
}

impl Writer {
    /// A writer on an already configured and migrated connection; it restarts the WAL
    /// between batches when the checkpointer asks through `restart`.
    pub(crate) fn new(
        conn: Connection,
        batch_ops_max: usize,
        commits: Arc<AtomicU64>,
        restart: super::checkpoint::WalRestart,
    ) -> Self {
        Self { conn, batch_ops_max: batch_ops_max.max(1), commits, restart }
    }

    /// Starts the writer thread. It runs until the queue is closed (or every sender is
    /// dropped) and drained, then sets `stopped` to `true`.
    pub(crate) fn spawn(
        self,
        queue: mpsc::Receiver<Msg>,
        stopped: watch::Sender<bool>,
    ) -> std::io::Result<JoinHandle<()>> {
        std::thread::Builder::new().name("sqlite-writer".into()).spawn(move || {
            self.run(queue);
            stopped.send_replace(true);
        })
    }

    fn run(self, mut queue: mpsc::Receiver<Msg>) {
        let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(self.batch_ops_max);
        while let Some(first) = queue.blocking_recv() {
            take(first, &mut batch, &mut queue);
            while batch.len() < self.batch_ops_max {
                match queue.try_recv() {
                    Ok(msg) => take(msg, &mut batch, &mut queue),
                    Err(_) => break,
                }
            }
            metrics::gauge!("boxoffice_storage_queue_depth").set(queue.len() as f64);
            if !batch.is_empty() {
                self.commit_batch(std::mem::take(&mut batch));
            }
            // After the batch's answers: a restart delays the next batch, never this one.
            self.restart.run_if_wanted(&self.conn);
        }
        tracing::debug!("sqlite writer stopped");
    }

    /// Runs `jobs` in one transaction and answers every one of them.
    pub(crate) fn commit_batch(&self, mut jobs: Vec<Box<dyn Job>>) {
        let started = Instant::now();
        let outcome = run_batch(&self.conn, &mut jobs);
        match &outcome {
            Ok(()) => {
                self.commits.fetch_add(1, Ordering::Relaxed);
                metrics::histogram!("boxoffice_storage_commit_seconds").record(started.elapsed().as_secs_f64());
                metrics::histogram!("boxoffice_storage_batch_ops").record(jobs.len() as f64);
            }
            Err(error) => {
                metrics::counter!("boxoffice_storage_commit_errors_total").increment(1);
                tracing::error!(%error, ops = jobs.len(), "sqlite batch not committed");
            }
        }
        for job in jobs {
            job.answer(outcome.clone());
        }
    }
}

fn take(msg: Msg, batch: &mut Vec<Box<dyn Job>>, queue: &mut mpsc::Receiver<Msg>) {
    match msg {
        Msg::Job(job) => batch.push(job),
        // New sends now fail; what is already queued is still received.
        Msg::Close => queue.close(),
    }
}

/// Runs one fixed statement (`BEGIN`, `SAVEPOINT`, ...) from the connection's statement
/// cache: these run several times per batch, and parsing them each time showed in profiles.
fn run_fixed(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(drop)
}

fn run_batch(conn: &Connection, jobs: &mut [Box<dyn Job>]) -> StorageResult<()> {
    let begin = || run_fixed(conn, "BEGIN IMMEDIATE").map_err(|e| batch_error("begin", &e));
    begin()?;
    if !jobs.iter_mut().all(|job| run_bare(conn, job.as_mut())) {
        // An op failed half-way: start again, each op in a savepoint of its own.
        rollback(conn);
        metrics::counter!("boxoffice_storage_batch_reruns_total").increment(1);
        begin()?;
        for job in jobs.iter_mut() {
            if let Err(error) = run_in_savepoint(conn, job.as_mut()) {
                rollback(conn);
                return Err(error);
            }
        }
    }
    if let Err(error) = run_fixed(conn, "COMMIT") {
        rollback(conn);
        return Err(batch_error("commit", &error));
    }
    Ok(())
}

/// Runs one op with no savepoint around it; `false` if it failed after changing a row (or
/// SQLite rolled the transaction back), which only a rollback of the batch can undo. An op
/// refused before it changed anything (a payment beyond the balance, a duplicate caught by
/// a read) leaves nothing to undo: its statements that completed changed no row (SQLite's
/// total-changes count did not move) and a statement that failed was undone by SQLite.
fn run_bare(conn: &Connection, job: &mut dyn Job) -> bool {
    let changes_before = conn.total_changes();
    job.run(conn) || (!conn.is_autocommit() && conn.total_changes() == changes_before)
}

/// Runs one op in a savepoint, keeping its changes only if it succeeded. An error here
/// means the whole transaction is unusable.
fn run_in_savepoint(conn: &Connection, job: &mut dyn Job) -> StorageResult<()> {
    run_fixed(conn, "SAVEPOINT op").db()?;
    if job.run(conn) {
        return run_fixed(conn, "RELEASE op").db();
    }
    if conn.is_autocommit() {
        // SQLite itself rolled the transaction back (e.g. disk full): the batch is lost.
        return Err(StorageError::Unavailable("the write transaction was rolled back by SQLite".into()));
    }
    conn.execute_batch("ROLLBACK TO op; RELEASE op").db()
}

fn rollback(conn: &Connection) {
    if conn.is_autocommit() {
        return;
    }
    if let Err(error) = conn.execute_batch("ROLLBACK") {
        tracing::error!(%error, "sqlite rollback failed");
    }
}

fn batch_error(step: &str, error: &rusqlite::Error) -> StorageError {
    StorageError::Unavailable(format!("sqlite {step} failed: {error}"))
}
