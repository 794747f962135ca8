//! Bearer authentication: `Authorization: Bearer <token>`.
//!
//! The configured admin token (compared in constant time) is [`Principal::Staff`]; any other
//! token is hashed with SHA-256 and looked up with `Storage::customer_by_token`, then kept
//! in a bounded in-memory map so the hot booking path never queries the database for auth.
//!
//! Extractors: [`Principal`] (anyone signed in), [`CustomerPrincipal`] (customers only) and
//! [`StaffPrincipal`] (staff only). No or an unknown token is 401 `unauthorized`; the wrong
//! kind of principal is 403 `forbidden`. The principal is resolved once per request and kept
//! in the request extensions (the idempotency middleware resolves it first).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header;
use axum::http::request::Parts;
use boxoffice_storage::{CustomerId, Storage};
use dashmap::DashMap;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::config::Secret;
use crate::error::ApiError;
use crate::state::AppState;

/// Most cached customer tokens; the cache is cleared when it grows past this.
pub const TOKEN_CACHE_ENTRIES_MAX: usize = 100_000;
/// Longest bearer token accepted.
pub const TOKEN_LEN_MAX: usize = 512;

/// Who is calling.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Principal {
    /// The cinema's staff (the admin token).
    Staff,
    /// A customer.
    Customer(CustomerId),
}

impl Principal {
    /// The idempotency scope of this principal: `staff` or `customer:<id>`.
    #[must_use]
    pub fn scope(&self) -> String {
        match self {
            Principal::Staff => "staff".to_owned(),
            Principal::Customer(id) => format!("customer:{id}"),
        }
    }
}

/// A signed-in customer (403 for staff, 401 without a valid token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerPrincipal(pub CustomerId);

/// Staff (403 for customers, 401 without a valid token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaffPrincipal;

/// The principal resolved for this request, kept in its extensions.
#[derive(Clone, Copy, Debug)]
struct Resolved(Option<Principal>);

/// Known tokens: the admin token and a bounded cache of customer token hashes.
#[derive(Debug)]
pub struct Authenticator {
    admin_token: Secret,
    customers: DashMap<[u8; 32], CustomerId>,
}

impl Authenticator {
    /// An authenticator for `admin_token`.
    #[must_use]
    pub fn new(admin_token: Secret) -> Self {
        Self { admin_token, customers: DashMap::new() }
    }

    /// The admin token.
    #[must_use]
    pub fn admin_token(&self) -> &Secret {
        &self.admin_token
    }

    /// Remembers a customer's token hash (called when the token is issued).
    pub fn remember(&self, token_sha256: [u8; 32], customer: CustomerId) {
        if self.customers.len() >= TOKEN_CACHE_ENTRIES_MAX {
            // Bounded memory: dropping the cache only costs one lookup per active customer.
            self.customers.clear();
        }
        self.customers.insert(token_sha256, customer);
    }

    /// Resolves a bearer token.
    ///
    /// # Errors
    /// 401 for an unknown token; 503 when storage fails.
    pub async fn resolve(&self, storage: &dyn Storage, token: &str) -> Result<Principal, ApiError> {
        if bool::from(token.as_bytes().ct_eq(self.admin_token.expose().as_bytes())) {
            return Ok(Principal::Staff);
        }
        let hash = token_sha256(token);
        if let Some(id) = self.customers.get(&hash) {
            return Ok(Principal::Customer(*id));
        }
        match storage.customer_by_token(&hash).await? {
            Some(customer) => {
                self.remember(hash, customer.id);
                Ok(Principal::Customer(customer.id))
            }
            None => Err(ApiError::unauthorized("unknown bearer token")),
        }
    }
}

/// SHA-256 of a token, as stored.
#[must_use]
pub fn token_sha256(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

/// A fresh random token: 32 bytes as 64 hex characters.
#[must_use]
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex(&bytes)
}

/// Lower-case hex of bytes.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// The bearer token of a request, if it has an `Authorization` header.
///
/// # Errors
/// 401 when the header is not `Bearer <token>` with a printable token.
pub fn bearer_token(parts: &Parts) -> Result<Option<&str>, ApiError> {
    let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || ApiError::unauthorized("malformed Authorization header; expected `Bearer <token>`");
    let text = value.to_str().map_err(|_| malformed())?;
    let (scheme, token) = text.split_once(' ').ok_or_else(malformed)?;
    let token = token.trim();
    let token_ok = !token.is_empty() && token.len() <= TOKEN_LEN_MAX && token.bytes().all(|b| b.is_ascii_graphic());
    if !scheme.eq_ignore_ascii_case("bearer") || !token_ok {
        return Err(malformed());
    }
    Ok(Some(token))
}

/// The principal of a request (`None` without an `Authorization` header), resolved once.
///
/// # Errors
/// 401 for a malformed header or an unknown token; 503 when storage fails.
pub async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Option<Principal>, ApiError> {
    if let Some(Resolved(principal)) = parts.extensions.get::<Resolved>() {
        return Ok(*principal);
    }
    let principal = match bearer_token(parts)? {
        Some(token) => Some(state.auth.resolve(state.storage.as_ref(), token).await?),
        None => None,
    };
    parts.extensions.insert(Resolved(principal));
    Ok(principal)
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        authenticate(parts, state).await?.ok_or_else(|| ApiError::unauthorized("missing bearer token"))
    }
}

impl OptionalFromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        authenticate(parts, state).await
    }
}

impl FromRequestParts<AppState> for CustomerPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match <Principal as FromRequestParts<AppState>>::from_request_parts(parts, state).await? {
            Principal::Customer(id) => Ok(CustomerPrincipal(id)),
            Principal::Staff => Err(ApiError::forbidden("this endpoint is for customers; use a customer token")),
        }
    }
}

impl FromRequestParts<AppState> for StaffPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match <Principal as FromRequestParts<AppState>>::from_request_parts(parts, state).await? {
            Principal::Staff => Ok(StaffPrincipal),
            Principal::Customer(_) => Err(ApiError::forbidden("this endpoint is for staff")),
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::Request;

    use super::*;

    fn parts(auth: Option<&str>) -> Parts {
        let mut builder = Request::builder();
        if let Some(a) = auth {
            builder = builder.header(header::AUTHORIZATION, a);
        }
        builder.body(()).expect("request").into_parts().0
    }

    #[test]
    fn parses_bearer_headers() {
        assert_eq!(bearer_token(&parts(None)).expect("none"), None);
        assert_eq!(bearer_token(&parts(Some("Bearer abc"))).expect("some"), Some("abc"));
        assert_eq!(bearer_token(&parts(Some("bearer abc"))).expect("some"), Some("abc"));
        assert!(bearer_token(&parts(Some("Basic abc"))).is_err());
        assert!(bearer_token(&parts(Some("Bearer"))).is_err());
        assert!(bearer_token(&parts(Some("Bearer "))).is_err());
    }

    #[test]
    fn tokens_are_random_hex() {
        let a = generate_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, generate_token());
        assert_eq!(hex(&[0, 255]), "00ff");
    }
}
