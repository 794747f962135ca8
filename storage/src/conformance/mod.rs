//! The conformance suite every [`Storage`] backend must pass.
//!
//! Each case is a `pub async fn` taking a fresh, empty store and panicking (with a message
//! naming the broken rule) when the backend misbehaves. [`CASES`] lists them all and
//! [`run_all`] runs each on its own fresh store. A backend's test file typically generates
//! one `#[tokio::test]` per case so failures are reported by name; see
//! `storage/tests/sqlite.rs`.
//!
//! The suite is backend-independent: it uses only the [`Storage`] trait. Backend-specific
//! behaviour (group commit, backup files, migrations) is tested beside each backend.

pub mod accounts;
mod films;
pub mod fixtures;
mod journal;
mod ownership;
mod showtimes;
mod wallet;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

pub use self::films::{film_filters, film_pagination, film_soft_delete, films_crud};
pub use self::journal::{
    booking_notices_follow_the_journal, bookings_from_journal, cancellation_refunds_atomically,
    journal_append_and_load, journal_sequence_conflict, unsettled_payments,
};
pub use self::ownership::{fenced_journal_writes, journal_tail_after, ownership_epochs};
pub use self::showtimes::{
    auditorium_crud, showtime_crud_and_listing, showtime_overlap_on_insert, showtime_overlap_on_update,
};
pub use self::wallet::{
    customers_and_tokens, idempotency_first_write_wins, ledger_concurrent_debits, ledger_conditional_debit,
    ledger_idempotency_and_balance, ping,
};
use crate::Storage;

/// A case as a function pointer: runs on the given store and panics on failure.
pub type CaseFn = for<'a> fn(&'a dyn Storage) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// One named case of the suite.
#[derive(Clone, Copy)]
pub struct Case {
    /// The case's function name.
    pub name: &'static str,
    /// Runs it.
    pub run: CaseFn,
}

impl std::fmt::Debug for Case {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Case").field("name", &self.name).finish_non_exhaustive()
    }
}

macro_rules! cases {
    ($($name:ident),* $(,)?) => {
        /// Every case of the suite, in a sensible reading order.
        pub const CASES: &[Case] = &[$(Case { name: stringify!($name), run: |store| Box::pin($name(store)) }),*];
    };
}

cases!(
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

/// Runs every case of [`CASES`], each on a fresh store from `make`, printing its name.
///
/// # Panics
/// On the first case that fails, with that case's message.
pub async fn run_all<F, Fut>(make: F)
where
    F: Fn() -> Fut,
    Fut: Future<Output = Arc<dyn Storage>>,
{
    for case in CASES {
        println!("conformance: {} ...", case.name);
        let store = make().await;
        (case.run)(store.as_ref()).await;
        println!("conformance: {} ok", case.name);
    }
}
