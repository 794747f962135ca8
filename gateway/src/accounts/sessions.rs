//! Issuing and revoking credentials. A credential is 32 random bytes shown once (as a
//! bearer token, or in the `boxoffice_session` cookie) and stored as its SHA-256, so a
//! database leak yields no usable token. Revocation deletes the row and the cache entry.

use axum::http::HeaderValue;
use boxoffice_storage::{Account, AccountId, Session, SessionKind};

use crate::auth::{Credential, Identity, generate_token, principal_of, token_sha256};
use crate::error::ApiError;
use crate::security::cookies::{self, CSRF_COOKIE, SESSION_COOKIE};
use crate::security::csrf;
use crate::state::AppState;

/// A credential just issued.
#[derive(Clone, Debug)]
pub struct Issued {
    /// The secret (bearer token or cookie value); shown once.
    pub token: String,
    /// The stored session.
    pub session: Session,
}

/// Issues a credential of `kind` for `account`, stores its hash and caches it. Device
/// tokens never expire (until revoked); cookies and bearer tokens live for the configured
/// TTL.
///
/// # Errors
/// Storage failures.
pub async fn issue(state: &AppState, account: &Account, kind: SessionKind, label: &str) -> Result<Issued, ApiError> {
    let now = state.clock.now();
    let ttl_ms = match kind {
        SessionKind::Cookie => Some(state.config.accounts.session_ttl_ms),
        SessionKind::Bearer => Some(state.config.accounts.token_ttl_ms),
        SessionKind::Device => None,
    };
    let token = generate_token();
    let hash = token_sha256(&token);
    let session = Session {
        token_sha256: hash,
        account_id: account.id,
        kind,
        created_at: now,
        expires_at: ttl_ms.map(|ms| now.plus_millis(i64::try_from(ms).unwrap_or(i64::MAX))),
        label: label.chars().take(200).collect(),
    };
    state.accounts.insert_session(&session).await?;
    let identity = Identity {
        principal: principal_of(account.id, account.role),
        credential: if kind == SessionKind::Cookie { Credential::Cookie } else { Credential::Bearer },
        token_sha256: Some(hash),
        email_verified: account.email_verified(),
        totp_enabled: account.totp_enabled(),
    };
    state.auth.remember(hash, identity, session.expires_at);
    Ok(Issued { token, session })
}

/// The `Set-Cookie` values of a new browser session: the HttpOnly session cookie and the
/// script-readable CSRF cookie; and the CSRF token.
#[must_use]
pub fn cookies_for(state: &AppState, issued: &Issued) -> (Vec<HeaderValue>, String) {
    let max_age_s = state.config.accounts.session_ttl_ms / 1000;
    let secure = state.security.cookie_secure;
    let csrf = csrf::token_for(&state.security.signing_key, &issued.session.token_sha256);
    let values = [
        cookies::set(SESSION_COOKIE, &issued.token, max_age_s, true, secure),
        cookies::set(CSRF_COOKIE, &csrf, max_age_s, false, secure),
    ];
    (values.iter().filter_map(|v| HeaderValue::from_str(v).ok()).collect(), csrf)
}

/// The `Set-Cookie` values that delete both cookies.
#[must_use]
pub fn clear_cookies(state: &AppState) -> Vec<HeaderValue> {
    let secure = state.security.cookie_secure;
    [cookies::set(SESSION_COOKIE, "", 0, true, secure), cookies::set(CSRF_COOKIE, "", 0, false, secure)]
        .iter()
        .filter_map(|v| HeaderValue::from_str(v).ok())
        .collect()
}

/// Revokes one credential.
///
/// # Errors
/// Storage failures.
pub async fn revoke(state: &AppState, token_sha256: &[u8; 32]) -> Result<(), ApiError> {
    state.auth.forget(token_sha256);
    state.accounts.delete_session(token_sha256).await?;
    state.auth.forget(token_sha256);
    Ok(())
}

/// Revokes every credential of an account but `keep`; how many.
///
/// # Errors
/// Storage failures.
pub async fn revoke_all(state: &AppState, account: AccountId, keep: Option<[u8; 32]>) -> Result<u64, ApiError> {
    let revoked = state.accounts.delete_sessions(account, keep).await?;
    state.auth.forget_account(account);
    Ok(revoked)
}
