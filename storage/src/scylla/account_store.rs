//! The helpers of the accounts backend: unique keys, account rows, session indexes and
//! the audit log's day partitions.

use uuid::Uuid;

use super::account_rows::{AccountRow, fold_key};
use super::rows::{self, Cql, big, text, uuid};
use super::session::ScyllaStorage;
use super::statements::{Bound, Stmt};
use crate::accounts::Account;
use crate::audit::{AuditEntry, AuditFilter};
use crate::error::{StorageError, StorageResult};
use crate::ids::AccountId;
use crate::time::Timestamp;

pub(super) fn blob(bytes: &[u8]) -> Option<Cql> {
    Some(Cql::Blob(bytes.to_vec()))
}

pub(super) fn keys_of(account: &Account) -> Vec<(String, &'static str)> {
    let mut keys = vec![(format!("username:{}", fold_key(&account.username)), "username")];
    if let Some(email) = &account.email {
        keys.insert(0, (format!("email:{}", fold_key(email)), "email"));
    }
    keys
}

impl ScyllaStorage {
    /// Claims every unique key of `account` (idempotent for its own keys).
    pub(super) async fn claim_keys(&self, account: &Account) -> StorageResult<()> {
        for (key, field) in keys_of(account) {
            let result = self.run(Bound::new(Stmt::KeyClaim, vec![text(key), uuid(account.id.as_uuid())])).await?;
            let owner = result.first_named().into_iter().find_map(|(n, v)| match (n, v) {
                ("account_id", Some(Cql::Uuid(u))) => Some(u),
                _ => None,
            });
            if !result.applied() && owner != Some(account.id.as_uuid()) {
                return Err(StorageError::Duplicate(field));
            }
        }
        Ok(())
    }

    pub(super) async fn release_keys(&self, keys: Vec<String>, id: Uuid) -> StorageResult<()> {
        for key in keys {
            self.run(Bound::new(Stmt::KeyRelease, vec![text(key), uuid(id)])).await?;
        }
        Ok(())
    }

    pub(super) async fn put_account(&self, account: &Account) -> StorageResult<()> {
        let json = rows::to_json("account", &AccountRow::from(account))?;
        let (id, role, created) =
            (uuid(account.id.as_uuid()), text(account.role.as_str()), big(account.created_at.as_millis()));
        self.run(Bound::new(Stmt::AccountPut, vec![id.clone(), text(json), role.clone(), created.clone()])).await?;
        self.run(Bound::new(Stmt::AccountRolePut, vec![role, created, id])).await.map(|_| ())
    }

    pub(super) async fn session_tokens(&self, account: AccountId) -> StorageResult<Vec<Vec<u8>>> {
        let rows = self.run_all(Bound::new(Stmt::AccountSessions, vec![uuid(account.as_uuid())])).await?;
        Ok(rows
            .into_iter()
            .filter_map(|r| match r.into_iter().next() {
                Some(Some(Cql::Blob(b))) => Some(b),
                _ => None,
            })
            .collect())
    }

    pub(super) async fn drop_session(&self, account: AccountId, token: &[u8]) -> StorageResult<bool> {
        let gone = self.run(Bound::new(Stmt::SessionDelete, vec![blob(token)])).await?.applied();
        self.run(Bound::new(Stmt::AccountSessionDelete, vec![uuid(account.as_uuid()), blob(token)])).await?;
        Ok(gone)
    }

    pub(super) async fn audit_entries(&self, filter: &AuditFilter) -> StorageResult<Vec<AuditEntry>> {
        let days = self.run_all(Bound::new(Stmt::AuditDays, Vec::new())).await?;
        let (from, to) = (filter.from.map(day_of), filter.to.map(day_of));
        let mut entries = Vec::new();
        for row in &days {
            let Some(Some(Cql::Int(day))) = row.first() else { continue };
            if from.is_some_and(|f| *day < f) || to.is_some_and(|t| *day > t) {
                continue;
            }
            for row in self.run_all(Bound::new(Stmt::AuditOfDay, vec![Some(Cql::Int(*day))])).await? {
                let entry: AuditEntry = rows::from_json("audit entry", &rows::get_text(&row, 0, "audit entry")?)?;
                if audit_matches(&entry, filter) {
                    entries.push(entry);
                }
            }
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.id));
        Ok(entries)
    }
}

pub(super) fn day_of(at: Timestamp) -> i32 {
    i32::try_from(at.as_millis().div_euclid(86_400_000)).unwrap_or(i32::MAX)
}

fn audit_matches(e: &AuditEntry, f: &AuditFilter) -> bool {
    f.actor_id.is_none_or(|a| e.actor_id == Some(a))
        && f.entity.as_ref().is_none_or(|x| &e.entity == x)
        && f.entity_id.as_ref().is_none_or(|x| e.entity_id.as_ref() == Some(x))
        && f.from.is_none_or(|from| e.at >= from)
        && f.to.is_none_or(|to| e.at < to)
}
