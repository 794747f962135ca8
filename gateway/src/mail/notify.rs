//! Booking emails, sent after the engine answered; a route never waits for them.
//!
//! Two ways, chosen by the storage backend:
//!
//! * **Outbox** ([`Storage::records_booking_notices`], SQLite): the journal write that
//!   confirms or cancels a booking also records a notice, atomically. A route only wakes
//!   the worker, which reads the pending notices in batches, hands their emails to the
//!   [`Mailer`] (waiting for room, never dropping), and acknowledges a batch once every
//!   email of it was handled. Nothing is lost to a crash or a full queue; a crash between
//!   sending and acknowledging sends those emails again on restart (at least once). Every
//!   booking gets its email, whichever door it came through (API, web, WebSocket).
//! * **Queue** (other backends): the route hands the booking to a bounded queue; a full
//!   queue drops the notice, logged and counted.
//!
//! Either way one worker, on a low-priority thread of its own ([`super::background`]),
//! gathers the film, showtime and auditorium (cached per showtime for a minute, so a rush
//! on one showtime costs one lookup, not one per booking), finds the customer's account
//! (walk-ins, kiosks and staff get no booking email) and builds the message, so that email
//! work does not compete with bookings for the cores or the storage read pool.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use boxoffice_storage::{
    AccountId, Accounts, Booking, BookingNotice, CancelReason, NoticeKind, Role, ShowtimeId, Storage, StorageError,
    Timestamp,
};
use tokio::sync::mpsc;

use super::Mailer;
use super::messages::{BookingDetails, Recipient, booking_message};
use super::templates::Template;
use crate::state::AppState;

/// How long the film, start and auditorium of a showtime are reused for emails.
const DETAILS_TTL: Duration = Duration::from_secs(60);
/// Most showtimes whose details are cached; the cache is cleared when it is full.
const DETAILS_CACHED_MAX: usize = 1024;
/// Notices read from the outbox at a time.
const OUTBOX_BATCH: usize = 100;
/// How often the outbox is read when nothing woke the worker (notices recorded by another
/// process, or left by a crash), and the wait after a storage error.
const OUTBOX_POLL: Duration = Duration::from_secs(1);

/// One email to prepare (queue mode).
enum Notice {
    Booking(Template, Box<Booking>),
    ShowtimeCancelled(ShowtimeId),
}

impl std::fmt::Debug for Notice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Notice")
    }
}

/// How routes reach the worker.
#[derive(Clone, Debug)]
enum Route {
    /// The notices are in storage: wake the worker (a full channel means it is awake).
    Outbox(mpsc::Sender<()>),
    /// Hand the notice over.
    Queue(mpsc::Sender<Notice>),
}

/// The way to the booking-email worker; cheap to clone. The worker stops once every
/// handle is dropped (after the outbox is empty, or the queue drained).
#[derive(Clone, Debug)]
pub struct Notices {
    route: Route,
    dropped: Arc<DropLog>,
}

impl Notices {
    /// Starts the worker at CPU priority `nice` (see [`super::background`]); `capacity`
    /// bounds the queue when the storage backend records no notices.
    #[must_use]
    pub fn start(
        storage: Arc<dyn Storage>,
        accounts: Arc<dyn Accounts>,
        mailer: Mailer,
        from: String,
        tz: chrono_tz::Tz,
        capacity: usize,
        nice: u8,
    ) -> Self {
        let outbox = storage.records_booking_notices();
        let worker = Worker { storage, accounts, mailer, from, tz, cache: HashMap::new() };
        let route = if outbox {
            let (wake, woken) = mpsc::channel(1);
            super::background::spawn_low_priority("mail-notices", nice, worker.run_outbox(woken));
            Route::Outbox(wake)
        } else {
            let (queue, receiver) = mpsc::channel(capacity.max(1));
            super::background::spawn_low_priority("mail-notices", nice, worker.run_queue(receiver));
            Route::Queue(queue)
        };
        Self { route, dropped: Arc::default() }
    }

    fn push(&self, notice: Notice) {
        match &self.route {
            // Already recorded by the journal write: only say there is something to read.
            Route::Outbox(wake) => {
                let _ = wake.try_send(());
            }
            Route::Queue(queue) => {
                if queue.try_send(notice).is_err() {
                    metrics::counter!("boxoffice_mail_dropped_total", "kind" => "booking_notice").increment(1);
                    // One line a second at most: under a rush every booking would log one.
                    if let Some(dropped) = self.dropped.record() {
                        tracing::error!(dropped, "booking email queue full (or stopped); notices dropped");
                    }
                }
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
    tz: chrono_tz::Tz,
    cache: HashMap<ShowtimeId, (Instant, ShowtimeLine)>,
}

impl Worker {
    async fn run_queue(mut self, mut receiver: mpsc::Receiver<Notice>) {
        while let Some(notice) = receiver.recv().await {
            match notice {
                Notice::Booking(template, booking) => self.send(template, &booking).await,
                Notice::ShowtimeCancelled(showtime) => self.showtime_cancelled(showtime).await,
            }
        }
    }

    /// Mails the outbox's notices batch by batch until it is empty, then waits for a
    /// wake-up (or the next poll); stops when every [`Notices`] handle is gone.
    async fn run_outbox(mut self, mut woken: mpsc::Receiver<()>) {
        loop {
            let batch = match self.storage.pending_booking_notices(OUTBOX_BATCH).await {
                Ok(batch) => batch,
                Err(error) => {
                    tracing::warn!(%error, "booking notices not read; retrying");
                    Vec::new()
                }
            };
            // How far behind the emails are: the batch is all of it unless it is full.
            let pending = if batch.len() == OUTBOX_BATCH {
                self.storage.booking_notices_pending().await.unwrap_or(OUTBOX_BATCH as u64)
            } else {
                batch.len() as u64
            };
            metrics::gauge!("boxoffice_booking_notices_pending").set(pending as f64);
            if let Some(last) = self.mail_batch(&batch).await {
                match self.storage.acknowledge_booking_notices(last).await {
                    Ok(_) => continue,
                    // Mailed again on the next read: at least once.
                    Err(error) => tracing::warn!(%error, "booking notices not acknowledged; they will be mailed again"),
                }
            }
            // Nothing to mail, or trouble: wait for a wake-up or the next poll.
            if let Ok(None) = tokio::time::timeout(OUTBOX_POLL, woken.recv()).await {
                return;
            }
        }
    }

    /// Builds the notices' emails and waits until the mailer handled them all. Stops at
    /// the first notice whose email could not be built for a storage error; the id of the
    /// last notice handled, `None` if none was (or the mailer stopped).
    async fn mail_batch(&mut self, batch: &[BookingNotice]) -> Option<u64> {
        let mut deliveries = Vec::with_capacity(batch.len());
        let mut last = None;
        for notice in batch {
            let template = match (notice.kind, notice.booking.cancel_reason) {
                (NoticeKind::Confirmed, _) => Template::BookingConfirmed,
                (NoticeKind::Cancelled, Some(CancelReason::ShowtimeCancelled)) => Template::ShowtimeCancelled,
                (NoticeKind::Cancelled, _) => Template::BookingCancelled,
            };
            match self.message(template, &notice.booking).await {
                Ok(Some(message)) => {
                    let mailer = self.mailer.clone();
                    deliveries.push(async move { mailer.deliver(message).await });
                }
                Ok(None) => {}
                Err(error) => {
                    tracing::warn!(%error, booking_id = %notice.booking.record.id, "booking email not built; retrying");
                    break;
                }
            }
            last = Some(notice.id);
        }
        let handled = futures::future::join_all(deliveries).await;
        if handled.iter().any(|ok| !ok) {
            tracing::warn!("the mailer stopped; booking notices are mailed again on the next start");
            return None;
        }
        last
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

    /// Queue mode: builds and queues one email, once (a storage error loses it, logged).
    async fn send(&mut self, template: Template, booking: &Booking) {
        match self.message(template, booking).await {
            Ok(Some(message)) => self.mailer.send(message),
            Ok(None) => {}
            Err(error) => tracing::error!(%error, booking_id = %booking.record.id, "booking email not sent"),
        }
    }

    /// The email of `template` for `booking`; `None` if nobody is to receive it (no
    /// customer account with an email, no showtime) or it cannot be built (logged).
    ///
    /// # Errors
    /// Storage failed: the email may be owed, try again later.
    async fn message(
        &mut self,
        template: Template,
        booking: &Booking,
    ) -> Result<Option<super::Outgoing>, StorageError> {
        let Some(to) = self.recipient(booking).await? else { return Ok(None) };
        let Some(line) = self.showtime_line(booking.record.showtime_id).await? else { return Ok(None) };
        let details = BookingDetails {
            film: line.film,
            starts_at: line.starts_at,
            auditorium: line.auditorium,
            booking: booking.clone(),
        };
        match booking_message(&self.from, &to, template, &details) {
            Ok(message) => Ok(Some(message)),
            Err(error) => {
                tracing::error!(%error, booking_id = %booking.record.id, "booking email not built");
                Ok(None)
            }
        }
    }

    /// The customer's recipient details, if the booking belongs to a customer account with
    /// an email.
    async fn recipient(&self, booking: &Booking) -> Result<Option<Recipient>, StorageError> {
        let account = AccountId::from_uuid(booking.record.customer_id.as_uuid());
        let Some(account) = self.accounts.account(account).await?.filter(|a| a.role == Role::Customer) else {
            return Ok(None);
        };
        let (first_name, language, tz) = (account.first_name, account.language, self.tz);
        Ok(account.email.map(|email| Recipient { email, first_name, language, tz }))
    }

    async fn showtime_line(&mut self, id: ShowtimeId) -> Result<Option<ShowtimeLine>, StorageError> {
        if let Some((at, line)) = self.cache.get(&id)
            && at.elapsed() < DETAILS_TTL
        {
            return Ok(Some(line.clone()));
        }
        let Some(showtime) = self.storage.showtime(id).await? else { return Ok(None) };
        let film = self.storage.film(showtime.details.film_id).await?;
        let auditorium = self.storage.auditorium(showtime.details.auditorium_id).await?;
        let line = ShowtimeLine {
            film: film.map_or_else(|| "?".to_owned(), |f| f.details.title),
            starts_at: showtime.details.starts_at,
            auditorium: auditorium.map_or_else(|| "?".to_owned(), |a| a.details.name),
        };
        if self.cache.len() >= DETAILS_CACHED_MAX {
            self.cache.clear();
        }
        self.cache.insert(id, (Instant::now(), line.clone()));
        Ok(Some(line))
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
