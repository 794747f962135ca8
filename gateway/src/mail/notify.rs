//! Booking emails, sent after the engine answered. A route hands the booking to a bounded
//! queue and returns at once ([`Notices::booking_confirmed`] and friends never wait); one
//! worker task gathers the film, showtime and auditorium (cached per showtime for a minute,
//! so a rush on one showtime costs one lookup, not one per booking), finds the customer's
//! account (walk-ins and kiosks have none: no email) and queues the message on the
//! [`Mailer`]. A single worker keeps email work from competing with bookings for the
//! storage read pool; a full queue drops the notice, logged and counted.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use boxoffice_storage::{AccountId, Accounts, Booking, CancelReason, ShowtimeId, Storage, Timestamp};
use tokio::sync::mpsc;

use super::Mailer;
use super::messages::{BookingDetails, Recipient, booking_message};
use super::templates::Template;
use crate::state::AppState;

/// How long the film, start and auditorium of a showtime are reused for emails.
const DETAILS_TTL: Duration = Duration::from_secs(60);
/// Most showtimes whose details are cached; the cache is cleared when it is full.
const DETAILS_CACHED_MAX: usize = 1024;

/// One email to prepare.
enum Notice {
    Booking(Template, Box<Booking>),
    ShowtimeCancelled(ShowtimeId),
}

/// The queue of booking emails to prepare; cheap to clone.
#[derive(Clone, Debug)]
pub struct Notices {
    queue: mpsc::Sender<Notice>,
    dropped: Arc<DropLog>,
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notice")
    }
}

impl Notices {
    /// Starts the worker; `capacity` bounds the queue.
    #[must_use]
    pub fn start(
        storage: Arc<dyn Storage>,
        accounts: Arc<dyn Accounts>,
        mailer: Mailer,
        from: String,
        capacity: usize,
    ) -> Self {
        let (queue, receiver) = mpsc::channel(capacity.max(1));
        let worker = Worker { storage, accounts, mailer, from, cache: HashMap::new() };
        tokio::spawn(worker.run(receiver));
        Self { queue, dropped: Arc::default() }
    }

    fn push(&self, notice: Notice) {
        if self.queue.try_send(notice).is_err() {
            metrics::counter!("boxoffice_mail_dropped_total", "kind" => "booking_notice").increment(1);
            // One line a second at most: under a rush every booking would log one.
            if let Some(dropped) = self.dropped.record() {
                tracing::error!(dropped, "booking email queue full (or stopped); notices dropped");
            }
        }
    }
}

/// Counts dropped notices and says when to log them: at most once per second.
#[derive(Debug, Default)]
struct DropLog {
    /// Drops not yet logged.
    pending: AtomicU64,
    /// When the last line was logged, in milliseconds since `epoch`.
    logged_at_ms: AtomicU64,
    epoch: OnceLock<Instant>,
}

impl DropLog {
    /// Counts one drop; `Some(n)` when a line is due now, with the drops it covers.
    fn record(&self) -> Option<u64> {
        self.pending.fetch_add(1, Ordering::Relaxed);
        let epoch = *self.epoch.get_or_init(Instant::now);
        let now_ms = u64::try_from(epoch.elapsed().as_millis()).unwrap_or(u64::MAX).saturating_add(1_000);
        let last = self.logged_at_ms.load(Ordering::Relaxed);
        if now_ms.saturating_sub(last) < 1_000 {
            return None;
        }
        self.logged_at_ms.compare_exchange(last, now_ms, Ordering::Relaxed, Ordering::Relaxed).ok()?;
        Some(self.pending.swap(0, Ordering::Relaxed))
    }
}

/// Sends the confirmation of a booking (with its reference and QR code), in the background.
pub fn booking_confirmed(state: &AppState, booking: &Booking) {
    state.notices.push(Notice::Booking(Template::BookingConfirmed, Box::new(booking.clone())));
}

/// Sends the cancellation and refund notice of a booking, in the background.
pub fn booking_cancelled(state: &AppState, booking: &Booking) {
    state.notices.push(Notice::Booking(Template::BookingCancelled, Box::new(booking.clone())));
}

/// Tells every customer whose booking the cinema cancelled with the showtime, in the
/// background.
pub fn showtime_cancelled(state: &AppState, showtime: ShowtimeId) {
    state.notices.push(Notice::ShowtimeCancelled(showtime));
}

/// Film title, start and auditorium name of a showtime.
#[derive(Clone)]
struct ShowtimeLine {
    film: String,
    starts_at: Timestamp,
    auditorium: String,
}

struct Worker {
    storage: Arc<dyn Storage>,
    accounts: Arc<dyn Accounts>,
    mailer: Mailer,
    from: String,
    cache: HashMap<ShowtimeId, (Instant, ShowtimeLine)>,
}

impl Worker {
    async fn run(mut self, mut receiver: mpsc::Receiver<Notice>) {
        while let Some(notice) = receiver.recv().await {
            match notice {
                Notice::Booking(template, booking) => self.send(template, &booking).await,
                Notice::ShowtimeCancelled(showtime) => self.showtime_cancelled(showtime).await,
            }
        }
    }

    async fn showtime_cancelled(&mut self, showtime: ShowtimeId) {
        let bookings = match self.storage.bookings_of_showtime(showtime).await {
            Ok(bookings) => bookings,
            Err(error) => {
                tracing::error!(%error, showtime_id = %showtime, "showtime cancellation emails not sent");
                return;
            }
        };
        self.cache.remove(&showtime);
        for booking in bookings.iter().filter(|b| b.cancel_reason == Some(CancelReason::ShowtimeCancelled)) {
            self.send(Template::ShowtimeCancelled, booking).await;
        }
    }

    async fn send(&mut self, template: Template, booking: &Booking) {
        let Some(to) = self.recipient(booking).await else { return };
        let Some(line) = self.showtime_line(booking.record.showtime_id).await else { return };
        let details = BookingDetails {
            film: line.film,
            starts_at: line.starts_at,
            auditorium: line.auditorium,
            booking: booking.clone(),
        };
        match booking_message(&self.from, &to, template, &details) {
            Ok(message) => self.mailer.send(message),
            Err(error) => tracing::error!(%error, booking_id = %booking.record.id, "booking email not built"),
        }
    }

    /// The customer's recipient details, if the booking belongs to an account with an email.
    async fn recipient(&self, booking: &Booking) -> Option<Recipient> {
        let account = AccountId::from_uuid(booking.record.customer_id.as_uuid());
        let account = self.accounts.account(account).await.ok().flatten()?;
        Some(Recipient { email: account.email?, first_name: account.first_name, language: account.language })
    }

    async fn showtime_line(&mut self, id: ShowtimeId) -> Option<ShowtimeLine> {
        if let Some((at, line)) = self.cache.get(&id)
            && at.elapsed() < DETAILS_TTL
        {
            return Some(line.clone());
        }
        let showtime = self.storage.showtime(id).await.ok().flatten()?;
        let film = self.storage.film(showtime.details.film_id).await.ok().flatten();
        let auditorium = self.storage.auditorium(showtime.details.auditorium_id).await.ok().flatten();
        let line = ShowtimeLine {
            film: film.map_or_else(|| "?".to_owned(), |f| f.details.title),
            starts_at: showtime.details.starts_at,
            auditorium: auditorium.map_or_else(|| "?".to_owned(), |a| a.details.name),
        };
        if self.cache.len() >= DETAILS_CACHED_MAX {
            self.cache.clear();
        }
        self.cache.insert(id, (Instant::now(), line.clone()));
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::DropLog;

    #[test]
    fn the_first_drop_is_logged_and_the_next_ones_wait_for_the_second() {
        let log = DropLog::default();
        assert_eq!(log.record(), Some(1), "the first drop is logged at once");
        assert_eq!(log.record(), None, "then at most once a second");
        assert_eq!(log.record(), None);
        assert_eq!(log.pending.load(std::sync::atomic::Ordering::Relaxed), 2, "the unlogged drops are counted");
    }
}
