//! Second factor: TOTP (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps, one step of clock skew)
//! and single-use recovery codes.
//!
//! A code is accepted once: the last accepted time step of each account is remembered (in
//! memory) and a code for that step or an earlier one is refused, so an observed code
//! cannot be replayed within its 90 seconds of validity.

use boxoffice_storage::AccountId;
use dashmap::DashMap;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use totp_rs::{Algorithm, Secret, TOTP};

/// Issuer shown by authenticator apps.
pub const ISSUER: &str = "boxoffice";
/// Seconds per step.
pub const STEP_S: u64 = 30;
/// Recovery codes issued at a time.
pub const RECOVERY_CODES: usize = 10;

/// A fresh 160-bit secret, base32.
#[must_use]
pub fn new_secret() -> String {
    let mut bytes = vec![0u8; 20];
    rand::rng().fill_bytes(&mut bytes);
    Secret::Raw(bytes).to_encoded().to_string()
}

fn totp(secret_base32: &str, account_name: &str) -> Result<TOTP, String> {
    let bytes = Secret::Encoded(secret_base32.to_owned()).to_bytes().map_err(|e| format!("totp secret: {e}"))?;
    let name = account_name.replace(':', "_");
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_S, bytes, Some(ISSUER.to_owned()), name).map_err(|e| format!("totp: {e}"))
}

/// The `otpauth://` URI authenticator apps scan.
///
/// # Errors
/// A malformed secret.
pub fn otpauth_uri(secret_base32: &str, account_name: &str) -> Result<String, String> {
    Ok(totp(secret_base32, account_name)?.get_url())
}

/// The code of `secret` at `unix_s` (tests and tools).
///
/// # Errors
/// A malformed secret.
pub fn code_at(secret_base32: &str, unix_s: u64) -> Result<String, String> {
    Ok(totp(secret_base32, "x")?.generate(unix_s))
}

/// Codes already accepted, per account: the last time step used.
#[derive(Debug, Default)]
pub struct ReplayGuard(DashMap<AccountId, u64>);

impl ReplayGuard {
    /// Checks `code` for `secret` at `unix_s` (± one step) and, if valid and not replayed,
    /// remembers its step.
    #[must_use]
    pub fn accept(&self, account: AccountId, secret_base32: &str, code: &str, unix_s: u64) -> bool {
        let code = code.trim().replace(' ', "");
        let Ok(totp) = totp(secret_base32, "x") else { return false };
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
        let now_step = unix_s / STEP_S;
        let matched = [now_step.saturating_sub(1), now_step, now_step + 1]
            .into_iter()
            .find(|step| bool::from(totp.generate(step * STEP_S).as_bytes().ct_eq(code.as_bytes())));
        let Some(step) = matched else { return false };
        let mut last = self.0.entry(account).or_insert(0);
        if step <= *last {
            return false;
        }
        *last = step;
        true
    }
}

/// Fresh recovery codes (`xxxxx-xxxxx`, lower-case base32) shown once.
#[must_use]
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; 8];
            rand::rng().fill_bytes(&mut bytes);
            let text = Secret::Raw(bytes.to_vec()).to_encoded().to_string().to_lowercase();
            format!("{}-{}", &text[..5], &text[5..10])
        })
        .collect()
}

/// The stored hash of a recovery code (case, spaces and dashes ignored).
#[must_use]
pub fn recovery_code_hash(code: &str) -> [u8; 32] {
    let normal: String = code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect();
    Sha256::digest(normal.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", 8 digits there; the
        // last 6 digits are ours.
        let secret = Secret::Raw(b"12345678901234567890".to_vec()).to_encoded().to_string();
        for (time, code) in [(59, "287082"), (1_111_111_109, "081804"), (1_234_567_890, "005924")] {
            assert_eq!(code_at(&secret, time).expect("code"), code, "t = {time}");
        }
    }

    #[test]
    fn codes_are_accepted_once_within_the_skew() {
        let secret = new_secret();
        let guard = ReplayGuard::default();
        let who = AccountId::new();
        let now = 1_700_000_000;
        let code = code_at(&secret, now).expect("code");
        assert!(!guard.accept(who, &secret, "000000x", now));
        assert!(guard.accept(who, &secret, &code, now + 20), "within one step of skew");
        assert!(!guard.accept(who, &secret, &code, now + 20), "replay refused");
        let next = code_at(&secret, now + 30).expect("code");
        assert!(guard.accept(who, &secret, &next, now + 30));
        let old = code_at(&secret, now - 300).expect("code");
        assert!(!guard.accept(AccountId::new(), &secret, &old, now), "too old");
        assert!(otpauth_uri(&secret, "ada@example.com").expect("uri").starts_with("otpauth://totp/boxoffice:"));
    }

    #[test]
    fn recovery_codes_hash_loosely() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert_eq!(recovery_code_hash(&codes[0]), recovery_code_hash(&codes[0].to_uppercase().replace('-', " ")));
    }
}
