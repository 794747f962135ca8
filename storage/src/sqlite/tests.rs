//! Unit tests of the group commit: batches built by hand on a real database file.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use rusqlite::{Connection, params};
use tokio::sync::oneshot;

use super::writer::{Job, Msg, Writer, op};
use super::{SqliteOptions, schema, write_wallet};
use crate::error::{StorageError, StorageResult};
use crate::ids::CustomerId;
use crate::money::{Currency, Money};
use crate::time::Timestamp;
use crate::wallet::{LedgerEntry, LedgerKind, LedgerOutcome};

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    writer: Writer,
    commits: Arc<AtomicU64>,
}

fn fixture(busy_timeout_ms: u64) -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("unit.db");
    let options = SqliteOptions { busy_timeout_ms, ..SqliteOptions::new(&path) };
    let mut conn = Connection::open(&path).expect("open");
    schema::configure_writer(&conn, &options).expect("configure");
    schema::migrate(&mut conn).expect("migrate");
    let commits = Arc::new(AtomicU64::new(0));
    let restart = super::checkpoint::WalRestart::new(std::time::Duration::from_millis(busy_timeout_ms));
    Fixture { _dir: dir, path, writer: Writer::new(conn, 64, Arc::clone(&commits), restart), commits }
}

fn entry(customer: CustomerId, minor: i64, reference: &str) -> LedgerEntry {
    LedgerEntry {
        customer_id: customer,
        amount: Money::new(minor, Currency::EUR),
        kind: if minor < 0 { LedgerKind::Payment } else { LedgerKind::Credit },
        reference: reference.into(),
        memo: String::new(),
        at: Timestamp::from_millis(0),
    }
}

fn job<T, F>(work: F) -> (Box<dyn Job>, oneshot::Receiver<StorageResult<T>>)
where
    T: Send + 'static,
    F: FnMut(&Connection) -> StorageResult<T> + Send + 'static,
{
    match op(work) {
        (Msg::Job(job), answer) => (job, answer),
        (Msg::Close, _) => panic!("op() always makes a job"),
    }
}

fn ledger_job(e: LedgerEntry) -> (Box<dyn Job>, oneshot::Receiver<StorageResult<LedgerOutcome>>) {
    job(move |c| write_wallet::apply_ledger(c, &e))
}

fn ledger_rows(path: &std::path::Path) -> i64 {
    let conn = Connection::open(path).expect("open");
    conn.query_row("SELECT COUNT(*) FROM ledger", [], |r| r.get(0)).expect("count")
}

#[test]
fn a_failing_op_rolls_back_alone() {
    let f = fixture(5000);
    let who = CustomerId::new();
    let (first, first_answer) = ledger_job(entry(who, 1000, "credit:1"));
    let (overdraft, overdraft_answer) = ledger_job(entry(who, -5000, "payment:1"));
    // Writes a row, then fails: its row must not survive.
    let (half, half_answer) = job(move |c| {
        write_wallet::apply_ledger(c, &entry(who, 700, "credit:half"))?;
        Err::<(), _>(StorageError::Unavailable("fails after writing".into()))
    });
    let (last, last_answer) = ledger_job(entry(who, -400, "payment:2"));
    f.writer.commit_batch(vec![first, overdraft, half, last]);

    let eur = |m| Money::new(m, Currency::EUR);
    assert_eq!(first_answer.blocking_recv().expect("answered"), Ok(LedgerOutcome::Applied(eur(1000))));
    let refused = Err(StorageError::InsufficientBalance { balance: eur(1000) });
    assert_eq!(overdraft_answer.blocking_recv().expect("answered"), refused);
    assert!(matches!(half_answer.blocking_recv().expect("answered"), Err(StorageError::Unavailable(_))));
    assert_eq!(last_answer.blocking_recv().expect("answered"), Ok(LedgerOutcome::Applied(eur(600))));
    assert_eq!(f.commits.load(Ordering::Relaxed), 1, "one transaction for the batch");
    assert_eq!(ledger_rows(&f.path), 2, "only the two successful ops are stored");
}

/// An op that counts how often it ran (into `runs`) and credits 1.00.
fn counted_credit(runs: &Arc<AtomicUsize>, who: CustomerId, reference: &str) -> Box<dyn Job> {
    let (runs, reference) = (Arc::clone(runs), reference.to_owned());
    job(move |c| {
        runs.fetch_add(1, Ordering::Relaxed);
        write_wallet::apply_ledger(c, &entry(who, 100, &reference))
    })
    .0
}

#[test]
fn an_op_refused_before_it_changed_a_row_does_not_make_the_batch_run_again() {
    let f = fixture(5000);
    let who = CustomerId::new();
    let runs = Arc::new(AtomicUsize::new(0));
    let (overdraft, overdraft_answer) = ledger_job(entry(who, -5000, "payment:1"));
    let (lookup, lookup_answer) = job(|c| {
        let n: i64 = c.query_row("SELECT COUNT(*) FROM ledger", [], |r| r.get(0)).map_err(super::convert::db_error)?;
        Err::<(), _>(StorageError::NotFound { entity: "row", id: n.to_string() })
    });
    f.writer.commit_batch(vec![counted_credit(&runs, who, "credit:1"), overdraft, lookup]);
    assert!(matches!(
        overdraft_answer.blocking_recv().expect("answered"),
        Err(StorageError::InsufficientBalance { .. })
    ));
    assert!(matches!(lookup_answer.blocking_recv().expect("answered"), Err(StorageError::NotFound { .. })));
    assert_eq!(runs.load(Ordering::Relaxed), 1, "the batch ran once");
    assert_eq!(ledger_rows(&f.path), 1);

    // One that fails after writing makes the batch run again, each op in a savepoint.
    let (half, half_answer) = job(move |c| {
        write_wallet::apply_ledger(c, &entry(who, 700, "credit:half"))?;
        Err::<(), _>(StorageError::Unavailable("fails after writing".into()))
    });
    f.writer.commit_batch(vec![counted_credit(&runs, who, "credit:2"), half]);
    assert!(matches!(half_answer.blocking_recv().expect("answered"), Err(StorageError::Unavailable(_))));
    assert_eq!(runs.load(Ordering::Relaxed), 3, "the successful op ran again with the batch");
    assert_eq!(ledger_rows(&f.path), 2, "its row is stored once, the failed op's not at all");
}

#[test]
fn a_failed_commit_fails_every_op_and_applies_nothing() {
    let f = fixture(5000);
    let setup = Connection::open(&f.path).expect("open");
    setup
        .execute_batch(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE child (parent_id INTEGER REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED);",
        )
        .expect("setup");
    let who = CustomerId::new();
    let (credit, credit_answer) = ledger_job(entry(who, 1000, "credit:1"));
    // A deferred foreign key is only checked by COMMIT, which then fails.
    let (orphan, orphan_answer) =
        job(|c| c.execute("INSERT INTO child (parent_id) VALUES (?1)", params![42]).map_err(super::convert::db_error));
    f.writer.commit_batch(vec![credit, orphan]);

    let credit_outcome = credit_answer.blocking_recv().expect("answered");
    assert!(matches!(&credit_outcome, Err(StorageError::Unavailable(m)) if m.contains("commit")), "{credit_outcome:?}");
    assert!(matches!(orphan_answer.blocking_recv().expect("answered"), Err(StorageError::Unavailable(_))));
    assert_eq!(f.commits.load(Ordering::Relaxed), 0, "nothing committed");
    assert_eq!(ledger_rows(&f.path), 0, "the successful op was rolled back with the batch");

    let (again, again_answer) = ledger_job(entry(who, 1000, "credit:1"));
    f.writer.commit_batch(vec![again]);
    assert!(again_answer.blocking_recv().expect("answered").is_ok(), "the writer recovers for the next batch");
}

#[test]
fn a_failed_begin_fails_every_op() {
    let f = fixture(0);
    let other = Connection::open(&f.path).expect("open");
    other.execute_batch("BEGIN IMMEDIATE").expect("take the write lock");
    let (credit, answer) = ledger_job(entry(CustomerId::new(), 1000, "credit:1"));
    f.writer.commit_batch(vec![credit]);
    assert!(
        matches!(answer.blocking_recv().expect("answered"), Err(StorageError::Unavailable(m)) if m.contains("begin"))
    );
    other.execute_batch("ROLLBACK").expect("release");
    assert_eq!(ledger_rows(&f.path), 0);
}

#[test]
fn a_panicking_op_is_an_error_not_a_dead_writer() {
    let f = fixture(5000);
    let (bad, bad_answer) = job(|_| -> StorageResult<()> { panic!("bug in an op") });
    let (good, good_answer) = ledger_job(entry(CustomerId::new(), 5, "credit:1"));
    f.writer.commit_batch(vec![bad, good]);
    assert!(matches!(bad_answer.blocking_recv().expect("answered"), Err(StorageError::Unavailable(_))));
    assert!(good_answer.blocking_recv().expect("answered").is_ok());
}

/// Without a snapshot held for the whole copy, SQLite restarts a backup each time another
/// connection commits, and a small-step backup under steady writes never ends.
#[test]
fn a_backup_in_small_steps_completes_under_steady_writes_and_is_consistent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("source.db");
    let setup = Connection::open(&path).expect("open");
    setup.pragma_update(None, "journal_mode", "WAL").expect("wal");
    setup.execute_batch("CREATE TABLE pairs (n INTEGER, filler BLOB)").expect("create");
    for _ in 0..500 {
        setup.execute("INSERT INTO pairs VALUES (1, zeroblob(4000)), (2, zeroblob(4000))", []).expect("fill");
    }
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (path, stop) = (path.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let conn = Connection::open(&path).expect("open");
            conn.busy_timeout(std::time::Duration::from_secs(5)).expect("busy");
            while !stop.load(Ordering::Relaxed) {
                // Rows come in pairs, committed together: a consistent copy has an even count.
                conn.execute("INSERT INTO pairs VALUES (1, zeroblob(100)), (2, zeroblob(100))", []).expect("write");
                std::thread::sleep(std::time::Duration::from_micros(200));
            }
        })
    };
    let destination = dir.path().join("copy.db");
    let (done_tx, done) = std::sync::mpsc::channel();
    {
        let (path, destination) = (path.clone(), destination.clone());
        std::thread::spawn(move || {
            let source = Connection::open(&path).expect("open");
            let _ = done_tx.send(super::backup::run_in_steps(&source, &destination, 8));
        });
    }
    let outcome = done.recv_timeout(std::time::Duration::from_secs(60));
    stop.store(true, Ordering::Relaxed);
    writer.join().expect("writer thread");
    outcome.expect("the backup finished within a minute").expect("backup");
    let copy = Connection::open(&destination).expect("open copy");
    let rows: i64 = copy.query_row("SELECT COUNT(*) FROM pairs", [], |r| r.get(0)).expect("count");
    assert!(rows >= 1000 && rows % 2 == 0, "a consistent snapshot: {rows} rows");
    let check: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0)).expect("check");
    assert_eq!(check, "ok");
}

#[test]
fn the_write_connection_keeps_the_configured_page_cache() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options =
        SqliteOptions { writer_cache_bytes: 8 * 1024 * 1024, ..SqliteOptions::new(dir.path().join("cache.db")) };
    let conn = Connection::open(&options.path).expect("open");
    schema::configure_writer(&conn, &options).expect("configure");
    let kib: i64 = conn.pragma_query_value(None, "cache_size", |r| r.get(0)).expect("cache_size");
    assert_eq!(kib, -8 * 1024, "a negative cache_size is in KiB");
}
