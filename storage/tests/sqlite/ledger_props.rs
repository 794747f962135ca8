//! Property: whatever sequence of credits, debits, staff adjustments (either sign) and
//! replays, the balance is the sum of the applied entries and never goes below zero.

use std::collections::HashMap;

use boxoffice_storage::conformance::fixtures;
use boxoffice_storage::{
    Currency, CustomerId, LedgerEntry, LedgerKind, LedgerOutcome, PageRequest, Storage, StorageError,
};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Move {
    Credit(i64),
    Debit(i64),
    /// A staff top-up or correction, positive or negative.
    Adjust(i64),
    /// Applies again the entry of an earlier move (index modulo the moves so far).
    Replay(usize),
}

fn moves() -> impl Strategy<Value = Vec<Move>> {
    let one = prop_oneof![
        (1i64..5_000).prop_map(Move::Credit),
        (1i64..5_000).prop_map(Move::Debit),
        (-5_000i64..5_000).prop_filter("non-zero", |m| *m != 0).prop_map(Move::Adjust),
        (0usize..64).prop_map(Move::Replay),
    ];
    prop::collection::vec(one, 1..40)
}

fn entries(who: CustomerId, moves: &[Move]) -> Vec<LedgerEntry> {
    let mut made: Vec<LedgerEntry> = Vec::new();
    for (i, m) in moves.iter().enumerate() {
        let entry = match m {
            Move::Credit(minor) => fixtures::ledger(who, fixtures::eur(*minor), LedgerKind::Credit, format!("c{i}")),
            Move::Debit(minor) => fixtures::ledger(who, fixtures::eur(-minor), LedgerKind::Payment, format!("d{i}")),
            Move::Adjust(minor) => {
                fixtures::ledger(who, fixtures::eur(*minor), LedgerKind::Adjustment, format!("adjust:{i}"))
            }
            Move::Replay(n) if !made.is_empty() => made[n % made.len()].clone(),
            Move::Replay(_) => fixtures::ledger(who, fixtures::eur(1), LedgerKind::Credit, format!("c{i}")),
        };
        made.push(entry);
    }
    made
}

/// What a correct store answers, applying entries one at a time.
struct Model {
    balance: i64,
    applied: HashMap<String, ()>,
}

impl Model {
    fn apply(&mut self, entry: &LedgerEntry) -> Result<LedgerOutcome, StorageError> {
        if self.applied.contains_key(&entry.reference) {
            return Ok(LedgerOutcome::AlreadyApplied(fixtures::eur(self.balance)));
        }
        let after = self.balance + entry.amount.amount_minor();
        if entry.amount.amount_minor() < 0 && after < 0 {
            return Err(StorageError::InsufficientBalance { balance: fixtures::eur(self.balance) });
        }
        self.balance = after;
        self.applied.insert(entry.reference.clone(), ());
        Ok(LedgerOutcome::Applied(fixtures::eur(after)))
    }
}

/// Ledger oldest first.
async fn history(store: &dyn Storage, who: CustomerId) -> Vec<i64> {
    let page = store.ledger(who, PageRequest { offset: 0, limit: 200 }).await.expect("ledger");
    page.items.iter().rev().map(|e| e.amount.amount_minor()).collect()
}

async fn check(moves: Vec<Move>, concurrent: bool) {
    let (_dir, store) = super::fresh();
    let who = CustomerId::new();
    let entries = entries(who, &moves);
    if concurrent {
        let outcomes = fixtures::join_all(entries.iter().map(|e| store.apply_ledger(e)).collect()).await;
        let applied = outcomes.iter().filter(|o| matches!(o, Ok(LedgerOutcome::Applied(_)))).count();
        assert!(outcomes.iter().all(|o| o.is_ok() || matches!(o, Err(StorageError::InsufficientBalance { .. }))));
        assert_eq!(history(store.as_ref(), who).await.len(), applied, "one ledger row per Applied");
    } else {
        let mut model = Model { balance: 0, applied: HashMap::new() };
        for entry in &entries {
            assert_eq!(store.apply_ledger(entry).await, model.apply(entry), "entry {}", entry.reference);
        }
        let balance = store.wallet_balance(who, Currency::EUR).await.expect("balance");
        assert_eq!(balance.amount_minor(), model.balance, "balance follows the model");
    }
    let history = history(store.as_ref(), who).await;
    let mut running = 0;
    for amount in &history {
        running += amount;
        assert!(running >= 0, "the balance went below zero: {history:?}");
    }
    let balance = store.wallet_balance(who, Currency::EUR).await.expect("balance");
    assert_eq!(balance.amount_minor(), running, "balance == sum of applied entries");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn balance_is_the_sum_of_applied_entries_and_never_negative(moves in moves(), concurrent in any::<bool>()) {
        let runtime =
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
        runtime.block_on(check(moves, concurrent));
    }
}
