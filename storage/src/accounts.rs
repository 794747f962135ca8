//! Login accounts: customers, staff (admin, manager, cashier) and kiosk devices, their
//! sessions and bearer tokens (stored as SHA-256 hashes), single-use link tokens, 2FA
//! recovery codes, the staff audit log and the customer's booking history.
//!
//! A customer account's id is the same UUID as its [`CustomerId`], so bookings and the
//! wallet ledger (keyed by customer) belong to the account. Walk-in customers of the box
//! office have a customer record (see [`crate::Storage::insert_customer`]) but no account.
//!
//! The [`Accounts`] trait is implemented by every backend beside [`crate::Storage`]; the
//! cases in [`crate::conformance::accounts`] check it.

use std::fmt;
use std::str::FromStr;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::audit::{AuditEntry, AuditFilter};
use crate::catalog::{Page, PageRequest};
use crate::error::StorageResult;
use crate::ids::{AccountId, CustomerId, FilmId, ReviewId};
use crate::journal::Booking;
use crate::reviews::{Review, ReviewSummary};
use crate::time::Timestamp;

/// What an account may do. Staff roles are ordered by power only through
/// the gateway's permission table, never by comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including staff management and the audit log.
    Admin,
    /// Catalog, showtimes, prices, reports, refunds, wallet adjustments.
    Manager,
    /// The box office: sells and holds for walk-in customers.
    Cashier,
    /// A self-service kiosk device (WebSocket principal).
    Kiosk,
    /// A customer with an online account.
    Customer,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 5] = [Role::Admin, Role::Manager, Role::Cashier, Role::Kiosk, Role::Customer];

    /// The stored and wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Cashier => "cashier",
            Role::Kiosk => "kiosk",
            Role::Customer => "customer",
        }
    }

    /// Admin, manager or cashier.
    #[must_use]
    pub const fn is_staff(self) -> bool {
        matches!(self, Role::Admin | Role::Manager | Role::Cashier)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| format!("unknown role {s:?}"))
    }
}

/// The language of emails and pages for an account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// English.
    #[default]
    En,
    /// French.
    Fr,
}

impl Language {
    /// The ISO 639-1 code.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
        }
    }
}

impl FromStr for Language {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "en" => Ok(Language::En),
            "fr" => Ok(Language::Fr),
            other => Err(format!("unsupported language {other:?} (en or fr)")),
        }
    }
}

/// A TOTP (RFC 6238) second factor.
#[derive(Clone, PartialEq, Eq)]
pub struct Totp {
    /// The shared secret, base32 (RFC 4648, no padding).
    pub secret_base32: String,
    /// `false` while enrolment waits for the first valid code.
    pub enabled: bool,
}

impl fmt::Debug for Totp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Totp").field("enabled", &self.enabled).finish_non_exhaustive()
    }
}

/// A login account. Never serialized as is: it holds the password hash and TOTP secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Account {
    /// Its id (a customer's equals its customer id).
    pub id: AccountId,
    /// What it may do.
    pub role: Role,
    /// Email address, unique case-insensitively; `None` for kiosks and erased accounts.
    pub email: Option<String>,
    /// When the current email was verified.
    pub email_verified_at: Option<Timestamp>,
    /// A new email waiting for verification (profile change).
    pub pending_email: Option<String>,
    /// Unique (case-insensitive) login name.
    pub username: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Phone number, as given.
    pub phone: Option<String>,
    /// Birth date, `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Language of emails.
    pub language: Language,
    /// Argon2id PHC string; `None`: no password login (kiosks, migrated records).
    pub password_hash: Option<String>,
    /// Second factor, if enrolled.
    pub totp: Option<Totp>,
    /// `false`: cannot sign in (deactivated staff, erased customers).
    pub active: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl Account {
    /// The customer id of a customer account.
    #[must_use]
    pub fn customer_id(&self) -> Option<CustomerId> {
        (self.role == Role::Customer).then(|| CustomerId::from_uuid(self.id.as_uuid()))
    }

    /// Whether the current email is verified.
    #[must_use]
    pub fn email_verified(&self) -> bool {
        self.email_verified_at.is_some()
    }

    /// Whether TOTP is enabled (enrolment confirmed).
    #[must_use]
    pub fn totp_enabled(&self) -> bool {
        self.totp.as_ref().is_some_and(|t| t.enabled)
    }
}

/// How a session credential is presented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// A browser session cookie (CSRF-checked).
    Cookie,
    /// An `Authorization: Bearer` token of an API client.
    Bearer,
    /// A kiosk device token.
    Device,
}

/// A signed-in credential, stored as the SHA-256 of its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the token or cookie value.
    pub token_sha256: [u8; 32],
    /// Whose.
    pub account_id: AccountId,
    /// Cookie, bearer or device.
    pub kind: SessionKind,
    /// When it was issued.
    pub created_at: Timestamp,
    /// When it stops working; `None`: until revoked.
    pub expires_at: Option<Timestamp>,
    /// Human label (client, device name).
    pub label: String,
}

/// Which bookings of a history.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum BookingWhen {
    /// Showtimes starting now or later, soonest first.
    Upcoming,
    /// Showtimes that started, latest first.
    Past,
    /// Every booking, newest booking first.
    All,
}

/// A booking with what a customer needs to recognise it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BookingHistoryItem {
    /// The booking (its fields appear at the top level on the wire).
    #[serde(flatten)]
    pub booking: Booking,
    /// When its showtime starts (`None` if the showtime record is gone).
    pub starts_at: Option<Timestamp>,
    /// The film's title.
    pub film_title: Option<String>,
    /// The auditorium's name.
    pub auditorium_name: Option<String>,
}

/// Accounts, sessions, single-use tokens, recovery codes and the audit log. Implemented by
/// every backend; writes are durable when the future resolves `Ok`.
#[async_trait]
pub trait Accounts: Send + Sync + 'static {
    /// Stores a new account. `Duplicate("email")` or `Duplicate("username")` when taken
    /// (case-insensitive), `Duplicate("id")` for a known id.
    async fn insert_account(&self, account: &Account) -> StorageResult<()>;
    /// An account by id (erased accounts included, with their personal data gone).
    async fn account(&self, id: AccountId) -> StorageResult<Option<Account>>;
    /// The account whose email matches `email` case-insensitively.
    async fn account_by_email(&self, email: &str) -> StorageResult<Option<Account>>;
    /// Replaces an account. `NotFound`, or `Duplicate` as for insert.
    async fn update_account(&self, account: &Account) -> StorageResult<()>;
    /// Active and inactive accounts having one of `roles`, by creation time.
    async fn list_accounts(&self, roles: &[Role], page: PageRequest) -> StorageResult<Page<Account>>;
    /// Erases an account's personal data (and its customer record's), its sessions and
    /// recovery codes; the account row stays, anonymised and inactive, so bookings and the
    /// ledger stay consistent for reports. `NotFound` if absent.
    async fn erase_account(&self, id: AccountId, at: Timestamp) -> StorageResult<()>;

    /// Stores a session. `Duplicate("token")` if the hash exists.
    async fn insert_session(&self, session: &Session) -> StorageResult<()>;
    /// The session with this hash (expired ones included; callers check `expires_at`).
    async fn session(&self, token_sha256: &[u8; 32]) -> StorageResult<Option<Session>>;
    /// Deletes one session; `true` if it existed.
    async fn delete_session(&self, token_sha256: &[u8; 32]) -> StorageResult<bool>;
    /// Deletes every session of an account except `keep`; how many were deleted.
    async fn delete_sessions(&self, account: AccountId, keep: Option<[u8; 32]>) -> StorageResult<u64>;
    /// An account's sessions, newest first.
    async fn sessions_of(&self, account: AccountId) -> StorageResult<Vec<Session>>;

    /// Marks a single-use token as used: `true` the first time, `false` ever after.
    /// Records older than their `expires_at` may be purged (the signature check refuses
    /// them anyway).
    async fn consume_token(
        &self,
        token_id: &str,
        account: AccountId,
        purpose: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> StorageResult<bool>;

    /// Replaces an account's recovery codes (their SHA-256 hashes).
    async fn set_recovery_codes(&self, account: AccountId, codes: &[[u8; 32]]) -> StorageResult<()>;
    /// Uses a recovery code: `true` if it was unused, and it is used now.
    async fn use_recovery_code(&self, account: AccountId, code_sha256: &[u8; 32], at: Timestamp)
    -> StorageResult<bool>;
    /// Unused recovery codes left.
    async fn recovery_codes_left(&self, account: AccountId) -> StorageResult<u32>;

    /// Appends an entry to the audit log (append-only).
    async fn append_audit(&self, entry: &AuditEntry) -> StorageResult<()>;
    /// Audit entries matching `filter`, newest first.
    async fn audit_log(&self, filter: &AuditFilter, page: PageRequest) -> StorageResult<Page<AuditEntry>>;

    /// A customer's bookings with their showtime's start, film and auditorium.
    async fn booking_history(
        &self,
        customer: CustomerId,
        when: BookingWhen,
        now: Timestamp,
        page: PageRequest,
    ) -> StorageResult<Page<BookingHistoryItem>>;

    /// Stores a new review. `Duplicate("review")` when the customer already reviewed the
    /// film.
    async fn insert_review(&self, review: &Review) -> StorageResult<()>;
    /// A review by id (hidden ones included).
    async fn review(&self, id: ReviewId) -> StorageResult<Option<Review>>;
    /// A film's reviews, newest first; hidden ones only with `include_hidden`.
    async fn film_reviews(&self, film: FilmId, include_hidden: bool, page: PageRequest) -> StorageResult<Page<Review>>;
    /// The count and average of a film's visible reviews.
    async fn review_summary(&self, film: FilmId) -> StorageResult<ReviewSummary>;
    /// Hides or shows a review again. `NotFound` for an unknown id.
    async fn set_review_hidden(&self, id: ReviewId, hidden: bool) -> StorageResult<()>;
}
