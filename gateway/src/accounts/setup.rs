//! Start-up of the account and security machinery: the signing key, password hashing and
//! rate limits, the authenticator, the mail queue and the TLS configuration.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use boxoffice_engine::Clock;
use boxoffice_storage::Accounts;

use crate::auth::Authenticator;
use crate::config::{Secret, Settings};
use crate::mail::Mailer;
use crate::security::Security;
use crate::security::signing::SigningKey;

/// What start-up builds here.
pub struct SecurityParts {
    /// Signing key, hashing, limits.
    pub security: Arc<Security>,
    /// Credentials to principals.
    pub auth: Arc<Authenticator>,
    /// The mail queue.
    pub mailer: Mailer,
    /// The HTTPS configuration, when `[tls]` is set.
    pub tls: Option<Arc<rustls::ServerConfig>>,
}

/// Builds the parts for a server bound at `bound`.
///
/// # Errors
/// An unusable signing key file, argon2 parameters, mail transport or TLS files.
pub fn build(
    settings: &Settings,
    data_dir: &Path,
    admin_token: Secret,
    accounts: Arc<dyn Accounts>,
    clock: Arc<dyn Clock>,
    bound: SocketAddr,
) -> Result<SecurityParts, String> {
    let (signing_key, _) = SigningKey::load(settings.security.signing_key.as_ref(), data_dir)?;
    let tls = match (&settings.tls.cert_file, &settings.tls.key_file) {
        (Some(cert), Some(key)) => Some(crate::security::tls::server_config(cert, key)?),
        _ => None,
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let link_base = settings.mail.link_base_url.clone().unwrap_or_else(|| format!("{scheme}://{bound}"));
    let cookie_secure = tls.is_some() || settings.security.cookie_secure;
    let security =
        Security::new(signing_key, &settings.accounts, cookie_secure, link_base.trim_end_matches('/').to_owned())?;
    let ttl = Duration::from_millis(settings.accounts.token_cache_ttl_ms);
    let auth = Authenticator::new(admin_token, accounts, clock, ttl);
    let outbox = settings.mail.outbox_dir.clone().unwrap_or_else(|| data_dir.join("outbox"));
    let mailer = Mailer::start(&settings.mail, outbox)?;
    Ok(SecurityParts { security: Arc::new(security), auth: Arc::new(auth), mailer, tls })
}

/// Starts the plain-HTTP redirect to HTTPS when `tls.redirect_http_bind` is set; it stops
/// with `stop`.
///
/// # Errors
/// The address cannot be bound.
pub async fn redirect_http(
    settings: &Settings,
    https: SocketAddr,
    stop: tokio_util::sync::CancellationToken,
) -> Result<(), String> {
    let Some(bind) = &settings.tls.redirect_http_bind else { return Ok(()) };
    let listener = tokio::net::TcpListener::bind(bind)
        .await
        .map_err(|e| format!("cannot listen on {bind} for the HTTPS redirect: {e}"))?;
    tracing::info!(%bind, "redirecting plain HTTP to HTTPS");
    tokio::spawn(crate::security::tls::redirect_to_https(listener, https.port(), stop));
    Ok(())
}
