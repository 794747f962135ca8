//! Customers and their wallets: every movement of money is an immutable ledger entry and
//! the balance is the sum of the ledger.

use serde::{Deserialize, Serialize};

use crate::ids::{CustomerId, PaymentId};
use crate::money::Money;
use crate::time::Timestamp;

/// A customer record (the minimal one; real accounts come later).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Customer {
    /// Its id.
    pub id: CustomerId,
    /// Display name.
    pub name: String,
    /// Email address, unique (case-insensitive).
    pub email: String,
    /// When the record was created.
    pub created_at: Timestamp,
}

/// What a ledger movement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// Starting credit or staff top-up.
    Credit,
    /// Payment of a booking (negative).
    Payment,
    /// Refund of a payment (positive).
    Refund,
    /// A staff correction, either sign, with its reason in the memo (`adjust:<id>`).
    Adjustment,
}

/// One immutable wallet movement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LedgerEntry {
    /// The wallet's owner.
    pub customer_id: CustomerId,
    /// Signed amount: negative for payments.
    pub amount: Money,
    /// What kind of movement.
    pub kind: LedgerKind,
    /// Unique key of the movement (`credit:<id>`, `payment:<payment id>`,
    /// `refund:<payment id>`); applying the same key twice has no effect.
    pub reference: String,
    /// Human words for statements.
    pub memo: String,
    /// When it was recorded.
    pub at: Timestamp,
}

impl LedgerEntry {
    /// The ledger key of a booking payment.
    #[must_use]
    pub fn payment_reference(payment: PaymentId) -> String {
        format!("payment:{payment}")
    }

    /// The ledger key of the refund of a payment.
    #[must_use]
    pub fn refund_reference(payment: PaymentId) -> String {
        format!("refund:{payment}")
    }

    /// The statement line of the refund of a payment.
    #[must_use]
    pub fn refund_memo(payment: PaymentId) -> String {
        format!("refund of payment {payment}")
    }
}

/// What applying a ledger entry did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LedgerOutcome {
    /// Recorded now; the new balance.
    Applied(Money),
    /// An entry with the same reference was already recorded; nothing changed.
    AlreadyApplied(Money),
}

impl LedgerOutcome {
    /// The balance after the call.
    #[must_use]
    pub fn balance(self) -> Money {
        match self {
            LedgerOutcome::Applied(m) | LedgerOutcome::AlreadyApplied(m) => m,
        }
    }
}

/// A payment whose money must go back: it was debited but no booking was confirmed for it,
/// or its booking was cancelled and the refund is not recorded yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsettledPayment {
    /// The payment.
    pub payment_id: PaymentId,
    /// Whose wallet.
    pub customer_id: CustomerId,
    /// The amount to refund (positive).
    pub amount: Money,
    /// When the payment was debited (or, for a cancelled booking, when it was cancelled);
    /// a payment without a booking is only settled once it is old enough that no
    /// confirmation can still be in flight.
    pub at: Timestamp,
}
