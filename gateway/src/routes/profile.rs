//! The signed-in account's own data: profile changes, a new email (verified before it
//! replaces the old one), a new password (the current one required; other sessions signed
//! out), account deletion (password and explicit confirmation; personal data erased,
//! bookings kept anonymised) and the GDPR export of everything held about the customer.

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use boxoffice_storage::Reason;
use boxoffice_storage::{
    Account, AccountId, AuditEntry, AuditFilter, BookingHistoryItem, BookingWhen, LedgerEntry, Money, PageRequest,
    Timestamp,
};
use serde::{Deserialize, Serialize};

use crate::accounts::views::AccountView;
use crate::accounts::{links, sessions, validate};
use crate::auth::{CustomerPrincipal, Identity};
use crate::error::ApiError;
use crate::extract::Json;
use crate::openapi::ProblemDoc;
use crate::security::passwords::check_policy;
use crate::state::AppState;

/// Most items of each list in an export.
const EXPORT_ITEMS_MAX: u32 = 200;

/// The profile routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/profile", get(get_profile).patch(update_profile))
        .route("/me/email", post(change_email))
        .route("/me/password", post(change_password))
        .route("/me/delete", post(delete_account))
        .route("/me/export", get(export))
}

/// Changes to the profile; absent fields stay, `""` clears `phone` and `birth_date`.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfilePatch {
    /// Given name.
    pub first_name: Option<String>,
    /// Family name.
    pub last_name: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// Birth date `YYYY-MM-DD`.
    pub birth_date: Option<String>,
    /// `en` or `fr`.
    pub language: Option<String>,
}

/// A new email.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EmailChange {
    /// The new address; it replaces the current one once verified.
    pub new_email: String,
    /// The current password.
    pub password: String,
}

/// A new password.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    /// The current password.
    pub current_password: String,
    /// The new password (at least 10 characters, not common).
    pub new_password: String,
}

/// Account deletion.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Deletion {
    /// The current password.
    pub password: String,
    /// Must be `true`: the deletion cannot be undone.
    pub confirm: bool,
}

/// Everything held about a customer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Export {
    /// When the export was made.
    pub exported_at: Timestamp,
    /// The account (no password hash, no TOTP secret).
    pub account: AccountView,
    /// The wallet balance.
    pub balance: Money,
    /// Wallet movements, newest first.
    pub ledger: Vec<LedgerEntry>,
    /// Bookings, newest first.
    pub bookings: Vec<BookingHistoryItem>,
    /// Signed-in sessions and tokens (when, which kind, until when).
    pub sessions: Vec<SessionExport>,
    /// Staff actions about this account.
    pub audit: Vec<AuditEntry>,
}

/// A session in an export (never its secret).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionExport {
    /// `cookie`, `bearer` or `device`.
    pub kind: boxoffice_storage::SessionKind,
    /// Issued.
    pub created_at: Timestamp,
    /// Expires.
    pub expires_at: Option<Timestamp>,
    /// Label.
    pub label: String,
}

/// The account of a customer or staff member signing in with it (403 for the admin token,
/// which has none, and for kiosk devices, whose profile, email, password and second factor
/// are an administrator's business).
pub(crate) async fn own(state: &AppState, identity: &Identity) -> Result<Account, ApiError> {
    if matches!(identity.principal, crate::auth::Principal::Kiosk(_)) {
        return Err(ApiError::forbidden("a kiosk device has no profile, email, password or second factor to manage"));
    }
    let id = identity.principal.account_id().ok_or_else(|| ApiError::forbidden("the admin token has no account"))?;
    crate::routes::customers::own_account(state, id).await
}

async fn check_password(
    state: &AppState,
    account: &Account,
    field: &'static str,
    password: &str,
) -> Result<(), ApiError> {
    if state.security.passwords.verify(password.to_owned(), account.password_hash.clone()).await? {
        Ok(())
    } else {
        Err(ApiError::invalid(field, Reason::WrongPassword, "is not the current password"))
    }
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/me/profile", tag = "account", security(("bearer" = [])),
    responses((status = 200, description = "The account", body = AccountView)))]
pub async fn get_profile(State(state): State<AppState>, identity: Identity) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(AccountView::from(&own(&state, &identity).await?)))
}

/// Changes names, phone, birth date or language.
#[utoipa::path(patch, path = "/api/v1/me/profile", tag = "account", security(("bearer" = [])), request_body = ProfilePatch,
    responses((status = 200, description = "The changed account", body = AccountView),
        (status = 422, description = "`validation_failed` naming the field", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn update_profile(
    State(state): State<AppState>,
    identity: Identity,
    Json(patch): Json<ProfilePatch>,
) -> Result<Json<AccountView>, ApiError> {
    let mut account = own(&state, &identity).await?;
    if let Some(first) = &patch.first_name {
        account.first_name = validate::name("first_name", first)?;
    }
    if let Some(last) = &patch.last_name {
        account.last_name = validate::name("last_name", last)?;
    }
    if patch.phone.is_some() {
        account.phone = validate::phone(patch.phone.as_deref())?;
    }
    if patch.birth_date.is_some() {
        account.birth_date =
            validate::birth_date(patch.birth_date.as_deref(), state.clock.now().to_datetime().date_naive())?;
    }
    if patch.language.is_some() {
        account.language = validate::language(patch.language.as_deref(), account.language)?;
    }
    account.updated_at = state.clock.now();
    state.accounts.update_account(&account).await?;
    Ok(Json(AccountView::from(&account)))
}

/// Asks to change the email: a link goes to the new address, which replaces the current
/// one when verified.
#[utoipa::path(post, path = "/api/v1/me/email", tag = "account", security(("bearer" = [])), request_body = EmailChange,
    responses((status = 202, description = "A verification link was sent to the new address", body = AccountView),
        (status = 409, description = "`duplicate` (`field`: `new_email`)", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`new_email`, `password`; `nothing_to_change` for the current address)", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn change_email(
    State(state): State<AppState>,
    identity: Identity,
    Json(input): Json<EmailChange>,
) -> Result<impl IntoResponse, ApiError> {
    let new_email = validate::email("new_email", &input.new_email)?;
    let mut account = own(&state, &identity).await?;
    check_password(&state, &account, "password", &input.password).await?;
    if account.email.as_deref().is_some_and(|current| current.eq_ignore_ascii_case(&new_email)) {
        return Err(ApiError::invalid("new_email", Reason::NothingToChange, "is your current email address"));
    }
    if state.accounts.account_by_email(&new_email).await?.is_some() {
        return Err(boxoffice_storage::StorageError::Duplicate("new_email").into());
    }
    account.pending_email = Some(new_email);
    account.updated_at = state.clock.now();
    state.accounts.update_account(&account).await?;
    links::send_verification(&state, &account);
    Ok((StatusCode::ACCEPTED, Json(AccountView::from(&account))))
}

/// Changes the password; every other session and token is signed out.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "account", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204, description = "Changed"),
        (status = 422, description = "`validation_failed` (`current_password`, `new_password`)", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn change_password(
    State(state): State<AppState>,
    identity: Identity,
    Json(input): Json<PasswordChange>,
) -> Result<StatusCode, ApiError> {
    let mut account = own(&state, &identity).await?;
    check_password(&state, &account, "current_password", &input.current_password).await?;
    check_policy("new_password", &input.new_password, &links::personal(&account))?;
    account.password_hash = Some(state.security.passwords.hash(input.new_password).await?);
    account.updated_at = state.clock.now();
    state.accounts.update_account(&account).await?;
    sessions::revoke_all(&state, account.id, identity.token_sha256).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes the customer's account: personal data erased, sessions revoked; bookings stay,
/// anonymised, for the cinema's reports.
#[utoipa::path(post, path = "/api/v1/me/delete", tag = "account", security(("bearer" = [])), request_body = Deletion,
    responses((status = 204, description = "Deleted; signed out"),
        (status = 422, description = "`validation_failed` (`password`, `confirm`)", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn delete_account(
    State(state): State<AppState>,
    CustomerPrincipal(customer): CustomerPrincipal,
    identity: Identity,
    Json(input): Json<Deletion>,
) -> Result<Response, ApiError> {
    let account = own(&state, &identity).await?;
    check_password(&state, &account, "password", &input.password).await?;
    if !input.confirm {
        return Err(ApiError::invalid(
            "confirm",
            Reason::ConfirmRequired,
            "must be true: deleting the account cannot be undone",
        ));
    }
    state.accounts.erase_account(account.id, state.clock.now()).await?;
    state.auth.forget_account(account.id);
    tracing::info!(customer_id = %customer, "account deleted");
    let mut response = StatusCode::NO_CONTENT.into_response();
    for cookie in sessions::clear_cookies(&state) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

/// Everything held about the signed-in customer, as JSON (GDPR access and portability).
#[utoipa::path(get, path = "/api/v1/me/export", tag = "account", security(("bearer" = [])),
    responses((status = 200, description = "The export", body = Export)))]
#[tracing::instrument(skip_all)]
pub async fn export(
    State(state): State<AppState>,
    CustomerPrincipal(customer): CustomerPrincipal,
    identity: Identity,
) -> Result<impl IntoResponse, ApiError> {
    let account = own(&state, &identity).await?;
    let page = PageRequest { offset: 0, limit: EXPORT_ITEMS_MAX };
    let now = state.clock.now();
    let sessions = state.accounts.sessions_of(account.id).await?;
    let filter = AuditFilter { entity_id: Some(account.id.to_string()), ..AuditFilter::default() };
    let export = Export {
        exported_at: now,
        account: AccountView::from(&account),
        balance: state.storage.wallet_balance(customer, state.currency()).await?,
        ledger: state.storage.ledger(customer, page).await?.items,
        bookings: state.accounts.booking_history(customer, BookingWhen::All, now, page).await?.items,
        sessions: sessions
            .into_iter()
            .map(|s| SessionExport { kind: s.kind, created_at: s.created_at, expires_at: s.expires_at, label: s.label })
            .collect(),
        audit: state.accounts.audit_log(&filter, page).await?.items,
    };
    let disposition =
        format!("attachment; filename=\"boxoffice-export-{}.json\"", AccountId::from_uuid(customer.as_uuid()));
    // Personal data: never kept by a browser or proxy cache.
    Ok(([(header::CONTENT_DISPOSITION, disposition), (header::CACHE_CONTROL, "no-store".to_owned())], Json(export)))
}
