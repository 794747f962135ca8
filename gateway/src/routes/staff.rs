//! Staff and kiosk devices, managed by admins: create staff accounts (admin, manager,
//! cashier), change their role or deactivate them (their sessions end at once), and
//! register kiosk devices, each with a device token shown once.

use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use boxoffice_storage::{Account, AccountId, Language, Page, PageRequest, Role, SessionKind};
use boxoffice_storage::{FieldError, Reason};
use serde::{Deserialize, Serialize};

use crate::accounts::views::AccountView;
use crate::accounts::{sessions, validate};
use crate::auth::AdminPrincipal;
use crate::error::ApiError;
use crate::extract::{IdPath, Json, PageParams, Query};
use crate::openapi::ProblemDoc;
use crate::security::passwords::check_policy;
use crate::state::AppState;

/// The staff routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staff", get(list_staff).post(create_staff))
        .route("/staff/{id}", get(get_staff).patch(patch_staff))
        .route("/kiosks", get(list_kiosks).post(create_kiosk))
        .route("/kiosks/{id}/revoke", post(revoke_kiosk))
}

const STAFF_ROLES: [Role; 3] = [Role::Admin, Role::Manager, Role::Cashier];

/// A new staff member.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewStaff {
    /// Email (the login), unique.
    pub email: String,
    /// Username, unique.
    pub username: String,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
    /// `admin`, `manager` or `cashier`.
    pub role: Role,
    /// Initial password (at least 10 characters, not common).
    pub password: String,
}

/// Changes to a staff member.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffPatch {
    /// New role.
    pub role: Option<Role>,
    /// `false` deactivates the account and ends its sessions.
    pub active: Option<bool>,
}

/// A new kiosk device.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKiosk {
    /// A unique name, e.g. `lobby-1` (3 to 40 letters, digits, `.`, `_`, `-`).
    pub name: String,
}

/// A kiosk just registered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct KioskCreated {
    /// The device account.
    pub account: AccountView,
    /// Its bearer token for the WebSocket `auth` message; shown only this once.
    pub token: String,
}

fn role_is_staff(role: Role) -> Result<Role, ApiError> {
    if role.is_staff() {
        Ok(role)
    } else {
        Err(FieldError::new("role", Reason::OneOf, "must be admin, manager or cashier")
            .param("choices", "admin, manager, cashier")
            .into())
    }
}

async fn find(state: &AppState, id: AccountId, roles: &[Role]) -> Result<Account, ApiError> {
    state
        .accounts
        .account(id)
        .await?
        .filter(|a| roles.contains(&a.role))
        .ok_or_else(|| ApiError::not_found("account", id))
}

/// Creates a staff account (admin).
#[utoipa::path(post, path = "/api/v1/staff", tag = "staff", security(("bearer" = [])), request_body = NewStaff,
    responses((status = 201, description = "Created", body = AccountView),
        (status = 403, description = "Not an admin", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 409, description = "`duplicate` (`email`, `username`)", body = ProblemDoc, content_type = "application/problem+json"),
        (status = 422, description = "`validation_failed` naming the field", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn create_staff(
    State(state): State<AppState>,
    _admin: AdminPrincipal,
    Json(input): Json<NewStaff>,
) -> Result<impl IntoResponse, ApiError> {
    let email = validate::email("email", &input.email)?;
    let username = validate::username(&input.username)?;
    let first_name = validate::name("first_name", &input.first_name)?;
    let last_name = validate::name("last_name", &input.last_name)?;
    let role = role_is_staff(input.role)?;
    check_policy("password", &input.password, &[&username, &first_name, &last_name])?;
    let now = state.clock.now();
    let account = Account {
        id: AccountId::new(),
        role,
        email: Some(email),
        email_verified_at: Some(now),
        pending_email: None,
        username,
        first_name,
        last_name,
        phone: None,
        birth_date: None,
        language: Language::En,
        password_hash: Some(state.security.passwords.hash(input.password).await?),
        totp: None,
        active: true,
        created_at: now,
        updated_at: now,
    };
    state.accounts.insert_account(&account).await?;
    Ok((StatusCode::CREATED, Json(AccountView::from(&account))))
}

/// Lists staff accounts (admin).
#[utoipa::path(get, path = "/api/v1/staff", tag = "staff", security(("bearer" = [])), params(PageParams),
    responses((status = 200, description = "A page of staff accounts", body = Page<AccountView>)))]
pub async fn list_staff(
    State(state): State<AppState>,
    _admin: AdminPrincipal,
    Query(params): Query<PageParams>,
) -> Result<Json<Page<AccountView>>, ApiError> {
    list(&state, &STAFF_ROLES, params.page()?).await
}

async fn list(state: &AppState, roles: &[Role], page: PageRequest) -> Result<Json<Page<AccountView>>, ApiError> {
    let found = state.accounts.list_accounts(roles, page).await?;
    let items = found.items.iter().map(AccountView::from).collect();
    Ok(Json(Page { items, total: found.total, offset: found.offset, limit: found.limit }))
}

/// One staff account (admin).
#[utoipa::path(get, path = "/api/v1/staff/{id}", tag = "staff", security(("bearer" = [])),
    params(("id" = AccountId, Path, description = "Account id")),
    responses((status = 200, description = "The account", body = AccountView),
        (status = 404, description = "`not_found`", body = ProblemDoc, content_type = "application/problem+json")))]
pub async fn get_staff(
    State(state): State<AppState>,
    _admin: AdminPrincipal,
    IdPath(id): IdPath<AccountId>,
) -> Result<Json<AccountView>, ApiError> {
    Ok(Json(AccountView::from(&find(&state, id, &STAFF_ROLES).await?)))
}

/// Changes a staff member's role or deactivates them (admin). The last active admin cannot
/// be demoted or deactivated.
#[utoipa::path(patch, path = "/api/v1/staff/{id}", tag = "staff", security(("bearer" = [])), request_body = StaffPatch,
    params(("id" = AccountId, Path, description = "Account id")),
    responses((status = 200, description = "Changed", body = AccountView),
        (status = 409, description = "`last_admin`", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn patch_staff(
    State(state): State<AppState>,
    _admin: AdminPrincipal,
    IdPath(id): IdPath<AccountId>,
    Json(patch): Json<StaffPatch>,
) -> Result<Json<AccountView>, ApiError> {
    let mut account = find(&state, id, &STAFF_ROLES).await?;
    let was_admin = account.role == Role::Admin && account.active;
    if let Some(role) = patch.role {
        account.role = role_is_staff(role)?;
    }
    if let Some(active) = patch.active {
        account.active = active;
    }
    if was_admin && (account.role != Role::Admin || !account.active) {
        let admins = state.accounts.list_accounts(&[Role::Admin], PageRequest { offset: 0, limit: 200 }).await?;
        if admins.items.iter().filter(|a| a.active && a.id != id).count() == 0 {
            return Err(ApiError::conflict("last_admin", "this is the last active admin; promote another first"));
        }
    }
    account.updated_at = state.clock.now();
    state.accounts.update_account(&account).await?;
    if !account.active {
        sessions::revoke_all(&state, id, None).await?;
    }
    state.auth.forget_account(id);
    Ok(Json(AccountView::from(&account)))
}

/// Registers a kiosk device and issues its token (admin).
#[utoipa::path(post, path = "/api/v1/kiosks", tag = "staff", security(("bearer" = [])), request_body = NewKiosk,
    responses((status = 201, description = "Registered; the token is shown once", body = KioskCreated),
        (status = 409, description = "`duplicate` (`username`)", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all)]
pub async fn create_kiosk(
    State(state): State<AppState>,
    _admin: AdminPrincipal,
    Json(input): Json<NewKiosk>,
) -> Result<impl IntoResponse, ApiError> {
    let name = validate::username(&input.name)
        .map_err(|_| ApiError::invalid("name", Reason::Username, "3 to 40 letters, digits, '.', '_' or '-'"))?;
    let now = state.clock.now();
    let account = Account {
        id: AccountId::new(),
        role: Role::Kiosk,
        email: None,
        email_verified_at: None,
        pending_email: None,
        username: name.clone(),
        first_name: name,
        last_name: String::new(),
        phone: None,
        birth_date: None,
        language: Language::En,
        password_hash: None,
        totp: None,
        active: true,
        created_at: now,
        updated_at: now,
    };
    state.accounts.insert_account(&account).await?;
    let issued = sessions::issue(&state, &account, SessionKind::Device, &account.username).await?;
    Ok((StatusCode::CREATED, Json(KioskCreated { account: AccountView::from(&account), token: issued.token })))
}

/// Lists kiosk devices (admin).
#[utoipa::path(get, path = "/api/v1/kiosks", tag = "staff", security(("bearer" = [])), params(PageParams),
    responses((status = 200, description = "A page of kiosk devices", body = Page<AccountView>)))]
pub async fn list_kiosks(
    State(state): State<AppState>,
    _admin: AdminPrincipal,
    Query(params): Query<PageParams>,
) -> Result<Json<Page<AccountView>>, ApiError> {
    list(&state, &[Role::Kiosk], params.page()?).await
}

/// Deactivates a kiosk and revokes its token (admin).
#[utoipa::path(post, path = "/api/v1/kiosks/{id}/revoke", tag = "staff", security(("bearer" = [])),
    params(("id" = AccountId, Path, description = "Kiosk account id")),
    responses((status = 204, description = "Revoked"),
        (status = 404, description = "`not_found`", body = ProblemDoc, content_type = "application/problem+json")))]
#[tracing::instrument(skip_all, fields(account_id = %id))]
pub async fn revoke_kiosk(
    State(state): State<AppState>,
    _admin: AdminPrincipal,
    IdPath(id): IdPath<AccountId>,
) -> Result<StatusCode, ApiError> {
    let mut account = find(&state, id, &[Role::Kiosk]).await?;
    account.active = false;
    account.updated_at = state.clock.now();
    state.accounts.update_account(&account).await?;
    sessions::revoke_all(&state, id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}
