//! Every CQL statement the backend runs (all prepared once at start: bound values only,
//! so the driver routes each to a replica of its partition), and the builders of the
//! batches of the write path. Plain code: the driver glue turns [`Bound`] into driver
//! values.

use uuid::Uuid;

use super::rows::Cql;

macro_rules! statements {
    ($($name:ident => $text:expr,)*) => {
        /// A prepared statement of the backend.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[allow(missing_docs)]
        pub enum Stmt { $($name),* }

        impl Stmt {
            /// Every statement, in preparation order.
            pub const ALL: &'static [Stmt] = &[$(Stmt::$name),*];

            /// Its CQL text.
            #[must_use]
            pub const fn text(self) -> &'static str {
                match self { $(Stmt::$name => $text),* }
            }
        }
    };
}

statements! {
    Ping => "SELECT release_version FROM system.local WHERE key = 'local'",
    MigrationsApplied => "SELECT version FROM schema_migrations",
    MigrationRecord => "INSERT INTO schema_migrations (version, description, applied_at) VALUES (?, ?, ?)",
    // catalog
    CatalogInsert => "INSERT INTO catalog (kind, id, record, live) VALUES (?, ?, ?, true) IF NOT EXISTS",
    CatalogUpdate => "UPDATE catalog SET record = ? WHERE kind = ? AND id = ? IF live = true",
    CatalogDelete => "UPDATE catalog SET live = false, deleted_at = ? WHERE kind = ? AND id = ? IF live = true",
    CatalogGet => "SELECT record, live FROM catalog WHERE kind = ? AND id = ?",
    CatalogList => "SELECT record, live FROM catalog WHERE kind = ?",
    CatalogIds => "SELECT id FROM catalog WHERE kind = ?",
    ShowtimeGet => "SELECT record, live, auditorium_id FROM showtimes WHERE id = ?",
    ShowtimeInsert => "INSERT INTO showtimes (id, auditorium_id, record, live) VALUES (?, ?, ?, true) IF NOT EXISTS",
    ShowtimeUpdate => "UPDATE showtimes SET record = ?, auditorium_id = ? WHERE id = ? IF live = true",
    ShowtimeDelete => "UPDATE showtimes SET live = false, deleted_at = ? WHERE id = ? IF live = true",
    ScheduleRead => "SELECT starts_at, showtime_id, ends_at, scheduled, live, record, version FROM auditorium_schedule WHERE auditorium_id = ?",
    ScheduleRange => "SELECT record, live FROM auditorium_schedule WHERE auditorium_id = ? AND starts_at >= ? AND starts_at < ?",
    ScheduleBumpFirst => "UPDATE auditorium_schedule SET version = ? WHERE auditorium_id = ? IF version = null",
    ScheduleBump => "UPDATE auditorium_schedule SET version = ? WHERE auditorium_id = ? IF version = ?",
    SchedulePut => "INSERT INTO auditorium_schedule (auditorium_id, starts_at, showtime_id, ends_at, scheduled, live, record) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ScheduleRemove => "DELETE FROM auditorium_schedule WHERE auditorium_id = ? AND starts_at = ? AND showtime_id = ?",
    // showtime log: ownership, journal, bookings
    LogStatics => "SELECT epoch, owner, acquired_at, next_seq FROM showtime_log WHERE showtime_id = ? LIMIT 1",
    // The same read at serial consistency: it completes any Paxos round in progress, so it
    // tells whether a batch whose answer was lost did apply.
    LogStaticsSerial => "SELECT epoch, next_seq FROM showtime_log WHERE showtime_id = ? LIMIT 1",
    AcquireFirst => "UPDATE showtime_log SET epoch = ?, owner = ?, acquired_at = ?, next_seq = ? WHERE showtime_id = ? IF epoch = null",
    Acquire => "UPDATE showtime_log SET epoch = ?, owner = ?, acquired_at = ? WHERE showtime_id = ? IF epoch = ?",
    JournalHeadFenced => "UPDATE showtime_log SET next_seq = ? WHERE showtime_id = ? IF epoch = ? AND next_seq = ?",
    JournalHeadUnowned => "UPDATE showtime_log SET next_seq = ? WHERE showtime_id = ? IF epoch = null AND next_seq = ?",
    JournalHeadFirst => "UPDATE showtime_log SET next_seq = ? WHERE showtime_id = ? IF epoch = null AND next_seq = null",
    JournalPut => "INSERT INTO showtime_log (showtime_id, part, seq, booking_id, at, event) VALUES (?, 0, ?, ?, ?, ?)",
    BookingPut => "INSERT INTO showtime_log (showtime_id, part, seq, booking_id, record, status) VALUES (?, 1, 0, ?, ?, 'confirmed')",
    BookingCancel => "UPDATE showtime_log SET status = 'cancelled', cancelled_at = ?, cancel_reason = ? WHERE showtime_id = ? AND part = 1 AND seq = 0 AND booking_id = ?",
    JournalAfter => "SELECT seq, at, event FROM showtime_log WHERE showtime_id = ? AND part = 0 AND seq > ?",
    BookingsOfShowtime => "SELECT record, status, cancelled_at, cancel_reason FROM showtime_log WHERE showtime_id = ? AND part = 1",
    BookingInShowtime => "SELECT record, status, cancelled_at, cancel_reason FROM showtime_log WHERE showtime_id = ? AND part = 1 AND seq = 0 AND booking_id = ?",
    BookingIndexPut => "INSERT INTO booking_index (booking_id, showtime_id, customer_id, payment_id, created_at) VALUES (?, ?, ?, ?, ?)",
    BookingIndexGet => "SELECT showtime_id FROM booking_index WHERE booking_id = ?",
    CustomerBookingPut => "INSERT INTO bookings_by_customer (customer_id, created_at, booking_id, showtime_id) VALUES (?, ?, ?, ?)",
    CustomerBookings => "SELECT booking_id, showtime_id FROM bookings_by_customer WHERE customer_id = ?",
    PaymentBookingPut => "INSERT INTO booking_by_payment (payment_id, booking_id, showtime_id) VALUES (?, ?, ?)",
    PaymentBookingGet => "SELECT booking_id, showtime_id FROM booking_by_payment WHERE payment_id = ?",
    // customers and wallets
    CustomerInsert => "INSERT INTO customers (id, name, email, created_at) VALUES (?, ?, ?, ?) IF NOT EXISTS",
    CustomerGet => "SELECT id, name, email, created_at FROM customers WHERE id = ?",
    EmailClaim => "INSERT INTO customer_emails (email_key, customer_id) VALUES (?, ?) IF NOT EXISTS",
    TokenClaim => "INSERT INTO customer_tokens (token, customer_id) VALUES (?, ?) IF NOT EXISTS",
    TokenGet => "SELECT customer_id FROM customer_tokens WHERE token = ?",
    WalletRead => "SELECT reference, seq, amount, currency, kind, memo, at, balances, version FROM wallets WHERE customer_id = ?",
    WalletEntry => "SELECT seq FROM wallets WHERE customer_id = ? AND reference = ?",
    WalletBumpFirst => "UPDATE wallets SET balances = ?, version = ? WHERE customer_id = ? IF version = null",
    WalletBump => "UPDATE wallets SET balances = ?, version = ? WHERE customer_id = ? IF version = ?",
    WalletPut => "INSERT INTO wallets (customer_id, reference, seq, amount, currency, kind, memo, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    CandidatePut => "INSERT INTO payment_candidates (bucket, payment_id, reason, customer_id, created_at) VALUES (?, ?, ?, ?, ?)",
    CandidateList => "SELECT payment_id, reason, customer_id FROM payment_candidates WHERE bucket = ?",
    CandidateDelete => "DELETE FROM payment_candidates WHERE bucket = ? AND payment_id = ? AND reason = ?",
    // accounts
    AccountPut => "INSERT INTO accounts (id, record, role, created_at) VALUES (?, ?, ?, ?)",
    AccountInsert => "INSERT INTO accounts (id, record, role, created_at) VALUES (?, ?, ?, ?) IF NOT EXISTS",
    AccountGet => "SELECT record FROM accounts WHERE id = ?",
    AccountRolePut => "INSERT INTO accounts_by_role (role, created_at, id) VALUES (?, ?, ?)",
    AccountRoleDelete => "DELETE FROM accounts_by_role WHERE role = ? AND created_at = ? AND id = ?",
    AccountsOfRole => "SELECT id FROM accounts_by_role WHERE role = ?",
    KeyClaim => "INSERT INTO account_keys (key, account_id) VALUES (?, ?) IF NOT EXISTS",
    KeyGet => "SELECT account_id FROM account_keys WHERE key = ?",
    KeyRelease => "DELETE FROM account_keys WHERE key = ? IF account_id = ?",
    SessionInsert => "INSERT INTO sessions (token, account_id, kind, created_at, expires_at, label) VALUES (?, ?, ?, ?, ?, ?) IF NOT EXISTS",
    SessionGet => "SELECT token, account_id, kind, created_at, expires_at, label FROM sessions WHERE token = ?",
    SessionDelete => "DELETE FROM sessions WHERE token = ? IF EXISTS",
    AccountSessionPut => "INSERT INTO sessions_by_account (account_id, token) VALUES (?, ?)",
    AccountSessionDelete => "DELETE FROM sessions_by_account WHERE account_id = ? AND token = ?",
    AccountSessions => "SELECT token FROM sessions_by_account WHERE account_id = ?",
    TokenConsume => "INSERT INTO used_tokens (token_id, account_id, purpose, used_at) VALUES (?, ?, ?, ?) IF NOT EXISTS USING TTL ?",
    RecoveryClear => "DELETE FROM recovery_codes WHERE account_id = ?",
    RecoveryPut => "INSERT INTO recovery_codes (account_id, code, live) VALUES (?, ?, true)",
    RecoveryUse => "UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code = ? IF live = true AND used_at = null",
    RecoveryList => "SELECT used_at FROM recovery_codes WHERE account_id = ?",
    AuditPut => "INSERT INTO audit_log (day, id, entry) VALUES (?, ?, ?)",
    AuditDayPut => "INSERT INTO audit_days (bucket, day) VALUES (0, ?)",
    AuditDays => "SELECT day FROM audit_days WHERE bucket = 0",
    AuditOfDay => "SELECT entry FROM audit_log WHERE day = ?",
    CustomerRename => "UPDATE customers SET name = ?, email = ? WHERE id = ?",
    EmailRelease => "DELETE FROM customer_emails WHERE email_key = ? IF customer_id = ?",
    // reviews
    ReviewPut => "INSERT INTO reviews_by_film (film_id, customer_id, review_id, record) VALUES (?, ?, ?, ?) IF NOT EXISTS",
    ReviewsOfFilm => "SELECT record FROM reviews_by_film WHERE film_id = ?",
    ReviewUpdate => "UPDATE reviews_by_film SET record = ? WHERE film_id = ? AND customer_id = ?",
    ReviewIndexPut => "INSERT INTO review_index (review_id, film_id, customer_id) VALUES (?, ?, ?)",
    ReviewIndexGet => "SELECT film_id, customer_id FROM review_index WHERE review_id = ?",
    ReviewGet => "SELECT record FROM reviews_by_film WHERE film_id = ? AND customer_id = ?",
    // idempotency
    IdempotencyGet => "SELECT request_hash, status, body, created_at FROM idempotency WHERE scope = ? AND key = ?",
    IdempotencyPut => "INSERT INTO idempotency (scope, key, request_hash, status, body, created_at) VALUES (?, ?, ?, ?, ?, ?) IF NOT EXISTS",
}

/// A statement with its bound values.
#[derive(Clone, Debug, PartialEq)]
pub struct Bound {
    /// Which statement.
    pub stmt: Stmt,
    /// Its values, in order (`None`: null).
    pub values: Vec<Option<Cql>>,
}

impl Bound {
    /// `stmt` with `values`.
    #[must_use]
    pub fn new(stmt: Stmt, values: Vec<Option<Cql>>) -> Self {
        Self { stmt, values }
    }
}

/// Bound placeholders of a statement text.
#[must_use]
pub fn placeholders(stmt: Stmt) -> usize {
    stmt.text().matches('?').count()
}

/// The nil UUID: `booking_id` of journal rows (clustering columns cannot be null).
pub const NO_BOOKING: Uuid = Uuid::nil();

/// The bucket of a payment in `payment_candidates`.
#[must_use]
pub fn payment_bucket(payment: Uuid) -> i32 {
    let bytes = payment.as_bytes();
    i32::from(bytes[15] ^ bytes[7]) % super::schema::PAYMENT_BUCKETS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_statement_is_distinct_and_bound_only() {
        let mut texts: Vec<&str> = Stmt::ALL.iter().map(|s| s.text()).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), Stmt::ALL.len(), "duplicate statement text");
        for stmt in Stmt::ALL {
            // No literal values in WHERE clauses except the fixed ones of the layout.
            let fixed = matches!(stmt, Stmt::Ping | Stmt::BookingPut | Stmt::BookingCancel);
            assert!(!stmt.text().contains("= '") || fixed, "{stmt:?}");
        }
        assert_eq!(placeholders(Stmt::JournalHeadFenced), 4);
    }

    #[test]
    fn lightweight_transactions_are_where_fencing_needs_them() {
        for stmt in [Stmt::AcquireFirst, Stmt::Acquire, Stmt::JournalHeadFenced, Stmt::WalletBump, Stmt::EmailClaim] {
            assert!(stmt.text().contains(" IF "), "{stmt:?} must be conditional");
        }
        for stmt in [Stmt::JournalPut, Stmt::BookingPut, Stmt::BookingCancel, Stmt::WalletPut] {
            assert!(!stmt.text().contains(" IF "), "{stmt:?} joins a conditional batch unconditionally");
        }
    }

    #[test]
    fn payment_buckets_are_in_range() {
        for _ in 0..100 {
            let bucket = payment_bucket(Uuid::new_v4());
            assert!((0..super::super::schema::PAYMENT_BUCKETS).contains(&bucket));
        }
    }
}
