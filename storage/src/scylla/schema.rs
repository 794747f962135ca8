//! The CQL schema, versioned: each migration is a list of statements, applied in order at
//! start (`ScyllaStorage::connect`) and by `boxoffice migrate`, and recorded in
//! `schema_migrations`. Tables are modelled per query (`docs/scylla-schema.md`): the hot
//! path (a showtime's group commit) touches exactly one partition of `showtime_log`.
//! Never edit a released migration: append one.

use super::url::is_identifier;

/// `CREATE KEYSPACE` for `keyspace` with `replication_factor` copies, in `datacenter`
/// (`NetworkTopologyStrategy`), or in every datacenter when none is named.
///
/// # Panics
/// Never for names that passed [`is_identifier`]; other names are refused with `None`.
#[must_use]
pub fn create_keyspace(keyspace: &str, replication_factor: u32, datacenter: Option<&str>) -> Option<String> {
    if !is_identifier(keyspace) || datacenter.is_some_and(|dc| dc.is_empty() || dc.contains(['\'', '\\'])) {
        return None;
    }
    let replication = match datacenter {
        Some(dc) => format!("'{dc}': {replication_factor}"),
        None => format!("'replication_factor': {replication_factor}"),
    };
    Some(format!(
        "CREATE KEYSPACE IF NOT EXISTS {keyspace} WITH replication = {{'class': 'NetworkTopologyStrategy', {replication}}}"
    ))
}

/// The migrations, oldest first: `(version, description, statements)`.
pub const MIGRATIONS: &[(i32, &str, &[&str])] =
    &[(1, "initial schema", V1), (2, "accounts", V2_ACCOUNTS), (3, "reviews", V3_REVIEWS)];

/// The schema version this build writes.
#[must_use]
pub fn latest_version() -> i32 {
    MIGRATIONS.last().map_or(0, |(version, _, _)| *version)
}

/// Bookkeeping of applied migrations (created before any migration runs).
pub const SCHEMA_MIGRATIONS: &str = "CREATE TABLE IF NOT EXISTS schema_migrations (
    version int PRIMARY KEY, description text, applied_at bigint)";

const V1: &[&str] = &[
    // Films and auditoriums: a few thousand rows per kind, one partition each; listings
    // read the partition and filter and sort in the node.
    "CREATE TABLE IF NOT EXISTS catalog (
        kind text, id uuid, record text, live boolean, deleted_at bigint,
        PRIMARY KEY (kind, id))",
    // A showtime by id (the actor's load, `GET /showtimes/{id}`).
    "CREATE TABLE IF NOT EXISTS showtimes (
        id uuid PRIMARY KEY, auditorium_id uuid, record text, live boolean, deleted_at bigint)",
    // An auditorium's schedule: the overlap check reads one partition and inserts with a
    // lightweight transaction on `version`; listings by auditorium and time range.
    "CREATE TABLE IF NOT EXISTS auditorium_schedule (
        auditorium_id uuid, starts_at bigint, showtime_id uuid, ends_at bigint, scheduled boolean,
        live boolean, record text, version bigint static,
        PRIMARY KEY (auditorium_id, starts_at, showtime_id))",
    // One showtime's journal (part 0, by seq) and bookings (part 1, by id), and its
    // ownership (static epoch): a group commit is one conditional single-partition batch.
    "CREATE TABLE IF NOT EXISTS showtime_log (
        showtime_id uuid, part tinyint, seq bigint, booking_id uuid,
        at bigint, event text,
        record text, status text, cancelled_at bigint, cancel_reason text,
        epoch bigint static, owner text static, acquired_at bigint static, next_seq bigint static,
        PRIMARY KEY (showtime_id, part, seq, booking_id))",
    // Where a booking lives (written before its batch; read through to showtime_log, so an
    // entry whose batch failed is never seen).
    "CREATE TABLE IF NOT EXISTS booking_index (
        booking_id uuid PRIMARY KEY, showtime_id uuid, customer_id uuid, payment_id uuid, created_at bigint)",
    "CREATE TABLE IF NOT EXISTS bookings_by_customer (
        customer_id uuid, created_at bigint, booking_id uuid, showtime_id uuid,
        PRIMARY KEY (customer_id, created_at, booking_id)) WITH CLUSTERING ORDER BY (created_at DESC, booking_id DESC)",
    "CREATE TABLE IF NOT EXISTS booking_by_payment (
        payment_id uuid PRIMARY KEY, booking_id uuid, showtime_id uuid)",
    // Customers, their unique emails and tokens (claimed with IF NOT EXISTS).
    "CREATE TABLE IF NOT EXISTS customers (
        id uuid PRIMARY KEY, name text, email text, created_at bigint)",
    "CREATE TABLE IF NOT EXISTS customer_emails (email_key text PRIMARY KEY, customer_id uuid)",
    "CREATE TABLE IF NOT EXISTS customer_tokens (token blob PRIMARY KEY, customer_id uuid)",
    // A wallet: its ledger (one row per reference: applied at most once) and its balances,
    // changed together by one conditional batch on `version`.
    "CREATE TABLE IF NOT EXISTS wallets (
        customer_id uuid, reference text, seq bigint, amount bigint, currency text, kind text, memo text, at bigint,
        balances map<text, bigint> static, version bigint static,
        PRIMARY KEY (customer_id, reference))",
    // Payments that may need a refund (written before the debit or the cancellation they
    // are about; the settler checks each against the wallet and the showtime, and deletes
    // the settled ones). 16 buckets.
    "CREATE TABLE IF NOT EXISTS payment_candidates (
        bucket int, payment_id uuid, reason text, customer_id uuid, created_at bigint,
        PRIMARY KEY (bucket, payment_id, reason))",
    // Stored responses of Idempotency-Key requests (kept 7 days).
    "CREATE TABLE IF NOT EXISTS idempotency (
        scope text, key text, request_hash text, status int, body blob, created_at bigint,
        PRIMARY KEY ((scope, key))) WITH default_time_to_live = 604800",
];

const V2_ACCOUNTS: &[&str] = &[
    // An account (JSON) and its listing by role; unique emails and usernames are claimed
    // with IF NOT EXISTS.
    "CREATE TABLE IF NOT EXISTS accounts (id uuid PRIMARY KEY, record text, role text, created_at bigint)",
    "CREATE TABLE IF NOT EXISTS accounts_by_role (
        role text, created_at bigint, id uuid, PRIMARY KEY (role, created_at, id))",
    "CREATE TABLE IF NOT EXISTS account_keys (key text PRIMARY KEY, account_id uuid)",
    // Sessions by token and by account.
    "CREATE TABLE IF NOT EXISTS sessions (
        token blob PRIMARY KEY, account_id uuid, kind text, created_at bigint, expires_at bigint, label text)",
    "CREATE TABLE IF NOT EXISTS sessions_by_account (account_id uuid, token blob, PRIMARY KEY (account_id, token))",
    // Used single-use link tokens (expire with their link).
    "CREATE TABLE IF NOT EXISTS used_tokens (token_id text PRIMARY KEY, account_id uuid, purpose text, used_at bigint)",
    "CREATE TABLE IF NOT EXISTS recovery_codes (
        account_id uuid, code blob, live boolean, used_at bigint, PRIMARY KEY (account_id, code))",
    // The audit log, one partition per day, newest first; `audit_days` lists the days.
    "CREATE TABLE IF NOT EXISTS audit_log (
        day int, id bigint, entry text, PRIMARY KEY (day, id)) WITH CLUSTERING ORDER BY (id DESC)",
    "CREATE TABLE IF NOT EXISTS audit_days (bucket int, day int, PRIMARY KEY (bucket, day))",
];

/// Buckets of `payment_candidates`.
pub const PAYMENT_BUCKETS: i32 = 16;

const V3_REVIEWS: &[&str] = &[
    // A film's reviews (JSON), one row per customer: the one-review-per-film rule is the
    // primary key, claimed with IF NOT EXISTS; listings read the film's partition.
    "CREATE TABLE IF NOT EXISTS reviews_by_film (
        film_id uuid, customer_id uuid, review_id uuid, record text,
        PRIMARY KEY (film_id, customer_id))",
    // A review by id (staff hide it by id).
    "CREATE TABLE IF NOT EXISTS review_index (review_id uuid PRIMARY KEY, film_id uuid, customer_id uuid)",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyspace_ddl_is_safe() {
        let ddl = create_keyspace("boxoffice", 3, None).expect("ddl");
        assert!(ddl.contains("'replication_factor': 3"), "{ddl}");
        let ddl = create_keyspace("boxoffice", 3, Some("eu-west-1")).expect("ddl");
        assert!(ddl.contains("'eu-west-1': 3"), "{ddl}");
        assert_eq!(create_keyspace("box;office", 3, None), None);
        assert_eq!(create_keyspace("boxoffice", 3, Some("dc'1")), None);
    }

    #[test]
    fn migrations_are_ordered_and_idempotent() {
        let versions: Vec<i32> = MIGRATIONS.iter().map(|m| m.0).collect();
        assert!(versions.windows(2).all(|w| w[1] == w[0] + 1) && versions.first() == Some(&1));
        assert_eq!(latest_version(), 3);
        for (_, _, statements) in MIGRATIONS {
            for statement in *statements {
                assert!(statement.starts_with("CREATE TABLE IF NOT EXISTS "), "{statement}");
            }
        }
    }
}
