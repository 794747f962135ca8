//! Customers, wallets, settlements and idempotency on ScyllaDB.

use std::collections::BTreeMap;

use uuid::Uuid;

use super::batches;
use super::rows::{self, Cql, big, text, uuid};
use super::session::ScyllaStorage;
use super::statements::{Bound, Stmt, payment_bucket};
use crate::IdempotentResponse;
use crate::error::{StorageError, StorageResult};
use crate::ids::{CustomerId, PaymentId};
use crate::journal::BookingStatus;
use crate::money::{Currency, Money};
use crate::time::Timestamp;
use crate::wallet::{Customer, LedgerEntry, LedgerKind, LedgerOutcome, UnsettledPayment};

/// Attempts of a wallet movement that keeps losing races before it gives up.
const WALLET_TRIES_MAX: u32 = 16;

/// A wallet as read: entries by reference, balances, version.
pub(super) struct Wallet {
    pub entries: Vec<(i64, LedgerEntry)>,
    pub balances: BTreeMap<String, i64>,
    pub version: Option<i64>,
}

impl Wallet {
    fn balance(&self, currency: Currency) -> Money {
        Money::new(self.balances.get(currency.as_str()).copied().unwrap_or(0), currency)
    }
}

impl ScyllaStorage {
    pub(super) async fn insert_customer_row(&self, customer: &Customer, token: &[u8; 32]) -> StorageResult<()> {
        let id = uuid(customer.id.as_uuid());
        let claim = |stmt, key| Bound::new(stmt, vec![key, id.clone()]);
        let email = self.run(claim(Stmt::EmailClaim, text(customer.email.to_lowercase()))).await?;
        if !email.applied() && claimed_by(&email) != Some(customer.id.as_uuid()) {
            return Err(StorageError::Duplicate("email"));
        }
        let token_claim = self.run(claim(Stmt::TokenClaim, Some(Cql::Blob(token.to_vec())))).await?;
        if !token_claim.applied() && claimed_by(&token_claim) != Some(customer.id.as_uuid()) {
            return Err(StorageError::Duplicate("token"));
        }
        let values =
            vec![id, text(customer.name.clone()), text(customer.email.clone()), big(customer.created_at.as_millis())];
        if !self.run(Bound::new(Stmt::CustomerInsert, values)).await?.applied() {
            return Err(StorageError::Duplicate("id"));
        }
        Ok(())
    }

    pub(super) async fn customer_row(&self, id: CustomerId) -> StorageResult<Option<Customer>> {
        let result = self.run(Bound::new(Stmt::CustomerGet, vec![uuid(id.as_uuid())])).await?;
        let Some(row) = result.rows.first() else { return Ok(None) };
        Ok(Some(Customer {
            id: CustomerId::from_uuid(rows::get_uuid(row, 0, "customer id")?),
            name: rows::get_text(row, 1, "customer name")?,
            email: rows::get_text(row, 2, "customer email")?,
            created_at: Timestamp::from_millis(rows::get_big(row, 3, "customer created_at")?),
        }))
    }

    pub(super) async fn customer_of_token(&self, token: &[u8; 32]) -> StorageResult<Option<Customer>> {
        let result = self.run(Bound::new(Stmt::TokenGet, vec![Some(Cql::Blob(token.to_vec()))])).await?;
        let Some(row) = result.rows.first() else { return Ok(None) };
        self.customer_row(CustomerId::from_uuid(rows::get_uuid(row, 0, "token customer")?)).await
    }

    pub(super) async fn wallet(&self, customer: CustomerId) -> StorageResult<Wallet> {
        let rows = self.run_all(Bound::new(Stmt::WalletRead, vec![uuid(customer.as_uuid())])).await?;
        let mut wallet = Wallet { entries: Vec::new(), balances: BTreeMap::new(), version: None };
        for row in &rows {
            wallet.balances = rows::balances(row, 7);
            wallet.version = rows::get_big_opt(row, 8, "wallet version")?;
            if row.first().is_some_and(Option::is_some) {
                wallet.entries.push(rows::ledger_entry(customer, row)?);
            }
        }
        wallet.entries.sort_by_key(|e| std::cmp::Reverse(e.0));
        Ok(wallet)
    }

    /// Applies a wallet movement at most once per reference, conditionally on the balance
    /// for debits: read the wallet, decide, then one conditional batch on its version.
    pub(super) async fn apply(&self, entry: &LedgerEntry) -> StorageResult<LedgerOutcome> {
        if let Some(payment) = payment_of(entry, LedgerKind::Payment, "payment:") {
            // The candidate comes first: a debit is never invisible to the settler.
            self.candidate(payment, "debit", entry.customer_id.as_uuid(), entry.at).await?;
        }
        let mut lost: Option<StorageError> = None;
        for _ in 0..WALLET_TRIES_MAX {
            let wallet = self.wallet(entry.customer_id).await?;
            let currency = entry.amount.currency();
            if let Some((_, existing)) = wallet.entries.iter().find(|(_, e)| e.reference == entry.reference) {
                return Ok(LedgerOutcome::AlreadyApplied(wallet.balance(existing.amount.currency())));
            }
            let before = wallet.balance(currency);
            let after = before
                .checked_add(entry.amount)
                .map_err(|e| StorageError::Unavailable(format!("ledger entry {}: {e}", entry.reference)))?;
            if entry.amount.amount_minor() < 0 && after.amount_minor() < 0 {
                return Err(StorageError::InsufficientBalance { balance: before });
            }
            let batch = batches::wallet_batch(entry, wallet.version, &wallet.balances)?;
            match self.run_batch(batch).await {
                Ok(result) if result.applied() => return Ok(LedgerOutcome::Applied(after)),
                Ok(_) => {}
                // The answer was lost: read again. The batch is conditional on the version it
                // read, so it applied at most once, and the next read shows whether it did.
                Err(error) => lost = Some(error),
            }
        }
        Err(lost.unwrap_or_else(|| {
            StorageError::Unavailable(format!("wallet {}: lost {WALLET_TRIES_MAX} races in a row", entry.customer_id))
        }))
    }

    async fn candidate(&self, payment: Uuid, reason: &str, customer: Uuid, at: Timestamp) -> StorageResult<()> {
        let values = vec![
            Some(Cql::Int(payment_bucket(payment))),
            uuid(payment),
            text(reason),
            uuid(customer),
            big(at.as_millis()),
        ];
        self.run(Bound::new(Stmt::CandidatePut, values)).await.map(|_| ())
    }

    /// Checks every candidate against the wallets and showtimes; deletes settled ones.
    pub(super) async fn unsettled(&self) -> StorageResult<Vec<UnsettledPayment>> {
        let mut unsettled = Vec::new();
        for bucket in 0..super::schema::PAYMENT_BUCKETS {
            let rows = self.run_all(Bound::new(Stmt::CandidateList, vec![Some(Cql::Int(bucket))])).await?;
            for row in &rows {
                let payment = rows::get_uuid(row, 0, "candidate payment")?;
                let reason = rows::get_text(row, 1, "candidate reason")?;
                let customer = CustomerId::from_uuid(rows::get_uuid(row, 2, "candidate customer")?);
                match self.check_candidate(payment, &reason, customer).await? {
                    Some(found) => unsettled.push(found),
                    None => {
                        let values = vec![Some(Cql::Int(bucket)), uuid(payment), text(reason)];
                        self.run(Bound::new(Stmt::CandidateDelete, values)).await?;
                    }
                }
            }
        }
        unsettled.sort_by_key(|u| u.payment_id);
        Ok(unsettled)
    }

    /// `Some` if the candidate still needs a refund; `None` once settled (or never real).
    async fn check_candidate(
        &self,
        payment: Uuid,
        reason: &str,
        customer: CustomerId,
    ) -> StorageResult<Option<UnsettledPayment>> {
        let payment_id = PaymentId::from_uuid(payment);
        let wallet = self.wallet(customer).await?;
        let find =
            |reference: String| wallet.entries.iter().find(|(_, e)| e.reference == reference).map(|(_, e)| e.clone());
        if find(LedgerEntry::refund_reference(payment_id)).is_some() {
            return Ok(None);
        }
        let booking = self.booking_of_payment(payment).await?;
        Ok(match (reason, booking) {
            ("debit", None) => find(LedgerEntry::payment_reference(payment_id)).map(|debit| UnsettledPayment {
                payment_id,
                customer_id: customer,
                amount: debit.amount.negated(),
                at: debit.at,
            }),
            ("cancel", Some(b)) if b.status == BookingStatus::Cancelled => Some(UnsettledPayment {
                payment_id,
                customer_id: b.record.customer_id,
                amount: b.record.total,
                at: b.cancelled_at.unwrap_or(b.record.created_at),
            }),
            _ => None,
        })
    }

    pub(super) async fn idempotent_get(&self, scope: &str, key: &str) -> StorageResult<Option<IdempotentResponse>> {
        let result = self.run(Bound::new(Stmt::IdempotencyGet, vec![text(scope), text(key)])).await?;
        let Some(row) = result.rows.first() else { return Ok(None) };
        let status = match row.get(1) {
            Some(Some(Cql::Int(s))) => {
                u16::try_from(*s).map_err(|_| StorageError::Corrupt("bad stored status".into()))?
            }
            _ => return Err(StorageError::Corrupt("idempotency status missing".into())),
        };
        let body = match row.get(2) {
            Some(Some(Cql::Blob(b))) => b.clone(),
            _ => Vec::new(),
        };
        Ok(Some(IdempotentResponse {
            request_hash: rows::get_text(row, 0, "request hash")?,
            status,
            body,
            created_at: Timestamp::from_millis(rows::get_big(row, 3, "created_at")?),
        }))
    }

    pub(super) async fn idempotent_put(
        &self,
        scope: &str,
        key: &str,
        response: &IdempotentResponse,
    ) -> StorageResult<()> {
        let values = vec![
            text(scope),
            text(key),
            text(response.request_hash.clone()),
            Some(Cql::Int(i32::from(response.status))),
            Some(Cql::Blob(response.body.clone())),
            big(response.created_at.as_millis()),
        ];
        // IF NOT EXISTS: the first response stays.
        self.run(Bound::new(Stmt::IdempotencyPut, values)).await.map(|_| ())
    }
}

/// The payment id of a `payment:`/`refund:` ledger entry.
fn payment_of(entry: &LedgerEntry, kind: LedgerKind, prefix: &str) -> Option<Uuid> {
    if entry.kind != kind {
        return None;
    }
    entry.reference.strip_prefix(prefix)?.parse().ok()
}

/// The id a refused `IF NOT EXISTS` claim found.
fn claimed_by(result: &super::session::Rows) -> Option<Uuid> {
    result.first_named().into_iter().find_map(|(name, value)| match (name, value) {
        ("customer_id", Some(Cql::Uuid(u))) => Some(u),
        _ => None,
    })
}
