//! Schema migration 2: accounts, sessions, single-use tokens, recovery codes and the audit
//! log. Customers of migration 1 become customer accounts (verified, without a password:
//! they set one through a password reset) and their bearer tokens become sessions.

/// Migration 2 (appended to `schema::MIGRATIONS`; never edit once released).
pub(crate) const V2_ACCOUNTS: &str = r"
CREATE TABLE accounts (
    id                   TEXT PRIMARY KEY NOT NULL,
    role                 TEXT NOT NULL CHECK (role IN ('admin', 'manager', 'cashier', 'kiosk', 'customer')),
    email                TEXT,
    email_key            TEXT UNIQUE,  -- the email lower-cased by the backend
    email_verified_at_ms INTEGER,
    pending_email        TEXT,
    username             TEXT NOT NULL,
    username_key         TEXT NOT NULL UNIQUE,
    first_name           TEXT NOT NULL,
    last_name            TEXT NOT NULL,
    phone                TEXT,
    birth_date           TEXT,
    language             TEXT NOT NULL,
    password_hash        TEXT,
    totp_secret          TEXT,
    totp_enabled         INTEGER NOT NULL DEFAULT 0,
    active               INTEGER NOT NULL,
    created_at_ms        INTEGER NOT NULL,
    updated_at_ms        INTEGER NOT NULL
);
CREATE INDEX accounts_by_role ON accounts (role, created_at_ms, id);

CREATE TABLE sessions (
    token_sha256  BLOB PRIMARY KEY NOT NULL,
    account_id    TEXT NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('cookie', 'bearer', 'device')),
    created_at_ms INTEGER NOT NULL,
    expires_at_ms INTEGER,
    label         TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_by_account ON sessions (account_id, created_at_ms);

CREATE TABLE used_tokens (
    token_id      TEXT PRIMARY KEY NOT NULL,
    account_id    TEXT NOT NULL,
    purpose       TEXT NOT NULL,
    used_at_ms    INTEGER NOT NULL,
    expires_at_ms INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX used_tokens_by_expiry ON used_tokens (expires_at_ms);

CREATE TABLE recovery_codes (
    account_id  TEXT NOT NULL,
    code_sha256 BLOB NOT NULL,
    used_at_ms  INTEGER,
    PRIMARY KEY (account_id, code_sha256)
) WITHOUT ROWID;

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at_ms       INTEGER NOT NULL,
    actor_id    TEXT,
    actor_role  TEXT NOT NULL,
    actor_label TEXT NOT NULL,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT,
    before      TEXT,
    after       TEXT,
    status      INTEGER NOT NULL,
    request_id  TEXT
);
CREATE INDEX audit_by_entity ON audit_log (entity, entity_id, id);
CREATE INDEX audit_by_actor ON audit_log (actor_id, id);

INSERT INTO accounts (id, role, email, email_key, email_verified_at_ms, username, username_key, first_name,
                      last_name, language, active, created_at_ms, updated_at_ms)
SELECT id, 'customer', email, email_key, created_at_ms, 'c-' || replace(id, '-', ''), 'c-' || replace(id, '-', ''),
       name, '', 'en', 1, created_at_ms, created_at_ms
FROM customers WHERE email NOT LIKE '%@walk-in.invalid';

INSERT INTO sessions (token_sha256, account_id, kind, created_at_ms, expires_at_ms, label)
SELECT token_sha256, id, 'bearer', created_at_ms, NULL, 'token from before accounts'
FROM customers WHERE email NOT LIKE '%@walk-in.invalid';
";
