//! Customer, ledger and idempotency writes. The ledger is append-only; the balance a
//! conditional debit checks is the stored sum that the ledger's insert trigger keeps in the
//! same transaction (`balances.rs`), so it sees every earlier op of its batch.

use rusqlite::{Connection, OptionalExtension, params};

use super::convert::{DbResultExt, constraint_violation, db_error, enum_text, parse_currency};
use super::read_wallet::balance;
use crate::IdempotentResponse;
use crate::error::{StorageError, StorageResult};
use crate::wallet::{Customer, LedgerEntry, LedgerOutcome};

/// The key the email's uniqueness is checked on.
pub(crate) fn email_key(email: &str) -> String {
    email.to_lowercase()
}

/// Inserts a customer: `Duplicate("email")` if the email is taken (case-insensitive),
/// `Duplicate("token")` if the token is, `Duplicate("id")` if the id is.
pub(crate) fn insert_customer(conn: &Connection, customer: &Customer, token_sha256: &[u8; 32]) -> StorageResult<()> {
    let key = email_key(&customer.email);
    let taken: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM customers WHERE email_key = ?1)")
        .db()?
        .query_row(params![key], |row| row.get(0))
        .db()?;
    if taken {
        return Err(StorageError::Duplicate("email"));
    }
    let inserted = conn
        .prepare_cached(
            "INSERT INTO customers (id, name, email, email_key, token_sha256, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )
        .db()?
        .execute(params![
            customer.id.to_string(),
            customer.name,
            customer.email,
            key,
            token_sha256.as_slice(),
            customer.created_at.as_millis(),
        ]);
    match inserted {
        Ok(_) => Ok(()),
        Err(error) => Err(match constraint_violation(&error) {
            Some(message) if message.contains("token_sha256") => StorageError::Duplicate("token"),
            Some(message) if message.contains("email_key") => StorageError::Duplicate("email"),
            Some(_) => StorageError::Duplicate("id"),
            None => db_error(error),
        }),
    }
}

/// Records a ledger entry at most once per reference; a debit only if it leaves the
/// balance at zero or above.
pub(crate) fn apply_ledger(conn: &Connection, entry: &LedgerEntry) -> StorageResult<LedgerOutcome> {
    let existing: Option<(String, String)> = conn
        .prepare_cached("SELECT customer_id, currency FROM ledger WHERE reference = ?1")
        .db()?
        .query_row(params![entry.reference], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()
        .db()?;
    if let Some((customer, currency)) = existing {
        return Ok(LedgerOutcome::AlreadyApplied(balance(conn, &customer, parse_currency(&currency)?)?));
    }
    let customer = entry.customer_id.to_string();
    let before = balance(conn, &customer, entry.amount.currency())?;
    let after = before
        .checked_add(entry.amount)
        .map_err(|e| StorageError::Unavailable(format!("ledger entry {}: {e}", entry.reference)))?;
    if entry.amount.amount_minor() < 0 && after.amount_minor() < 0 {
        return Err(StorageError::InsufficientBalance { balance: before });
    }
    conn.prepare_cached(
        "INSERT INTO ledger (customer_id, amount_minor, currency, kind, reference, memo, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .db()?
    .execute(params![
        customer,
        entry.amount.amount_minor(),
        entry.amount.currency().as_str(),
        enum_text(&entry.kind)?,
        entry.reference,
        entry.memo,
        entry.at.as_millis(),
    ])
    .db()?;
    Ok(LedgerOutcome::Applied(after))
}

/// Stores a response unless one is already stored for `(scope, key)` (first write wins).
pub(crate) fn store_idempotent_response(
    conn: &Connection,
    scope: &str,
    key: &str,
    response: &IdempotentResponse,
) -> StorageResult<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO idempotency (scope, key, request_hash, status, body, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .db()?
    .execute(params![
        scope,
        key,
        response.request_hash,
        response.status,
        response.body,
        response.created_at.as_millis(),
    ])
    .db()?;
    Ok(())
}

/// Deletes idempotent responses created before `before`; returns how many.
pub(crate) fn purge_idempotent_responses(conn: &Connection, before: crate::time::Timestamp) -> StorageResult<u64> {
    let deleted = conn
        .prepare_cached("DELETE FROM idempotency WHERE created_at_ms < ?1")
        .db()?
        .execute(params![before.as_millis()])
        .db()?;
    Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
}
