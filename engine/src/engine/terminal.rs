//! Purchases paid at a card terminal (kiosks): the same saga shape as a wallet purchase,
//! with the card terminal between its two actor steps.
//!
//! 1. **begin** (actor): price the hold, mark it payment-pending (it cannot expire for
//!    `engine.payment_pending_max_ms`) → [`TerminalPayment`] with the total to charge;
//! 2. the kiosk charges the card on its terminal and gets an approval reference;
//! 3. **record** (storage): the terminal's money enters the kiosk's ledger as a credit
//!    `terminal:<payment id>` (memo: the approval reference), then pays the booking as the
//!    usual debit `payment:<payment id>`, so every booking has a payment and the settler
//!    and cancellations work unchanged;
//! 4. **confirm** (actor, durable) → the booking;
//! 5. **compensate**: a refused confirmation is refunded (`refund:<payment id>`) into the
//!    kiosk's ledger, which then shows what must go back to the card.
//!
//! The kiosk's ledger balance is thus always what the kiosk owes back to cards (refunds of
//! cancelled or failed purchases); it never pays for anything by itself. A declined card
//! ends with [`Engine::abort_terminal_payment`], which lifts the payment protection.

use std::time::Instant;

use boxoffice_storage::{
    Booking, BookingId, BookingLine, CustomerId, HoldId, LedgerEntry, LedgerKind, Money, PaymentId, ShowtimeId,
};

use super::{Engine, observe};
use crate::error::EngineError;
use crate::seat_map::PurchasePlan;
use crate::showtime::Command;
use crate::view::TierChoice;

/// Longest terminal approval reference recorded.
pub const TERMINAL_REFERENCE_LEN_MAX: usize = 64;

/// A purchase waiting for the card terminal: what to charge, and what confirms it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TerminalPayment {
    /// The showtime.
    pub showtime_id: ShowtimeId,
    /// The hold being bought.
    pub hold_id: HoldId,
    /// The payment's id (the ledger keys use it).
    pub payment_id: PaymentId,
    /// What to charge on the card.
    pub total: Money,
    /// One line per ticket.
    pub lines: Vec<BookingLine>,
    plan: PurchasePlan,
}

impl TerminalPayment {
    /// Who the booking will belong to (the kiosk's customer record).
    #[must_use]
    pub fn owner(&self) -> CustomerId {
        self.plan.owner
    }
}

impl Engine {
    /// Prices `owner`'s hold and protects it from expiry while the card terminal charges.
    ///
    /// # Errors
    /// `HoldNotFound`, `UnknownTier`, `InvalidRequest`, `NotOnSale`, `Overloaded`, ...
    pub async fn begin_terminal_payment(
        &self,
        showtime: ShowtimeId,
        owner: CustomerId,
        hold: HoldId,
        tiers: Vec<TierChoice>,
    ) -> Result<TerminalPayment, EngineError> {
        let plan = self
            .call(showtime, |reply| Command::BeginPayment { owner, hold_id: hold, tiers: tiers.clone(), reply })
            .await?;
        Ok(TerminalPayment {
            showtime_id: showtime,
            hold_id: hold,
            payment_id: PaymentId::new(),
            total: plan.total,
            lines: plan.lines.clone(),
            plan,
        })
    }

    /// Lifts the payment protection of a payment the terminal declined; the hold stays
    /// until it expires or is released.
    pub async fn abort_terminal_payment(&self, payment: &TerminalPayment) {
        self.abort_payment(payment.showtime_id, payment.hold_id).await;
    }

    /// Records the card payment approved by the terminal (`terminal_ref`) and confirms the
    /// booking. On an error other than `Timeout`, the money is in the kiosk's ledger as a
    /// refund due to the card.
    ///
    /// # Errors
    /// `InvalidRequest` (empty or too long reference), `HoldNotFound` (the hold ended or its
    /// protection lapsed), `StorageUnavailable`, `Timeout` (outcome unknown; the settler
    /// refunds into the kiosk's ledger if no booking appears).
    pub async fn confirm_terminal_payment(
        &self,
        payment: &TerminalPayment,
        terminal_ref: &str,
    ) -> Result<Booking, EngineError> {
        let started = Instant::now();
        let result = self.terminal_saga(payment, terminal_ref).await;
        observe("terminal_purchase", started, &result);
        result
    }

    async fn terminal_saga(&self, payment: &TerminalPayment, terminal_ref: &str) -> Result<Booking, EngineError> {
        check_terminal_ref(terminal_ref)?;
        let (owner, id, total) = (payment.owner(), payment.payment_id, payment.total);
        let now = self.shared.clock.now();
        let credit = LedgerEntry {
            customer_id: owner,
            amount: total,
            kind: LedgerKind::Credit,
            reference: format!("terminal:{id}"),
            memo: format!("card terminal approval {terminal_ref}"),
            at: now,
        };
        let debit = LedgerEntry {
            customer_id: owner,
            amount: total.negated(),
            kind: LedgerKind::Payment,
            reference: LedgerEntry::payment_reference(id),
            memo: format!("{} ticket(s), showtime {}, card {terminal_ref}", payment.lines.len(), payment.showtime_id),
            at: now,
        };
        for entry in [&credit, &debit] {
            if let Err(e) = self.ledger(entry).await {
                self.abort_terminal_payment(payment).await;
                return Err(e);
            }
        }
        let booking_id = BookingId::new();
        let plan = payment.plan.clone();
        let confirmed = self
            .call(payment.showtime_id, |reply| Command::ConfirmPayment {
                plan: plan.clone(),
                booking_id,
                payment_id: id,
                reply,
            })
            .await;
        match confirmed {
            Ok(record) => Ok(self.confirmed(record)),
            Err(EngineError::Timeout) => Err(EngineError::Timeout),
            Err(e) => {
                self.refund(owner, id, total).await;
                Err(e)
            }
        }
    }
}

/// Checks a card terminal's approval code: 1 to [`TERMINAL_REFERENCE_LEN_MAX`] printable
/// ASCII characters. Checked before a payment is settled, so a typing mistake leaves the
/// payment pending.
///
/// # Errors
/// `InvalidRequest` naming the rule.
pub fn check_terminal_ref(terminal_ref: &str) -> Result<(), EngineError> {
    let printable = terminal_ref.chars().all(|c| c.is_ascii_graphic());
    if terminal_ref.is_empty() || terminal_ref.len() > TERMINAL_REFERENCE_LEN_MAX || !printable {
        return Err(EngineError::InvalidRequest(format!(
            "terminal reference: 1 to {TERMINAL_REFERENCE_LEN_MAX} printable ASCII characters"
        )));
    }
    Ok(())
}
