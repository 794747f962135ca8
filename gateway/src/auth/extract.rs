//! The extractors of [`super`]: each resolves the request's identity once and checks one
//! permission (and, for staff, the TOTP enrolment policy).

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::StatusCode;
use axum::http::request::Parts;

use super::{
    AdminPrincipal, BoxOfficePrincipal, CustomerPrincipal, Identity, Permission, Principal, StaffPrincipal,
    VerifiedCustomer, authenticate, identify,
};
use crate::error::{ApiError, Problem};
use crate::state::AppState;

async fn required(parts: &mut Parts, state: &AppState) -> Result<Identity, ApiError> {
    identify(parts, state).await?.ok_or_else(|| ApiError::unauthorized("sign in: missing bearer token or session"))
}

/// 403 `totp_enrolment_required` for staff accounts without TOTP when the configuration wants it.
fn check_staff_totp(identity: &Identity, state: &AppState) -> Result<(), ApiError> {
    let staff_account = matches!(identity.principal, Principal::Staff { account: Some(_), .. });
    if staff_account && state.config.accounts.require_totp_for_staff && !identity.totp_enabled {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "totp_enrolment_required",
            "Two-factor authentication required",
            "staff must enrol TOTP first: POST /api/v1/me/2fa/totp",
        )
        .into());
    }
    Ok(())
}

async fn staff_with(parts: &mut Parts, state: &AppState, permission: Permission) -> Result<Principal, ApiError> {
    let identity = required(parts, state).await?;
    identity.principal.require(permission)?;
    check_staff_totp(&identity, state)?;
    Ok(identity.principal)
}

impl FromRequestParts<AppState> for Identity {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        required(parts, state).await
    }
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let identity = required(parts, state).await?;
        if identity.principal.role().is_staff() {
            check_staff_totp(&identity, state)?;
        }
        Ok(identity.principal)
    }
}

impl OptionalFromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Option<Self>, Self::Rejection> {
        authenticate(parts, state).await
    }
}

impl FromRequestParts<AppState> for CustomerPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        match required(parts, state).await?.principal {
            Principal::Customer(id) => Ok(CustomerPrincipal(id)),
            other => Err(ApiError::forbidden(format!("this endpoint is for customers, not the {} role", other.role()))),
        }
    }
}

impl FromRequestParts<AppState> for VerifiedCustomer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let CustomerPrincipal(id) = CustomerPrincipal::from_request_parts(parts, state).await?;
        let verified = required(parts, state).await?.email_verified;
        if !verified {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "email_unverified",
                "Email not verified",
                "verify your email address first (see the link we sent; POST /api/v1/auth/verify-email/resend)",
            )
            .into());
        }
        Ok(VerifiedCustomer(id))
    }
}

impl FromRequestParts<AppState> for StaffPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        staff_with(parts, state, Permission::ManageCatalog).await.map(StaffPrincipal)
    }
}

impl FromRequestParts<AppState> for BoxOfficePrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        staff_with(parts, state, Permission::BoxOffice).await.map(BoxOfficePrincipal)
    }
}

impl FromRequestParts<AppState> for AdminPrincipal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        staff_with(parts, state, Permission::ManageStaff).await.map(AdminPrincipal)
    }
}
