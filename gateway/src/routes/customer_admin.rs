//! Customers as staff see them: an account with its balance, booking history and wallet
//! statement (admin, manager); wallet top-ups and adjustments with a reason, each an
//! immutable ledger entry (admin, manager); a hand verification of the email (admin,
//! manager); and the audit log (admin).

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use boxoffice_storage::{
    Account, AccountId, AuditEntry, AuditFilter, BookingHistoryItem, BookingWhen, CustomerId, LedgerEntry, LedgerKind,
    Money, Page, Role, Timestamp,
};
use boxoffice_storage::{FieldError, Reason};
use serde::{Deserialize, Serialize};

use crate::accounts::links;
use crate::accounts::views::AccountView;
use crate::auth::{Permission, Principal};
use crate::error::ApiError;
use crate::extract::{IdPath, Json, PageParams, Query};
use crate::openapi::ProblemDoc;
use crate::routes::customers::{HistoryParams, Me, Wallet};
use crate::state::AppState;

/// Largest single adjustment, in minor units.
pub const ADJUSTMENT_MINOR_MAX: i64 = 100_000_000;

/// The routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/customers/{id}", get(get_customer))
        .route("/customers/{id}/bookings", get(customer_bookings))
        .route("/customers/{id}/wallet", get(customer_wallet))
        .route("/customers/{id}/wallet/adjustments", post(adjust_wallet))
        .route("/customers/{id}/verify-email", post(verify_by_hand))
        .route("/audit", get(audit_log))
}

/// A wallet movement by staff.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    /// Signed amount in minor units: positive credits, negative debits (never below zero).
    pub amount_minor: i64,
    /// Why (1 to 200 characters); shown on the customer's statement.
    pub reason: String,
    /// `top_up` (positive only) or `adjustment` (default).
    #[serde(default)]
    pub kind: Option<String>,
}

/// The movement recorded and the new balance.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Adjusted {
    /// The ledger entry.
    pub entry: LedgerEntry,
    /// The balance after it.
    pub balance: Money,
}

/// Filters of the audit log.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// Only this staff account's actions.
    pub actor_id: Option<AccountId>,
    /// Only this kind of record (`film`, `showtime`, `account`, ...).
    pub entity: Option<String>,
    /// Only this record.
    pub entity_id: Option<String>,
    /// From (RFC 3339).
    pub from: Option<Timestamp>,
    /// Until (RFC 3339, excluded).
    pub to: Option<Timestamp>,
    /// Items to skip.
    pub offset: Option<u32>,
    /// Items per page, 1 to 200.
    pub limit: Option<u32>,
}

async fn customer(
    state: &AppState,
    principal: Principal,
    permission: Permission,
    id: AccountId,
) -> Result<Account, ApiError> {
    principal.require(permission)?;
    state
        .accounts
        .account(id)
        .await?
        .filter(|a| a.role == Role::Customer)
        .ok_or_else(|| ApiError::not_found("customer", id))
}

fn customer_id(account: &Account) -> CustomerId {
    CustomerId::from_uuid(account.id.as_uuid())
}

/// A customer's account and balance (admin, manager).
#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "customers", security(("bearer" = [])),
    params(("id" = AccountId, Path, description = "Customer id")),
    responses((status = 200, description = "The customer", body = Me),
        (status = 403, description = "`forbidden` (customers, cashiers, kiosks)", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 404, description = "`not_found`", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn get_customer(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath<AccountId>,
) -> Result<Json<Me>, ApiError> {
    let account = customer(&state, principal, Permission::ReadCustomers, id).await?;
    let balance = state.storage.wallet_balance(customer_id(&account), state.currency()).await?;
    Ok(Json(Me { account: AccountView::from(&account), balance }))
}

/// A customer's booking history (admin, manager).
#[utoipa::path(get, path = "/api/v1/customers/{id}/bookings", tag = "customers", security(("bearer" = [])),
    params(("id" = AccountId, Path, description = "Customer id"), HistoryParams),
    responses((status = 200, description = "A page of bookings", body = Page<BookingHistoryItem>)))]
pub async fn customer_bookings(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath<AccountId>,
    Query(params): Query<HistoryParams>,
) -> Result<Json<Page<BookingHistoryItem>>, ApiError> {
    let account = customer(&state, principal, Permission::ReadCustomers, id).await?;
    let page = PageParams { offset: params.offset, limit: params.limit }.page()?;
    let when = params.when.unwrap_or(BookingWhen::All);
    Ok(Json(state.accounts.booking_history(customer_id(&account), when, state.clock.now(), page).await?))
}

/// A customer's wallet statement (admin, manager).
#[utoipa::path(get, path = "/api/v1/customers/{id}/wallet", tag = "customers", security(("bearer" = [])),
    params(("id" = AccountId, Path, description = "Customer id"), PageParams),
    responses((status = 200, description = "Balance and ledger", body = Wallet)))]
pub async fn customer_wallet(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath<AccountId>,
    Query(params): Query<PageParams>,
) -> Result<Json<Wallet>, ApiError> {
    let account = customer(&state, principal, Permission::ReadCustomers, id).await?;
    let page = params.page()?;
    let who = customer_id(&account);
    let balance = state.storage.wallet_balance(who, state.currency()).await?;
    Ok(Json(Wallet { balance, ledger: state.storage.ledger(who, page).await? }))
}

/// Tops up or adjusts a customer's wallet, with a reason (admin, manager). A debit never
/// takes the balance below zero (402 `insufficient_balance`).
#[utoipa::path(post, path = "/api/v1/customers/{id}/wallet/adjustments", tag = "customers", security(("bearer" = [])),
    params(("id" = AccountId, Path, description = "Customer id")), request_body = Adjustment,
    responses((status = 201, description = "Recorded", body = Adjusted),
        (status = 402, description = "`insufficient_balance`", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` (`amount_minor`, `reason`, `kind`)", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn adjust_wallet(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath<AccountId>,
    Json(input): Json<Adjustment>,
) -> Result<impl IntoResponse, ApiError> {
    principal.require(Permission::ManageWallets)?;
    let kind = match input.kind.as_deref().unwrap_or("adjustment") {
        "adjustment" => LedgerKind::Adjustment,
        "top_up" if input.amount_minor > 0 => LedgerKind::Credit,
        "top_up" => return Err(ApiError::invalid("amount_minor", Reason::Positive, "a top-up must be positive")),
        _ => {
            return Err(FieldError::new("kind", Reason::OneOf, "must be top_up or adjustment")
                .param("choices", "top_up, adjustment")
                .into());
        }
    };
    if input.amount_minor == 0 || input.amount_minor.unsigned_abs() > ADJUSTMENT_MINOR_MAX.unsigned_abs() {
        return Err(FieldError::new(
            "amount_minor",
            Reason::NonZeroAmount,
            format!("must be non-zero, at most {ADJUSTMENT_MINOR_MAX} either way"),
        )
        .param("max", ADJUSTMENT_MINOR_MAX)
        .into());
    }
    let reason = input.reason.trim();
    if !(1..=200).contains(&reason.chars().count()) || reason.chars().any(char::is_control) {
        return Err(FieldError::length("reason", 1, 200).into());
    }
    let account = customer(&state, principal, Permission::ManageWallets, id).await?;
    let entry = LedgerEntry {
        customer_id: customer_id(&account),
        amount: Money::new(input.amount_minor, state.currency()),
        kind,
        reference: format!("adjust:{}", uuid::Uuid::now_v7()),
        memo: reason.to_owned(),
        at: state.clock.now(),
    };
    let balance = state.storage.apply_ledger(&entry).await?.balance();
    Ok((StatusCode::CREATED, Json(Adjusted { entry, balance })))
}

/// Marks a customer's email verified by hand (admin, manager), e.g. after checking it at
/// the box office; the starting credit follows as for a link.
#[utoipa::path(post, path = "/api/v1/customers/{id}/verify-email", tag = "customers", security(("bearer" = [])),
    params(("id" = AccountId, Path, description = "Customer id")),
    responses((status = 200, description = "Verified", body = AccountView)))]
pub async fn verify_by_hand(
    State(state): State<AppState>,
    principal: Principal,
    IdPath(id): IdPath<AccountId>,
) -> Result<Json<AccountView>, ApiError> {
    let account = customer(&state, principal, Permission::ManageWallets, id).await?;
    let account = links::complete_verification(&state, account).await?;
    Ok(Json(AccountView::from(&account)))
}

/// The audit log of staff actions, newest first (admin).
#[utoipa::path(get, path = "/api/v1/audit", tag = "staff", security(("bearer" = [])), params(AuditParams),
    responses((status = 200, description = "A page of audit entries", body = Page<AuditEntry>),
        (status = 403, description = "Not an admin", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn audit_log(
    State(state): State<AppState>,
    principal: Principal,
    Query(params): Query<AuditParams>,
) -> Result<Json<Page<AuditEntry>>, ApiError> {
    principal.require(Permission::ReadAudit)?;
    let page = PageParams { offset: params.offset, limit: params.limit }.page()?;
    let filter = AuditFilter {
        actor_id: params.actor_id,
        entity: params.entity,
        entity_id: params.entity_id,
        from: params.from,
        to: params.to,
    };
    Ok(Json(state.accounts.audit_log(&filter, page).await?))
}
