//! A group-commit batch: journal entries decided since the last write, and the clients
//! waiting for them to become durable.

use boxoffice_storage::JournalEntry;

use crate::error::EngineError;

/// Answers one client once its batch is durable (or failed).
pub(crate) type Waiter = Box<dyn FnOnce(Result<(), EngineError>) + Send>;

/// Entries and their waiting clients.
#[derive(Default)]
pub(crate) struct Batch {
    pub entries: Vec<JournalEntry>,
    pub waiters: Vec<Waiter>,
}

impl Batch {
    /// Nothing to write and nobody waiting.
    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty() && self.waiters.is_empty()
    }

    /// Answers every waiter with `result`.
    pub(crate) fn answer(self, result: &Result<(), EngineError>) {
        for waiter in self.waiters {
            waiter(result.clone());
        }
    }
}
