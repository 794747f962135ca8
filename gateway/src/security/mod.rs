//! Security building blocks. Policy lives in `docs/security.md`.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`signing`] | the signing key; signed, expiring link tokens |
//! | [`passwords`] | password policy, argon2id hashing on bounded blocking threads |
//! | [`totp`] | TOTP (RFC 6238) codes with replay protection, recovery codes |
//! | [`rate_limit`] | keyed token buckets for logins and resets |
//! | [`csrf`] | the CSRF check of cookie-authenticated requests |
//! | [`cookies`] | reading and setting the session and CSRF cookies |
//! | [`client_ip`] | the client address, believing only trusted proxies |
//! | [`headers`] | CSP and other security headers; CORS |
//! | [`tls`] | HTTPS with rustls; the HTTP to HTTPS redirect |

pub mod client_ip;
pub mod cookies;
pub mod csrf;
pub mod headers;
pub mod passwords;
pub mod rate_limit;
pub mod signing;
pub mod tls;
pub mod totp;

use std::time::Duration;

use self::passwords::Passwords;
use self::rate_limit::RateLimiter;
use self::signing::SigningKey;
use self::totp::ReplayGuard;
use crate::config::AccountSettings;

/// The security state shared by handlers.
#[derive(Debug)]
pub struct Security {
    /// Signs link tokens and CSRF tokens.
    pub signing_key: SigningKey,
    /// Password hashing.
    pub passwords: Passwords,
    /// Login attempts per client IP.
    pub login_per_ip: RateLimiter,
    /// Failed logins per account.
    pub login_failures_per_account: RateLimiter,
    /// Password reset requests per client IP.
    pub reset_per_ip: RateLimiter,
    /// Password reset requests per account.
    pub reset_per_account: RateLimiter,
    /// TOTP codes already used.
    pub totp_replay: ReplayGuard,
    /// Whether cookies are marked `Secure` (TLS here or at a proxy).
    pub cookie_secure: bool,
    /// Base of links in emails (`mail.link_base_url`, or this server's address).
    pub link_base: String,
}

impl Security {
    /// The security state for these settings.
    ///
    /// # Errors
    /// Argon2 parameters it refuses.
    pub fn new(
        signing_key: SigningKey,
        settings: &AccountSettings,
        cookie_secure: bool,
        link_base: String,
    ) -> Result<Self, String> {
        let window = Duration::from_millis(settings.rate_limit_window_ms);
        Ok(Self {
            signing_key,
            passwords: Passwords::new(settings)?,
            login_per_ip: RateLimiter::new(settings.login_per_ip_max, window),
            login_failures_per_account: RateLimiter::new(settings.login_failures_per_account_max, window),
            reset_per_ip: RateLimiter::new(settings.reset_per_ip_max, window),
            reset_per_account: RateLimiter::new(settings.reset_per_account_max, window),
            totp_replay: ReplayGuard::default(),
            cookie_secure,
            link_base,
        })
    }
}
