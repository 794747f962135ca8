//! Records the conformance cases build, and small helpers.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;

use uuid::Uuid;

use crate::catalog::{
    Auditorium, AuditoriumDraft, Film, FilmDraft, Format, PriceList, PriceTier, Seating, Showtime, ShowtimeDraft,
    ShowtimeStatus, Version,
};
use crate::ids::{AuditoriumId, BookingId, CustomerId, FilmId, HoldId, PaymentId, SeatIndex, ShowtimeId};
use crate::journal::{BookingLine, BookingRecord, JournalEntry, SeatEvent};
use crate::layout::{LayoutSpec, RowSpec, SeatLayout};
use crate::money::{Currency, Money};
use crate::time::Timestamp;
use crate::wallet::{Customer, LedgerEntry, LedgerKind};

/// 2027-01-15T08:00:00Z, the origin of every time in the suite.
pub const T0: Timestamp = Timestamp::from_millis(1_800_000_000_000);

/// `T0` plus `minutes`.
#[must_use]
pub fn at(minutes: i64) -> Timestamp {
    T0.plus_millis(minutes * 60_000)
}

/// Minor units of euros.
#[must_use]
pub fn eur(minor: i64) -> Money {
    Money::new(minor, Currency::EUR)
}

/// A film with only the required fields set.
#[must_use]
pub fn film(title: &str, director: &str, duration_minutes: u32) -> Film {
    Film {
        id: FilmId::new(),
        details: FilmDraft {
            title: title.into(),
            original_title: None,
            director: director.into(),
            cast: Vec::new(),
            duration_minutes,
            genres: Vec::new(),
            age_rating: None,
            synopsis: String::new(),
            poster_url: None,
            trailer_url: None,
            spoken_languages: Vec::new(),
            subtitle_languages: Vec::new(),
            release_date: None,
        },
        created_at: T0,
    }
}

/// An auditorium of two rows of four seats.
///
/// # Panics
/// Never: the layout is valid.
#[must_use]
pub fn auditorium(name: &str) -> Auditorium {
    let rows = ["A", "B"].map(|label| RowSpec { label: label.into(), seats: "SS_SS".into() }).to_vec();
    let layout = SeatLayout::parse(LayoutSpec { rows }).expect("fixture layout is valid");
    let capacity = u32::try_from(layout.capacity()).expect("small layout");
    Auditorium {
        id: AuditoriumId::new(),
        details: AuditoriumDraft { name: name.into(), layout, equipment: vec!["dolby_atmos".into()] },
        capacity,
    }
}

/// A scheduled showtime of `film` in `auditorium` over `[at(from), at(to))`, in minutes.
#[must_use]
pub fn showtime(film: FilmId, auditorium: AuditoriumId, from: i64, to: i64) -> Showtime {
    Showtime {
        id: ShowtimeId::new(),
        details: ShowtimeDraft {
            film_id: film,
            auditorium_id: auditorium,
            starts_at: at(from),
            version: Version::Vost,
            format: Format::TwoD,
            prices: PriceList {
                currency: Currency::EUR,
                tiers: vec![PriceTier { tier: "full".into(), price_minor: 1250 }],
            },
            seating: Seating::Reserved,
        },
        ends_at: at(to),
        status: ShowtimeStatus::Scheduled,
    }
}

/// A customer with this email.
#[must_use]
pub fn customer(email: &str) -> Customer {
    Customer { id: CustomerId::new(), name: "Ada Lovelace".into(), email: email.into(), created_at: T0 }
}

/// A token hash made of one repeated byte.
#[must_use]
pub fn token(byte: u8) -> [u8; 32] {
    [byte; 32]
}

/// A ledger entry.
#[must_use]
pub fn ledger(customer: CustomerId, amount: Money, kind: LedgerKind, reference: String) -> LedgerEntry {
    LedgerEntry { customer_id: customer, amount, kind, reference, memo: "conformance".into(), at: T0 }
}

/// A credit with a fresh reference.
#[must_use]
pub fn credit(customer: CustomerId, minor: i64) -> LedgerEntry {
    ledger(customer, eur(minor), LedgerKind::Credit, format!("credit:{}", Uuid::now_v7()))
}

/// The debit of a payment (`minor` > 0 is the price).
#[must_use]
pub fn payment(customer: CustomerId, minor: i64, payment: PaymentId) -> LedgerEntry {
    ledger(customer, eur(-minor), LedgerKind::Payment, LedgerEntry::payment_reference(payment))
}

/// The refund of a payment.
#[must_use]
pub fn refund(customer: CustomerId, minor: i64, payment: PaymentId) -> LedgerEntry {
    ledger(customer, eur(minor), LedgerKind::Refund, LedgerEntry::refund_reference(payment))
}

/// A one-ticket booking.
#[must_use]
pub fn booking(
    showtime: ShowtimeId,
    customer: CustomerId,
    payment: PaymentId,
    minor: i64,
    created_at: Timestamp,
) -> BookingRecord {
    BookingRecord {
        id: BookingId::new(),
        reference: "K7Q-M2XD".into(),
        showtime_id: showtime,
        customer_id: customer,
        hold_id: HoldId::new(),
        payment_id: payment,
        lines: vec![BookingLine {
            seat: Some(SeatIndex::new(0)),
            label: "A1".into(),
            tier: "full".into(),
            price: eur(minor),
        }],
        total: eur(minor),
        created_at,
    }
}

/// A journal entry at `at(seq)`.
#[must_use]
pub fn entry(seq: u64, event: SeatEvent) -> JournalEntry {
    JournalEntry { seq, at: at(i64::try_from(seq).unwrap_or(0)), event }
}

/// A hold of seat `seat` by `owner`.
#[must_use]
pub fn hold(owner: CustomerId, seat: u16) -> SeatEvent {
    SeatEvent::HoldPlaced {
        hold_id: HoldId::new(),
        owner,
        seats: vec![SeatIndex::new(seat)],
        quantity: 1,
        expires_at: at(10),
    }
}

/// Polls every future until all are done, on the current task; the outputs in order.
pub async fn join_all<F: Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut futures: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in futures.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    Poll::Ready(value) => *output = Some(value),
                    Poll::Pending => pending = true,
                }
            }
        }
        if pending { Poll::Pending } else { Poll::Ready(()) }
    })
    .await;
    outputs.into_iter().flatten().collect()
}
