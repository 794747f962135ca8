//! Account, session, recovery code, audit and booking history reads.

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::accounts_write::fold_key;
use super::convert::{DbResultExt, parse_text, to_u64};
use super::query::Query;
use super::read_journal::decode_booking;
use crate::accounts::{Account, BookingHistoryItem, BookingWhen, Role, Session, SessionKind, Totp};
use crate::audit::{AuditEntry, AuditFilter};
use crate::catalog::{Page, PageRequest};
use crate::error::{StorageError, StorageResult};
use crate::ids::{AccountId, CustomerId};
use crate::time::Timestamp;

const ACCOUNT_COLUMNS: &str = "id, role, email, email_verified_at_ms, pending_email, username, first_name, last_name, \
     phone, birth_date, language, password_hash, totp_secret, totp_enabled, active, created_at_ms, updated_at_ms";

fn parse_enum<T: std::str::FromStr<Err = String>>(what: &str, text: &str) -> StorageResult<T> {
    text.parse().map_err(|e| StorageError::Corrupt(format!("{what}: {e}")))
}

fn decode_account(row: &Row<'_>) -> StorageResult<Account> {
    let id: String = row.get(0).db()?;
    let role: String = row.get(1).db()?;
    let language: String = row.get(10).db()?;
    let totp_secret: Option<String> = row.get(12).db()?;
    let totp_enabled: bool = row.get(13).db()?;
    Ok(Account {
        id: parse_text("account id", &id)?,
        role: parse_enum("account role", &role)?,
        email: row.get(2).db()?,
        email_verified_at: row.get::<_, Option<i64>>(3).db()?.map(Timestamp::from_millis),
        pending_email: row.get(4).db()?,
        username: row.get(5).db()?,
        first_name: row.get(6).db()?,
        last_name: row.get(7).db()?,
        phone: row.get(8).db()?,
        birth_date: row.get(9).db()?,
        language: parse_enum("account language", &language)?,
        password_hash: row.get(11).db()?,
        totp: totp_secret.map(|secret_base32| Totp { secret_base32, enabled: totp_enabled }),
        active: row.get(14).db()?,
        created_at: Timestamp::from_millis(row.get(15).db()?),
        updated_at: Timestamp::from_millis(row.get(16).db()?),
    })
}

fn account_where(conn: &Connection, clause: &str, value: Value) -> StorageResult<Option<Account>> {
    let mut query = Query::new(ACCOUNT_COLUMNS, "accounts", "id");
    query.filter_with(clause, [value]);
    Ok(query.all(conn, decode_account)?.pop())
}

/// An account by id.
pub(crate) fn account(conn: &Connection, id: AccountId) -> StorageResult<Option<Account>> {
    account_where(conn, "id = ?", Value::Text(id.to_string()))
}

/// An account by email, case-insensitively.
pub(crate) fn account_by_email(conn: &Connection, email: &str) -> StorageResult<Option<Account>> {
    account_where(conn, "email_key = ?", Value::Text(fold_key(email)))
}

/// Accounts of some roles, oldest first.
pub(crate) fn list_accounts(conn: &Connection, roles: &[Role], page: PageRequest) -> StorageResult<Page<Account>> {
    let mut query = Query::new(ACCOUNT_COLUMNS, "accounts", "created_at_ms, id");
    let marks = vec!["?"; roles.len().max(1)].join(", ");
    let values: Vec<Value> = roles.iter().map(|r| Value::Text(r.as_str().to_owned())).collect();
    if values.is_empty() {
        query.filter("0");
    } else {
        query.filter_with(&format!("role IN ({marks})"), values);
    }
    query.page(conn, page, decode_account)
}

fn decode_session(row: &Row<'_>) -> StorageResult<Session> {
    let hash: Vec<u8> = row.get(0).db()?;
    let account: String = row.get(1).db()?;
    let kind: String = row.get(2).db()?;
    Ok(Session {
        token_sha256: hash.try_into().map_err(|_| StorageError::Corrupt("session hash is not 32 bytes".into()))?,
        account_id: parse_text("account id", &account)?,
        kind: match kind.as_str() {
            "cookie" => SessionKind::Cookie,
            "bearer" => SessionKind::Bearer,
            "device" => SessionKind::Device,
            other => return Err(StorageError::Corrupt(format!("session kind {other:?}"))),
        },
        created_at: Timestamp::from_millis(row.get(3).db()?),
        expires_at: row.get::<_, Option<i64>>(4).db()?.map(Timestamp::from_millis),
        label: row.get(5).db()?,
    })
}

const SESSION_COLUMNS: &str = "token_sha256, account_id, kind, created_at_ms, expires_at_ms, label";

/// A session by hash.
pub(crate) fn session(conn: &Connection, hash: [u8; 32]) -> StorageResult<Option<Session>> {
    let mut query = Query::new(SESSION_COLUMNS, "sessions", "token_sha256");
    query.filter_with("token_sha256 = ?", [Value::Blob(hash.to_vec())]);
    Ok(query.all(conn, decode_session)?.pop())
}

/// An account's sessions, newest first.
pub(crate) fn sessions_of(conn: &Connection, account: AccountId) -> StorageResult<Vec<Session>> {
    let mut query = Query::new(SESSION_COLUMNS, "sessions", "created_at_ms DESC");
    query.filter_with("account_id = ?", [Value::Text(account.to_string())]);
    query.all(conn, decode_session)
}

/// Unused recovery codes.
pub(crate) fn recovery_codes_left(conn: &Connection, account: AccountId) -> StorageResult<u32> {
    let n: i64 = conn
        .prepare_cached("SELECT COUNT(*) FROM recovery_codes WHERE account_id = ?1 AND used_at_ms IS NULL")
        .db()?
        .query_row(params![account.to_string()], |row| row.get(0))
        .optional()
        .db()?
        .unwrap_or(0);
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

fn decode_audit(row: &Row<'_>) -> StorageResult<AuditEntry> {
    let actor: Option<String> = row.get(2).db()?;
    let role: String = row.get(3).db()?;
    let json = |text: Option<String>| -> StorageResult<Option<serde_json::Value>> {
        text.map(|t| serde_json::from_str(&t).map_err(|e| StorageError::Corrupt(format!("audit json: {e}"))))
            .transpose()
    };
    Ok(AuditEntry {
        id: to_u64("audit id", row.get(0).db()?)?,
        at: Timestamp::from_millis(row.get(1).db()?),
        actor_id: actor.map(|a| parse_text("actor id", &a)).transpose()?,
        actor_role: parse_enum("actor role", &role)?,
        actor_label: row.get(4).db()?,
        action: row.get(5).db()?,
        entity: row.get(6).db()?,
        entity_id: row.get(7).db()?,
        before: json(row.get(8).db()?)?,
        after: json(row.get(9).db()?)?,
        status: row.get(10).db()?,
        request_id: row.get(11).db()?,
    })
}

/// Audit entries, newest first.
pub(crate) fn audit_log(conn: &Connection, filter: &AuditFilter, page: PageRequest) -> StorageResult<Page<AuditEntry>> {
    let columns =
        "id, at_ms, actor_id, actor_role, actor_label, action, entity, entity_id, before, after, status, request_id";
    let mut query = Query::new(columns, "audit_log", "id DESC");
    if let Some(actor) = filter.actor_id {
        query.filter_with("actor_id = ?", [Value::Text(actor.to_string())]);
    }
    if let Some(entity) = &filter.entity {
        query.filter_with("entity = ?", [Value::Text(entity.clone())]);
    }
    if let Some(id) = &filter.entity_id {
        query.filter_with("entity_id = ?", [Value::Text(id.clone())]);
    }
    if let Some(from) = filter.from {
        query.filter_with("at_ms >= ?", [Value::Integer(from.as_millis())]);
    }
    if let Some(to) = filter.to {
        query.filter_with("at_ms < ?", [Value::Integer(to.as_millis())]);
    }
    query.page(conn, page, decode_audit)
}

const HISTORY_TABLES: &str = "bookings b LEFT JOIN showtimes s ON s.id = b.showtime_id \
     LEFT JOIN films f ON f.id = s.film_id LEFT JOIN auditoriums a ON a.id = s.auditorium_id";
const HISTORY_COLUMNS: &str = "b.record, b.status, b.cancelled_at_ms, b.cancel_reason, s.starts_at_ms, f.title, a.name";

/// A customer's bookings with showtime details.
pub(crate) fn booking_history(
    conn: &Connection,
    customer: CustomerId,
    when: BookingWhen,
    now: Timestamp,
    page: PageRequest,
) -> StorageResult<Page<BookingHistoryItem>> {
    let order = match when {
        BookingWhen::Upcoming => "s.starts_at_ms, b.id",
        BookingWhen::Past => "s.starts_at_ms DESC, b.id DESC",
        BookingWhen::All => "b.created_at_ms DESC, b.id DESC",
    };
    let mut query = Query::new(HISTORY_COLUMNS, HISTORY_TABLES, order);
    query.filter_with("b.customer_id = ?", [Value::Text(customer.to_string())]);
    match when {
        BookingWhen::Upcoming => query.filter_with("s.starts_at_ms >= ?", [Value::Integer(now.as_millis())]),
        BookingWhen::Past => query.filter_with("s.starts_at_ms < ?", [Value::Integer(now.as_millis())]),
        BookingWhen::All => &mut query,
    };
    query.page(conn, page, |row| {
        Ok(BookingHistoryItem {
            booking: decode_booking(row)?,
            starts_at: row.get::<_, Option<i64>>(4).db()?.map(Timestamp::from_millis),
            film_title: row.get(5).db()?,
            auditorium_name: row.get(6).db()?,
        })
    })
}
