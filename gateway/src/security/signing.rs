//! The signing key (HMAC-SHA256) and the signed, expiring link tokens it makes for email
//! verification and password reset.
//!
//! The key is `security.signing_key` (64 hex characters) or, when unset, 32 random bytes
//! generated on the first start into `<data dir>/signing-key` with mode 0600 and reused.
//!
//! A link token is `base64url(claims) "." base64url(HMAC(key, claims))` where the claims
//! are `purpose|account|expires_ms|nonce|binding`. The signature and expiry are checked
//! here; single use is checked by consuming the nonce in storage, and the binding (a hash
//! of the email or of the password hash) makes a token die when what it was issued for
//! changes.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use boxoffice_storage::{AccountId, Timestamp};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::auth::hex;
use crate::config::Secret;

/// File name of the generated key inside the data directory.
pub const SIGNING_KEY_FILE: &str = "signing-key";
/// Longest link token accepted.
pub const LINK_TOKEN_LEN_MAX: usize = 512;

type HmacSha256 = Hmac<Sha256>;

/// What a link token is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Verify the account's email (or its pending new email).
    VerifyEmail,
    /// Set a new password.
    ResetPassword,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify",
            Purpose::ResetPassword => "reset",
        }
    }
}

/// The verified content of a link token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkClaims {
    /// Whose.
    pub account: AccountId,
    /// Until when.
    pub expires_at: Timestamp,
    /// The single-use id (consumed in storage).
    pub nonce: String,
    /// What the token is bound to (see [`binding`]).
    pub binding: String,
}

/// Why a link token is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum LinkError {
    /// Not a token of ours, or tampered with, or for another purpose.
    #[error("the link is invalid")]
    Invalid,
    /// Past its expiry.
    #[error("the link has expired")]
    Expired,
}

/// The HMAC key.
#[derive(Clone)]
pub struct SigningKey([u8; 32]);

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningKey(***)")
    }
}

/// Parses 64 hex characters.
///
/// # Errors
/// Why the text is not a key.
pub fn parse_key(text: &str) -> Result<[u8; 32], String> {
    let text = text.trim();
    if text.len() != 64 || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("must be 64 hexadecimal characters (32 bytes)".into());
    }
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    Ok(key)
}

/// A short hash of what a token is bound to (an email, a password hash).
#[must_use]
pub fn binding(value: &str) -> String {
    hex(&Sha256::digest(value.as_bytes())[..12])
}

impl SigningKey {
    /// A key from raw bytes.
    #[must_use]
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The configured key, or the one in `<data dir>/signing-key` (generated if missing).
    ///
    /// # Errors
    /// An unreadable or malformed key file, or a data directory that cannot be written.
    pub fn load(configured: Option<&Secret>, data_dir: &Path) -> Result<(Self, Option<PathBuf>), String> {
        if let Some(key) = configured {
            return Ok((Self(parse_key(key.expose())?), None));
        }
        let path = data_dir.join(SIGNING_KEY_FILE);
        let describe = |e: io::Error| format!("signing key file {}: {e}", path.display());
        match fs::read_to_string(&path) {
            Ok(text) => {
                let key = parse_key(&text).map_err(|e| format!("signing key file {}: {e}", path.display()))?;
                crate::admin_token::restrict_permissions(&path).map_err(describe)?;
                Ok((Self(key), Some(path)))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir_all(data_dir).map_err(describe)?;
                let mut key = [0u8; 32];
                rand::rng().fill_bytes(&mut key);
                write_private(&path, &hex(&key)).map_err(describe)?;
                tracing::info!(path = %path.display(), "generated the signing key");
                Ok((Self(key), Some(path)))
            }
            Err(e) => Err(describe(e)),
        }
    }

    fn mac(&self, data: &[u8]) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail.
        let mut mac = <HmacSha256 as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(data);
        mac
    }

    /// HMAC-SHA256 of `data`.
    #[must_use]
    pub fn sign(&self, data: &[u8]) -> [u8; 32] {
        self.mac(data).finalize().into_bytes().into()
    }

    /// A link token for `account`, valid until `expires_at`, bound to `binding`.
    #[must_use]
    pub fn link_token(&self, purpose: Purpose, account: AccountId, expires_at: Timestamp, binding: &str) -> String {
        let mut nonce = [0u8; 16];
        rand::rng().fill_bytes(&mut nonce);
        let claims = format!("{}|{account}|{}|{}|{binding}", purpose.as_str(), expires_at.as_millis(), hex(&nonce));
        let signature = self.sign(claims.as_bytes());
        format!("{}.{}", URL_SAFE_NO_PAD.encode(claims), URL_SAFE_NO_PAD.encode(signature))
    }

    /// Checks a link token's signature, purpose and expiry.
    ///
    /// # Errors
    /// [`LinkError::Invalid`] or [`LinkError::Expired`].
    pub fn verify_link(&self, token: &str, purpose: Purpose, now: Timestamp) -> Result<LinkClaims, LinkError> {
        if token.len() > LINK_TOKEN_LEN_MAX {
            return Err(LinkError::Invalid);
        }
        let (claims, signature) = token.split_once('.').ok_or(LinkError::Invalid)?;
        let claims = URL_SAFE_NO_PAD.decode(claims).map_err(|_| LinkError::Invalid)?;
        let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| LinkError::Invalid)?;
        self.mac(&claims).verify_slice(&signature).map_err(|_| LinkError::Invalid)?;
        let claims = String::from_utf8(claims).map_err(|_| LinkError::Invalid)?;
        let fields: Vec<&str> = claims.split('|').collect();
        let [kind, account, expires, nonce, binding] = fields.as_slice() else {
            return Err(LinkError::Invalid);
        };
        if *kind != purpose.as_str() {
            return Err(LinkError::Invalid);
        }
        let account = account.parse().map_err(|_| LinkError::Invalid)?;
        let expires_at = Timestamp::from_millis(expires.parse().map_err(|_| LinkError::Invalid)?);
        if expires_at <= now {
            return Err(LinkError::Expired);
        }
        Ok(LinkClaims { account, expires_at, nonce: (*nonce).to_owned(), binding: (*binding).to_owned() })
    }
}

fn write_private(path: &Path, text: &str) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(text.as_bytes())?;
    file.write_all(b"\n")?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_tokens_are_signed_expiring_and_purpose_bound() {
        let key = SigningKey::from_bytes([7; 32]);
        let who = AccountId::new();
        let now = Timestamp::from_millis(1_000_000);
        let token = key.link_token(Purpose::VerifyEmail, who, now.plus_millis(60_000), "bind");
        let claims = key.verify_link(&token, Purpose::VerifyEmail, now).expect("valid");
        assert_eq!((claims.account, claims.binding.as_str()), (who, "bind"));
        assert_eq!(key.verify_link(&token, Purpose::ResetPassword, now), Err(LinkError::Invalid));
        assert_eq!(key.verify_link(&token, Purpose::VerifyEmail, now.plus_millis(60_000)), Err(LinkError::Expired));
        let other = SigningKey::from_bytes([8; 32]);
        assert_eq!(other.verify_link(&token, Purpose::VerifyEmail, now), Err(LinkError::Invalid));
        let mut tampered = token.clone();
        tampered.replace_range(0..1, if token.starts_with('d') { "e" } else { "d" });
        assert_eq!(key.verify_link(&tampered, Purpose::VerifyEmail, now), Err(LinkError::Invalid));
        assert_eq!(key.verify_link("garbage", Purpose::VerifyEmail, now), Err(LinkError::Invalid));
    }

    #[test]
    fn key_file_is_generated_private_and_reused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (first, path) = SigningKey::load(None, dir.path()).expect("generated");
        let (second, _) = SigningKey::load(None, dir.path()).expect("reused");
        assert_eq!(first.0, second.0);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(path.expect("file")).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(parse_key("zz").is_err());
        assert_eq!(parse_key(&"ab".repeat(32)).expect("hex"), [0xab; 32]);
    }
}
