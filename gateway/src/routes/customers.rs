//! Customers (minimal; real accounts come later): `POST /customers` issues a bearer token
//! (shown once, stored as its SHA-256) and the configured starting credit; `/me`,
//! `/me/wallet` and `/me/bookings` answer for the customer whose token is presented.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use boxoffice_storage::{Booking, Customer, CustomerId, LedgerEntry, LedgerKind, Money, Page};
use serde::{Deserialize, Serialize};

use crate::auth::{CustomerPrincipal, generate_token, token_sha256};
use crate::error::ApiError;
use crate::extract::{Json, PageParams, Query};
use crate::openapi::ProblemDoc;
use crate::state::AppState;

/// The customer routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers", post(create_customer))
        .route("/me", get(me))
        .route("/me/wallet", get(my_wallet))
        .route("/me/bookings", get(my_bookings))
}

/// A new customer.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomer {
    /// Display name, 1 to 100 characters.
    pub name: String,
    /// Email address, unique (case-insensitive).
    pub email: String,
}

/// A customer just created, with the token to use from now on.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CustomerCreated {
    /// The customer.
    pub customer: Customer,
    /// The bearer token; shown only this once.
    pub token: String,
    /// The wallet balance (the starting credit).
    pub balance: Money,
}

/// The signed-in customer and their balance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The customer.
    pub customer: Customer,
    /// The wallet balance.
    pub balance: Money,
}

/// The wallet: balance and a page of the ledger, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Wallet {
    /// The balance.
    pub balance: Money,
    /// Ledger entries.
    pub ledger: Page<LedgerEntry>,
}

/// Checks a name and an email; returns them trimmed.
///
/// # Errors
/// 422 naming `name` or `email`.
pub fn validate_customer(input: NewCustomer) -> Result<NewCustomer, ApiError> {
    let name = input.name.trim().to_owned();
    if !(1..=100).contains(&name.chars().count()) || name.chars().any(char::is_control) {
        return Err(ApiError::invalid("name", "must be 1 to 100 characters"));
    }
    let email = input.email.trim().to_owned();
    if !email_looks_valid(&email) {
        return Err(ApiError::invalid(
            "email",
            format!("{:?} is not an email address", email.chars().take(100).collect::<String>()),
        ));
    }
    Ok(NewCustomer { name, email })
}

fn email_looks_valid(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let labels_ok = domain.split('.').count() >= 2
        && domain.split('.').all(|l| !l.is_empty() && !l.starts_with('-') && !l.ends_with('-'));
    let domain_chars = domain.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '.');
    let local_chars = local.chars().all(|c| !c.is_whitespace() && !c.is_control() && c != '@');
    (3..=254).contains(&email.len()) && (1..=64).contains(&local.len()) && labels_ok && domain_chars && local_chars
}

async fn find_customer(state: &AppState, id: CustomerId) -> Result<Customer, ApiError> {
    state.storage.customer(id).await?.ok_or_else(|| ApiError::not_found("customer", id))
}

/// Creates a customer: a token (shown once) and the starting credit.
#[utoipa::path(post, path = "/api/v1/customers", tag = "customers", request_body = NewCustomer,
    responses(
        (status = 201, description = "Created, with the bearer token", body = CustomerCreated),
        (status = 409, description = "`duplicate`: the email is taken (`field` = `email`)", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name or email", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all)]
pub async fn create_customer(
    State(state): State<AppState>,
    Json(input): Json<NewCustomer>,
) -> Result<impl IntoResponse, ApiError> {
    let created = register(&state, input).await?;
    Ok((StatusCode::CREATED, Json(created)))
}

/// Validates and stores a customer, issues their token and credits the starting credit
/// (ledger reference `credit:start:<id>`).
///
/// # Errors
/// 422 for an invalid name or email, 409 `duplicate` for a taken email, storage failures.
pub async fn register(state: &AppState, input: NewCustomer) -> Result<CustomerCreated, ApiError> {
    let input = validate_customer(input)?;
    let now = state.clock.now();
    let customer = Customer { id: CustomerId::new(), name: input.name, email: input.email, created_at: now };
    let token = generate_token();
    let hash = token_sha256(&token);
    state.storage.insert_customer(&customer, &hash).await?;
    let credit = Money::new(state.config.wallet.starting_credit_minor, state.currency());
    let balance = if credit.amount_minor() > 0 {
        let entry = LedgerEntry {
            customer_id: customer.id,
            amount: credit,
            kind: LedgerKind::Credit,
            reference: format!("credit:start:{}", customer.id),
            memo: "Starting credit".into(),
            at: now,
        };
        state.storage.apply_ledger(&entry).await?.balance()
    } else {
        Money::zero(state.currency())
    };
    state.auth.remember(hash, customer.id);
    tracing::info!(customer_id = %customer.id, "customer created");
    Ok(CustomerCreated { customer, token, balance })
}

/// The signed-in customer and their balance.
#[utoipa::path(get, path = "/api/v1/me", tag = "customers", security(("bearer" = [])),
    responses(
        (status = 200, description = "The customer", body = Me),
        (status = 401, description = "No or unknown token", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 403, description = "Staff token (customers only)", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(customer_id = %id))]
pub async fn me(State(state): State<AppState>, CustomerPrincipal(id): CustomerPrincipal) -> Result<Json<Me>, ApiError> {
    let customer = find_customer(&state, id).await?;
    let balance = state.storage.wallet_balance(id, state.currency()).await?;
    Ok(Json(Me { customer, balance }))
}

/// The wallet: balance and ledger, newest first.
#[utoipa::path(get, path = "/api/v1/me/wallet", tag = "customers", security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "Balance and a page of the ledger", body = Wallet),
        (status = 401, description = "No or unknown token", body = ProblemDoc, content_type = "application/problem+json"),
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

/// The customer's bookings, newest first.
#[utoipa::path(get, path = "/api/v1/me/bookings", tag = "customers", security(("bearer" = [])), params(PageParams),
    responses(
        (status = 200, description = "A page of bookings", body = Page<Booking>),
        (status = 401, description = "No or unknown token", body = ProblemDoc, content_type = "application/problem+json"),
    ))]
#[tracing::instrument(skip_all, fields(customer_id = %id))]
pub async fn my_bookings(
    State(state): State<AppState>,
    CustomerPrincipal(id): CustomerPrincipal,
    Query(params): Query<PageParams>,
) -> Result<Json<Page<Booking>>, ApiError> {
    Ok(Json(state.storage.bookings_of_customer(id, params.page()?).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_shape_checked() {
        for ok in ["a@b.co", "first.last+tag@example.org", "x@sub.example.fr"] {
            assert!(email_looks_valid(ok), "{ok}");
        }
        for bad in ["", "a", "a@b", "@b.co", "a@.co", "a b@c.de", "a@b..c", "a@@b.co", "a@-b.co"] {
            assert!(!email_looks_valid(bad), "{bad}");
        }
    }

    #[test]
    fn names_are_checked() {
        let input = |name: &str| NewCustomer { name: name.into(), email: "a@b.co".into() };
        assert_eq!(validate_customer(input("  Ada ")).expect("ok").name, "Ada");
        assert!(validate_customer(input("  ")).is_err());
        assert!(validate_customer(input(&"x".repeat(101))).is_err());
    }
}
