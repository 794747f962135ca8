//! Two-factor authentication of the signed-in account: TOTP enrolment (secret, otpauth URI
//! and its QR code as SVG), confirmation with a first code (which turns it on and issues
//! recovery codes), new recovery codes, and turning it off (password required).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use boxoffice_storage::Reason;
use boxoffice_storage::{Account, Totp};
use serde::{Deserialize, Serialize};

use crate::auth::Identity;
use crate::error::ApiError;
use crate::extract::Json;
use crate::openapi::ProblemDoc;
use crate::routes::profile::own;
use crate::security::totp;
use crate::state::AppState;

/// The 2FA routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/me/2fa/totp", post(begin))
        .route("/me/2fa/totp/confirm", post(confirm))
        .route("/me/2fa/totp/disable", post(disable))
        .route("/me/2fa/recovery-codes", post(new_codes))
}

/// What an authenticator app needs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Enrolment {
    /// The secret, base32 (to type in by hand).
    pub secret: String,
    /// The `otpauth://totp/...` URI.
    pub otpauth_uri: String,
    /// The URI as a QR code, SVG.
    pub qr_svg: String,
}

/// A TOTP code.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeInput {
    /// Six digits from the authenticator app.
    pub code: String,
}

/// The current password.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordInput {
    /// The current password.
    pub password: String,
}

/// Recovery codes, shown once.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecoveryCodes {
    /// Each works once instead of a TOTP code.
    pub recovery_codes: Vec<String>,
}

async fn store_codes(state: &AppState, account: &Account) -> Result<RecoveryCodes, ApiError> {
    let codes = totp::new_recovery_codes();
    let hashes: Vec<[u8; 32]> = codes.iter().map(|c| totp::recovery_code_hash(c)).collect();
    state.accounts.set_recovery_codes(account.id, &hashes).await?;
    Ok(RecoveryCodes { recovery_codes: codes })
}

/// Starts TOTP enrolment (replacing an unconfirmed one).
#[utoipa::path(post, path = "/api/v1/me/2fa/totp", tag = "account", security(("bearer" = [])),
    responses((status = 200, description = "Scan the QR code, then confirm with a code", body = Enrolment),
        (status = 409, description = "`totp_already_enabled`", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn begin(State(state): State<AppState>, identity: Identity) -> Result<Json<Enrolment>, ApiError> {
    let mut account = own(&state, &identity).await?;
    if account.totp_enabled() {
        return Err(ApiError::conflict(
            "totp_already_enabled",
            "two-factor authentication is already on; disable it first",
        ));
    }
    let secret = totp::new_secret();
    let label = account.email.clone().unwrap_or_else(|| account.username.clone());
    let otpauth_uri = totp::otpauth_uri(&secret, &label).map_err(ApiError::internal)?;
    let qr_svg = crate::qr::svg(&otpauth_uri).map_err(ApiError::internal)?;
    account.totp = Some(Totp { secret_base32: secret.clone(), enabled: false });
    account.updated_at = state.clock.now();
    state.accounts.update_account(&account).await?;
    Ok(Json(Enrolment { secret, otpauth_uri, qr_svg }))
}

/// Confirms enrolment with a first code: TOTP is on from now, and recovery codes are issued.
#[utoipa::path(post, path = "/api/v1/me/2fa/totp/confirm", tag = "account", security(("bearer" = [])), request_body = CodeInput,
    responses((status = 200, description = "On; keep the recovery codes safe", body = RecoveryCodes),
        (status = 409, description = "`totp_not_started`, `totp_already_enabled`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`code`)", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn confirm(
    State(state): State<AppState>,
    identity: Identity,
    Json(input): Json<CodeInput>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let mut account = own(&state, &identity).await?;
    let Some(pending) = account.totp.clone() else {
        return Err(ApiError::conflict("totp_not_started", "start with POST /api/v1/me/2fa/totp"));
    };
    if pending.enabled {
        return Err(ApiError::conflict("totp_already_enabled", "two-factor authentication is already on"));
    }
    let unix_s = u64::try_from(state.clock.now().as_millis() / 1000).unwrap_or(0);
    if !state.security.totp_replay.accept(account.id, &pending.secret_base32, &input.code, unix_s) {
        return Err(ApiError::invalid("code", Reason::WrongCode, "is not the current code of the authenticator app"));
    }
    account.totp = Some(Totp { enabled: true, ..pending });
    account.updated_at = state.clock.now();
    state.accounts.update_account(&account).await?;
    state.auth.forget_account(account.id);
    tracing::info!(account_id = %account.id, "two-factor authentication enabled");
    Ok(Json(store_codes(&state, &account).await?))
}

async fn check_password(state: &AppState, account: &Account, password: &str) -> Result<(), ApiError> {
    if state.security.passwords.verify(password.to_owned(), account.password_hash.clone()).await? {
        Ok(())
    } else {
        Err(ApiError::invalid("password", Reason::WrongPassword, "is not the current password"))
    }
}

/// Turns TOTP off.
#[utoipa::path(post, path = "/api/v1/me/2fa/totp/disable", tag = "account", security(("bearer" = [])), request_body = PasswordInput,
    responses((status = 204, description = "Off; recovery codes deleted"),
        (status = 422, description = "`validation_failed` (`password`)", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn disable(
    State(state): State<AppState>,
    identity: Identity,
    Json(input): Json<PasswordInput>,
) -> Result<StatusCode, ApiError> {
    let mut account = own(&state, &identity).await?;
    check_password(&state, &account, &input.password).await?;
    account.totp = None;
    account.updated_at = state.clock.now();
    state.accounts.update_account(&account).await?;
    state.accounts.set_recovery_codes(account.id, &[]).await?;
    state.auth.forget_account(account.id);
    Ok(StatusCode::NO_CONTENT)
}

/// Replaces the recovery codes.
#[utoipa::path(post, path = "/api/v1/me/2fa/recovery-codes", tag = "account", security(("bearer" = [])), request_body = PasswordInput,
    responses((status = 200, description = "New codes; the old ones no longer work", body = RecoveryCodes),
        (status = 409, description = "`totp_not_enabled`", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn new_codes(
    State(state): State<AppState>,
    identity: Identity,
    Json(input): Json<PasswordInput>,
) -> Result<Json<RecoveryCodes>, ApiError> {
    let account = own(&state, &identity).await?;
    check_password(&state, &account, &input.password).await?;
    if !account.totp_enabled() {
        return Err(ApiError::conflict("totp_not_enabled", "turn two-factor authentication on first"));
    }
    Ok(Json(store_codes(&state, &account).await?))
}
