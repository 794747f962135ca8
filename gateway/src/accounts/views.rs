//! What an account looks like on the wire: never the password hash nor the TOTP secret.

use boxoffice_storage::{Account, AccountId, Language, Role, Timestamp};
use serde::Serialize;

/// An account as answered by the API.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    /// Its id (a customer's is also its customer id).
    pub id: AccountId,
    /// Role.
    pub role: Role,
    /// Email address.
    pub email: Option<String>,
    /// Whether the email is verified (customers buy only then).
    pub email_verified: bool,
    /// A new email waiting for verification.
    pub pending_email: Option<String>,
    /// Login name.
    pub username: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Phone.
    pub phone: Option<String>,
    /// Birth date `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// Language of emails.
    pub language: Language,
    /// Whether TOTP is enabled.
    pub totp_enabled: bool,
    /// Whether the account can sign in.
    pub active: bool,
    /// Creation time.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

impl From<&Account> for AccountView {
    fn from(a: &Account) -> Self {
        Self {
            id: a.id,
            role: a.role,
            email: a.email.clone(),
            email_verified: a.email_verified(),
            pending_email: a.pending_email.clone(),
            username: a.username.clone(),
            first_name: a.first_name.clone(),
            last_name: a.last_name.clone(),
            phone: a.phone.clone(),
            birth_date: a.birth_date.clone(),
            language: a.language,
            totp_enabled: a.totp_enabled(),
            active: a.active,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}
