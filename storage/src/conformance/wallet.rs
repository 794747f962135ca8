//! Customer, ledger and idempotency cases.

use super::fixtures::{T0, credit, customer, eur, join_all, ledger, payment, token};
use crate::catalog::PageRequest;
use crate::error::StorageError;
use crate::ids::{CustomerId, PaymentId};
use crate::money::{Currency, Money};
use crate::wallet::{LedgerKind, LedgerOutcome};
use crate::{IdempotentResponse, Storage};

/// Emails are unique case-insensitively; customers are found by id and by token.
pub async fn customers_and_tokens(store: &dyn Storage) {
    let ada = customer("Ada@Example.com");
    store.insert_customer(&ada, &token(1)).await.expect("insert_customer");
    assert_eq!(store.customer(ada.id).await.expect("customer"), Some(ada.clone()), "reads back, email as given");
    assert_eq!(store.customer_by_token(&token(1)).await.expect("by token"), Some(ada.clone()), "found by token");
    assert_eq!(store.customer_by_token(&token(9)).await.expect("by token"), None, "unknown token");
    assert_eq!(store.customer(CustomerId::new()).await.expect("customer"), None, "unknown id");

    let twin = customer("ada@example.COM");
    assert_eq!(store.insert_customer(&twin, &token(2)).await, Err(StorageError::Duplicate("email")), "same email");
    assert_eq!(store.customer(twin.id).await.expect("customer"), None, "refused customer not stored");
    assert_eq!(store.customer_by_token(&token(2)).await.expect("by token"), None, "refused token not stored");
    let grace = customer("grace@example.com");
    store.insert_customer(&grace, &token(3)).await.expect("another email is fine");
    assert_eq!(store.customer_by_token(&token(3)).await.expect("by token"), Some(grace), "second customer");
}

async fn sum_of_ledger(store: &dyn Storage, customer: CustomerId, currency: Currency) -> i64 {
    let page = store.ledger(customer, PageRequest { offset: 0, limit: 200 }).await.expect("ledger");
    assert!(page.total <= 200, "sum_of_ledger reads one page");
    page.items.iter().filter(|e| e.amount.currency() == currency).map(|e| e.amount.amount_minor()).sum()
}

/// A reference applies once; the balance is the sum of the ledger, per currency.
pub async fn ledger_idempotency_and_balance(store: &dyn Storage) {
    let who = CustomerId::new();
    assert_eq!(store.wallet_balance(who, Currency::EUR).await.expect("balance"), eur(0), "empty wallet is zero");
    let first = credit(who, 5000);
    assert_eq!(store.apply_ledger(&first).await, Ok(LedgerOutcome::Applied(eur(5000))), "credit");
    assert_eq!(store.apply_ledger(&first).await, Ok(LedgerOutcome::AlreadyApplied(eur(5000))), "same reference");
    let second = credit(who, 2500);
    assert_eq!(store.apply_ledger(&second).await, Ok(LedgerOutcome::Applied(eur(7500))), "second credit");
    let paid = payment(who, 3000, PaymentId::new());
    assert_eq!(store.apply_ledger(&paid).await, Ok(LedgerOutcome::Applied(eur(4500))), "payment");
    assert_eq!(store.apply_ledger(&paid).await, Ok(LedgerOutcome::AlreadyApplied(eur(4500))), "payment again");

    let page = store.ledger(who, PageRequest::default()).await.expect("ledger");
    assert_eq!(page.total, 3, "one entry per reference");
    assert_eq!(page.items, [paid, second.clone(), first], "newest first, as applied");
    let middle = store.ledger(who, PageRequest { offset: 1, limit: 1 }).await.expect("ledger");
    assert_eq!((middle.items, middle.total), (vec![second], 3), "ledger pages");
    assert_eq!(sum_of_ledger(store, who, Currency::EUR).await, 4500, "balance == sum of ledger");
    assert_eq!(store.wallet_balance(who, Currency::EUR).await.expect("balance"), eur(4500), "wallet_balance");

    let usd: Currency = "USD".parse().expect("currency");
    let dollars = ledger(who, Money::new(1000, usd), LedgerKind::Credit, "credit:usd".into());
    assert_eq!(store.apply_ledger(&dollars).await, Ok(LedgerOutcome::Applied(Money::new(1000, usd))), "per currency");
    assert_eq!(store.wallet_balance(who, Currency::EUR).await.expect("balance"), eur(4500), "EUR untouched");
    assert_eq!(store.wallet_balance(who, usd).await.expect("balance"), Money::new(1000, usd), "USD balance");
    let other = CustomerId::new();
    assert_eq!(store.ledger(other, PageRequest::default()).await.expect("ledger").total, 0, "wallets are separate");
}

/// A debit that would go below zero is refused and leaves no trace.
pub async fn ledger_conditional_debit(store: &dyn Storage) {
    let who = CustomerId::new();
    let broke = payment(who, 1, PaymentId::new());
    let refused = Err(StorageError::InsufficientBalance { balance: eur(0) });
    assert_eq!(store.apply_ledger(&broke).await, refused, "debit of an empty wallet");
    store.apply_ledger(&credit(who, 1000)).await.expect("credit");
    let too_much = payment(who, 1001, PaymentId::new());
    let refused = Err(StorageError::InsufficientBalance { balance: eur(1000) });
    assert_eq!(store.apply_ledger(&too_much).await, refused, "debit above the balance");
    assert_eq!(store.ledger(who, PageRequest::default()).await.expect("ledger").total, 1, "nothing recorded");
    store.apply_ledger(&credit(who, 1)).await.expect("credit");
    assert_eq!(
        store.apply_ledger(&too_much).await,
        Ok(LedgerOutcome::Applied(eur(0))),
        "a refused reference may retry"
    );
    assert_eq!(store.apply_ledger(&broke).await, Err(StorageError::InsufficientBalance { balance: eur(0) }), "at zero");
    assert_eq!(sum_of_ledger(store, who, Currency::EUR).await, 0, "balance == sum of ledger");
}

/// 100 concurrent debits of 1.00 on 50.00: exactly 50 succeed.
pub async fn ledger_concurrent_debits(store: &dyn Storage) {
    let who = CustomerId::new();
    store.apply_ledger(&credit(who, 5000)).await.expect("credit");
    let debits: Vec<_> = (0..100).map(|_| payment(who, 100, PaymentId::new())).collect();
    let outcomes = join_all(debits.iter().map(|d| store.apply_ledger(d)).collect()).await;
    let mut balances: Vec<i64> = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(LedgerOutcome::Applied(balance)) => balances.push(balance.amount_minor()),
            Err(StorageError::InsufficientBalance { balance }) => {
                assert!(balance.amount_minor() < 100, "refused at {balance}")
            }
            other => panic!("unexpected debit outcome {other:?}"),
        }
    }
    balances.sort_unstable();
    let expected: Vec<i64> = (0..50).map(|i| i * 100).collect();
    assert_eq!(balances, expected, "50 debits applied, one after the other");
    assert_eq!(store.wallet_balance(who, Currency::EUR).await.expect("balance"), eur(0), "wallet emptied");
    assert_eq!(store.ledger(who, PageRequest::default()).await.expect("ledger").total, 51, "1 credit + 50 debits");
    assert_eq!(sum_of_ledger(store, who, Currency::EUR).await, 0, "balance == sum of ledger");
}

/// The first response stored for a key is kept.
pub async fn idempotency_first_write_wins(store: &dyn Storage) {
    let response = |status: u16, body: &str| IdempotentResponse {
        request_hash: format!("hash-{status}"),
        status,
        body: body.as_bytes().to_vec(),
        created_at: T0,
    };
    assert_eq!(store.idempotent_response("bookings", "k1").await.expect("read"), None, "nothing stored yet");
    let first = response(201, "{\"id\":1}");
    store.store_idempotent_response("bookings", "k1", &first).await.expect("store");
    store.store_idempotent_response("bookings", "k1", &response(409, "late")).await.expect("store again");
    assert_eq!(store.idempotent_response("bookings", "k1").await.expect("read"), Some(first), "first write wins");
    let other_scope = response(200, "");
    store.store_idempotent_response("wallet", "k1", &other_scope).await.expect("store");
    assert_eq!(store.idempotent_response("wallet", "k1").await.expect("read"), Some(other_scope), "per scope");
    assert_eq!(store.idempotent_response("bookings", "k2").await.expect("read"), None, "per key");
}

/// The backend answers.
pub async fn ping(store: &dyn Storage) {
    store.ping().await.expect("ping");
}
