//! Customer accounts: registration (`POST /customers`), the signed-in customer (`/me`),
//! their wallet statement and booking history.
//!
//! Registration answers a bearer token at once (API clients and tests go on with it) and
//! emails a verification link; until the email is verified the customer can browse and
//! hold but not buy (403 `email_unverified`), and the starting credit comes with the
//! verification.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use boxoffice_storage::{
    Account, AccountId, BookingHistoryItem, BookingWhen, Language, LedgerEntry, Money, Page, Role, SessionKind,
};
use serde::{Deserialize, Serialize};

use crate::accounts::views::AccountView;
use crate::accounts::{links, sessions, validate};
use crate::auth::CustomerPrincipal;
use crate::error::ApiError;
use crate::extract::{Json, PageParams, Query};
use crate::openapi::ProblemDoc;
use crate::security::passwords::check_policy;
use crate::state::AppState;

/// The customer routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", post(create_customer))
        .route("/me", get(me))
        .route("/me/wallet", get(my_wallet))
        .route("/me/bookings", get(my_bookings))
}

/// A new customer account.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Registration {
    /// Email address, unique (case-insensitive); the login.
    pub email: String,
    /// Login name, unique (case-insensitive): 3 to 40 letters, digits, `.`, `_`, `-`.
    pub username: String,
    /// Given name (1 to 100 characters).
    pub first_name: String,
    /// Family name (1 to 100 characters).
    pub last_name: String,
    /// At least 10 characters, not a common password.
    pub password: String,
    /// Phone number.
    #[serde(default)]
    pub phone: Option<String>,
    /// Birth date, `YYYY-MM-DD`.
    #[serde(default)]
    pub birth_date: Option<String>,
    /// `en` (default) or `fr`: the language of emails.
    #[serde(default)]
    pub language: Option<String>,
}

/// A customer just registered, with the bearer token to use from now on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Registered {
    /// The account (email not verified yet).
    pub account: AccountView,
    /// The bearer token; shown only this once.
    pub token: String,
    /// The wallet balance (zero until the email is verified).
    pub balance: Money,
}

/// The signed-in customer and their balance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The account.
    pub account: AccountView,
    /// The wallet balance.
    pub balance: Money,
}

/// The wallet statement: balance and a page of the ledger, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Wallet {
    /// The balance: the sum of the ledger.
    pub balance: Money,
    /// Ledger entries.
    pub ledger: Page<LedgerEntry>,
}

/// `?when=` of the booking history, with the page.
#[derive(Debug, Clone, Copy, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// `upcoming` (soonest first), `past` (latest first) or `all` (default, newest booking first).
    pub when: Option<BookingWhen>,
    /// Items to skip (default 0).
    pub offset: Option<u32>,
    /// Items per page, 1 to 200 (default 50).
    pub limit: Option<u32>,
}

/// Checks a registration and builds the account (without its password hash).
///
/// # Errors
/// 422 naming the first invalid field.
pub fn validate_registration(state: &AppState, input: &Registration) -> Result<Account, ApiError> {
    let email = validate::email("email", &input.email)?;
    let username = validate::username(&input.username)?;
    let first_name = validate::name("first_name", &input.first_name)?;
    let last_name = validate::name("last_name", &input.last_name)?;
    let local = email.split('@').next().unwrap_or_default().to_owned();
    check_policy("password", &input.password, &[&local, &username, &first_name, &last_name])?;
    let now = state.clock.now();
    let today = now.to_datetime().date_naive();
    Ok(Account {
        id: AccountId::new(),
        role: Role::Customer,
        email: Some(email),
        email_verified_at: None,
        pending_email: None,
        username,
        first_name,
        last_name,
        phone: validate::phone(input.phone.as_deref())?,
        birth_date: validate::birth_date(input.birth_date.as_deref(), today)?,
        language: validate::language(input.language.as_deref(), Language::En)?,
        password_hash: None,
        totp: None,
        active: true,
        created_at: now,
        updated_at: now,
    })
}

/// Registers a customer: stores the account, issues a bearer token, emails the
/// verification link.
///
/// # Errors
/// 422 for invalid input, 409 `duplicate` naming `email` or `username`, storage failures.
pub async fn register(state: &AppState, input: Registration) -> Result<Registered, ApiError> {
    let (account, registered) = store_registration(state, input).await?;
    links::send_verification(state, &account);
    Ok(registered)
}

/// Stores the account and issues its bearer token (no email).
async fn store_registration(state: &AppState, input: Registration) -> Result<(Account, Registered), ApiError> {
    let mut account = validate_registration(state, &input)?;
    account.password_hash = Some(state.security.passwords.hash(input.password).await?);
    state.accounts.insert_account(&account).await?;
    let issued = sessions::issue(state, &account, SessionKind::Bearer, "registration").await?;
    tracing::info!(account_id = %account.id, "customer registered");
    let view = AccountView::from(&account);
    Ok((account, Registered { account: view, token: issued.token, balance: Money::zero(state.currency()) }))
}

/// Registers a customer account.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = Registration,
    responses(
        (status = 201, description = "Registered, with a bearer token; a verification link is emailed", body = Registered),
        (status = 409, description = "`duplicate`: `field` is `email` or `username`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` naming the field (`password` too short or too common, ...)", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn create_customer(
    State(state): State<AppState>,
    Json(input): Json<Registration>,
) -> Result<impl IntoResponse, ApiError> {
    Ok((StatusCode::CREATED, Json(register(&state, input).await?)))
}

/// The signed-in customer's account.
///
/// # Errors
/// 404 if the account is gone (erased), storage failures.
pub async fn own_account(state: &AppState, id: AccountId) -> Result<Account, ApiError> {
    state.accounts.account(id).await?.filter(|a| a.active).ok_or_else(|| ApiError::not_found("account", id))
}

/// The signed-in customer and their balance.
#[utoipa::path(get, path = "/api/v1/me", tag = "customers", security(("bearer" = [])),
    responses(
        (status = 200, description = "The account", body = Me),
        (status = 401, description = "No or unknown credentials", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Not a customer", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(customer_id = %id))]
pub async fn me(State(state): State<AppState>, CustomerPrincipal(id): CustomerPrincipal) -> Result<Json<Me>, ApiError> {
    let account = own_account(&state, AccountId::from_uuid(id.as_uuid())).await?;
    let balance = state.storage.wallet_balance(id, state.currency()).await?;
    Ok(Json(Me { account: AccountView::from(&account), balance }))
}

/// The wallet statement: balance and ledger, newest first.
#[utoipa::path(get, path = "/api/v1/me/wallet", tag = "customers", security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "Balance and a page of the ledger", body = Wallet),
        (status = 401, description = "No or unknown credentials", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(customer_id = %id))]
pub async fn my_wallet(
    State(state): State<AppState>,
    CustomerPrincipal(id): CustomerPrincipal,
    Query(params): Query<PageParams>,
) -> Result<Json<Wallet>, ApiError> {
    let page = params.page()?;
    let balance = state.storage.wallet_balance(id, state.currency()).await?;
    let ledger = state.storage.ledger(id, page).await?;
    Ok(Json(Wallet { balance, ledger }))
}

/// The customer's booking history: upcoming, past or all, with film, start and auditorium.
#[utoipa::path(get, path = "/api/v1/me/bookings", tag = "customers", security(("bearer" = [])), params(HistoryParams),
    responses(
        (status = 200, description = "A page of bookings", body = Page<BookingHistoryItem>),
        (status = 401, description = "No or unknown credentials", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(customer_id = %id))]
pub async fn my_bookings(
    State(state): State<AppState>,
    CustomerPrincipal(id): CustomerPrincipal,
    Query(params): Query<HistoryParams>,
) -> Result<Json<Page<BookingHistoryItem>>, ApiError> {
    let page = PageParams { offset: params.offset, limit: params.limit }.page()?;
    let when = params.when.unwrap_or(BookingWhen::All);
    Ok(Json(state.accounts.booking_history(id, when, state.clock.now(), page).await?))
}

/// The demo customer of `serve --demo`: registered with a random password (use the token,
/// or reset the password by email) and verified, so it has the starting credit.
///
/// # Errors
/// As [`register`].
pub async fn demo_customer(state: &AppState) -> Result<Registered, ApiError> {
    let input = Registration {
        email: "demo@boxoffice.test".into(),
        username: "demo".into(),
        first_name: "Demo".into(),
        last_name: "Customer".into(),
        password: crate::auth::generate_token(),
        phone: None,
        birth_date: None,
        language: None,
    };
    // Verified at once: no "confirm your email" message to an address nobody reads.
    let (account, mut registered) = store_registration(state, input).await?;
    let account = links::complete_verification(state, account).await?;
    registered.account = AccountView::from(&account);
    registered.balance =
        state.storage.wallet_balance(account.customer_id().unwrap_or_default(), state.currency()).await?;
    Ok(registered)
}
