//! Customer import by staff (`POST /api/v1/staff/customers`, admin and manager): creates up
//! to [`IMPORT_MAX`] customer accounts in one call, e.g. a loyalty club's members, or the
//! customers of a load rehearsal (`boxoffice-load setup`). Each account is created with its
//! email verified (staff vouch for it, as with `POST /customers/{id}/verify-email`), an
//! opening credit (by default the configured starting credit, as a verified customer
//! gets), and a bearer token shown once. Imported accounts have no password: the customer sets one with the reset
//! link (`POST /auth/password-reset`).
//!
//! Validation is all or nothing: one invalid entry, a repeated email or username, or an
//! email already registered refuses the whole request before anything is created. The
//! accounts are then written concurrently (at most [`WRITES_IN_FLIGHT`] at once), so one
//! storage commit covers many of them.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use boxoffice_storage::{Account, AccountId, Language, LedgerEntry, LedgerKind, Money, Role, SessionKind};
use boxoffice_storage::{FieldError, Reason};
use futures::{StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};

use crate::accounts::views::AccountView;
use crate::accounts::{sessions, validate};
use crate::auth::{Permission, Principal};
use crate::error::{ApiError, Problem};
use crate::extract::Json;
use crate::openapi::ProblemDoc;
use crate::routes::customer_admin::ADJUSTMENT_MINOR_MAX;
use crate::state::AppState;

/// Most customers in one import.
pub const IMPORT_MAX: usize = 500;
/// Accounts being written at once.
pub const WRITES_IN_FLIGHT: usize = 64;

/// The route.
pub fn router() -> Router<AppState> {
    Router::new().route("/staff/customers", post(import_customers))
}

/// One customer to import.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportedCustomer {
    /// Email address, unique (case-insensitive); taken as verified.
    pub email: String,
    /// Login name, unique.
    pub username: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// Opening credit of the wallet in minor units, 0 to 100000000 (default: the
    /// configured `wallet.starting_credit_minor`).
    #[serde(default)]
    pub credit_minor: Option<i64>,
}

/// The import request.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Import {
    /// 1 to 500 customers.
    pub customers: Vec<ImportedCustomer>,
}

/// One imported customer, with its bearer token.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Imported {
    /// The account (email verified, no password).
    pub account: AccountView,
    /// Its bearer token; shown only this once.
    pub token: String,
    /// The wallet balance: the opening credit.
    pub balance: Money,
}

/// The answer: the customers in request order.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportResult {
    /// One entry per requested customer, in order.
    pub customers: Vec<Imported>,
}

/// Imports customers (admin, manager): verified, funded accounts with a bearer token each.
#[utoipa::path(post, path = "/api/v1/staff/customers", tag = "customers", security(("bearer" = [])), request_body = Import,
    responses((status = 201, description = "Created, in request order", body = ImportResult),
        (status = 403, description = "`forbidden` (customers, cashiers, kiosks)", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate` (`field` is `customers[i].email`); nothing was created", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` naming `customers[i].<field>`; nothing was created", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(count = input.customers.len()))]
pub async fn import_customers(
    State(state): State<AppState>,
    principal: Principal,
    Json(input): Json<Import>,
) -> Result<impl IntoResponse, ApiError> {
    principal.require(Permission::ManageWallets)?;
    principal.require(Permission::ReadCustomers)?;
    if input.customers.is_empty() || input.customers.len() > IMPORT_MAX {
        return Err(FieldError::new("customers", Reason::EntryCount, format!("1 to {IMPORT_MAX} customers"))
            .param("min", 1_i64)
            .param("max", IMPORT_MAX)
            .into());
    }
    let accounts = validate_all(&state, &input.customers)?;
    ensure_emails_free(&state, &accounts).await?;
    let starting = state.config.wallet.starting_credit_minor;
    let credits: Vec<i64> = input.customers.iter().map(|c| c.credit_minor.unwrap_or(starting)).collect();
    let work: Vec<(Account, i64)> = accounts.into_iter().zip(credits).collect();
    let customers: Vec<Imported> = futures::stream::iter(work)
        .map(|(account, credit)| {
            let state = state.clone();
            async move { create_one(&state, account, credit).await }
        })
        .buffered(WRITES_IN_FLIGHT)
        .try_collect()
        .await?;
    tracing::info!(count = customers.len(), "customers imported");
    Ok((StatusCode::CREATED, Json(ImportResult { customers })))
}

/// 422 `validation_failed` naming `customers[i].field`, keeping the reason and its parameters.
fn invalid(i: usize, field: &str, error: &ApiError) -> ApiError {
    error.problem().with("field", format!("customers[{i}].{field}")).into()
}

/// Builds every account, refusing invalid fields and repeats within the request.
fn validate_all(state: &AppState, customers: &[ImportedCustomer]) -> Result<Vec<Account>, ApiError> {
    let now = state.clock.now();
    let mut seen = std::collections::HashSet::new();
    let mut accounts = Vec::with_capacity(customers.len());
    for (i, c) in customers.iter().enumerate() {
        let field_error = |field: &str, e: ApiError| invalid(i, field, &e);
        let email = validate::email("email", &c.email).map_err(|e| field_error("email", e))?;
        let username = validate::username(&c.username).map_err(|e| field_error("username", e))?;
        let first_name = validate::name("first_name", &c.first_name).map_err(|e| field_error("first_name", e))?;
        let last_name = validate::name("last_name", &c.last_name).map_err(|e| field_error("last_name", e))?;
        if c.credit_minor.is_some_and(|m| !(0..=ADJUSTMENT_MINOR_MAX).contains(&m)) {
            let error = FieldError::range(
                "credit_minor",
                0,
                ADJUSTMENT_MINOR_MAX,
                format!("must be 0 to {ADJUSTMENT_MINOR_MAX}"),
            );
            return Err(invalid(i, "credit_minor", &error.into()));
        }
        if !seen.insert(email.to_lowercase()) {
            let error = FieldError::new("email", Reason::Repeated, "email repeated in this request");
            return Err(invalid(i, "email", &error.into()));
        }
        if !seen.insert(format!("@user:{}", username.to_lowercase())) {
            let error = FieldError::new("username", Reason::Repeated, "username repeated in this request");
            return Err(invalid(i, "username", &error.into()));
        }
        accounts.push(Account {
            id: AccountId::new(),
            role: Role::Customer,
            email: Some(email),
            email_verified_at: Some(now),
            pending_email: None,
            username,
            first_name,
            last_name,
            phone: None,
            birth_date: None,
            language: Language::En,
            password_hash: None,
            totp: None,
            active: true,
            created_at: now,
            updated_at: now,
        });
    }
    Ok(accounts)
}

/// Refuses the import if any email is registered already.
async fn ensure_emails_free(state: &AppState, accounts: &[Account]) -> Result<(), ApiError> {
    let emails: Vec<String> = accounts.iter().map(|a| a.email.clone().unwrap_or_default()).collect();
    let lookups = emails.into_iter().map(|email| {
        let state = state.clone();
        async move { state.accounts.account_by_email(&email).await.map(|found| found.map(|_| email)) }
    });
    let found: Vec<Option<String>> = futures::stream::iter(lookups).buffered(WRITES_IN_FLIGHT).try_collect().await?;
    if let Some((i, email)) = found.iter().enumerate().find_map(|(i, f)| f.as_ref().map(|e| (i, e))) {
        let detail = format!("{email} is registered already");
        return Err(Problem::new(StatusCode::CONFLICT, "duplicate", "Conflict", detail)
            .with("field", format!("customers[{i}].email"))
            .into());
    }
    Ok(())
}

/// Stores one account, issues its token, credits its wallet.
async fn create_one(state: &AppState, account: Account, credit_minor: i64) -> Result<Imported, ApiError> {
    state.accounts.insert_account(&account).await?;
    let issued = sessions::issue(state, &account, SessionKind::Bearer, "import").await?;
    let customer =
        account.customer_id().ok_or_else(|| ApiError::internal("an imported customer has no customer id"))?;
    if credit_minor > 0 {
        let entry = LedgerEntry {
            customer_id: customer,
            amount: Money::new(credit_minor, state.currency()),
            kind: LedgerKind::Credit,
            reference: format!("credit:start:{customer}"),
            memo: "Opening credit (import)".to_owned(),
            at: state.clock.now(),
        };
        state.storage.apply_ledger(&entry).await?;
    }
    let balance = Money::new(credit_minor.max(0), state.currency());
    Ok(Imported { account: AccountView::from(&account), token: issued.token, balance })
}
