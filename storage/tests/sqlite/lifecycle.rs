//! Close and reopen, schema migrations, backups.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use boxoffice_storage::conformance::fixtures;
use boxoffice_storage::sqlite::{SCHEMA_VERSION, SqliteOptions, SqliteStorage};
use boxoffice_storage::{Currency, CustomerId, FilmFilter, LedgerOutcome, PageRequest, Storage, StorageError};

use super::{fresh, open};

fn user_version(path: &std::path::Path) -> i64 {
    let conn = rusqlite::Connection::open(path).expect("open raw");
    conn.pragma_query_value(None, "user_version", |row| row.get(0)).expect("user_version")
}

async fn sum_of_ledger(store: &dyn Storage, who: CustomerId) -> (u64, i64) {
    let mut offset = 0;
    let (mut count, mut sum) = (0, 0);
    loop {
        let page = store.ledger(who, PageRequest { offset, limit: 200 }).await.expect("ledger");
        if page.items.is_empty() {
            return (count, sum);
        }
        count += page.items.len() as u64;
        sum += page.items.iter().map(|e| e.amount.amount_minor()).sum::<i64>();
        offset += 200;
    }
}

#[tokio::test]
async fn close_commits_what_is_queued_and_the_data_survives_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = open(&dir);
    let who = CustomerId::new();
    let film = fixtures::film("Persistent", "Director", 100);
    store.insert_film(&film).await.expect("insert_film");
    let credits: Vec<_> = (0..300).map(|_| fixtures::credit(who, 10)).collect();
    // Every write is queued by the first poll of join_all, before close() is.
    let (outcomes, ()) =
        tokio::join!(fixtures::join_all(credits.iter().map(|c| store.apply_ledger(c)).collect()), store.close());
    assert!(outcomes.iter().all(|o| matches!(o, Ok(LedgerOutcome::Applied(_)))), "queued writes are committed");
    let late = store.apply_ledger(&fixtures::credit(who, 10)).await;
    assert!(matches!(late, Err(StorageError::Unavailable(_))), "writes after close are refused: {late:?}");
    assert!(matches!(store.ping().await, Err(StorageError::Unavailable(_))), "ping reports the closed writer");
    assert_eq!(store.film(film.id).await.expect("reads still work"), Some(film.clone()));
    store.close().await;
    drop(store);

    let reopened = open(&dir);
    assert_eq!(reopened.film(film.id).await.expect("film"), Some(film));
    assert_eq!(reopened.wallet_balance(who, Currency::EUR).await.expect("balance"), fixtures::eur(3000));
    reopened.ping().await.expect("ping");
}

#[tokio::test]
async fn dropping_the_store_still_commits_queued_writes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let who = CustomerId::new();
    {
        let store = Arc::new(open(&dir));
        let task = {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.apply_ledger(&fixtures::credit(who, 42)).await })
        };
        drop(store);
        assert!(task.await.expect("task").is_ok());
    }
    let reopened = open(&dir);
    assert_eq!(reopened.wallet_balance(who, Currency::EUR).await.expect("balance"), fixtures::eur(42));
}

#[tokio::test]
async fn migrations_are_idempotent_on_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("db").join("boxoffice.db");
    let film = fixtures::film("Twice", "Director", 90);
    for round in 0..3 {
        let store = open(&dir);
        if round == 0 {
            store.insert_film(&film).await.expect("insert_film");
        }
        let page = store.list_films(&FilmFilter::default(), PageRequest::default()).await.expect("list");
        assert_eq!(page.items, std::slice::from_ref(&film), "round {round}: data intact, nothing duplicated");
        store.close().await;
        assert_eq!(user_version(&path), i64::try_from(SCHEMA_VERSION).expect("small"), "round {round}");
    }
}

#[test]
fn a_database_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("future.db");
    let conn = rusqlite::Connection::open(&path).expect("open raw");
    conn.pragma_update(None, "user_version", i64::try_from(SCHEMA_VERSION).expect("small") + 1).expect("set");
    drop(conn);
    match SqliteStorage::open(SqliteOptions::new(&path)) {
        Err(StorageError::Unavailable(message)) => assert!(message.contains("newer"), "clear message: {message}"),
        Err(other) => panic!("wrong error {other:?}"),
        Ok(_) => panic!("a future schema must be refused"),
    }
}

#[test]
fn a_file_that_is_not_a_database_is_corrupt() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("garbage.db");
    std::fs::write(&path, vec![b'x'; 8192]).expect("write");
    let opened = SqliteStorage::open(SqliteOptions::new(&path));
    assert!(matches!(opened, Err(StorageError::Corrupt(_))), "{:?}", opened.err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn backup_is_a_consistent_copy_taken_while_writing() {
    let (dir, store) = fresh();
    let who = CustomerId::new();
    let film = fixtures::film("Backed up", "Director", 100);
    store.insert_film(&film).await.expect("insert_film");
    // About 6 MB, so the copy takes several backup steps.
    let mut big: Vec<_> = (0..600).map(|i| fixtures::film(&format!("Big {i}"), "Director", 100)).collect();
    big.iter_mut().for_each(|f| f.details.synopsis = "x".repeat(10_000));
    for outcome in fixtures::join_all(big.iter().map(|f| store.insert_film(f)).collect()).await {
        outcome.expect("insert_film");
    }
    for _ in 0..200 {
        store.apply_ledger(&fixtures::credit(who, 100)).await.expect("credit");
    }
    let stop = Arc::new(AtomicBool::new(false));
    let (started_tx, started) = tokio::sync::oneshot::channel();
    let writer = {
        let (store, stop) = (Arc::clone(&store), Arc::clone(&stop));
        tokio::spawn(async move {
            let mut written = 0u64;
            let mut started_tx = Some(started_tx);
            while !stop.load(Ordering::Relaxed) {
                let batch: Vec<_> = (0..20).map(|_| fixtures::credit(who, 100)).collect();
                for outcome in fixtures::join_all(batch.iter().map(|c| store.apply_ledger(c)).collect()).await {
                    outcome.expect("credit during backup");
                    written += 1;
                }
                if let Some(tx) = started_tx.take() {
                    let _ = tx.send(());
                }
            }
            written
        })
    };
    started.await.expect("the writer started");
    let destination = dir.path().join("backups").join("copy.db");
    store.backup(&destination).await.expect("backup");
    stop.store(true, Ordering::Relaxed);
    let written = writer.await.expect("writer");
    assert!(written > 0, "writes went on during the backup");

    let refused = store.backup(&destination).await;
    assert!(matches!(&refused, Err(StorageError::Unavailable(m)) if m.contains("exists")), "{refused:?}");

    let copy = SqliteStorage::open(SqliteOptions::new(&destination)).expect("the copy opens");
    assert_eq!(copy.film(film.id).await.expect("film"), Some(film), "the copy holds the data");
    let films = copy.list_films(&FilmFilter::default(), PageRequest::default()).await.expect("list_films");
    assert_eq!(films.total, 601, "every film is in the copy");
    let (count, sum) = sum_of_ledger(&copy, who).await;
    assert!(count >= 200, "everything committed before the backup is in it ({count})");
    let balance = copy.wallet_balance(who, Currency::EUR).await.expect("balance");
    assert_eq!(balance.amount_minor(), sum, "balance == sum of ledger in the copy");
    let (live_count, _) = sum_of_ledger(store.as_ref(), who).await;
    assert!(count <= live_count, "the copy is a snapshot of the live store");
}

#[tokio::test]
async fn expired_idempotent_responses_are_purged() {
    let (_dir, store) = super::fresh();
    let response = |minutes| boxoffice_storage::IdempotentResponse {
        request_hash: "h".into(),
        status: 201,
        body: b"{}".to_vec(),
        created_at: boxoffice_storage::conformance::fixtures::at(minutes),
    };
    store.store_idempotent_response("s", "old", &response(0)).await.expect("store");
    store.store_idempotent_response("s", "new", &response(10)).await.expect("store");
    let purged = store.purge_idempotent_responses(boxoffice_storage::conformance::fixtures::at(5)).await;
    assert_eq!(purged, Ok(1));
    assert_eq!(store.idempotent_response("s", "old").await, Ok(None));
    assert!(store.idempotent_response("s", "new").await.expect("read").is_some());
}
