//! [`Authenticator`]: bearer tokens and session cookies to [`Identity`], from an in-memory
//! cache on the hot path.
//!
//! The configured admin token (compared in constant time) is the operator: an admin
//! without an account. Any other token is hashed with SHA-256 and looked up in the cache;
//! on a miss (or once the entry is older than `accounts.token_cache_ttl_ms`), the session
//! and its account are read from storage. Logout and "logout everywhere" remove entries at
//! once; the TTL bounds how long another node's cache may trust a revoked token.

use std::sync::Arc;
use std::time::Duration;

use boxoffice_engine::Clock;
use boxoffice_storage::{AccountId, Accounts, Role, SessionKind, StorageError, Timestamp};
use dashmap::DashMap;
use subtle::ConstantTimeEq;
use tokio::time::Instant;

use super::{Credential, Identity, Principal, token_sha256};
use crate::config::Secret;

/// Most cached tokens; the cache is cleared when it grows past this.
pub const TOKEN_CACHE_ENTRIES_MAX: usize = 100_000;

#[derive(Clone, Copy, Debug)]
struct Cached {
    identity: Identity,
    expires_at: Option<Timestamp>,
    checked_at: Instant,
}

/// Known credentials.
pub struct Authenticator {
    admin_token: Secret,
    accounts: Arc<dyn Accounts>,
    clock: Arc<dyn Clock>,
    cache: DashMap<[u8; 32], Cached>,
    ttl: Duration,
}

impl std::fmt::Debug for Authenticator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authenticator").field("cached", &self.cache.len()).finish_non_exhaustive()
    }
}

/// The principal an account acts as.
#[must_use]
pub fn principal_of(id: AccountId, role: Role) -> Principal {
    match role {
        Role::Customer => Principal::Customer(boxoffice_storage::CustomerId::from_uuid(id.as_uuid())),
        Role::Kiosk => Principal::Kiosk(id),
        staff => Principal::Staff { account: Some(id), role: staff },
    }
}

impl Authenticator {
    /// An authenticator for `admin_token`, reading sessions from `accounts`.
    #[must_use]
    pub fn new(admin_token: Secret, accounts: Arc<dyn Accounts>, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        Self { admin_token, accounts, clock, cache: DashMap::new(), ttl }
    }

    /// The admin token.
    #[must_use]
    pub fn admin_token(&self) -> &Secret {
        &self.admin_token
    }

    /// The principal of a bearer token (or session cookie value), `None` if unknown,
    /// expired or revoked. This is what the WebSocket `auth` message calls.
    ///
    /// # Errors
    /// When storage fails on a cache miss.
    pub async fn resolve(&self, token: &str) -> Result<Option<Principal>, StorageError> {
        Ok(self.identify(token, false).await?.map(|i| i.principal))
    }

    /// The identity behind a token; `cookie` says it came from the session cookie.
    ///
    /// # Errors
    /// When storage fails on a cache miss.
    pub async fn identify(&self, token: &str, cookie: bool) -> Result<Option<Identity>, StorageError> {
        if !cookie && bool::from(token.as_bytes().ct_eq(self.admin_token.expose().as_bytes())) {
            return Ok(Some(Identity {
                principal: Principal::Staff { account: None, role: Role::Admin },
                credential: Credential::AdminToken,
                token_sha256: None,
                email_verified: true,
                totp_enabled: true,
            }));
        }
        let hash = token_sha256(token);
        let now = self.clock.now();
        if let Some(entry) = self.cache.get(&hash).map(|e| *e) {
            let fresh = entry.checked_at.elapsed() < self.ttl;
            let live = entry.expires_at.is_none_or(|at| at > now);
            let kind_ok = (entry.identity.credential == Credential::Cookie) == cookie;
            if fresh && live && kind_ok {
                return Ok(Some(entry.identity));
            }
            self.cache.remove(&hash);
            if !live || !kind_ok {
                return Ok(None);
            }
        }
        let Some(session) = self.accounts.session(&hash).await? else { return Ok(None) };
        let wanted_cookie = session.kind == SessionKind::Cookie;
        if wanted_cookie != cookie || session.expires_at.is_some_and(|at| at <= now) {
            return Ok(None);
        }
        let Some(account) = self.accounts.account(session.account_id).await?.filter(|a| a.active) else {
            return Ok(None);
        };
        let identity = Identity {
            principal: principal_of(account.id, account.role),
            credential: if cookie { Credential::Cookie } else { Credential::Bearer },
            token_sha256: Some(hash),
            email_verified: account.email_verified(),
            totp_enabled: account.totp_enabled(),
        };
        self.remember(hash, identity, session.expires_at);
        Ok(Some(identity))
    }

    /// Caches an identity for a token hash (called when the token is issued).
    pub fn remember(&self, token_sha256: [u8; 32], identity: Identity, expires_at: Option<Timestamp>) {
        if self.cache.len() >= TOKEN_CACHE_ENTRIES_MAX {
            // Bounded memory: dropping the cache only costs one lookup per active client.
            self.cache.clear();
        }
        self.cache.insert(token_sha256, Cached { identity, expires_at, checked_at: Instant::now() });
    }

    /// Forgets one token (logout).
    pub fn forget(&self, token_sha256: &[u8; 32]) {
        self.cache.remove(token_sha256);
    }

    /// Forgets every cached token of an account (logout everywhere, role or state change);
    /// the next request reads the account again.
    pub fn forget_account(&self, account: AccountId) {
        self.cache.retain(|_, entry| entry.identity.principal.account_id() != Some(account));
    }
}

#[cfg(test)]
mod tests {
    use boxoffice_engine::SystemClock;
    use boxoffice_storage::sqlite::{SqliteOptions, SqliteStorage};
    use boxoffice_storage::{Account, Language, Session};

    use super::*;

    #[tokio::test]
    async fn a_cached_token_is_resolved_without_storage_until_forgotten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(SqliteStorage::open(SqliteOptions::new(dir.path().join("db"))).expect("open"));
        let now = Timestamp::now();
        let account = Account {
            id: AccountId::new(),
            role: Role::Cashier,
            email: Some("c@example.com".into()),
            email_verified_at: Some(now),
            pending_email: None,
            username: "cassie".into(),
            first_name: "C".into(),
            last_name: "S".into(),
            phone: None,
            birth_date: None,
            language: Language::En,
            password_hash: None,
            totp: None,
            active: true,
            created_at: now,
            updated_at: now,
        };
        store.insert_account(&account).await.expect("account");
        let token = "a-bearer-token-for-the-test";
        let session = Session {
            token_sha256: token_sha256(token),
            account_id: account.id,
            kind: SessionKind::Bearer,
            created_at: now,
            expires_at: Some(now.plus_millis(60_000)),
            label: "test".into(),
        };
        store.insert_session(&session).await.expect("session");
        let auth = Authenticator::new(
            Secret::new("x".repeat(32)),
            store.clone(),
            Arc::new(SystemClock),
            Duration::from_secs(60),
        );
        let principal = auth.resolve(token).await.expect("resolve").expect("known");
        assert_eq!(principal, Principal::Staff { account: Some(account.id), role: Role::Cashier });
        // Revoked behind the cache's back: a hit never asks storage.
        store.delete_session(&session.token_sha256).await.expect("delete");
        let started = std::time::Instant::now();
        for _ in 0..100_000 {
            assert!(auth.resolve(token).await.expect("resolve").is_some());
        }
        let per_lookup_ns = started.elapsed().as_nanos() / 100_000;
        println!("cached token resolution: {per_lookup_ns} ns per lookup (debug build)");
        auth.forget(&session.token_sha256);
        assert_eq!(auth.resolve(token).await.expect("resolve"), None, "forgotten: storage says revoked");
        assert_eq!(
            auth.resolve("x".repeat(32).as_str()).await.expect("admin"),
            Some(Principal::Staff { account: None, role: Role::Admin })
        );
    }
}
