//! Customer, wallet and idempotency reads. A wallet's balance is the sum of its ledger, stored
//! (`balances.rs`) rather than summed at every read.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::convert::{DbResultExt, enum_from_text, parse_currency, parse_text};
use super::query::Query;
use crate::IdempotentResponse;
use crate::catalog::{Page, PageRequest};
use crate::error::StorageResult;
use crate::ids::CustomerId;
use crate::money::{Currency, Money};
use crate::time::Timestamp;
use crate::wallet::{Customer, LedgerEntry};

fn decode_customer(row: &Row<'_>) -> StorageResult<Customer> {
    let id: String = row.get(0).db()?;
    Ok(Customer {
        id: parse_text("customer id", &id)?,
        name: row.get(1).db()?,
        email: row.get(2).db()?,
        created_at: Timestamp::from_millis(row.get(3).db()?),
    })
}

fn customer_where(conn: &Connection, condition: &str, param: Value) -> StorageResult<Option<Customer>> {
    let sql = format!("SELECT id, name, email, created_at_ms FROM customers WHERE {condition}");
    let mut stmt = conn.prepare_cached(&sql).db()?;
    let mut rows = stmt.query(params![param]).db()?;
    rows.next().db()?.map(decode_customer).transpose()
}

/// A customer by id.
pub(crate) fn customer(conn: &Connection, id: CustomerId) -> StorageResult<Option<Customer>> {
    customer_where(conn, "id = ?1", Value::Text(id.to_string()))
}

/// The customer holding a token.
pub(crate) fn customer_by_token(conn: &Connection, token_sha256: [u8; 32]) -> StorageResult<Option<Customer>> {
    customer_where(conn, "token_sha256 = ?1", Value::Blob(token_sha256.to_vec()))
}

/// The sum of a wallet's ledger in `currency` (its stored balance).
pub(crate) fn balance(conn: &Connection, customer: &str, currency: Currency) -> StorageResult<Money> {
    // Kept by the ledger's insert trigger (`balances.rs`); no row: nothing applied yet.
    let stored: Option<i64> = conn
        .prepare_cached("SELECT balance_minor FROM wallet_balances WHERE customer_id = ?1 AND currency = ?2")
        .db()?
        .query_row(params![customer, currency.as_str()], |row| row.get(0))
        .optional()
        .db()?;
    Ok(Money::new(stored.unwrap_or(0), currency))
}

fn decode_ledger(row: &Row<'_>) -> StorageResult<LedgerEntry> {
    let customer: String = row.get(0).db()?;
    let currency: String = row.get(2).db()?;
    let kind: String = row.get(3).db()?;
    Ok(LedgerEntry {
        customer_id: parse_text("customer id", &customer)?,
        amount: Money::new(row.get(1).db()?, parse_currency(&currency)?),
        kind: enum_from_text("ledger kind", &kind)?,
        reference: row.get(4).db()?,
        memo: row.get(5).db()?,
        at: Timestamp::from_millis(row.get(6).db()?),
    })
}

/// A wallet's ledger, most recently applied first.
pub(crate) fn ledger(conn: &Connection, customer: CustomerId, page: PageRequest) -> StorageResult<Page<LedgerEntry>> {
    let columns = "customer_id, amount_minor, currency, kind, reference, memo, at_ms";
    let mut query = Query::new(columns, "ledger", "id DESC");
    query.filter_with("customer_id = ?", [Value::Text(customer.to_string())]);
    query.page(conn, page, decode_ledger)
}

/// The response stored for `(scope, key)`.
pub(crate) fn idempotent_response(
    conn: &Connection,
    scope: &str,
    key: &str,
) -> StorageResult<Option<IdempotentResponse>> {
    conn.prepare_cached(
        "SELECT request_hash, status, body, created_at_ms FROM idempotency WHERE scope = ?1 AND key = ?2",
    )
    .db()?
    .query_row(params![scope, key], |row| {
        Ok(IdempotentResponse {
            request_hash: row.get(0)?,
            status: row.get(1)?,
            body: row.get(2)?,
            created_at: Timestamp::from_millis(row.get(3)?),
        })
    })
    .optional()
    .db()
}
