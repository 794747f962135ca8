//! The boxoffice booking engine.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`engine`] | [`Engine`], the facade callers use, and the purchase/cancel sagas |
//! | [`view`] | seat map, hold and request types callers see |
//! | [`error`] | [`EngineError`] with stable codes |
//! | [`events`] | the change feed of a showtime: durable changes, resume ring, subscriptions |
//! | [`config`] | [`EngineConfig`] limits and timings |
//! | [`clock`] | time as an input |
//! | [`seat_map`] | the synchronous seat-map state machine (no I/O) |
//! | `showtime` | the actix actor per showtime, its handle, group commit |
//! | `registry` | running actors by showtime, lazy start, arbiters |
//! | [`placement`] | which showtimes this node may own (several nodes), forwarded requests |
//! | `follower` | read-only copies of showtimes owned elsewhere, for subscriptions |
//! | [`reference`] | short human booking references |
//!
//! The engine knows nothing about HTTP; it reaches storage only through
//! [`boxoffice_storage::Storage`].

pub mod clock;
pub mod config;
pub mod engine;
pub mod error;
pub mod events;
mod follower;
pub mod placement;
mod recent;
pub mod reference;
mod registry;
pub mod seat_map;
mod showtime;
pub mod view;

pub use crate::clock::{Clock, ManualClock, OffsetClock, SystemClock, TokioClock};
pub use crate::config::EngineConfig;
pub use crate::engine::{Engine, TerminalPayment, check_terminal_ref};
pub use crate::error::EngineError;
pub use crate::events::{Change, Subscription, SubscriptionStart};
pub use crate::placement::{Placement, SingleNode, as_owner};
pub use crate::view::{
    Counts, HoldRequest, HoldView, Requester, SeatMapView, SeatStatus, SeatView, ShowtimeCancellation, TierChoice,
};
