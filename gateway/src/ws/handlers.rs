//! One handler per request type. Each returns the answer (echoing the request id), or
//! `None` when the writer task answers in order with what goes with the answer
//! (`subscribe`, `unsubscribe`), or a [`Failure`].

use axum::extract::ws::Utf8Bytes;
use boxoffice_engine::{HoldRequest, Requester, SubscriptionStart, TierChoice};
use boxoffice_storage::{BookingId, CustomerId, HoldId, PaymentId, ShowtimeId};
use serde_json::json;

use super::connection::{Outbound, Subscribe};
use super::kiosk;
use super::protocol::Body;
use super::reply::{self, Failure};
use super::session::{Session, SocketCredential, Who};
use crate::auth::roles::Permission;
use crate::auth::{Identity, Principal, TOKEN_LEN_MAX};

/// Card-terminal payments one kiosk connection may have pending.
pub const PAYMENTS_MAX: usize = 4;
/// Longest seat label accepted (as over HTTP).
const SEAT_LABEL_LEN_MAX: usize = 8;

type Answer = Result<Option<Utf8Bytes>, Failure>;

impl Session {
    /// Handles one decoded request.
    pub(super) async fn handle(&mut self, id: &str, body: Body) -> Answer {
        match body {
            Body::Auth { token, kiosk } => self.auth(id, &token, kiosk).await,
            Body::Subscribe { showtime_id, since, coalesce } => self.subscribe(id, showtime_id, since, coalesce).await,
            Body::Unsubscribe { showtime_id } => {
                if !self.subscriptions.remove(&showtime_id) {
                    return Err(Failure::protocol("not_subscribed", "not subscribed to this showtime"));
                }
                // The writer stops the changes, then answers: none follows the answer.
                let ack = reply::message("unsubscribed", Some(id), json!({"showtime_id": showtime_id}));
                self.queue(Outbound::Unsubscribe(Box::new((showtime_id, ack)))).await;
                Ok(None)
            }
            Body::Hold { showtime_id, seats, quantity } => {
                self.recheck().await?;
                let request = hold_request(seats, quantity)?;
                let hold = self.state.engine.hold(showtime_id, self.owner()?, request).await?;
                answer("held", id, json!({"hold": hold}))
            }
            Body::Release { showtime_id, hold_id } => {
                self.recheck().await?;
                self.state.engine.release(showtime_id, self.owner()?, hold_id).await?;
                answer("released", id, json!({"showtime_id": showtime_id, "hold_id": hold_id}))
            }
            Body::Purchase { showtime_id, hold_id, tiers } => self.purchase(id, showtime_id, hold_id, tiers).await,
            Body::ConfirmPayment { payment_id, terminal_ref } => self.confirm(id, payment_id, &terminal_ref).await,
            Body::AbortPayment { payment_id } => {
                self.kiosk_only()?;
                self.recheck().await?;
                let payment = self.payments.remove(&payment_id).ok_or_else(payment_not_found)?;
                self.state.engine.abort_terminal_payment(&payment).await;
                answer("payment_aborted", id, json!({"payment_id": payment_id}))
            }
            Body::Cancel { booking_id } => self.cancel(id, booking_id).await,
            Body::Ping {} => answer("pong", id, json!({"server_time": self.state.clock.now()})),
        }
    }

    /// The owner of holds and bookings: the customer, or the kiosk's record.
    fn owner(&self) -> Result<CustomerId, Failure> {
        match &self.who {
            Who::Customer(id) | Who::Kiosk { customer: id, .. } => Ok(*id),
            Who::Anonymous => Err(Failure::protocol("unauthorized", "authenticate first (`auth` with a token)")),
        }
    }

    fn kiosk_only(&self) -> Result<(), Failure> {
        match &self.who {
            Who::Kiosk { .. } => Ok(()),
            Who::Customer(_) => Err(Failure::protocol("forbidden", "card-terminal payments are for kiosks")),
            Who::Anonymous => Err(Failure::protocol("unauthorized", "authenticate first (`auth` with a token)")),
        }
    }

    /// Checks the connection's token again (cached by the authenticator for
    /// `accounts.token_cache_ttl_ms`) before a booking message: a token revoked or expired
    /// since the connection authenticated makes it anonymous again (`unauthorized`). The
    /// identity, for the checks that depend on the account's state (a verified email).
    async fn recheck(&mut self) -> Result<Option<Identity>, Failure> {
        let Some(credential) = &self.credential else {
            return Ok(None);
        };
        match self.state.auth.identify(&credential.token, credential.cookie).await {
            Ok(Some(identity)) => Ok(Some(identity)),
            Ok(None) => {
                self.who = Who::Anonymous;
                self.credential = None;
                Err(Failure::protocol("unauthorized", "the token was revoked or has expired; authenticate again"))
            }
            Err(e) => Err(Failure::Engine(e.into())),
        }
    }

    async fn auth(&mut self, id: &str, token: &str, kiosk: Option<String>) -> Answer {
        if self.who != Who::Anonymous {
            return Err(Failure::protocol("already_authenticated", "this connection is already authenticated"));
        }
        if token.is_empty() || token.len() > TOKEN_LEN_MAX {
            return Err(Failure::protocol("unauthorized", "unknown token"));
        }
        let principal = match self.state.auth.resolve(token).await {
            Ok(Some(principal)) => principal,
            Ok(None) => return Err(Failure::protocol("unauthorized", "unknown, expired or revoked token")),
            Err(e) => return Err(Failure::Engine(e.into())),
        };
        self.who = who(&self.state, &self.hub, principal, kiosk).await?;
        self.credential = Some(SocketCredential { token: token.to_owned(), cookie: false });
        let mut fields = json!({"principal": self.who.kind()});
        match &self.who {
            Who::Customer(c) => fields["customer_id"] = json!(c),
            Who::Kiosk { name, .. } => fields["kiosk"] = json!(name),
            Who::Anonymous => {}
        }
        answer("authenticated", id, fields)
    }

    async fn subscribe(&mut self, id: &str, showtime: ShowtimeId, since: Option<u64>, coalesce: bool) -> Answer {
        if self.subscriptions.contains(&showtime) {
            return Err(Failure::protocol("already_subscribed", "already subscribed to this showtime"));
        }
        if self.subscriptions.len() >= self.hub.settings.subscriptions_max {
            let max = self.hub.settings.subscriptions_max;
            return Err(Failure::protocol("too_many_subscriptions", format!("at most {max} subscriptions")));
        }
        let subscription = self.state.engine.subscribe(showtime, since).await?;
        let start = match &subscription.start {
            SubscriptionStart::Snapshot { .. } => "snapshot",
            SubscriptionStart::Resume { .. } => "resume",
        };
        let mut fields = json!({"showtime_id": showtime, "start": start, "seq": subscription.start.seq()});
        if coalesce {
            fields["coalesce"] = json!(true);
        }
        let ack = reply::message("subscribed", Some(id), fields);
        // The writer task sends the answer, the start, then the live changes.
        self.subscriptions.insert(showtime);
        self.queue(Outbound::Subscribe(Box::new(Subscribe { subscription, coalesce, ack }))).await;
        Ok(None)
    }

    async fn purchase(&mut self, id: &str, showtime: ShowtimeId, hold: HoldId, tiers: Vec<TierChoice>) -> Answer {
        let identity = self.recheck().await?;
        let engine = &self.state.engine;
        match &self.who {
            Who::Customer(owner) => {
                if !identity.is_some_and(|i| i.email_verified) {
                    let message = "verify your email address first (see the link we sent)";
                    return Err(Failure::protocol("email_unverified", message));
                }
                let booking = engine.purchase(showtime, *owner, hold, tiers).await?;
                answer("purchased", id, json!({"booking": booking}))
            }
            Who::Kiosk { customer, .. } => {
                if self.payments.len() >= PAYMENTS_MAX {
                    let message = format!("at most {PAYMENTS_MAX} payments pending; confirm or abort one");
                    return Err(Failure::protocol("too_many_payments", message));
                }
                let payment = engine.begin_terminal_payment(showtime, *customer, hold, tiers).await?;
                let fields = json!({
                    "payment_id": payment.payment_id, "showtime_id": showtime, "hold_id": hold,
                    "total": payment.total, "lines": payment.lines,
                });
                self.payments.insert(payment.payment_id, payment);
                answer("payment_required", id, fields)
            }
            Who::Anonymous => Err(Failure::protocol("unauthorized", "authenticate first (`auth` with a token)")),
        }
    }

    async fn confirm(&mut self, id: &str, payment_id: PaymentId, terminal_ref: &str) -> Answer {
        self.kiosk_only()?;
        self.recheck().await?;
        boxoffice_engine::check_terminal_ref(terminal_ref)?;
        // The attempt settles the payment either way: success, refusal (refunded to the
        // kiosk's ledger) or an unknown outcome (left to the settler).
        let payment = self.payments.remove(&payment_id).ok_or_else(payment_not_found)?;
        let booking = self.state.engine.confirm_terminal_payment(&payment, terminal_ref).await?;
        answer("purchased", id, json!({"booking": booking, "payment_id": payment_id}))
    }

    async fn cancel(&mut self, id: &str, booking: BookingId) -> Answer {
        // The role as it is now: a staff member demoted since the socket opened loses it.
        let identity = self.recheck().await?;
        let refunds_any = identity.is_some_and(|i| i.principal.allows(Permission::Refund));
        let requester = match &self.who {
            Who::Kiosk { .. } if refunds_any => Requester::Staff,
            other => Requester::Customer(match other {
                Who::Customer(c) | Who::Kiosk { customer: c, .. } => *c,
                Who::Anonymous => return Err(Failure::protocol("unauthorized", "authenticate first")),
            }),
        };
        let booking = self.state.engine.cancel_booking(booking, requester).await?;
        answer("cancelled", id, json!({"booking": booking}))
    }
}

/// Maps an authenticated principal to who is on the socket.
///
/// # Errors
/// `invalid_message` for a bad kiosk name or a kiosk name with a customer token.
pub async fn who(
    state: &crate::state::AppState,
    hub: &super::Hub,
    principal: Principal,
    kiosk: Option<String>,
) -> Result<Who, Failure> {
    match principal {
        Principal::Customer(id) if kiosk.is_none() => Ok(Who::Customer(id)),
        Principal::Customer(_) => Err(Failure::protocol("invalid_message", "`kiosk` needs a staff or kiosk token")),
        // A kiosk account holds and buys as the customer record of the same id.
        Principal::Kiosk(account) => {
            let name = kiosk.unwrap_or_else(|| account.to_string());
            kiosk::check_name(&name)?;
            Ok(Who::Kiosk { customer: CustomerId::from_uuid(account.as_uuid()), name })
        }
        // Staff (the box office, or the admin token) act as a named device; only roles that
        // may refund any booking (admin, manager) cancel others' bookings from it (`cancel`).
        Principal::Staff { .. } => {
            let name = kiosk.unwrap_or_else(|| kiosk::DEFAULT_KIOSK.to_owned());
            kiosk::check_name(&name)?;
            let customer = kiosk::customer(state, hub, &name).await?;
            Ok(Who::Kiosk { customer, name })
        }
    }
}

fn answer(kind: &str, id: &str, fields: serde_json::Value) -> Answer {
    Ok(Some(reply::message(kind, Some(id), fields)))
}

fn payment_not_found() -> Failure {
    Failure::protocol("payment_not_found", "no such pending payment on this connection")
}

/// The engine request of a `hold` message (same rules as the HTTP body).
fn hold_request(seats: Option<Vec<String>>, quantity: Option<u32>) -> Result<HoldRequest, Failure> {
    match (seats, quantity) {
        (Some(seats), None) => {
            if let Some(bad) = seats.iter().find(|s| s.is_empty() || s.len() > SEAT_LABEL_LEN_MAX) {
                return Err(Failure::protocol("invalid_message", format!("{bad:?} is not a seat label")));
            }
            Ok(HoldRequest::Seats(seats))
        }
        (None, Some(quantity)) => Ok(HoldRequest::Quantity(quantity)),
        _ => Err(Failure::protocol("invalid_message", "give either `seats` (a list of labels) or `quantity`")),
    }
}
