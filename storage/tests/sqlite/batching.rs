//! Group commit: batching, isolation of failing ops, overload.

use std::sync::Arc;

use boxoffice_storage::conformance::fixtures;
use boxoffice_storage::sqlite::{SqliteOptions, SqliteStorage};
use boxoffice_storage::{Currency, CustomerId, LedgerOutcome, PageRequest, PaymentId, Storage, StorageError};

use super::fresh;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn group_commit_batches_concurrent_writes() {
    let (_dir, store) = fresh();
    let who = CustomerId::new();
    let before = store.commits();
    let tasks: Vec<_> = (0..500)
        .map(|_| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.apply_ledger(&fixtures::credit(who, 100)).await })
        })
        .collect();
    for task in tasks {
        assert!(matches!(task.await.expect("task"), Ok(LedgerOutcome::Applied(_))));
    }
    let commits = store.commits() - before;
    assert!(commits < 500, "500 writes took {commits} commits: no batching");
    assert_eq!(store.wallet_balance(who, Currency::EUR).await.expect("balance"), fixtures::eur(50_000));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failing_ops_do_not_affect_their_batch_neighbours() {
    let (_dir, store) = fresh();
    let (rich, broke) = (CustomerId::new(), CustomerId::new());
    let before = store.commits();
    let tasks: Vec<_> = (0..300)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                if i % 2 == 0 {
                    store.apply_ledger(&fixtures::credit(rich, 100)).await
                } else {
                    store.apply_ledger(&fixtures::payment(broke, 100, PaymentId::new())).await
                }
            })
        })
        .collect();
    for (i, task) in tasks.into_iter().enumerate() {
        let outcome = task.await.expect("task");
        if i % 2 == 0 {
            assert!(matches!(outcome, Ok(LedgerOutcome::Applied(_))), "credit {i}: {outcome:?}");
        } else {
            let refused = Err(StorageError::InsufficientBalance { balance: fixtures::eur(0) });
            assert_eq!(outcome, refused, "debit {i}");
        }
    }
    assert!(store.commits() - before < 300, "ops were batched");
    assert_eq!(store.wallet_balance(rich, Currency::EUR).await.expect("balance"), fixtures::eur(15_000));
    assert_eq!(store.ledger(broke, PageRequest::default()).await.expect("ledger").total, 0);
}

#[tokio::test]
async fn a_full_queue_is_overloaded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let options = SqliteOptions { write_queue_capacity: 1, ..SqliteOptions::new(dir.path().join("small.db")) };
    let store = SqliteStorage::open(options).expect("open");
    let who = CustomerId::new();
    let credits: Vec<_> = (0..200).map(|_| fixtures::credit(who, 1)).collect();
    let outcomes = fixtures::join_all(credits.iter().map(|c| store.apply_ledger(c)).collect()).await;
    let overloaded = outcomes.iter().filter(|o| **o == Err(StorageError::Overloaded)).count();
    let applied = outcomes.iter().filter(|o| matches!(o, Ok(LedgerOutcome::Applied(_)))).count();
    assert!(overloaded > 0, "200 writes into a queue of 1: some must be refused");
    assert_eq!(applied + overloaded, 200, "every write is applied or refused: {outcomes:?}");
    let balance = store.wallet_balance(who, Currency::EUR).await.expect("balance");
    assert_eq!(balance.amount_minor(), i64::try_from(applied).expect("small"), "refused writes left no trace");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn submitted_journal_batches_apply_in_submission_order() {
    let (_dir, store) = fresh();
    assert!(store.ordered_journal_writes());
    let (show, who) = (boxoffice_storage::ShowtimeId::new(), CustomerId::new());
    // 50 batches of two entries submitted back to back, none awaited before the next is
    // submitted: each continues the sequence only if the ones before it were applied first.
    let writes: Vec<_> = (0..50u64)
        .map(|i| {
            let batch = vec![
                fixtures::entry(2 * i + 1, fixtures::hold(who, 0)),
                fixtures::entry(2 * i + 2, boxoffice_storage::SeatEvent::ShowtimeClosed),
            ];
            Arc::clone(&store).submit_journal(show, batch)
        })
        .collect();
    for write in writes {
        write.await.expect("every batch continues the one submitted before it");
    }
    let journal = store.load_journal(show).await.expect("load");
    assert_eq!(journal.len(), 100);
    assert!(journal.iter().zip(1..).all(|(e, seq)| e.seq == seq));
}
