//! The links sent by email: email verification and password reset. Signed and expiring
//! ([`crate::security::signing`]), single-use (the nonce is consumed in storage), and bound
//! to what they were issued for: a verification link to the address it was sent to, a
//! reset link to the password hash at the time (so it dies when the password changes).

use axum::http::StatusCode;
use boxoffice_storage::{Account, LedgerEntry, LedgerKind, Money, Role};

use crate::error::{ApiError, Problem};
use crate::mail::messages::{Recipient, link_message};
use crate::mail::templates::Template;
use crate::security::signing::{LinkError, Purpose, binding};
use crate::state::AppState;

/// Page that redeems verification links.
pub const VERIFY_PATH: &str = "/account/verify-email";
/// Page that redeems reset links.
pub const RESET_PATH: &str = "/account/reset-password";

fn link_problem(error: LinkError) -> ApiError {
    match error {
        LinkError::Invalid => Problem::new(
            StatusCode::BAD_REQUEST,
            "link_invalid",
            "Invalid link",
            "this link is not valid; ask for a new one",
        )
        .with("field", "token")
        .into(),
        LinkError::Expired => {
            Problem::new(StatusCode::GONE, "link_expired", "Link expired", "this link has expired; ask for a new one")
                .with("field", "token")
                .into()
        }
    }
}

fn link_used() -> ApiError {
    Problem::new(StatusCode::GONE, "link_used", "Link already used", "this link was already used; ask for a new one")
        .with("field", "token")
        .into()
}

fn ttl(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

/// Who a link message goes to: `to`, greeted and written as the account prefers.
fn recipient(state: &AppState, account: &Account, to: &str) -> Recipient {
    let (email, first_name) = (to.to_owned(), account.first_name.clone());
    Recipient { email, first_name, language: account.language, tz: state.config.site.zone() }
}

/// Emails a verification link to the account's pending email, or else its email.
pub fn send_verification(state: &AppState, account: &Account) {
    let Some(to) = account.pending_email.clone().or_else(|| account.email.clone()) else { return };
    let expires_at = state.clock.now().plus_millis(ttl(state.config.accounts.verification_ttl_ms));
    let token = state.security.signing_key.link_token(
        Purpose::VerifyEmail,
        account.id,
        expires_at,
        &binding(&to.to_lowercase()),
    );
    // `lang` opens the page in the account's language (the link may be opened anywhere).
    let link = format!("{}{VERIFY_PATH}?token={token}&lang={}", state.security.link_base, account.language.as_str());
    let recipient = recipient(state, account, &to);
    match link_message(&state.config.mail.from, &recipient, Template::VerifyEmail, &to, &link, expires_at) {
        Ok(message) => state.mailer.send(message),
        Err(error) => tracing::error!(%error, account_id = %account.id, "verification email not built"),
    }
}

/// Emails a password reset link.
pub fn send_reset(state: &AppState, account: &Account) {
    let Some(to) = account.email.clone() else { return };
    let expires_at = state.clock.now().plus_millis(ttl(state.config.accounts.reset_ttl_ms));
    let bound = binding(account.password_hash.as_deref().unwrap_or("no password"));
    let token = state.security.signing_key.link_token(Purpose::ResetPassword, account.id, expires_at, &bound);
    let link = format!("{}{RESET_PATH}?token={token}&lang={}", state.security.link_base, account.language.as_str());
    let recipient = recipient(state, account, &to);
    match link_message(&state.config.mail.from, &recipient, Template::PasswordReset, &to, &link, expires_at) {
        Ok(message) => state.mailer.send(message),
        Err(error) => tracing::error!(%error, account_id = %account.id, "reset email not built"),
    }
}

/// Checks a link and consumes it; the account it is for.
async fn redeem(
    state: &AppState,
    token: &str,
    purpose: Purpose,
    bound: impl Fn(&Account) -> Option<String>,
) -> Result<Account, ApiError> {
    let now = state.clock.now();
    let claims = state.security.signing_key.verify_link(token.trim(), purpose, now).map_err(link_problem)?;
    let account = state
        .accounts
        .account(claims.account)
        .await?
        .filter(|a| a.active)
        .ok_or_else(|| link_problem(LinkError::Invalid))?;
    if bound(&account).map(|b| binding(&b)) != Some(claims.binding.clone()) {
        // What the link was for changed (another email, a new password): it is used up.
        return Err(link_used());
    }
    let purpose_name = match purpose {
        Purpose::VerifyEmail => "verify_email",
        Purpose::ResetPassword => "reset_password",
    };
    if !state.accounts.consume_token(&claims.nonce, account.id, purpose_name, now, claims.expires_at).await? {
        return Err(link_used());
    }
    Ok(account)
}

/// Redeems a verification link: the (pending) email becomes the verified email; the first
/// verification of a customer brings the starting credit (`credit:start:<id>`, once).
///
/// # Errors
/// 400 `link_invalid`, 410 `link_expired` or `link_used`, 409 `duplicate` if the new email
/// was taken meanwhile, storage failures.
pub async fn verify_email(state: &AppState, token: &str) -> Result<Account, ApiError> {
    let target = |a: &Account| a.pending_email.clone().or_else(|| a.email.clone()).map(|e| e.to_lowercase());
    let account = redeem(state, token, Purpose::VerifyEmail, target).await?;
    complete_verification(state, account).await
}

/// Marks an account's (pending) email verified, and gives a customer the starting credit
/// on its first verification (`credit:start:<id>`, applied at most once).
///
/// # Errors
/// 409 `duplicate` if the new email was taken meanwhile, storage failures.
pub async fn complete_verification(state: &AppState, mut account: Account) -> Result<Account, ApiError> {
    let now = state.clock.now();
    if let Some(pending) = account.pending_email.take() {
        account.email = Some(pending);
    }
    account.email_verified_at = Some(now);
    account.updated_at = now;
    state.accounts.update_account(&account).await?;
    state.auth.forget_account(account.id);
    if let (Role::Customer, Some(customer)) = (account.role, account.customer_id()) {
        let credit = Money::new(state.config.wallet.starting_credit_minor, state.currency());
        if credit.amount_minor() > 0 {
            let entry = LedgerEntry {
                customer_id: customer,
                amount: credit,
                kind: LedgerKind::Credit,
                reference: format!("credit:start:{customer}"),
                memo: "Starting credit".into(),
                at: now,
            };
            state.storage.apply_ledger(&entry).await?;
        }
    }
    tracing::info!(account_id = %account.id, "email verified");
    Ok(account)
}

/// Redeems a reset link: sets the new password (already checked against the policy by the
/// caller) and signs the account out everywhere.
///
/// # Errors
/// As [`verify_email`], and 422 for a password the policy refuses.
pub async fn reset_password(state: &AppState, token: &str, new_password: &str) -> Result<Account, ApiError> {
    let bound = |a: &Account| Some(a.password_hash.clone().unwrap_or_else(|| "no password".to_owned()));
    let claims_account = state
        .security
        .signing_key
        .verify_link(token.trim(), Purpose::ResetPassword, state.clock.now())
        .map_err(link_problem)?
        .account;
    let peek = state.accounts.account(claims_account).await?.ok_or_else(|| link_problem(LinkError::Invalid))?;
    crate::security::passwords::check_policy("new_password", new_password, &personal(&peek))?;
    let mut account = redeem(state, token, Purpose::ResetPassword, bound).await?;
    account.password_hash = Some(state.security.passwords.hash(new_password.to_owned()).await?);
    account.updated_at = state.clock.now();
    state.accounts.update_account(&account).await?;
    crate::accounts::sessions::revoke_all(state, account.id, None).await?;
    tracing::info!(account_id = %account.id, "password reset");
    Ok(account)
}

/// What a password must not contain: the email's local part, the username, the names.
#[must_use]
pub fn personal(account: &Account) -> Vec<&str> {
    let mut words = vec![account.username.as_str(), account.first_name.as_str(), account.last_name.as_str()];
    if let Some(local) = account.email.as_deref().and_then(|e| e.split('@').next()) {
        words.push(local);
    }
    words
}
