//! Range checks of every setting, each error naming its dotted key.

use super::{ConfigError, Settings};

impl Settings {
    /// Checks every range.
    ///
    /// # Errors
    /// The first value out of range, naming its key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        self.bind_address()?;
        self.storage.location()?;
        range("storage.sqlite_cache_mib", self.storage.sqlite_cache_mib, 1, 65_536)?;
        let s = &self.server;
        range("server.request_timeout_ms", s.request_timeout_ms, 100, 600_000)?;
        range("server.body_limit_bytes", s.body_limit_bytes as u64, 1_024, 16 * 1024 * 1024)?;
        range("server.shutdown_grace_ms", s.shutdown_grace_ms, 0, 600_000)?;
        range("server.idempotency_ttl_ms", s.idempotency_ttl_ms, 60_000, 30 * 24 * 60 * 60 * 1000)?;
        range("catalog.cleaning_buffer_minutes", u64::from(self.catalog.cleaning_buffer_minutes), 0, 240)?;
        let credit = self.wallet.starting_credit_minor;
        if !(0..=1_000_000_000).contains(&credit) {
            return Err(out_of_range("wallet.starting_credit_minor", format!("{credit} must be 0 to 1000000000")));
        }
        self.validate_engine()?;
        self.validate_security()?;
        self.websocket.validate()?;
        self.site.validate()?;
        self.cluster.validate()?;
        if let Some(token) = &self.auth.admin_token {
            check_admin_token(token.expose()).map_err(|reason| out_of_range("auth.admin_token", reason))?;
        }
        Ok(())
    }

    fn validate_engine(&self) -> Result<(), ConfigError> {
        let e = &self.engine;
        range("engine.hold_ttl_ms", e.hold_ttl_ms, 1_000, 24 * 3_600_000)?;
        range("engine.hold_seats_max", u64::from(e.hold_seats_max), 1, 100)?;
        range("engine.payment_pending_max_ms", e.payment_pending_max_ms, 100, 600_000)?;
        range("engine.cancellation_cutoff_ms", e.cancellation_cutoff_ms, 0, 30 * 24 * 3_600_000)?;
        range("engine.mailbox_capacity", e.mailbox_capacity as u64, 1, 1_000_000)?;
        range("engine.batch_entries_max", e.batch_entries_max as u64, 1, 100_000)?;
        range("engine.idle_stop_ms", e.idle_stop_ms, 1_000, 7 * 24 * 3_600_000)?;
        range("engine.actors_max", e.actors_max as u64, 1, 1_000_000)?;
        range("engine.arbiters", e.arbiters as u64, 1, 256)?;
        range("engine.request_timeout_ms", e.request_timeout_ms, 10, 600_000)?;
        range("engine.changes_ring_max", e.changes_ring_max as u64, 1, 1_000_000)?;
        range("engine.changes_channel_max", e.changes_channel_max as u64, 1, 1_000_000)?;
        range("engine.settle_every_ms", e.settle_every_ms, 100, 24 * 3_600_000)?;
        range("engine.recent_bookings_max", e.recent_bookings_max as u64, 0, 1_000_000)?;
        let settle_min = e.payment_pending_max_ms.saturating_add(e.request_timeout_ms);
        range("engine.settle_after_ms", e.settle_after_ms, settle_min, 7 * 24 * 3_600_000)
    }
}

/// Checks a staff token: 16 to 200 printable ASCII characters without spaces.
///
/// # Errors
/// Why the token is refused.
pub fn check_admin_token(token: &str) -> Result<(), String> {
    let ok_chars = token.bytes().all(|b| b.is_ascii_graphic());
    if (16..=200).contains(&token.len()) && ok_chars {
        Ok(())
    } else {
        Err("must be 16 to 200 printable ASCII characters without spaces".into())
    }
}

pub(super) fn out_of_range(key: &'static str, reason: impl Into<String>) -> ConfigError {
    ConfigError::OutOfRange { key, reason: reason.into() }
}

fn range(key: &'static str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(out_of_range(key, format!("{value} must be between {min} and {max}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    #[test]
    fn ranges_are_checked() {
        let mut settings = Settings::default();
        settings.server.body_limit_bytes = 10;
        let err = settings.validate().expect_err("too small").to_string();
        assert!(err.contains("server.body_limit_bytes"), "{err}");
        let mut settings = Settings::default();
        settings.storage.sqlite_cache_mib = 0;
        let err = settings.validate().expect_err("no cache").to_string();
        assert!(err.contains("storage.sqlite_cache_mib") && err.contains("between 1 and 65536"), "{err}");
        let mut settings = Settings::default();
        settings.auth.admin_token = Some(Secret::new("short"));
        assert!(settings.validate().expect_err("short").to_string().contains("auth.admin_token"));
        assert_eq!(format!("{:?}", Secret::new("hunter2")), "Secret(***)");
    }
}
