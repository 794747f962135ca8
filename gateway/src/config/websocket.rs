//! `[websocket]`: limits and timings of the `/ws` endpoint (kiosks and live seat maps).
//! Documented in `docs/configuration.md` and `docs/websocket.md`.

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// `[websocket]`. Units are last in every name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WebSocketSettings {
    /// Most open WebSocket connections; one more is closed at once with `server_full`.
    pub connections_max: usize,
    /// Largest message (and frame) a client may send; larger ones get `message_too_large`
    /// and the connection is closed (1009).
    pub message_bytes_max: usize,
    /// Socket read buffer of a connection (small buffers keep idle connections cheap).
    pub read_buffer_bytes: usize,
    /// Answers queued for one client's writer before it counts as slow (changes wait in
    /// the showtime's broadcast channel, `engine.changes_channel_max`, instead).
    pub outbound_queue_messages: usize,
    /// Showtimes one connection may subscribe to at once.
    pub subscriptions_max: usize,
    /// Client messages per second allowed by the token bucket of a connection.
    pub rate_per_second: u32,
    /// Burst size of that bucket.
    pub rate_burst: u32,
    /// Messages refused for rate in a row before the connection is closed (1008 `flood`).
    pub rate_strikes_max: u32,
    /// Interval of server pings (the client's pongs keep the connection alive).
    pub ping_interval_ms: u64,
    /// A connection that sends nothing (not even a pong) for this long is closed.
    pub idle_timeout_ms: u64,
    /// Longest one batch of socket writes (and its flush) may take; a slower client is
    /// dropped.
    pub write_timeout_ms: u64,
    /// Longest an answer may wait for room in a client's queue before the client is closed
    /// as a slow consumer (4001).
    pub slow_consumer_ms: u64,
    /// Resynchronisations (a lagging client gets missed changes or a snapshot) allowed per
    /// minute; one more closes the client as a slow consumer.
    pub resyncs_per_minute_max: u32,
    /// Threads of the fan-out pool that writes to clients (0: one per CPU).
    pub fanout_threads: usize,
    /// CPU priority (Unix nice, 0..=19) of those threads: above 0 they give way to the
    /// request workers, so seat-map changes never slow the decisions they report.
    pub fanout_nice: u8,
}

impl Default for WebSocketSettings {
    fn default() -> Self {
        Self {
            connections_max: 20_000,
            message_bytes_max: 64 * 1024,
            read_buffer_bytes: 4 * 1024,
            outbound_queue_messages: 256,
            subscriptions_max: 16,
            rate_per_second: 20,
            rate_burst: 40,
            rate_strikes_max: 40,
            ping_interval_ms: 20_000,
            idle_timeout_ms: 60_000,
            write_timeout_ms: 10_000,
            slow_consumer_ms: 5_000,
            resyncs_per_minute_max: 6,
            fanout_threads: 0,
            fanout_nice: 5,
        }
    }
}

impl WebSocketSettings {
    /// Checks every range.
    ///
    /// # Errors
    /// The first value out of range, naming its key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        range("websocket.connections_max", self.connections_max as u64, 1, 1_000_000)?;
        range("websocket.message_bytes_max", self.message_bytes_max as u64, 1_024, 16 * 1024 * 1024)?;
        range("websocket.read_buffer_bytes", self.read_buffer_bytes as u64, 512, 1024 * 1024)?;
        range("websocket.outbound_queue_messages", self.outbound_queue_messages as u64, 1, 65_536)?;
        range("websocket.subscriptions_max", self.subscriptions_max as u64, 1, 1_000)?;
        range("websocket.rate_per_second", u64::from(self.rate_per_second), 1, 100_000)?;
        range("websocket.rate_burst", u64::from(self.rate_burst), 1, 100_000)?;
        range("websocket.rate_strikes_max", u64::from(self.rate_strikes_max), 1, 1_000_000)?;
        range("websocket.ping_interval_ms", self.ping_interval_ms, 100, 3_600_000)?;
        range("websocket.idle_timeout_ms", self.idle_timeout_ms, 200, 24 * 3_600_000)?;
        range("websocket.write_timeout_ms", self.write_timeout_ms, 10, 600_000)?;
        range("websocket.slow_consumer_ms", self.slow_consumer_ms, 10, 600_000)?;
        range("websocket.resyncs_per_minute_max", u64::from(self.resyncs_per_minute_max), 1, 10_000)?;
        range("websocket.fanout_threads", self.fanout_threads as u64, 0, 1_024)?;
        range("websocket.fanout_nice", u64::from(self.fanout_nice), 0, 19)?;
        if self.idle_timeout_ms <= self.ping_interval_ms {
            return Err(ConfigError::OutOfRange {
                key: "websocket.idle_timeout_ms",
                reason: format!(
                    "{} must be longer than websocket.ping_interval_ms ({})",
                    self.idle_timeout_ms, self.ping_interval_ms
                ),
            });
        }
        Ok(())
    }
}

fn range(key: &'static str, value: u64, min: u64, max: u64) -> Result<(), ConfigError> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(ConfigError::OutOfRange { key, reason: format!("{value} must be between {min} and {max}") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_ranges_name_the_key() {
        WebSocketSettings::default().validate().expect("defaults validate");
        let bad = WebSocketSettings { message_bytes_max: 10, ..WebSocketSettings::default() };
        assert!(bad.validate().expect_err("too small").to_string().contains("websocket.message_bytes_max"));
        let bad = WebSocketSettings { idle_timeout_ms: 1_000, ping_interval_ms: 5_000, ..WebSocketSettings::default() };
        assert!(bad.validate().expect_err("idle").to_string().contains("websocket.idle_timeout_ms"));
        let bad = WebSocketSettings { fanout_nice: 20, ..WebSocketSettings::default() };
        assert!(bad.validate().expect_err("nice").to_string().contains("websocket.fanout_nice"));
    }
}
