//! Stored wallet balances: schema migration 6. A wallet's balance was the sum of its ledger,
//! recomputed at every payment (a scan that grew with the customer's history); now a
//! trigger keeps one row per wallet up to date in the same transaction as every ledger
//! insert, whichever code path makes it, and the ledger refuses updates and deletions so
//! that the stored sum can never drift from it.

/// Migration 6 (appended to `schema::MIGRATIONS`; never edit once released): the balances
/// table filled from the ledger as it stands, the trigger that maintains it, the
/// append-only guards, and the ledger index that only served the old sum dropped (one
/// index page fewer to write per ledger entry).
pub(crate) const V6_WALLET_BALANCES: &str = r"
CREATE TABLE wallet_balances (
    customer_id   TEXT NOT NULL,
    currency      TEXT NOT NULL,
    balance_minor INTEGER NOT NULL,
    PRIMARY KEY (customer_id, currency)
) WITHOUT ROWID;
INSERT INTO wallet_balances (customer_id, currency, balance_minor)
    SELECT customer_id, currency, SUM(amount_minor) FROM ledger GROUP BY customer_id, currency;
CREATE TRIGGER ledger_keeps_balance AFTER INSERT ON ledger BEGIN
    INSERT INTO wallet_balances (customer_id, currency, balance_minor)
        VALUES (NEW.customer_id, NEW.currency, NEW.amount_minor)
        ON CONFLICT (customer_id, currency) DO UPDATE SET balance_minor = balance_minor + excluded.balance_minor;
END;
CREATE TRIGGER ledger_refuses_updates BEFORE UPDATE ON ledger BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
CREATE TRIGGER ledger_refuses_deletions BEFORE DELETE ON ledger BEGIN
    SELECT RAISE(ABORT, 'the ledger is append-only');
END;
DROP INDEX ledger_by_wallet;
";

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use rusqlite::{Connection, params};

    use super::super::{read_wallet, schema, write_wallet};
    use crate::error::StorageError;
    use crate::ids::CustomerId;
    use crate::money::{Currency, Money};
    use crate::time::Timestamp;
    use crate::wallet::{LedgerEntry, LedgerKind, LedgerOutcome};

    fn usd() -> Currency {
        "USD".parse().expect("a currency")
    }

    fn migrated() -> Connection {
        let mut conn = Connection::open_in_memory().expect("open");
        schema::migrate(&mut conn).expect("migrate");
        conn
    }

    fn entry(customer: CustomerId, minor: i64, currency: Currency, reference: &str) -> LedgerEntry {
        LedgerEntry {
            customer_id: customer,
            amount: Money::new(minor, currency),
            kind: if minor < 0 { LedgerKind::Payment } else { LedgerKind::Credit },
            reference: reference.into(),
            memo: String::new(),
            at: Timestamp::from_millis(0),
        }
    }

    fn summed(conn: &Connection, customer: CustomerId, currency: Currency) -> i64 {
        conn.query_row(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM ledger WHERE customer_id = ?1 AND currency = ?2",
            params![customer.to_string(), currency.as_str()],
            |r| r.get(0),
        )
        .expect("sum")
    }

    fn stored(conn: &Connection, customer: CustomerId, currency: Currency) -> i64 {
        read_wallet::balance(conn, &customer.to_string(), currency).expect("balance").amount_minor()
    }

    #[test]
    fn the_migration_fills_the_balances_from_the_ledger_as_it_stands() {
        let mut conn = Connection::open_in_memory().expect("open");
        // A database of schema version 5, with a ledger written by that version.
        for sql in &schema::MIGRATIONS[..5] {
            conn.execute_batch(sql).expect("older migration");
        }
        conn.pragma_update(None, "user_version", 5).expect("version");
        let (a, b) = (CustomerId::new(), CustomerId::new());
        let rows = [(a, 500_000, "EUR"), (a, -12_000, "EUR"), (a, 3_000, "USD"), (b, 700, "EUR"), (a, 12_000, "EUR")];
        for (i, (who, minor, currency)) in rows.iter().enumerate() {
            conn.execute(
                "INSERT INTO ledger (customer_id, amount_minor, currency, kind, reference, memo, at_ms)
                 VALUES (?1, ?2, ?3, 'credit', ?4, '', 0)",
                params![who.to_string(), minor, currency, format!("r{i}")],
            )
            .expect("old ledger row");
        }
        schema::migrate(&mut conn).expect("migrate to the newest version");
        assert_eq!(stored(&conn, a, Currency::EUR), 500_000);
        assert_eq!(stored(&conn, a, usd()), 3_000);
        assert_eq!(stored(&conn, b, Currency::EUR), 700);
        assert_eq!(stored(&conn, b, usd()), 0, "no ledger row, no balance row: zero");
        let indexes: i64 = conn
            .query_row("SELECT COUNT(*) FROM sqlite_master WHERE name = 'ledger_by_wallet'", [], |r| r.get(0))
            .expect("index lookup");
        assert_eq!(indexes, 0, "the index of the old sum is gone");
    }

    #[test]
    fn the_ledger_refuses_updates_and_deletions() {
        let conn = migrated();
        let who = CustomerId::new();
        write_wallet::apply_ledger(&conn, &entry(who, 1_000, Currency::EUR, "credit:1")).expect("credit");
        let update = conn.execute("UPDATE ledger SET amount_minor = 9", []);
        let delete = conn.execute("DELETE FROM ledger", []);
        for refused in [update, delete] {
            let message = refused.expect_err("refused").to_string();
            assert!(message.contains("append-only"), "{message}");
        }
        assert_eq!(stored(&conn, who, Currency::EUR), 1_000);
    }

    proptest! {
        /// Whatever the sequence of credits, debits (some refused for want of funds) and
        /// replays of a reference, the stored balance is the sum of the ledger.
        #[test]
        fn the_stored_balance_is_always_the_sum_of_the_ledger(
            ops in prop::collection::vec((0usize..3, -5_000i64..5_000, 0usize..2, 0usize..40), 1..60)
        ) {
            let conn = migrated();
            let customers = [CustomerId::new(), CustomerId::new(), CustomerId::new()];
            let currencies = [Currency::EUR, usd()];
            for (who, minor, currency, reference) in ops {
                let (who, currency) = (customers[who], currencies[currency]);
                let before = stored(&conn, who, currency);
                match write_wallet::apply_ledger(&conn, &entry(who, minor, currency, &format!("ref:{reference}"))) {
                    Ok(LedgerOutcome::Applied(after)) => prop_assert_eq!(after.amount_minor(), before + minor),
                    Ok(LedgerOutcome::AlreadyApplied(_)) => prop_assert_eq!(stored(&conn, who, currency), before),
                    Err(StorageError::InsufficientBalance { balance }) => {
                        prop_assert!(minor < 0 && before + minor < 0);
                        prop_assert_eq!(balance.amount_minor(), before);
                    }
                    Err(other) => prop_assert!(false, "unexpected error {other}"),
                }
                for who in customers {
                    for currency in currencies {
                        prop_assert_eq!(stored(&conn, who, currency), summed(&conn, who, currency));
                    }
                }
            }
        }
    }
}
