//! How an [`Account`] and a [`Session`] are stored on ScyllaDB: a private serializable
//! mirror (the model types are deliberately not `Serialize`: they hold password hashes and
//! TOTP secrets that must never reach an API answer by accident).

use serde::{Deserialize, Serialize};

use crate::accounts::{Account, Language, Role, Session, SessionKind, Totp};
use crate::error::{StorageError, StorageResult};
use crate::ids::AccountId;
use crate::time::Timestamp;

/// The stored form of an account (JSON in `accounts.record`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountRow {
    id: AccountId,
    role: Role,
    email: Option<String>,
    email_verified_at: Option<i64>,
    pending_email: Option<String>,
    username: String,
    first_name: String,
    last_name: String,
    phone: Option<String>,
    birth_date: Option<String>,
    language: Language,
    password_hash: Option<String>,
    totp_secret: Option<String>,
    totp_enabled: bool,
    active: bool,
    created_at: i64,
    updated_at: i64,
}

impl From<&Account> for AccountRow {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id,
            role: a.role,
            email: a.email.clone(),
            email_verified_at: a.email_verified_at.map(Timestamp::as_millis),
            pending_email: a.pending_email.clone(),
            username: a.username.clone(),
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            phone: a.phone.clone(),
            birth_date: a.birth_date.clone(),
            language: a.language,
            password_hash: a.password_hash.clone(),
            totp_secret: a.totp.as_ref().map(|t| t.secret_base32.clone()),
            totp_enabled: a.totp.as_ref().is_some_and(|t| t.enabled),
            active: a.active,
            created_at: a.created_at.as_millis(),
            updated_at: a.updated_at.as_millis(),
        }
    }
}

impl From<AccountRow> for Account {
    fn from(r: AccountRow) -> Self {
        Account {
            id: r.id,
            role: r.role,
            email: r.email,
            email_verified_at: r.email_verified_at.map(Timestamp::from_millis),
            pending_email: r.pending_email,
            username: r.username,
            first_name: r.first_name,
            last_name: r.last_name,
            phone: r.phone,
            birth_date: r.birth_date,
            language: r.language,
            password_hash: r.password_hash,
            totp: r.totp_secret.map(|secret_base32| Totp { secret_base32, enabled: r.totp_enabled }),
            active: r.active,
            created_at: Timestamp::from_millis(r.created_at),
            updated_at: Timestamp::from_millis(r.updated_at),
        }
    }
}

/// The key uniqueness is checked on (emails and usernames are case-insensitive).
#[must_use]
pub fn fold_key(text: &str) -> String {
    text.to_lowercase()
}

/// An erased account: personal data gone, inactive, a placeholder username.
#[must_use]
pub fn erased(account: &Account, at: Timestamp) -> Account {
    Account {
        email: None,
        email_verified_at: None,
        pending_email: None,
        username: format!("erased-{}", account.id.to_string().replace('-', "")),
        first_name: String::new(),
        last_name: String::new(),
        phone: None,
        birth_date: None,
        password_hash: None,
        totp: None,
        active: false,
        updated_at: at,
        ..account.clone()
    }
}

/// The stored name of a session kind.
#[must_use]
pub const fn kind_name(kind: SessionKind) -> &'static str {
    match kind {
        SessionKind::Cookie => "cookie",
        SessionKind::Bearer => "bearer",
        SessionKind::Device => "device",
    }
}

/// A session from its stored columns.
///
/// # Errors
/// `Corrupt` for an unknown kind or a hash that is not 32 bytes.
pub fn session(
    token: Vec<u8>,
    account: AccountId,
    kind: &str,
    created_at: i64,
    expires_at: Option<i64>,
    label: String,
) -> StorageResult<Session> {
    let kind = match kind {
        "cookie" => SessionKind::Cookie,
        "bearer" => SessionKind::Bearer,
        "device" => SessionKind::Device,
        other => return Err(StorageError::Corrupt(format!("session kind {other:?}"))),
    };
    Ok(Session {
        token_sha256: token.try_into().map_err(|_| StorageError::Corrupt("session hash is not 32 bytes".into()))?,
        account_id: account,
        kind,
        created_at: Timestamp::from_millis(created_at),
        expires_at: expires_at.map(Timestamp::from_millis),
        label,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance::accounts::account;

    #[test]
    fn accounts_round_trip_through_their_row() {
        let mut a = account(Role::Manager, "Ada@Example.com", "ada");
        a.totp = Some(Totp { secret_base32: "JBSWY3DPEHPK3PXP".into(), enabled: true });
        let row = AccountRow::from(&a);
        let json = serde_json::to_string(&row).expect("json");
        let back: AccountRow = serde_json::from_str(&json).expect("parse");
        assert_eq!(Account::from(back), a);
    }

    #[test]
    fn erasure_keeps_only_what_reports_need() {
        let a = account(Role::Customer, "ada@example.com", "ada");
        let e = erased(&a, Timestamp::from_millis(9));
        assert_eq!((e.id, e.role, e.created_at), (a.id, a.role, a.created_at));
        assert!(e.email.is_none() && e.password_hash.is_none() && !e.active && e.username.starts_with("erased-"));
    }

    #[test]
    fn sessions_decode_their_kind() {
        let s = session(vec![7; 32], AccountId::new(), "device", 1, Some(2), "kiosk".into()).expect("session");
        assert_eq!((s.kind, s.expires_at), (SessionKind::Device, Some(Timestamp::from_millis(2))));
        assert!(session(vec![7; 31], AccountId::new(), "device", 1, None, String::new()).is_err());
        assert!(session(vec![7; 32], AccountId::new(), "carrier-pigeon", 1, None, String::new()).is_err());
        assert_eq!(kind_name(SessionKind::Cookie), "cookie");
    }
}
