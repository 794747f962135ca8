//! The accounts conformance cases on SQLite, one test per case, plus the migration of
//! customers from before accounts.

use boxoffice_storage::conformance::accounts::ACCOUNT_CASES;

macro_rules! account_cases {
    ($($case:ident),* $(,)?) => {
        $(
            #[tokio::test]
            async fn $case() {
                let (_dir, store) = super::fresh();
                boxoffice_storage::conformance::accounts::$case(store.as_ref(), store.as_ref()).await;
            }
        )*

        const COVERED: &[&str] = &[$(stringify!($case)),*];
    };
}

account_cases!(
    accounts_crud_and_uniqueness,
    sessions_lifecycle,
    single_use_tokens_and_recovery_codes,
    audit_log_append_and_filter,
    erase_keeps_bookings_anonymised,
    reviews_once_per_film_hidden_and_summarised,
);

#[test]
fn every_accounts_case_has_its_own_test() {
    let mut listed: Vec<_> = ACCOUNT_CASES.iter().map(|(name, _)| *name).collect();
    let mut covered = COVERED.to_vec();
    listed.sort_unstable();
    covered.sort_unstable();
    assert_eq!(listed, covered, "add the new case to account_cases! in this file");
}
