//! [`Accounts`] for [`ScyllaStorage`]: accounts as JSON rows with their unique keys
//! (email, username) claimed by lightweight transactions, sessions by token and by
//! account, single-use tokens with a TTL, recovery codes used with a conditional update,
//! and the audit log by day.

use async_trait::async_trait;
use uuid::Uuid;

use super::account_rows::{self, AccountRow, fold_key};
use super::account_store::{blob, day_of, keys_of};
use super::filter;
use super::rows::{self, Cql, big, text, uuid};
use super::session::ScyllaStorage;
use super::statements::{Bound, Stmt};
use crate::accounts::{Account, Accounts, BookingHistoryItem, BookingWhen, Role, Session};
use crate::audit::{AuditEntry, AuditFilter};
use crate::catalog::{Auditorium, Film, Page, PageRequest};
use crate::error::{StorageError, StorageResult};
use crate::ids::{AccountId, CustomerId, FilmId, ReviewId};
use crate::reviews::{Review, ReviewSummary};
use crate::time::Timestamp;

#[async_trait]
impl Accounts for ScyllaStorage {
    async fn insert_account(&self, account: &Account) -> StorageResult<()> {
        self.claim_keys(account).await?;
        let json = rows::to_json("account", &AccountRow::from(account))?;
        let values = vec![
            uuid(account.id.as_uuid()),
            text(json),
            text(account.role.as_str()),
            big(account.created_at.as_millis()),
        ];
        if !self.run(Bound::new(Stmt::AccountInsert, values)).await?.applied() {
            return Err(StorageError::Duplicate("id"));
        }
        let index = vec![text(account.role.as_str()), big(account.created_at.as_millis()), uuid(account.id.as_uuid())];
        self.run(Bound::new(Stmt::AccountRolePut, index)).await.map(|_| ())
    }

    async fn account(&self, id: AccountId) -> StorageResult<Option<Account>> {
        let result = self.run(Bound::new(Stmt::AccountGet, vec![uuid(id.as_uuid())])).await?;
        let Some(row) = result.rows.first() else { return Ok(None) };
        let stored: AccountRow = rows::from_json("account", &rows::get_text(row, 0, "account")?)?;
        Ok(Some(stored.into()))
    }

    async fn account_by_email(&self, email: &str) -> StorageResult<Option<Account>> {
        let result = self.run(Bound::new(Stmt::KeyGet, vec![text(format!("email:{}", fold_key(email)))])).await?;
        let Some(row) = result.rows.first() else { return Ok(None) };
        let found = self.account(AccountId::from_uuid(rows::get_uuid(row, 0, "account id")?)).await?;
        // A claim left by an interrupted change is not the account's email.
        Ok(found.filter(|a| a.email.as_deref().map(fold_key) == Some(fold_key(email))))
    }

    async fn update_account(&self, account: &Account) -> StorageResult<()> {
        let old = self
            .account(account.id)
            .await?
            .ok_or_else(|| StorageError::NotFound { entity: "account", id: account.id.to_string() })?;
        self.claim_keys(account).await?;
        if old.role != account.role || old.created_at != account.created_at {
            let values = vec![text(old.role.as_str()), big(old.created_at.as_millis()), uuid(old.id.as_uuid())];
            self.run(Bound::new(Stmt::AccountRoleDelete, values)).await?;
        }
        self.put_account(account).await?;
        let new_keys: Vec<String> = keys_of(account).into_iter().map(|(k, _)| k).collect();
        let stale = keys_of(&old).into_iter().map(|(k, _)| k).filter(|k| !new_keys.contains(k)).collect();
        self.release_keys(stale, account.id.as_uuid()).await
    }

    async fn list_accounts(&self, roles: &[Role], page: PageRequest) -> StorageResult<Page<Account>> {
        let mut found = Vec::new();
        for role in roles {
            for row in self.run_all(Bound::new(Stmt::AccountsOfRole, vec![text(role.as_str())])).await? {
                if let Some(account) =
                    self.account(AccountId::from_uuid(rows::get_uuid(&row, 0, "account id")?)).await?
                {
                    found.push(account);
                }
            }
        }
        found.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.id.cmp(&b.id)));
        Ok(filter::paginate(found, page))
    }

    async fn erase_account(&self, id: AccountId, at: Timestamp) -> StorageResult<()> {
        let old =
            self.account(id).await?.ok_or_else(|| StorageError::NotFound { entity: "account", id: id.to_string() })?;
        let erased = account_rows::erased(&old, at);
        self.claim_keys(&erased).await?;
        self.put_account(&erased).await?;
        let released = keys_of(&old).into_iter().map(|(k, _)| k).collect();
        self.release_keys(released, id.as_uuid()).await?;
        let customer = CustomerId::from_uuid(id.as_uuid());
        if let Some(c) = self.customer_row(customer).await? {
            let placeholder = format!("erased-{}@erased.invalid", id.to_string().replace('-', ""));
            self.run(Bound::new(
                Stmt::CustomerRename,
                vec![text("Erased customer"), text(placeholder), uuid(id.as_uuid())],
            ))
            .await?;
            self.run(Bound::new(Stmt::EmailRelease, vec![text(c.email.to_lowercase()), uuid(id.as_uuid())])).await?;
        }
        self.delete_sessions(id, None).await?;
        self.run(Bound::new(Stmt::RecoveryClear, vec![uuid(id.as_uuid())])).await.map(|_| ())
    }

    async fn insert_session(&self, s: &Session) -> StorageResult<()> {
        let values = vec![
            blob(&s.token_sha256),
            uuid(s.account_id.as_uuid()),
            text(account_rows::kind_name(s.kind)),
            big(s.created_at.as_millis()),
            s.expires_at.map(|e| Cql::BigInt(e.as_millis())),
            text(s.label.clone()),
        ];
        if !self.run(Bound::new(Stmt::SessionInsert, values)).await?.applied() {
            return Err(StorageError::Duplicate("token"));
        }
        let index = vec![uuid(s.account_id.as_uuid()), blob(&s.token_sha256)];
        self.run(Bound::new(Stmt::AccountSessionPut, index)).await.map(|_| ())
    }

    async fn session(&self, token_sha256: &[u8; 32]) -> StorageResult<Option<Session>> {
        let result = self.run(Bound::new(Stmt::SessionGet, vec![blob(token_sha256)])).await?;
        let Some(row) = result.rows.first() else { return Ok(None) };
        let account = AccountId::from_uuid(rows::get_uuid(row, 1, "session account")?);
        let created = rows::get_big(row, 3, "session created_at")?;
        let expires = rows::get_big_opt(row, 4, "session expires_at")?;
        let label = rows::get_text_opt(row, 5).unwrap_or_default();
        account_rows::session(
            token_sha256.to_vec(),
            account,
            &rows::get_text(row, 2, "session kind")?,
            created,
            expires,
            label,
        )
        .map(Some)
    }

    async fn delete_session(&self, token_sha256: &[u8; 32]) -> StorageResult<bool> {
        match self.session(token_sha256).await? {
            Some(s) => self.drop_session(s.account_id, token_sha256).await,
            None => Ok(false),
        }
    }

    async fn delete_sessions(&self, account: AccountId, keep: Option<[u8; 32]>) -> StorageResult<u64> {
        let mut deleted = 0;
        for token in self.session_tokens(account).await? {
            if keep.is_some_and(|k| k.as_slice() == token.as_slice()) {
                continue;
            }
            if self.drop_session(account, &token).await? {
                deleted += 1;
            }
        }
        Ok(deleted)
    }

    async fn sessions_of(&self, account: AccountId) -> StorageResult<Vec<Session>> {
        let mut sessions = Vec::new();
        for token in self.session_tokens(account).await? {
            let Ok(token) = <[u8; 32]>::try_from(token.as_slice()) else { continue };
            sessions.extend(self.session(&token).await?);
        }
        sessions.sort_by_key(|s| std::cmp::Reverse(s.created_at));
        Ok(sessions)
    }

    async fn consume_token(
        &self,
        token_id: &str,
        account: AccountId,
        purpose: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> StorageResult<bool> {
        // Kept until the link expires (a day more for clock skew), then the row goes by itself.
        let ttl = (expires_at.as_millis() - at.as_millis()).max(0) / 1000 + 86_400;
        let ttl = i32::try_from(ttl).unwrap_or(i32::MAX);
        let values =
            vec![text(token_id), uuid(account.as_uuid()), text(purpose), big(at.as_millis()), Some(Cql::Int(ttl))];
        Ok(self.run(Bound::new(Stmt::TokenConsume, values)).await?.applied())
    }

    async fn set_recovery_codes(&self, account: AccountId, codes: &[[u8; 32]]) -> StorageResult<()> {
        self.run(Bound::new(Stmt::RecoveryClear, vec![uuid(account.as_uuid())])).await?;
        for code in codes {
            self.run(Bound::new(Stmt::RecoveryPut, vec![uuid(account.as_uuid()), blob(code)])).await?;
        }
        Ok(())
    }

    async fn use_recovery_code(
        &self,
        account: AccountId,
        code_sha256: &[u8; 32],
        at: Timestamp,
    ) -> StorageResult<bool> {
        let values = vec![big(at.as_millis()), uuid(account.as_uuid()), blob(code_sha256)];
        Ok(self.run(Bound::new(Stmt::RecoveryUse, values)).await?.applied())
    }

    async fn recovery_codes_left(&self, account: AccountId) -> StorageResult<u32> {
        let rows = self.run_all(Bound::new(Stmt::RecoveryList, vec![uuid(account.as_uuid())])).await?;
        Ok(u32::try_from(rows.iter().filter(|r| matches!(r.first(), Some(None) | None)).count()).unwrap_or(u32::MAX))
    }

    async fn append_audit(&self, entry: &AuditEntry) -> StorageResult<()> {
        let day = day_of(entry.at);
        // Position in the log: the time in microseconds plus a random tie-breaker.
        let jitter = i64::from(Uuid::new_v4().as_bytes()[0]) % 1000;
        let id = entry.at.as_millis().saturating_mul(1000).saturating_add(jitter);
        let stored = AuditEntry { id: u64::try_from(id).unwrap_or(0), ..entry.clone() };
        let values = vec![Some(Cql::Int(day)), big(id), text(rows::to_json("audit entry", &stored)?)];
        self.run(Bound::new(Stmt::AuditPut, values)).await?;
        self.run(Bound::new(Stmt::AuditDayPut, vec![Some(Cql::Int(day))])).await.map(|_| ())
    }

    async fn audit_log(&self, filter: &AuditFilter, page: PageRequest) -> StorageResult<Page<AuditEntry>> {
        Ok(filter::paginate(self.audit_entries(filter).await?, page))
    }

    async fn booking_history(
        &self,
        customer: CustomerId,
        when: BookingWhen,
        now: Timestamp,
        page: PageRequest,
    ) -> StorageResult<Page<BookingHistoryItem>> {
        let mut items = Vec::new();
        for booking in self.bookings_of_customer_all(customer).await? {
            let showtime = self.showtime_get(booking.record.showtime_id).await?;
            let starts_at = showtime.as_ref().map(|s| s.details.starts_at);
            let keep = match when {
                BookingWhen::Upcoming => starts_at.is_some_and(|s| s >= now),
                BookingWhen::Past => starts_at.is_some_and(|s| s < now),
                BookingWhen::All => true,
            };
            if !keep {
                continue;
            }
            let film: Option<Film> = match &showtime {
                Some(s) => self.catalog_get(super::catalog::FILM, s.details.film_id.as_uuid()).await?,
                None => None,
            };
            let room: Option<Auditorium> = match &showtime {
                Some(s) => self.catalog_get(super::catalog::AUDITORIUM, s.details.auditorium_id.as_uuid()).await?,
                None => None,
            };
            items.push(BookingHistoryItem {
                booking,
                starts_at,
                film_title: film.map(|f| f.details.title),
                auditorium_name: room.map(|a| a.details.name),
            });
        }
        match when {
            BookingWhen::Upcoming => items.sort_by(|a, b| {
                a.starts_at.cmp(&b.starts_at).then_with(|| a.booking.record.id.cmp(&b.booking.record.id))
            }),
            BookingWhen::Past => items.sort_by(|a, b| {
                b.starts_at.cmp(&a.starts_at).then_with(|| b.booking.record.id.cmp(&a.booking.record.id))
            }),
            BookingWhen::All => {}
        }
        Ok(filter::paginate(items, page))
    }

    async fn insert_review(&self, review: &Review) -> StorageResult<()> {
        self.review_insert(review).await
    }

    async fn review(&self, id: ReviewId) -> StorageResult<Option<Review>> {
        self.review_get(id).await
    }

    async fn film_reviews(&self, film: FilmId, include_hidden: bool, page: PageRequest) -> StorageResult<Page<Review>> {
        self.reviews_page(film, include_hidden, page).await
    }

    async fn review_summary(&self, film: FilmId) -> StorageResult<ReviewSummary> {
        self.reviews_summary(film).await
    }

    async fn set_review_hidden(&self, id: ReviewId, hidden: bool) -> StorageResult<()> {
        self.review_set_hidden(id, hidden).await
    }
}
