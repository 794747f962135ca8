//! Authentication and authorisation.
//!
//! A request is authenticated by `Authorization: Bearer <token>` (API clients, kiosks, the
//! configured admin token) or, without that header, by the `boxoffice_session` cookie
//! (browsers; mutating requests then pass the CSRF check of [`crate::security::csrf`]).
//! [`Authenticator`] turns either into an [`Identity`] from an in-memory cache, so the hot
//! booking path never hashes a password nor reads the database.
//!
//! Authorisation is by permission ([`Permission`], one table in [`roles`]). Extractors:
//!
//! | extractor | who passes |
//! | --- | --- |
//! | [`Principal`] | anyone signed in |
//! | [`CustomerPrincipal`] | customers |
//! | [`VerifiedCustomer`] | customers whose email is verified (else 403 `email_unverified`) |
//! | [`StaffPrincipal`] | catalog staff: admin, manager ([`Permission::ManageCatalog`]) |
//! | [`BoxOfficePrincipal`] | admin, manager, cashier ([`Permission::BoxOffice`]) |
//! | [`AdminPrincipal`] | admins ([`Permission::ManageStaff`]) |
//!
//! Handlers that take a [`Principal`] check finer rules with [`Principal::require`]. No or
//! an unknown credential is 401 `unauthorized`; a principal without the permission is 403
//! `forbidden`. Staff without TOTP get 403 `totp_enrolment_required` when
//! `accounts.require_totp_for_staff` is set. The identity is resolved once per request and
//! kept in its extensions.

mod authenticator;
mod extract;
pub mod roles;

pub use self::authenticator::{Authenticator, TOKEN_CACHE_ENTRIES_MAX, principal_of};
pub use self::roles::{Permission, allows};

use axum::http::header;
use axum::http::request::Parts;
use boxoffice_storage::{AccountId, CustomerId, Role};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::security::cookies::{self, SESSION_COOKIE};
use crate::state::AppState;

/// Longest bearer token accepted.
pub const TOKEN_LEN_MAX: usize = 512;

/// Who is calling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Principal {
    /// A customer account.
    Customer(CustomerId),
    /// A staff account (admin, manager, cashier), or the configured admin token
    /// (`account: None`, role admin).
    Staff {
        /// The staff account; `None` for the admin token.
        account: Option<AccountId>,
        /// Admin, manager or cashier.
        role: Role,
    },
    /// A kiosk device account; it holds and buys as the customer record of the same id.
    Kiosk(AccountId),
}

impl Principal {
    /// The role.
    #[must_use]
    pub const fn role(&self) -> Role {
        match self {
            Principal::Customer(_) => Role::Customer,
            Principal::Staff { role, .. } => *role,
            Principal::Kiosk(_) => Role::Kiosk,
        }
    }

    /// The account, if any (`None` for the admin token).
    #[must_use]
    pub fn account_id(&self) -> Option<AccountId> {
        match self {
            Principal::Customer(c) => Some(AccountId::from_uuid(c.as_uuid())),
            Principal::Staff { account, .. } => *account,
            Principal::Kiosk(a) => Some(*a),
        }
    }

    /// The customer record that owns holds and bookings made by this principal: the
    /// customer's own, or the kiosk's (same UUID as its account). Staff own none.
    #[must_use]
    pub fn owner(&self) -> Option<CustomerId> {
        match self {
            Principal::Customer(c) => Some(*c),
            Principal::Kiosk(a) => Some(CustomerId::from_uuid(a.as_uuid())),
            Principal::Staff { .. } => None,
        }
    }

    /// Whether this principal has `permission`.
    #[must_use]
    pub const fn allows(&self, permission: Permission) -> bool {
        allows(self.role(), permission)
    }

    /// `Ok` if this principal has `permission`.
    ///
    /// # Errors
    /// 403 `forbidden` naming what is missing.
    pub fn require(&self, permission: Permission) -> Result<(), ApiError> {
        if self.allows(permission) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!("the {} role may not do this ({permission:?})", self.role())))
        }
    }

    /// The idempotency scope: `staff`, `staff:<id>`, `customer:<id>` or `kiosk:<id>`.
    #[must_use]
    pub fn scope(&self) -> String {
        match self {
            Principal::Staff { account: None, .. } => "staff".to_owned(),
            Principal::Staff { account: Some(id), .. } => format!("staff:{id}"),
            Principal::Customer(id) => format!("customer:{id}"),
            Principal::Kiosk(id) => format!("kiosk:{id}"),
        }
    }
}

/// How the caller proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// The configured admin token.
    AdminToken,
    /// A bearer token (API client, kiosk).
    Bearer,
    /// The browser session cookie.
    Cookie,
}

/// A resolved caller.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Who.
    pub principal: Principal,
    /// How.
    pub credential: Credential,
    /// SHA-256 of the token or cookie (`None` for the admin token).
    pub token_sha256: Option<[u8; 32]>,
    /// Whether the account's email is verified.
    pub email_verified: bool,
    /// Whether the account has TOTP enabled.
    pub totp_enabled: bool,
}

/// A signed-in customer (403 for others, 401 without credentials).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerPrincipal(pub CustomerId);

/// A signed-in customer whose email is verified (403 `email_unverified` otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifiedCustomer(pub CustomerId);

/// Catalog staff: admin or manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaffPrincipal(pub Principal);

/// Box office staff: admin, manager or cashier.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BoxOfficePrincipal(pub Principal);

/// An admin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AdminPrincipal(pub Principal);

/// The identity resolved for this request, kept in its extensions.
#[derive(Clone, Copy, Debug)]
struct Resolved(Option<Identity>);

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

fn token_ok(token: &str) -> bool {
    !token.is_empty() && token.len() <= TOKEN_LEN_MAX && token.bytes().all(|b| b.is_ascii_graphic())
}

/// The bearer token of a request, if it has an `Authorization` header.
///
/// # Errors
/// 401 when the header is not `Bearer <token>` with a printable token.
pub fn bearer_token(parts: &Parts) -> Result<Option<&str>, ApiError> {
    bearer_token_in(&parts.headers)
}

/// [`bearer_token`] from the headers alone.
///
/// # Errors
/// As [`bearer_token`].
pub fn bearer_token_in(headers: &axum::http::HeaderMap) -> Result<Option<&str>, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let malformed = || ApiError::unauthorized("malformed Authorization header; expected `Bearer <token>`");
    let text = value.to_str().map_err(|_| malformed())?;
    let (scheme, token) = text.split_once(' ').ok_or_else(malformed)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || !token_ok(token) {
        return Err(malformed());
    }
    Ok(Some(token))
}

/// The credential a request carries: its bearer token (`false`), else its session cookie
/// (`true`), else `None`.
///
/// # Errors
/// 401 for a malformed `Authorization` header.
pub fn request_credential(headers: &axum::http::HeaderMap) -> Result<Option<(&str, bool)>, ApiError> {
    if let Some(token) = bearer_token_in(headers)? {
        return Ok(Some((token, false)));
    }
    Ok(cookies::get(headers, SESSION_COOKIE).filter(|t| token_ok(t)).map(|cookie| (cookie, true)))
}

/// The identity of a request (`None` without credentials), resolved once. An unknown
/// bearer token is 401; an unknown or expired session cookie counts as no credential.
///
/// # Errors
/// 401 for a malformed header or an unknown token; 503 when storage fails.
pub async fn identify(parts: &mut Parts, state: &AppState) -> Result<Option<Identity>, ApiError> {
    if let Some(Resolved(identity)) = parts.extensions.get::<Resolved>() {
        return Ok(*identity);
    }
    let identity = match request_credential(&parts.headers)? {
        Some((token, false)) => {
            let found = state.auth.identify(token, false).await?;
            Some(found.ok_or_else(|| ApiError::unauthorized("unknown, expired or revoked bearer token"))?)
        }
        Some((cookie, true)) => state.auth.identify(cookie, true).await?,
        None => None,
    };
    parts.extensions.insert(Resolved(identity));
    Ok(identity)
}

/// The principal of a request (`None` without credentials), resolved once.
///
/// # Errors
/// As [`identify`].
pub async fn authenticate(parts: &mut Parts, state: &AppState) -> Result<Option<Principal>, ApiError> {
    Ok(identify(parts, state).await?.map(|i| i.principal))
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

    #[test]
    fn principals_know_their_role_owner_and_scope() {
        let customer = Principal::Customer(CustomerId::new());
        assert_eq!((customer.role(), customer.owner().is_some()), (Role::Customer, true));
        let kiosk = Principal::Kiosk(AccountId::new());
        assert_eq!(kiosk.owner().map(|c| c.as_uuid()), kiosk.account_id().map(|a| a.as_uuid()));
        let operator = Principal::Staff { account: None, role: Role::Admin };
        assert_eq!(operator.scope(), "staff");
        assert!(operator.require(Permission::ManageStaff).is_ok());
        let cashier = Principal::Staff { account: Some(AccountId::new()), role: Role::Cashier };
        assert_eq!(
            cashier.require(Permission::ManageCatalog).err().map(|e| e.status()),
            Some(axum::http::StatusCode::FORBIDDEN)
        );
        assert!(cashier.owner().is_none());
    }
}
