//! Account, session, single-use token, recovery code and audit writes (run on the writer
//! thread, each an op of a group commit: all or nothing).

use rusqlite::{Connection, params};

use super::convert::{DbResultExt, constraint_violation, db_error};
use crate::accounts::{Account, Session, SessionKind};
use crate::audit::AuditEntry;
use crate::error::{StorageError, StorageResult};
use crate::ids::AccountId;
use crate::time::Timestamp;

/// The key uniqueness is checked on (emails and usernames are case-insensitive).
pub(crate) fn fold_key(text: &str) -> String {
    text.to_lowercase()
}

fn unique_error(error: rusqlite::Error) -> StorageError {
    match constraint_violation(&error) {
        Some(message) if message.contains("email_key") => StorageError::Duplicate("email"),
        Some(message) if message.contains("username_key") => StorageError::Duplicate("username"),
        Some(_) => StorageError::Duplicate("id"),
        None => db_error(error),
    }
}

/// Refuses an email (current or pending elsewhere) or username taken by another account,
/// naming the field; the unique indexes are the last line of defence.
fn check_unique(conn: &Connection, account: &Account) -> StorageResult<()> {
    if let Some(email) = &account.email {
        let taken: bool = conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM accounts WHERE email_key = ?1 AND id <> ?2)")
            .db()?
            .query_row(params![fold_key(email), account.id.to_string()], |row| row.get(0))
            .db()?;
        if taken {
            return Err(StorageError::Duplicate("email"));
        }
    }
    let taken: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM accounts WHERE username_key = ?1 AND id <> ?2)")
        .db()?
        .query_row(params![fold_key(&account.username), account.id.to_string()], |row| row.get(0))
        .db()?;
    if taken {
        return Err(StorageError::Duplicate("username"));
    }
    Ok(())
}

const ACCOUNT_VALUES: &str = "?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19";

fn execute_account(conn: &Connection, sql: &str, a: &Account) -> rusqlite::Result<usize> {
    conn.prepare_cached(sql)?.execute(params![
        a.id.to_string(),
        a.role.as_str(),
        a.email,
        a.email.as_deref().map(fold_key),
        a.email_verified_at.map(Timestamp::as_millis),
        a.pending_email,
        a.username,
        fold_key(&a.username),
        a.first_name,
        a.last_name,
        a.phone,
        a.birth_date,
        a.language.as_str(),
        a.password_hash,
        a.totp.as_ref().map(|t| t.secret_base32.clone()),
        a.totp.as_ref().is_some_and(|t| t.enabled),
        a.active,
        a.created_at.as_millis(),
        a.updated_at.as_millis(),
    ])
}

/// Inserts an account.
pub(crate) fn insert_account(conn: &Connection, account: &Account) -> StorageResult<()> {
    check_unique(conn, account)?;
    let sql = format!(
        "INSERT INTO accounts (id, role, email, email_key, email_verified_at_ms, pending_email, username,
         username_key, first_name, last_name, phone, birth_date, language, password_hash, totp_secret,
         totp_enabled, active, created_at_ms, updated_at_ms) VALUES ({ACCOUNT_VALUES})"
    );
    execute_account(conn, &sql, account).map_err(unique_error)?;
    Ok(())
}

/// Replaces an account.
pub(crate) fn update_account(conn: &Connection, account: &Account) -> StorageResult<()> {
    check_unique(conn, account)?;
    let sql = "UPDATE accounts SET role = ?2, email = ?3, email_key = ?4, email_verified_at_ms = ?5,
         pending_email = ?6, username = ?7, username_key = ?8, first_name = ?9, last_name = ?10, phone = ?11,
         birth_date = ?12, language = ?13, password_hash = ?14, totp_secret = ?15, totp_enabled = ?16,
         active = ?17, created_at_ms = ?18, updated_at_ms = ?19 WHERE id = ?1";
    match execute_account(conn, sql, account).map_err(unique_error)? {
        0 => Err(StorageError::NotFound { entity: "account", id: account.id.to_string() }),
        _ => Ok(()),
    }
}

/// Erases the personal data of an account and of its customer record.
pub(crate) fn erase_account(conn: &Connection, id: AccountId, at: Timestamp) -> StorageResult<()> {
    let key = id.to_string();
    let erased = format!("erased-{}", key.replace('-', ""));
    let changed = conn
        .prepare_cached(
            "UPDATE accounts SET email = NULL, email_key = NULL, email_verified_at_ms = NULL, pending_email = NULL,
             username = ?2, username_key = ?2, first_name = '', last_name = '', phone = NULL, birth_date = NULL,
             password_hash = NULL, totp_secret = NULL, totp_enabled = 0, active = 0, updated_at_ms = ?3
             WHERE id = ?1",
        )
        .db()?
        .execute(params![key, erased, at.as_millis()])
        .db()?;
    if changed == 0 {
        return Err(StorageError::NotFound { entity: "account", id: key });
    }
    let placeholder = format!("{erased}@erased.invalid");
    conn.prepare_cached("UPDATE customers SET name = 'Erased customer', email = ?2, email_key = ?2 WHERE id = ?1")
        .db()?
        .execute(params![key, placeholder])
        .db()?;
    conn.prepare_cached("DELETE FROM sessions WHERE account_id = ?1").db()?.execute(params![key]).db()?;
    conn.prepare_cached("DELETE FROM recovery_codes WHERE account_id = ?1").db()?.execute(params![key]).db()?;
    Ok(())
}

/// The stored name of a session kind.
pub(crate) const fn kind_text(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Cookie => "cookie",
        SessionKind::Bearer => "bearer",
        SessionKind::Device => "device",
    }
}

/// Inserts a session.
pub(crate) fn insert_session(conn: &Connection, s: &Session) -> StorageResult<()> {
    conn.prepare_cached(
        "INSERT INTO sessions (token_sha256, account_id, kind, created_at_ms, expires_at_ms, label)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )
    .db()?
    .execute(params![
        s.token_sha256.as_slice(),
        s.account_id.to_string(),
        kind_text(s.kind),
        s.created_at.as_millis(),
        s.expires_at.map(Timestamp::as_millis),
        s.label,
    ])
    .map_err(|e| if constraint_violation(&e).is_some() { StorageError::Duplicate("token") } else { db_error(e) })?;
    Ok(())
}

/// Deletes one session.
pub(crate) fn delete_session(conn: &Connection, hash: [u8; 32]) -> StorageResult<bool> {
    let n = conn
        .prepare_cached("DELETE FROM sessions WHERE token_sha256 = ?1")
        .db()?
        .execute(params![hash.as_slice()])
        .db()?;
    Ok(n > 0)
}

/// Deletes an account's sessions but `keep`.
pub(crate) fn delete_sessions(conn: &Connection, account: AccountId, keep: Option<[u8; 32]>) -> StorageResult<u64> {
    let keep = keep.map(|k| k.to_vec()).unwrap_or_default();
    let n = conn
        .prepare_cached("DELETE FROM sessions WHERE account_id = ?1 AND token_sha256 <> ?2")
        .db()?
        .execute(params![account.to_string(), keep])
        .db()?;
    Ok(n as u64)
}

/// Records a token as used unless it already is; purges records past their expiry.
pub(crate) fn consume_token(
    conn: &Connection,
    token_id: &str,
    account: AccountId,
    purpose: &str,
    at: Timestamp,
    expires_at: Timestamp,
) -> StorageResult<bool> {
    conn.prepare_cached("DELETE FROM used_tokens WHERE expires_at_ms < ?1")
        .db()?
        .execute(params![at.as_millis()])
        .db()?;
    let n = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO used_tokens (token_id, account_id, purpose, used_at_ms, expires_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .db()?
        .execute(params![token_id, account.to_string(), purpose, at.as_millis(), expires_at.as_millis()])
        .db()?;
    Ok(n == 1)
}

/// Replaces the recovery codes.
pub(crate) fn set_recovery_codes(conn: &Connection, account: AccountId, codes: &[[u8; 32]]) -> StorageResult<()> {
    let key = account.to_string();
    conn.prepare_cached("DELETE FROM recovery_codes WHERE account_id = ?1").db()?.execute(params![key]).db()?;
    let mut insert = conn
        .prepare_cached(
            "INSERT OR IGNORE INTO recovery_codes (account_id, code_sha256, used_at_ms) VALUES (?1, ?2, NULL)",
        )
        .db()?;
    for code in codes {
        insert.execute(params![key, code.as_slice()]).db()?;
    }
    Ok(())
}

/// Uses a recovery code once.
pub(crate) fn use_recovery_code(
    conn: &Connection,
    account: AccountId,
    code: [u8; 32],
    at: Timestamp,
) -> StorageResult<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE recovery_codes SET used_at_ms = ?3
             WHERE account_id = ?1 AND code_sha256 = ?2 AND used_at_ms IS NULL",
        )
        .db()?
        .execute(params![account.to_string(), code.as_slice(), at.as_millis()])
        .db()?;
    Ok(n == 1)
}

/// Appends an audit entry.
pub(crate) fn append_audit(conn: &Connection, e: &AuditEntry) -> StorageResult<()> {
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(serde_json::Value::to_string);
    conn.prepare_cached(
        "INSERT INTO audit_log (at_ms, actor_id, actor_role, actor_label, action, entity, entity_id, before, after,
         status, request_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )
    .db()?
    .execute(params![
        e.at.as_millis(),
        e.actor_id.map(|a| a.to_string()),
        e.actor_role.as_str(),
        e.actor_label,
        e.action,
        e.entity,
        e.entity_id,
        json(&e.before),
        json(&e.after),
        e.status,
        e.request_id,
    ])
    .db()?;
    Ok(())
}
