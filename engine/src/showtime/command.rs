//! Commands a showtime actor understands; each carries its validated input and a oneshot
//! to answer on.

use boxoffice_storage::{BookingId, BookingRecord, CustomerId, HoldId, Money, PaymentId, Showtime};
use tokio::sync::oneshot;

use crate::error::EngineError;
use crate::seat_map::PurchasePlan;
use crate::view::{HoldRequest, HoldView, Requester, SeatMapView, TierChoice};

/// Where an answer goes.
pub(crate) type Reply<T> = oneshot::Sender<Result<T, EngineError>>;

/// What a cancellation leaves to refund.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CancelledBooking {
    pub booking_id: BookingId,
    pub customer: CustomerId,
    pub payment_id: PaymentId,
    pub total: Money,
}

/// What closing a showtime did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Closed {
    pub bookings: Vec<CancelledBooking>,
    pub holds_ended: u32,
}

/// One request to a showtime actor.
pub(crate) enum Command {
    SeatMap {
        reply: Reply<SeatMapView>,
    },
    CurrentHold {
        owner: CustomerId,
        reply: Reply<Option<HoldView>>,
    },
    Hold {
        owner: CustomerId,
        request: HoldRequest,
        reply: Reply<HoldView>,
    },
    Release {
        owner: CustomerId,
        hold_id: HoldId,
        reply: Reply<()>,
    },
    /// Prices a hold and protects it from expiry while it is paid; refused
    /// (`PaymentInProgress`) while another payment of the hold is under way, so that a
    /// double click never charges a wallet or a card twice.
    BeginPayment {
        owner: CustomerId,
        hold_id: HoldId,
        tiers: Vec<TierChoice>,
        reply: Reply<PurchasePlan>,
    },
    AbortPayment {
        hold_id: HoldId,
    },
    ConfirmPayment {
        plan: PurchasePlan,
        booking_id: BookingId,
        payment_id: PaymentId,
        reply: Reply<BookingRecord>,
    },
    Cancel {
        booking_id: BookingId,
        requester: Requester,
        reply: Reply<CancelledBooking>,
    },
    Block {
        seats: Vec<String>,
        blocked: bool,
        reply: Reply<()>,
    },
    Close {
        reply: Reply<Closed>,
    },
    Update {
        showtime: Box<Showtime>,
        reply: Reply<()>,
    },
    Stop {
        reply: Reply<()>,
    },
    Subscribe {
        since: Option<u64>,
        reply: Reply<crate::events::Subscription>,
    },
}

/// The actix message wrapping a command; answers travel on the command's oneshot.
pub(crate) struct Envelope(pub Command);

impl actix::Message for Envelope {
    type Result = ();
}
