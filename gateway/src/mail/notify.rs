//! Booking emails, sent after the engine answered: the route hands over the booking and
//! returns at once; a task gathers the film, showtime and auditorium, finds the customer's
//! account (walk-ins and kiosks have none: no email) and queues the message.

use boxoffice_storage::{AccountId, Booking, CancelReason};

use super::messages::{BookingDetails, Recipient, booking_message};
use super::templates::Template;
use crate::state::AppState;

/// The customer's recipient details, if the booking belongs to an account with an email.
async fn recipient(state: &AppState, booking: &Booking) -> Option<Recipient> {
    let account = AccountId::from_uuid(booking.record.customer_id.as_uuid());
    let account = state.accounts.account(account).await.ok().flatten()?;
    Some(Recipient { email: account.email?, first_name: account.first_name, language: account.language })
}

async fn details(state: &AppState, booking: &Booking) -> Option<BookingDetails> {
    let showtime = state.storage.showtime(booking.record.showtime_id).await.ok().flatten()?;
    let film = state.storage.film(showtime.details.film_id).await.ok().flatten();
    let auditorium = state.storage.auditorium(showtime.details.auditorium_id).await.ok().flatten();
    Some(BookingDetails {
        film: film.map_or_else(|| "?".to_owned(), |f| f.details.title),
        starts_at: showtime.details.starts_at,
        auditorium: auditorium.map_or_else(|| "?".to_owned(), |a| a.details.name),
        booking: booking.clone(),
    })
}

async fn send(state: &AppState, template: Template, booking: &Booking) {
    let (Some(to), Some(details)) = (recipient(state, booking).await, details(state, booking).await) else {
        return;
    };
    match booking_message(&state.config.mail.from, &to, template, &details) {
        Ok(message) => state.mailer.send(message),
        Err(error) => tracing::error!(%error, booking_id = %booking.record.id, "booking email not built"),
    }
}

/// Sends the confirmation of a booking (with its reference and QR code), in the background.
pub fn booking_confirmed(state: &AppState, booking: &Booking) {
    let (state, booking) = (state.clone(), booking.clone());
    tokio::spawn(async move { send(&state, Template::BookingConfirmed, &booking).await });
}

/// Sends the cancellation and refund notice of a booking, in the background.
pub fn booking_cancelled(state: &AppState, booking: &Booking) {
    let (state, booking) = (state.clone(), booking.clone());
    tokio::spawn(async move { send(&state, Template::BookingCancelled, &booking).await });
}

/// Tells every customer whose booking the cinema cancelled with the showtime, in the
/// background.
pub fn showtime_cancelled(state: &AppState, showtime: boxoffice_storage::ShowtimeId) {
    let state = state.clone();
    tokio::spawn(async move {
        let bookings = match state.storage.bookings_of_showtime(showtime).await {
            Ok(bookings) => bookings,
            Err(error) => {
                tracing::error!(%error, showtime_id = %showtime, "showtime cancellation emails not sent");
                return;
            }
        };
        for booking in bookings.iter().filter(|b| b.cancel_reason == Some(CancelReason::ShowtimeCancelled)) {
            send(&state, Template::ShowtimeCancelled, booking).await;
        }
    });
}
