//! Passwords: the policy (10 to 128 characters, not on the built-in list of common
//! passwords, not the email or username) and argon2id hashing.
//!
//! Hashing costs tens of milliseconds of CPU, so it runs on blocking threads, at most
//! `accounts.password_hashers_max` at once; it never runs on the request path of bookings.
//! Verifying against an unknown account still hashes once (against a dummy hash) so that a
//! wrong email and a wrong password take the same time.

use boxoffice_storage::{FieldError, Reason};
use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

use crate::config::AccountSettings;
use crate::error::ApiError;

/// Shortest password accepted.
pub const PASSWORD_LEN_MIN: usize = 10;
/// Longest password accepted (bounds the hashing work).
pub const PASSWORD_LEN_MAX: usize = 128;

const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

fn common_passwords() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_PASSWORDS.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect()
    })
}

/// Whether a password is on the built-in list (compared lower-cased, and also with
/// trailing digits and punctuation removed, so `Password2024!` counts as `password`).
#[must_use]
pub fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    let set = common_passwords();
    set.contains(lower.as_str()) || (!stem.is_empty() && set.contains(stem))
}

/// Checks a new password against the policy; `field` names it in the 422.
///
/// # Errors
/// 422 `validation_failed` naming `field`, saying what is wrong.
pub fn check_policy(field: &'static str, password: &str, personal: &[&str]) -> Result<(), ApiError> {
    let length = password.chars().count();
    if length < PASSWORD_LEN_MIN {
        return Err(FieldError::new(
            field,
            Reason::PasswordTooShort,
            format!("must be at least {PASSWORD_LEN_MIN} characters"),
        )
        .param("min", PASSWORD_LEN_MIN)
        .into());
    }
    if length > PASSWORD_LEN_MAX {
        return Err(FieldError::new(
            field,
            Reason::PasswordTooLong,
            format!("must be at most {PASSWORD_LEN_MAX} characters"),
        )
        .param("max", PASSWORD_LEN_MAX)
        .into());
    }
    if is_common(password) {
        return Err(ApiError::invalid(
            field,
            Reason::PasswordTooCommon,
            "is too common; choose a less guessable password",
        ));
    }
    let lower = password.to_lowercase();
    let distinct: HashSet<char> = lower.chars().collect();
    if distinct.len() < 4 {
        return Err(ApiError::invalid(field, Reason::PasswordTooSimple, "uses too few different characters"));
    }
    if personal.iter().map(|p| p.trim().to_lowercase()).any(|p| p.chars().count() >= 4 && lower.contains(&p)) {
        return Err(ApiError::invalid(
            field,
            Reason::PasswordPersonal,
            "must not contain your email, username or name",
        ));
    }
    Ok(())
}

/// Hashes and verifies passwords with argon2id on a bounded set of blocking threads.
#[derive(Clone)]
pub struct Passwords {
    argon2: Argon2<'static>,
    permits: Arc<Semaphore>,
    dummy: Arc<String>,
}

impl std::fmt::Debug for Passwords {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Passwords").field("permits", &self.permits.available_permits()).finish_non_exhaustive()
    }
}

impl Passwords {
    /// A hasher with the configured cost.
    ///
    /// # Errors
    /// Parameters argon2 refuses.
    pub fn new(settings: &AccountSettings) -> Result<Self, String> {
        let params = Params::new(settings.password_hash_memory_kib, settings.password_hash_iterations, 1, None)
            .map_err(|e| format!("argon2 parameters: {e}"))?;
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = SaltString::generate(&mut OsRng);
        let dummy = argon2
            .hash_password(b"not a real password, only for timing", &salt)
            .map_err(|e| format!("argon2: {e}"))?
            .to_string();
        Ok(Self {
            argon2,
            permits: Arc::new(Semaphore::new(settings.password_hashers_max.max(1))),
            dummy: Arc::new(dummy),
        })
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Argon2<'static>) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let _permit = self.permits.acquire().await.map_err(|_| ApiError::internal("password hasher closed"))?;
        let argon2 = self.argon2.clone();
        tokio::task::spawn_blocking(move || work(&argon2))
            .await
            .map_err(|e| ApiError::internal(format!("password hashing task: {e}")))
    }

    /// The PHC string of `password` with a fresh salt.
    ///
    /// # Errors
    /// 503 if hashing fails.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move |argon2| {
            let salt = SaltString::generate(&mut OsRng);
            argon2.hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
        })
        .await?
        .map_err(|e| ApiError::internal(format!("argon2: {e}")))
    }

    /// Whether `password` matches `phc` (parameters are read from the hash). With no hash,
    /// a dummy one is checked so the time taken does not tell whether the account exists.
    ///
    /// # Errors
    /// 503 if the hashing task fails.
    pub async fn verify(&self, password: String, phc: Option<String>) -> Result<bool, ApiError> {
        let (phc, real) = match phc {
            Some(phc) => (phc, true),
            None => (self.dummy.as_ref().clone(), false),
        };
        let matches = self
            .run(move |argon2| {
                PasswordHash::new(&phc).is_ok_and(|parsed| argon2.verify_password(password.as_bytes(), &parsed).is_ok())
            })
            .await?;
        Ok(real && matches)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_policy_refuses_short_common_and_personal_passwords() {
        assert!(check_policy("password", "short", &[]).is_err());
        for common in ["password1234", "Azertyuiop", "motdepasse2024!", "1234567890", "qwertyuiop123"] {
            let err = check_policy("password", common, &[]).expect_err(common);
            assert!(err.problem().detail.contains("common"), "{common}: {}", err.problem().detail);
        }
        assert!(check_policy("password", "aaaaaaaaaaaa", &[]).is_err());
        assert!(check_policy("password", "ada-lovelace-1815", &["ada-lovelace"]).is_err());
        check_policy("password", "correct horse battery staple", &["ada@example.com"]).expect("fine");
        assert!(check_policy("password", &"x1y2".repeat(40), &[]).is_err(), "too long");
    }

    #[tokio::test]
    async fn hashes_verify_and_unknown_accounts_never_match() {
        let settings =
            AccountSettings { password_hash_memory_kib: 64, password_hash_iterations: 1, ..AccountSettings::default() };
        let passwords = Passwords::new(&settings).expect("params");
        let hash = passwords.hash("correct horse battery".into()).await.expect("hash");
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(passwords.verify("correct horse battery".into(), Some(hash.clone())).await.expect("verify"));
        assert!(!passwords.verify("wrong horse battery".into(), Some(hash)).await.expect("verify"));
        assert!(!passwords.verify("correct horse battery".into(), None).await.expect("dummy"));
        assert!(!passwords.verify("x".into(), Some("not a hash".into())).await.expect("garbage"));
    }
}
