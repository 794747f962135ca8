//! The handle callers hold: it hides the actix `Addr` and never waits on a full mailbox.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use actix::Addr;
use actix::dev::SendError;

use super::actor::ShowtimeActor;
use super::command::{Command, Envelope};

/// Why a command could not be delivered.
pub(crate) enum SendFailure {
    /// The mailbox is full: the showtime is overloaded.
    Full,
    /// The actor has stopped; the command can go to a newly started one.
    Gone,
}

/// A cloneable way in to one running showtime actor.
#[derive(Clone)]
pub(crate) struct ShowtimeHandle {
    addr: Addr<ShowtimeActor>,
    generation: u64,
    /// Commands sent and not yet taken by the actor. This counter, not actix's channel,
    /// bounds the mailbox: an actix channel lets every cloned `Addr` queue one message
    /// beyond its capacity, so with one clone per request it would not bound anything.
    depth: Arc<AtomicUsize>,
    capacity: usize,
}

impl ShowtimeHandle {
    pub(crate) fn new(addr: Addr<ShowtimeActor>, generation: u64, depth: Arc<AtomicUsize>, capacity: usize) -> Self {
        Self { addr, generation, depth, capacity }
    }

    /// Which start of the actor this handle points to (a restarted actor gets a new one).
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Commands waiting in the mailbox.
    pub(crate) fn depth(&self) -> usize {
        self.depth.load(Ordering::Relaxed)
    }

    /// Queues a command without waiting; `Full` when `capacity` commands are queued.
    pub(crate) fn send(&self, command: Command) -> Result<(), SendFailure> {
        if self.depth.fetch_add(1, Ordering::Relaxed) >= self.capacity {
            self.depth.fetch_sub(1, Ordering::Relaxed);
            return Err(SendFailure::Full);
        }
        self.addr.try_send(Envelope(command)).map_err(|e| {
            self.depth.fetch_sub(1, Ordering::Relaxed);
            match e {
                SendError::Full(_) => SendFailure::Full,
                SendError::Closed(_) => SendFailure::Gone,
            }
        })
    }
}
