//! Settings of accounts, security, email and TLS: `[accounts]`, `[security]`, `[mail]` and
//! `[tls]`, with their range checks. Every key is in `docs/configuration.md`.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{ConfigError, Secret, Settings};

/// `[accounts]`: sessions, link tokens, passwords, second factor, rate limits.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountSettings {
    /// Lifetime of a browser session cookie.
    pub session_ttl_ms: u64,
    /// Lifetime of a bearer token issued at login or registration.
    pub token_ttl_ms: u64,
    /// Lifetime of an email verification link.
    pub verification_ttl_ms: u64,
    /// Lifetime of a password reset link.
    pub reset_ttl_ms: u64,
    /// Answer `404 unknown_email` to a reset request for an unknown email (reveals which
    /// emails have accounts; off by default).
    pub reveal_unknown_email: bool,
    /// Staff (admin, manager, cashier) must enrol TOTP before using staff endpoints.
    pub require_totp_for_staff: bool,
    /// Argon2id memory cost, KiB.
    pub password_hash_memory_kib: u32,
    /// Argon2id iterations.
    pub password_hash_iterations: u32,
    /// Password hashes computed at once (each on a blocking thread); more wait.
    pub password_hashers_max: usize,
    /// Window of the login and reset rate limits.
    pub rate_limit_window_ms: u64,
    /// Login attempts per client IP per window.
    pub login_per_ip_max: u32,
    /// Failed logins per account per window.
    pub login_failures_per_account_max: u32,
    /// Password reset requests per client IP per window.
    pub reset_per_ip_max: u32,
    /// Password reset requests per account (email) per window.
    pub reset_per_account_max: u32,
    /// How long a cached token is trusted before it is checked again against storage.
    pub token_cache_ttl_ms: u64,
}

impl Default for AccountSettings {
    fn default() -> Self {
        Self {
            session_ttl_ms: 14 * 24 * 3_600_000,
            token_ttl_ms: 30 * 24 * 3_600_000,
            verification_ttl_ms: 48 * 3_600_000,
            reset_ttl_ms: 3_600_000,
            reveal_unknown_email: false,
            require_totp_for_staff: false,
            password_hash_memory_kib: 19_456,
            password_hash_iterations: 2,
            password_hashers_max: 2,
            rate_limit_window_ms: 60_000,
            login_per_ip_max: 20,
            login_failures_per_account_max: 5,
            reset_per_ip_max: 5,
            reset_per_account_max: 3,
            token_cache_ttl_ms: 60_000,
        }
    }
}

/// `[security]`: signing key, browser protections, proxies.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecuritySettings {
    /// Key signing email links and CSRF tokens (64 hex characters). Unset: generated once
    /// into `<data dir>/signing-key` (mode 0600).
    pub signing_key: Option<Secret>,
    /// Origins allowed to call the API from a browser (CORS). Empty: closed.
    pub cors_allowed_origins: Vec<String>,
    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Vec<IpAddr>,
    /// Mark cookies `Secure` even without TLS here (behind a TLS-terminating proxy).
    pub cookie_secure: bool,
}

/// `[mail]`: outgoing email.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MailSettings {
    /// `outbox` (write `.eml` files) or `smtp`.
    pub transport: MailTransport,
    /// Where `outbox` writes; default `<data dir>/outbox`.
    pub outbox_dir: Option<PathBuf>,
    /// The `From` address.
    pub from: String,
    /// Base of the links in emails, e.g. `https://tickets.example.com`; default: this
    /// server's address.
    pub link_base_url: Option<String>,
    /// SMTP server host.
    pub smtp_host: String,
    /// SMTP server port.
    pub smtp_port: u16,
    /// `starttls`, `tls` (implicit TLS) or `none`.
    pub smtp_tls: SmtpTls,
    /// SMTP user name, if the server wants one.
    pub smtp_username: Option<String>,
    /// SMTP password.
    pub smtp_password: Option<Secret>,
    /// Longest an SMTP exchange may take.
    pub smtp_timeout_ms: u64,
    /// Messages waiting to be sent; beyond, new ones are dropped (and logged).
    pub queue_capacity: usize,
    /// Attempts per message before it is written to `<outbox>/failed`.
    pub send_attempts_max: u32,
    /// CPU priority (Unix nice value, 0..=19) of the threads that compose and send email:
    /// above 0 they yield the cores to bookings under a rush and catch up after it.
    pub worker_nice: u8,
}

impl Default for MailSettings {
    fn default() -> Self {
        Self {
            transport: MailTransport::Outbox,
            outbox_dir: None,
            from: "boxoffice <no-reply@boxoffice.localhost>".into(),
            link_base_url: None,
            smtp_host: "localhost".into(),
            smtp_port: 587,
            smtp_tls: SmtpTls::Starttls,
            smtp_username: None,
            smtp_password: None,
            smtp_timeout_ms: 10_000,
            queue_capacity: 1024,
            send_attempts_max: 3,
            worker_nice: 10,
        }
    }
}

/// How mail leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MailTransport {
    /// `.eml` files in the outbox directory.
    Outbox,
    /// An SMTP relay.
    Smtp,
}

/// TLS towards the SMTP relay.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain connection upgraded with STARTTLS (required).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No TLS (local relays and tests only).
    None,
}

/// `[tls]`: HTTPS served here.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsSettings {
    /// PEM certificate chain; with `key_file`, the server speaks HTTPS.
    pub cert_file: Option<PathBuf>,
    /// PEM private key.
    pub key_file: Option<PathBuf>,
    /// A plain-HTTP address that redirects every request to HTTPS.
    pub redirect_http_bind: Option<String>,
}

impl TlsSettings {
    /// Whether HTTPS is configured.
    #[must_use]
    pub fn enabled(&self) -> bool {
        self.cert_file.is_some() && self.key_file.is_some()
    }
}

fn out_of_range(key: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::OutOfRange { key, reason: reason.into() }
}

fn range(key: &'static str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(out_of_range(key, format!("{value} must be between {min} and {max}")))
    }
}

impl Settings {
    /// Checks `[accounts]`, `[security]`, `[mail]` and `[tls]`.
    ///
    /// # Errors
    /// The first value out of range, naming its key.
    pub fn validate_security(&self) -> Result<(), ConfigError> {
        const DAY_MS: u64 = 24 * 3_600_000;
        let a = &self.accounts;
        range("accounts.session_ttl_ms", a.session_ttl_ms, 60_000, 365 * DAY_MS)?;
        range("accounts.token_ttl_ms", a.token_ttl_ms, 60_000, 3_650 * DAY_MS)?;
        range("accounts.verification_ttl_ms", a.verification_ttl_ms, 60_000, 30 * DAY_MS)?;
        range("accounts.reset_ttl_ms", a.reset_ttl_ms, 60_000, DAY_MS)?;
        range("accounts.password_hash_memory_kib", a.password_hash_memory_kib.into(), 8, 1_048_576)?;
        range("accounts.password_hash_iterations", a.password_hash_iterations.into(), 1, 100)?;
        range("accounts.password_hashers_max", a.password_hashers_max as u64, 1, 256)?;
        range("accounts.rate_limit_window_ms", a.rate_limit_window_ms, 1_000, DAY_MS)?;
        range("accounts.login_per_ip_max", a.login_per_ip_max.into(), 1, 1_000_000)?;
        range("accounts.login_failures_per_account_max", a.login_failures_per_account_max.into(), 1, 1_000_000)?;
        range("accounts.reset_per_ip_max", a.reset_per_ip_max.into(), 1, 1_000_000)?;
        range("accounts.reset_per_account_max", a.reset_per_account_max.into(), 1, 1_000_000)?;
        range("accounts.token_cache_ttl_ms", a.token_cache_ttl_ms, 0, DAY_MS)?;
        if let Some(key) = &self.security.signing_key {
            crate::security::signing::parse_key(key.expose()).map_err(|e| out_of_range("security.signing_key", e))?;
        }
        for origin in &self.security.cors_allowed_origins {
            let ok = (origin.starts_with("http://") || origin.starts_with("https://")) && !origin.ends_with('/');
            if !ok || axum::http::HeaderValue::from_str(origin).is_err() {
                return Err(out_of_range(
                    "security.cors_allowed_origins",
                    format!("{origin:?} is not an origin like https://tickets.example.com"),
                ));
            }
        }
        self.validate_mail_and_tls()
    }

    fn validate_mail_and_tls(&self) -> Result<(), ConfigError> {
        let m = &self.mail;
        if m.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(out_of_range("mail.from", format!("{:?} is not a mailbox like Name <a@b.c>", m.from)));
        }
        if let Some(base) = &m.link_base_url
            && !(base.starts_with("http://") || base.starts_with("https://"))
        {
            return Err(out_of_range("mail.link_base_url", format!("{base:?} must start with http:// or https://")));
        }
        if m.transport == MailTransport::Smtp && m.smtp_host.trim().is_empty() {
            return Err(out_of_range("mail.smtp_host", "must be set when mail.transport = \"smtp\""));
        }
        range("mail.smtp_timeout_ms", m.smtp_timeout_ms, 100, 600_000)?;
        range("mail.queue_capacity", m.queue_capacity as u64, 1, 1_000_000)?;
        range("mail.send_attempts_max", m.send_attempts_max.into(), 1, 20)?;
        range("mail.worker_nice", m.worker_nice.into(), 0, 19)?;
        let t = &self.tls;
        if t.cert_file.is_some() != t.key_file.is_some() {
            return Err(out_of_range("tls.cert_file", "tls.cert_file and tls.key_file go together"));
        }
        if let Some(bind) = &t.redirect_http_bind {
            if bind.parse::<SocketAddr>().is_err() {
                return Err(out_of_range("tls.redirect_http_bind", format!("{bind:?} is not IP:PORT")));
            }
            if !t.enabled() {
                return Err(out_of_range("tls.redirect_http_bind", "needs tls.cert_file and tls.key_file"));
            }
        }
        Ok(())
    }
}
