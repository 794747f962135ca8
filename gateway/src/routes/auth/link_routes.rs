//! The email-link endpoints of `/api/v1/auth`: redeeming a verification link, sending it
//! again, asking for a password reset link and redeeming it.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use boxoffice_storage::Role;
use serde::{Deserialize, Serialize};

use super::limit;
use crate::accounts::links;
use crate::accounts::views::AccountView;
use crate::auth::Identity;
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::openapi::ProblemDoc;
use crate::security::client_ip::ClientIp;
use crate::state::AppState;

/// A link token from an email.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkInput {
    /// The `token` parameter of the link.
    pub token: String,
}

/// A password reset request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetRequest {
    /// The account's email.
    pub email: String,
}

/// A new password from a reset link.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetConfirm {
    /// The `token` parameter of the link.
    pub token: String,
    /// The new password (at least 10 characters, not common).
    pub new_password: String,
}

/// A neutral acknowledgement.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Accepted {
    /// What happens next.
    pub message: String,
}

/// Redeems an email verification link.
#[utoipa::path(post, path = "/api/v1/auth/verify-email", tag = "auth", request_body = LinkInput,
    responses((status = 200, description = "Verified (customers get the starting credit)", body = AccountView),
        (status = 400, description = "`link_invalid`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 410, description = "`link_expired`, `link_used`", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn verify_email(
    State(state): State<AppState>,
    Json(input): Json<LinkInput>,
) -> Result<Json<AccountView>, ApiError> {
    let account = links::verify_email(&state, &input.token).await?;
    Ok(Json(AccountView::from(&account)))
}

/// Sends the verification link again.
#[utoipa::path(post, path = "/api/v1/auth/verify-email/resend", tag = "auth", security(("bearer" = [])),
    responses((status = 202, description = "Sent", body = Accepted),
        (status = 409, description = "`already_verified`", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn resend_verification(
    State(state): State<AppState>,
    identity: Identity,
) -> Result<impl IntoResponse, ApiError> {
    let id = identity.principal.account_id().ok_or_else(|| ApiError::forbidden("the admin token has no email"))?;
    let account = state.accounts.account(id).await?.ok_or_else(|| ApiError::not_found("account", id))?;
    if account.email_verified() && account.pending_email.is_none() {
        return Err(ApiError::conflict("already_verified", "the email is already verified"));
    }
    limit(&state.security.reset_per_account, &format!("verify:{id}"), true)?;
    links::send_verification(&state, &account);
    Ok((StatusCode::ACCEPTED, Json(Accepted { message: "a new verification link was sent".into() })))
}

/// Asks for a password reset link.
#[utoipa::path(post, path = "/api/v1/auth/password-reset", tag = "auth", request_body = ResetRequest,
    responses((status = 202, description = "If the account exists, a link was sent", body = Accepted),
        (status = 404, description = "`unknown_email`, only with `accounts.reveal_unknown_email`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn request_reset(
    State(state): State<AppState>,
    ip: ClientIp,
    Json(input): Json<ResetRequest>,
) -> Result<impl IntoResponse, ApiError> {
    let email = crate::accounts::validate::email("email", &input.email)?;
    limit(&state.security.reset_per_ip, &ip.key(), true)?;
    limit(&state.security.reset_per_account, &format!("reset:{}", email.to_lowercase()), true)?;
    let account = state.accounts.account_by_email(&email).await?.filter(|a| a.active && a.role != Role::Kiosk);
    match account {
        Some(account) => links::send_reset(&state, &account),
        None if state.config.accounts.reveal_unknown_email => {
            return Err(Problem::new(
                StatusCode::NOT_FOUND,
                "unknown_email",
                "Unknown email",
                "no account has this email",
            )
            .with("field", "email")
            .into());
        }
        None => tracing::info!("password reset asked for an unknown email"),
    }
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted { message: "if the account exists, we sent a link to reset the password".into() }),
    ))
}

/// Sets a new password with a reset link; every session of the account is signed out.
#[utoipa::path(post, path = "/api/v1/auth/password-reset/confirm", tag = "auth", request_body = ResetConfirm,
    responses((status = 204, description = "Password changed; signed out everywhere"),
        (status = 400, description = "`link_invalid`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 410, description = "`link_expired`, `link_used`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`new_password`)", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn confirm_reset(
    State(state): State<AppState>,
    Json(input): Json<ResetConfirm>,
) -> Result<StatusCode, ApiError> {
    links::reset_password(&state, &input.token, &input.new_password).await?;
    Ok(StatusCode::NO_CONTENT)
}
