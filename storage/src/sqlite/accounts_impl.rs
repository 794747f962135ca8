//! [`Accounts`] for [`SqliteStorage`]: writes go through the single writer thread (group
//! commit), reads run on the reader pool.

use async_trait::async_trait;

use super::{SqliteStorage, accounts_read as read, accounts_write as write, reviews};
use crate::accounts::{Account, Accounts, BookingHistoryItem, BookingWhen, Role, Session};
use crate::audit::{AuditEntry, AuditFilter};
use crate::catalog::{Page, PageRequest};
use crate::error::StorageResult;
use crate::ids::{AccountId, CustomerId, FilmId, ReviewId};
use crate::reviews::{Review, ReviewSummary};
use crate::time::Timestamp;

#[async_trait]
impl Accounts for SqliteStorage {
    async fn insert_account(&self, account: &Account) -> StorageResult<()> {
        let account = account.clone();
        self.write(move |c| write::insert_account(c, &account)).await
    }

    async fn account(&self, id: AccountId) -> StorageResult<Option<Account>> {
        self.read(move |c| read::account(c, id)).await
    }

    async fn account_by_email(&self, email: &str) -> StorageResult<Option<Account>> {
        let email = email.to_owned();
        self.read(move |c| read::account_by_email(c, &email)).await
    }

    async fn update_account(&self, account: &Account) -> StorageResult<()> {
        let account = account.clone();
        self.write(move |c| write::update_account(c, &account)).await
    }

    async fn list_accounts(&self, roles: &[Role], page: PageRequest) -> StorageResult<Page<Account>> {
        let roles = roles.to_vec();
        self.read(move |c| read::list_accounts(c, &roles, page)).await
    }

    async fn erase_account(&self, id: AccountId, at: Timestamp) -> StorageResult<()> {
        self.write(move |c| write::erase_account(c, id, at)).await
    }

    async fn insert_session(&self, session: &Session) -> StorageResult<()> {
        let session = session.clone();
        self.write(move |c| write::insert_session(c, &session)).await
    }

    async fn session(&self, token_sha256: &[u8; 32]) -> StorageResult<Option<Session>> {
        let hash = *token_sha256;
        self.read(move |c| read::session(c, hash)).await
    }

    async fn delete_session(&self, token_sha256: &[u8; 32]) -> StorageResult<bool> {
        let hash = *token_sha256;
        self.write(move |c| write::delete_session(c, hash)).await
    }

    async fn delete_sessions(&self, account: AccountId, keep: Option<[u8; 32]>) -> StorageResult<u64> {
        self.write(move |c| write::delete_sessions(c, account, keep)).await
    }

    async fn sessions_of(&self, account: AccountId) -> StorageResult<Vec<Session>> {
        self.read(move |c| read::sessions_of(c, account)).await
    }

    async fn consume_token(
        &self,
        token_id: &str,
        account: AccountId,
        purpose: &str,
        at: Timestamp,
        expires_at: Timestamp,
    ) -> StorageResult<bool> {
        let (token_id, purpose) = (token_id.to_owned(), purpose.to_owned());
        self.write(move |c| write::consume_token(c, &token_id, account, &purpose, at, expires_at)).await
    }

    async fn set_recovery_codes(&self, account: AccountId, codes: &[[u8; 32]]) -> StorageResult<()> {
        let codes = codes.to_vec();
        self.write(move |c| write::set_recovery_codes(c, account, &codes)).await
    }

    async fn use_recovery_code(
        &self,
        account: AccountId,
        code_sha256: &[u8; 32],
        at: Timestamp,
    ) -> StorageResult<bool> {
        let code = *code_sha256;
        self.write(move |c| write::use_recovery_code(c, account, code, at)).await
    }

    async fn recovery_codes_left(&self, account: AccountId) -> StorageResult<u32> {
        self.read(move |c| read::recovery_codes_left(c, account)).await
    }

    async fn append_audit(&self, entry: &AuditEntry) -> StorageResult<()> {
        let entry = entry.clone();
        self.write(move |c| write::append_audit(c, &entry)).await
    }

    async fn audit_log(&self, filter: &AuditFilter, page: PageRequest) -> StorageResult<Page<AuditEntry>> {
        let filter = filter.clone();
        self.read(move |c| read::audit_log(c, &filter, page)).await
    }

    async fn booking_history(
        &self,
        customer: CustomerId,
        when: BookingWhen,
        now: Timestamp,
        page: PageRequest,
    ) -> StorageResult<Page<BookingHistoryItem>> {
        self.read(move |c| read::booking_history(c, customer, when, now, page)).await
    }

    async fn insert_review(&self, review: &Review) -> StorageResult<()> {
        let review = review.clone();
        self.write(move |c| reviews::insert(c, &review)).await
    }

    async fn review(&self, id: ReviewId) -> StorageResult<Option<Review>> {
        self.read(move |c| reviews::get(c, id)).await
    }

    async fn film_reviews(&self, film: FilmId, include_hidden: bool, page: PageRequest) -> StorageResult<Page<Review>> {
        self.read(move |c| reviews::of_film(c, film, include_hidden, page)).await
    }

    async fn review_summary(&self, film: FilmId) -> StorageResult<ReviewSummary> {
        self.read(move |c| reviews::summary(c, film)).await
    }

    async fn set_review_hidden(&self, id: ReviewId, hidden: bool) -> StorageResult<()> {
        self.write(move |c| reviews::set_hidden(c, id, hidden)).await
    }
}
