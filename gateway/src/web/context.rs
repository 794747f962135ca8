//! [`Page`]: what every page handler needs about the request, resolved once: the visitor's
//! language, who is signed in (by the session cookie), the CSRF token for its forms, and the
//! path (for the language switcher's way back).

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use boxoffice_storage::{CustomerId, Language, Role};

use super::i18n::{Tr, negotiate};
use crate::auth::{Credential, Identity, Principal, identify};
use crate::security::cookies::SESSION_COOKIE;
use crate::security::csrf;
use crate::state::AppState;

/// The request as a page sees it.
#[derive(Clone, Debug)]
pub struct Page {
    /// The translator for the page's language.
    pub tr: Tr,
    /// The signed-in browser session, if any (bearer tokens are for the API, not pages).
    pub identity: Option<Identity>,
    /// The CSRF token that the page's forms must send back (`csrf_token` field).
    pub csrf: Option<String>,
    /// Path and query of this request.
    pub path: String,
    /// The cinema's name (`site.name`).
    pub site_name: String,
    /// The cinema's time zone (`site.timezone`).
    pub tz: chrono_tz::Tz,
    /// The session cookie's value when signed in (the console forwards it to the API).
    pub(crate) session: Option<String>,
}

impl Page {
    /// The language.
    #[must_use]
    pub const fn language(&self) -> Language {
        self.tr.0
    }

    /// The signed-in customer, if the session is a customer's.
    #[must_use]
    pub fn customer(&self) -> Option<CustomerId> {
        match self.identity?.principal {
            Principal::Customer(id) => Some(id),
            _ => None,
        }
    }

    /// The staff role of the session, if it is a staff member's.
    #[must_use]
    pub fn staff_role(&self) -> Option<Role> {
        match self.identity?.principal {
            Principal::Staff { role, .. } => Some(role),
            _ => None,
        }
    }

    /// Translates `id` (shorthand for `self.tr.t`).
    #[must_use]
    pub fn t(&self, id: &str) -> String {
        self.tr.t(id)
    }

    /// An anonymous visitor's page in `language`, in Paris time (unit tests).
    #[cfg(test)]
    #[must_use]
    pub fn for_tests(language: Language) -> Self {
        Self {
            tr: Tr(language),
            identity: None,
            csrf: None,
            path: "/".to_owned(),
            site_name: "Test".to_owned(),
            tz: chrono_tz::Europe::Paris,
            session: None,
        }
    }
}

impl FromRequestParts<AppState> for Page {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let query_lang =
            parts.uri.query().and_then(|q| q.split('&').find_map(|pair| pair.strip_prefix("lang="))).map(str::to_owned);
        let language = negotiate(query_lang.as_deref(), &parts.headers);
        // A stale or unknown cookie is simply "not signed in" on a page.
        let identity = identify(parts, state).await.ok().flatten().filter(|i| i.credential == Credential::Cookie);
        let csrf =
            identity.and_then(|i| i.token_sha256).map(|hash| csrf::token_for(&state.security.signing_key, &hash));
        let path = parts.uri.path_and_query().map_or_else(|| "/".to_owned(), |p| p.as_str().to_owned());
        let site = &state.config.site;
        let tz = site.zone();
        let session = identity.and(crate::security::cookies::get(&parts.headers, SESSION_COOKIE)).map(str::to_owned);
        Ok(Self { tr: Tr(language), identity, csrf, path, site_name: site.name.clone(), tz, session })
    }
}
