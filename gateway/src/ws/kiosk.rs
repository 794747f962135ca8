//! Kiosk identities: a kiosk device (a staff token naming a device, `{"type":"auth",
//! "kiosk":"lobby-1"}`) holds and buys as its own customer record, so its holds, bookings
//! and card-terminal ledger are kept apart from every other kiosk's. The record's id is
//! derived from the device name (the same kiosk always gets the same record); it is created
//! on first use, with no wallet credit and a token nobody knows.

use boxoffice_storage::{Customer, CustomerId, StorageError};
use sha2::{Digest, Sha256};

use super::Hub;
use super::reply::Failure;
use crate::state::AppState;

/// Longest kiosk device name.
pub const KIOSK_NAME_LEN_MAX: usize = 40;
/// The device name of a staff token that names none.
pub const DEFAULT_KIOSK: &str = "staff";

/// Checks a device name: 1 to 40 letters, digits, `-` or `_`.
///
/// # Errors
/// `invalid_message` naming the rule.
pub fn check_name(name: &str) -> Result<(), Failure> {
    let ok_chars = name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if !name.is_empty() && name.len() <= KIOSK_NAME_LEN_MAX && ok_chars {
        Ok(())
    } else {
        Err(Failure::protocol("invalid_message", "`kiosk`: 1 to 40 letters, digits, `-` or `_`"))
    }
}

/// The customer id of a kiosk, derived from its name.
#[must_use]
pub fn customer_id(name: &str) -> CustomerId {
    let digest = Sha256::digest(format!("boxoffice kiosk {name}").as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    CustomerId::from_uuid(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// The kiosk's customer record, created on first use.
///
/// # Errors
/// `storage_unavailable` when storage fails.
pub async fn customer(state: &AppState, hub: &Hub, name: &str) -> Result<CustomerId, Failure> {
    if let Some(id) = hub.kiosks.get(name) {
        return Ok(*id);
    }
    let id = customer_id(name);
    let storage = state.storage.as_ref();
    let unavailable = |e: StorageError| Failure::Engine(e.into());
    if storage.customer(id).await.map_err(unavailable)?.is_none() {
        let record = Customer {
            id,
            name: format!("Kiosk {name}"),
            email: format!("kiosk-{}@kiosk.invalid", id.as_uuid().simple()),
            created_at: state.clock.now(),
        };
        let secret = crate::auth::token_sha256(&crate::auth::generate_token());
        match storage.insert_customer(&record, &secret).await {
            Ok(()) | Err(StorageError::Duplicate(_)) => {}
            Err(e) => return Err(unavailable(e)),
        }
    }
    if hub.kiosks.len() < KIOSKS_CACHED_MAX {
        hub.kiosks.insert(name.to_owned(), id);
    }
    Ok(id)
}

/// Kiosk ids kept in memory.
const KIOSKS_CACHED_MAX: usize = 10_000;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_ids_are_stable() {
        assert!(check_name("lobby-1").is_ok());
        assert!(check_name("").is_err() && check_name("a b").is_err() && check_name(&"x".repeat(41)).is_err());
        assert_eq!(customer_id("lobby-1"), customer_id("lobby-1"));
        assert_ne!(customer_id("lobby-1"), customer_id("lobby-2"));
    }
}
