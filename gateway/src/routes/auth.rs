//! `/api/v1/auth/*`: login (session cookie or bearer token, with TOTP when enabled),
//! logout, logout everywhere, the current session, email verification and password reset.
//!
//! Login is enumeration-safe: an unknown email, an inactive account and a wrong password
//! all get the same 401 `invalid_credentials` after the same password-hashing work. Login
//! and reset requests are rate-limited per client IP and per account (429 `rate_limited`
//! with `Retry-After`).

use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use boxoffice_storage::{Account, Role, SessionKind, Timestamp};
use serde::{Deserialize, Serialize};

use crate::accounts::sessions;
use crate::accounts::views::AccountView;
use crate::auth::{Credential, Identity};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::openapi::ProblemDoc;
use crate::security::client_ip::ClientIp;
use crate::security::csrf;
use crate::security::rate_limit::RateLimiter;
use crate::state::AppState;

pub mod link_routes;

pub use self::link_routes::*;

/// The auth routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/auth/logout-all", post(logout_all))
        .route("/auth/session", get(session))
        .route("/auth/verify-email", post(verify_email))
        .route("/auth/verify-email/resend", post(resend_verification))
        .route("/auth/password-reset", post(request_reset))
        .route("/auth/password-reset/confirm", post(confirm_reset))
}

/// Credentials.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    /// The account's email.
    pub email: String,
    /// Its password.
    pub password: String,
    /// The current TOTP code, when the account has two-factor authentication.
    #[serde(default)]
    pub totp_code: Option<String>,
    /// A recovery code, instead of a TOTP code.
    #[serde(default)]
    pub recovery_code: Option<String>,
    /// `true`: a browser session (HttpOnly cookie + CSRF token); `false` (default): a
    /// bearer token for API clients.
    #[serde(default)]
    pub session: bool,
}

/// A successful login.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LoginAnswer {
    /// The account.
    pub account: AccountView,
    /// The bearer token (API clients); shown once. `None` for a browser session.
    pub token: Option<String>,
    /// For a browser session: the CSRF token to send in `X-CSRF-Token` (also in the
    /// `boxoffice_csrf` cookie).
    pub csrf_token: Option<String>,
    /// When the credential expires.
    pub expires_at: Option<Timestamp>,
}

/// The current session.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionInfo {
    /// The role.
    pub role: Role,
    /// The account (`None` for the configured admin token).
    pub account: Option<AccountView>,
    /// `cookie`, `bearer` or `admin_token`.
    pub credential: String,
    /// The CSRF token of a cookie session.
    pub csrf_token: Option<String>,
}

/// 429 `rate_limited` with `Retry-After` in seconds.
#[must_use]
pub fn rate_limited(retry_after: Duration) -> ApiError {
    let seconds = retry_after.as_secs().max(1);
    let mut problem = Problem::new(
        StatusCode::TOO_MANY_REQUESTS,
        "rate_limited",
        "Too many requests",
        format!("too many attempts; retry in {seconds} s"),
    )
    .with("retry_after_s", seconds);
    if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
        problem.headers.push((header::RETRY_AFTER, value));
    }
    problem.into()
}

pub(crate) fn limit(limiter: &RateLimiter, key: &str, take: bool) -> Result<(), ApiError> {
    let outcome = if take { limiter.hit(key) } else { limiter.check(key) };
    outcome.map_err(rate_limited)
}

fn invalid_credentials() -> ApiError {
    Problem::new(StatusCode::UNAUTHORIZED, "invalid_credentials", "Invalid credentials", "wrong email or password")
        .into()
}

/// Checks the second factor of an account with TOTP enabled.
async fn second_factor(state: &AppState, account: &Account, input: &LoginInput) -> Result<(), ApiError> {
    let Some(totp) = account.totp.as_ref().filter(|t| t.enabled) else { return Ok(()) };
    let unix_s = u64::try_from(state.clock.now().as_millis() / 1000).unwrap_or(0);
    let ok = match (&input.totp_code, &input.recovery_code) {
        (Some(code), _) => state.security.totp_replay.accept(account.id, &totp.secret_base32, code, unix_s),
        (None, Some(code)) => {
            let hash = crate::security::totp::recovery_code_hash(code);
            state.accounts.use_recovery_code(account.id, &hash, state.clock.now()).await?
        }
        (None, None) => {
            return Err(Problem::new(
                StatusCode::UNAUTHORIZED,
                "second_factor_required",
                "Second factor required",
                "this account uses two-factor authentication: send `totp_code` (or a `recovery_code`)",
            )
            .into());
        }
    };
    if ok {
        Ok(())
    } else {
        Err(Problem::new(
            StatusCode::UNAUTHORIZED,
            "invalid_second_factor",
            "Invalid code",
            "the code is wrong, expired or already used",
        )
        .into())
    }
}

/// Signs in with email and password (and a TOTP or recovery code when enabled).
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginInput,
    responses(
        (status = 200, description = "Signed in: a bearer token, or (with `session: true`) the session and CSRF cookies", body = LoginAnswer),
        (status = 401, description = "`invalid_credentials` (same for a wrong email or password), `second_factor_required`, `invalid_second_factor`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 429, description = "`rate_limited`, with `Retry-After`", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn login(
    State(state): State<AppState>,
    ip: ClientIp,
    Json(input): Json<LoginInput>,
) -> Result<Response, ApiError> {
    let security = &state.security;
    limit(&security.login_per_ip, &ip.key(), true)?;
    let account_key = format!("login:{}", input.email.trim().to_lowercase());
    limit(&security.login_failures_per_account, &account_key, false)?;
    let found = state.accounts.account_by_email(input.email.trim()).await?;
    let usable = found.filter(|a| a.active && a.role != Role::Kiosk);
    let hash = usable.as_ref().and_then(|a| a.password_hash.clone());
    let matches = security.passwords.verify(input.password.clone(), hash).await?;
    let Some(account) = usable.filter(|_| matches) else {
        limit(&security.login_failures_per_account, &account_key, true)?;
        return Err(invalid_credentials());
    };
    if let Err(error) = second_factor(&state, &account, &input).await {
        if error.code() == "invalid_second_factor" {
            limit(&security.login_failures_per_account, &account_key, true)?;
        }
        return Err(error);
    }
    security.login_failures_per_account.reset(&account_key);
    let kind = if input.session { SessionKind::Cookie } else { SessionKind::Bearer };
    let issued = sessions::issue(&state, &account, kind, if input.session { "browser" } else { "api" }).await?;
    tracing::info!(account_id = %account.id, session = input.session, "signed in");
    let mut answer = LoginAnswer {
        account: AccountView::from(&account),
        token: None,
        csrf_token: None,
        expires_at: issued.session.expires_at,
    };
    if !input.session {
        answer.token = Some(issued.token);
        return Ok(Json(answer).into_response());
    }
    let (cookies, csrf_token) = sessions::cookies_for(&state, &issued);
    answer.csrf_token = Some(csrf_token);
    let mut response = Json(answer).into_response();
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    Ok(response)
}

fn with_cleared_cookies(state: &AppState, status: StatusCode) -> Response {
    let mut response = status.into_response();
    for cookie in sessions::clear_cookies(state) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Signs out this session or token.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Signed out; the cookies are cleared"),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn logout(State(state): State<AppState>, identity: Identity) -> Result<Response, ApiError> {
    if let Some(hash) = identity.token_sha256 {
        sessions::revoke(&state, &hash).await?;
    }
    Ok(with_cleared_cookies(&state, StatusCode::NO_CONTENT))
}

/// Signs out every session and token of the account.
#[utoipa::path(post, path = "/api/v1/auth/logout-all", tag = "auth", security(("bearer" = [])),
    responses((status = 204, description = "Every session and token of the account is revoked"),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn logout_all(State(state): State<AppState>, identity: Identity) -> Result<Response, ApiError> {
    let account =
        identity.principal.account_id().ok_or_else(|| ApiError::forbidden("the admin token has no sessions"))?;
    let revoked = sessions::revoke_all(&state, account, None).await?;
    tracing::info!(account_id = %account, revoked, "signed out everywhere");
    Ok(with_cleared_cookies(&state, StatusCode::NO_CONTENT))
}

/// Who is signed in, and the CSRF token of a cookie session.
#[utoipa::path(get, path = "/api/v1/auth/session", tag = "auth", security(("bearer" = [])),
    responses((status = 200, description = "The current session", body = SessionInfo),
        (status = 401, description = "Not signed in", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn session(State(state): State<AppState>, identity: Identity) -> Result<Json<SessionInfo>, ApiError> {
    let account = match identity.principal.account_id() {
        Some(id) => state.accounts.account(id).await?.as_ref().map(AccountView::from),
        None => None,
    };
    let credential = match identity.credential {
        Credential::AdminToken => "admin_token",
        Credential::Bearer => "bearer",
        Credential::Cookie => "cookie",
    };
    let csrf_token = (identity.credential == Credential::Cookie)
        .then_some(identity.token_sha256)
        .flatten()
        .map(|hash| csrf::token_for(&state.security.signing_key, &hash));
    Ok(Json(SessionInfo { role: identity.principal.role(), account, credential: credential.into(), csrf_token }))
}
