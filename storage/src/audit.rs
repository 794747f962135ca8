//! The audit log of staff actions: who did what, when, with the state before and after.
//! Append-only; read by admins.

use serde::{Deserialize, Serialize};

use crate::accounts::Role;
use crate::ids::AccountId;
use crate::time::Timestamp;

/// One staff action.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditEntry {
    /// Position in the log (assigned by storage; 0 when appending).
    pub id: u64,
    /// When it happened.
    pub at: Timestamp,
    /// The staff account, or `None` for the configured admin token.
    pub actor_id: Option<AccountId>,
    /// The actor's role at the time.
    pub actor_role: Role,
    /// A human label of the actor (username or `admin-token`).
    pub actor_label: String,
    /// What was done, e.g. `PUT /api/v1/films/{id}` or `staff.create`.
    pub action: String,
    /// The kind of record, e.g. `film`.
    pub entity: String,
    /// The record's id, if one.
    pub entity_id: Option<String>,
    /// The record before (JSON), if known.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub before: Option<serde_json::Value>,
    /// The record after, or the answer (JSON), if any.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub after: Option<serde_json::Value>,
    /// The HTTP status answered.
    pub status: u16,
    /// The request id (`x-request-id`).
    pub request_id: Option<String>,
}

/// Which audit entries to list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// Only this actor's.
    pub actor_id: Option<AccountId>,
    /// Only this kind of record.
    pub entity: Option<String>,
    /// Only this record.
    pub entity_id: Option<String>,
    /// Only at or after.
    pub from: Option<Timestamp>,
    /// Only before.
    pub to: Option<Timestamp>,
}
