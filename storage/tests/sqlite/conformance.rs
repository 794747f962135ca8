//! The backend-independent suite, one test per case.

use std::sync::Arc;

use boxoffice_storage::Storage;
use boxoffice_storage::conformance as suite;

use super::fresh;

macro_rules! conformance_tests {
    ($($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (_dir, store) = super::fresh();
                boxoffice_storage::conformance::$case(store.as_ref()).await;
            }
        )*

        /// The cases this file runs one by one.
        pub const COVERED: &[&str] = &[$(stringify!($case)),*];
    };
}

mod cases {
    conformance_tests!(
        ping,
        films_crud,
        film_filters,
        film_pagination,
        film_soft_delete,
        auditorium_crud,
        showtime_crud_and_listing,
        showtime_overlap_on_insert,
        showtime_overlap_on_update,
        customers_and_tokens,
        ledger_idempotency_and_balance,
        ledger_conditional_debit,
        ledger_concurrent_debits,
        idempotency_first_write_wins,
        journal_append_and_load,
        journal_sequence_conflict,
        bookings_from_journal,
        unsettled_payments,
        cancellation_refunds_atomically,
        booking_notices_follow_the_journal,
        ownership_epochs,
        fenced_journal_writes,
        journal_tail_after,
    );
}

#[test]
fn every_conformance_case_has_its_own_test() {
    let mut listed: Vec<_> = suite::CASES.iter().map(|c| c.name).collect();
    let mut covered = cases::COVERED.to_vec();
    listed.sort_unstable();
    covered.sort_unstable();
    assert_eq!(listed, covered, "add the new case to conformance_tests! in this file");
}

#[tokio::test]
async fn run_all_runs_every_case() {
    let dirs = Arc::new(std::sync::Mutex::new(Vec::new()));
    suite::run_all(|| {
        let dirs = Arc::clone(&dirs);
        async move {
            let (dir, store) = fresh();
            dirs.lock().expect("lock").push(dir);
            store as Arc<dyn Storage>
        }
    })
    .await;
    assert_eq!(dirs.lock().expect("lock").len(), suite::CASES.len(), "one fresh store per case");
}
