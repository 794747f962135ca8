//! Conformance cases of the [`Accounts`] trait. Each takes a fresh backend that implements
//! both [`Storage`] and [`Accounts`] (passed twice, as the two trait objects).
//! [`ACCOUNT_CASES`] lists them; a backend's test file runs each on its own fresh store.

use std::future::Future;
use std::pin::Pin;

use super::fixtures::{T0, at, auditorium, booking, entry, film, showtime};
use crate::Storage;
use crate::accounts::{Account, Accounts, BookingWhen, Language, Role, Session, SessionKind, Totp};
use crate::audit::{AuditEntry, AuditFilter};
use crate::catalog::PageRequest;
use crate::error::StorageError;
use crate::ids::{AccountId, CustomerId, FilmId, PaymentId, ReviewId};
use crate::journal::SeatEvent;
use crate::reviews::Review;

/// A case: runs on the given store (as both traits) and panics on failure.
pub type AccountCaseFn = for<'a> fn(&'a dyn Storage, &'a dyn Accounts) -> Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Every accounts case, by name.
pub const ACCOUNT_CASES: &[(&str, AccountCaseFn)] = &[
    ("accounts_crud_and_uniqueness", |s, a| Box::pin(accounts_crud_and_uniqueness(s, a))),
    ("sessions_lifecycle", |s, a| Box::pin(sessions_lifecycle(s, a))),
    ("single_use_tokens_and_recovery_codes", |s, a| Box::pin(single_use_tokens_and_recovery_codes(s, a))),
    ("audit_log_append_and_filter", |s, a| Box::pin(audit_log_append_and_filter(s, a))),
    ("erase_keeps_bookings_anonymised", |s, a| Box::pin(erase_keeps_bookings_anonymised(s, a))),
    ("reviews_once_per_film_hidden_and_summarised", |s, a| Box::pin(reviews_once_per_film_hidden_and_summarised(s, a))),
];

const PAGE: PageRequest = PageRequest { offset: 0, limit: 50 };

/// A customer account with this email and username.
#[must_use]
pub fn account(role: Role, email: &str, username: &str) -> Account {
    Account {
        id: AccountId::new(),
        role,
        email: Some(email.into()),
        email_verified_at: None,
        pending_email: None,
        username: username.into(),
        first_name: "Ada".into(),
        last_name: "Lovelace".into(),
        phone: Some("+33 1 23 45 67 89".into()),
        birth_date: Some("1990-12-10".into()),
        language: Language::Fr,
        password_hash: Some("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into()),
        totp: None,
        active: true,
        created_at: T0,
        updated_at: T0,
    }
}

/// Inserts, reads back, refuses taken emails and usernames (case-insensitively), updates
/// and lists by role.
pub async fn accounts_crud_and_uniqueness(_: &dyn Storage, store: &dyn Accounts) {
    let ada = account(Role::Customer, "Ada@Example.com", "ada");
    store.insert_account(&ada).await.expect("insert");
    assert_eq!(store.account(ada.id).await.expect("read"), Some(ada.clone()), "reads back unchanged");
    assert_eq!(store.account_by_email("ada@EXAMPLE.com").await.expect("by email"), Some(ada.clone()));
    assert_eq!(store.account_by_email("nobody@example.com").await.expect("by email"), None);
    let same_email = account(Role::Customer, "ADA@example.com", "other");
    assert_eq!(store.insert_account(&same_email).await, Err(StorageError::Duplicate("email")));
    let same_name = account(Role::Customer, "bob@example.com", "ADA");
    assert_eq!(store.insert_account(&same_name).await, Err(StorageError::Duplicate("username")));
    assert_eq!(store.insert_account(&ada).await.err().map(|e| matches!(e, StorageError::Duplicate(_))), Some(true));

    let mut boss = account(Role::Manager, "boss@example.com", "boss");
    boss.totp = Some(Totp { secret_base32: "JBSWY3DPEHPK3PXP".into(), enabled: true });
    store.insert_account(&boss).await.expect("insert manager");
    let mut changed = ada.clone();
    changed.first_name = "Augusta".into();
    changed.email_verified_at = Some(at(5));
    changed.pending_email = Some("new@example.com".into());
    store.update_account(&changed).await.expect("update");
    assert_eq!(store.account(ada.id).await.expect("read"), Some(changed.clone()));
    changed.email = Some("BOSS@example.com".into());
    assert_eq!(store.update_account(&changed).await, Err(StorageError::Duplicate("email")), "email of another");
    let ghost = account(Role::Customer, "ghost@example.com", "ghost");
    assert!(matches!(store.update_account(&ghost).await, Err(StorageError::NotFound { .. })));

    let staff = store.list_accounts(&[Role::Admin, Role::Manager], PAGE).await.expect("list");
    assert_eq!((staff.total, staff.items.first().map(|a| a.id)), (1, Some(boss.id)), "only staff roles");
    assert_eq!(staff.items[0].totp, boss.totp, "TOTP state round-trips");
    assert_eq!(store.list_accounts(&[], PAGE).await.expect("list").total, 0);
}

fn session(account: AccountId, byte: u8, kind: SessionKind) -> Session {
    Session {
        token_sha256: [byte; 32],
        account_id: account,
        kind,
        created_at: at(i64::from(byte)),
        expires_at: Some(at(600)),
        label: "test".into(),
    }
}

/// Sessions are stored by hash, deleted one by one or all but one.
pub async fn sessions_lifecycle(_: &dyn Storage, store: &dyn Accounts) {
    let (a, b) = (AccountId::new(), AccountId::new());
    for (byte, kind) in [(1, SessionKind::Cookie), (2, SessionKind::Bearer), (3, SessionKind::Bearer)] {
        store.insert_session(&session(a, byte, kind)).await.expect("insert");
    }
    store.insert_session(&session(b, 4, SessionKind::Device)).await.expect("insert");
    assert_eq!(store.insert_session(&session(b, 4, SessionKind::Device)).await, Err(StorageError::Duplicate("token")));
    assert_eq!(store.session(&[2; 32]).await.expect("read"), Some(session(a, 2, SessionKind::Bearer)));
    assert_eq!(store.sessions_of(a).await.expect("list").len(), 3);
    assert!(store.delete_session(&[2; 32]).await.expect("delete"));
    assert!(!store.delete_session(&[2; 32]).await.expect("delete twice"), "already gone");
    assert_eq!(store.delete_sessions(a, Some([1; 32])).await.expect("revoke others"), 1, "keeps the current one");
    assert_eq!(store.sessions_of(a).await.expect("list").len(), 1);
    assert_eq!(store.delete_sessions(a, None).await.expect("revoke all"), 1);
    assert_eq!(store.session(&[1; 32]).await.expect("read"), None);
    assert!(store.session(&[4; 32]).await.expect("read").is_some(), "other accounts untouched");
}

/// A token is consumed once; recovery codes are used once and replaced whole.
pub async fn single_use_tokens_and_recovery_codes(_: &dyn Storage, store: &dyn Accounts) {
    let who = AccountId::new();
    assert!(store.consume_token("t1", who, "reset", at(0), at(60)).await.expect("first"));
    assert!(!store.consume_token("t1", who, "reset", at(1), at(60)).await.expect("second"), "single use");
    assert!(store.consume_token("t2", who, "verify", at(1), at(60)).await.expect("another token"));
    store.set_recovery_codes(who, &[[1; 32], [2; 32]]).await.expect("set");
    assert_eq!(store.recovery_codes_left(who).await.expect("left"), 2);
    assert!(store.use_recovery_code(who, &[1; 32], at(2)).await.expect("use"));
    assert!(!store.use_recovery_code(who, &[1; 32], at(3)).await.expect("reuse"), "used codes are refused");
    assert!(!store.use_recovery_code(AccountId::new(), &[2; 32], at(3)).await.expect("other"), "per account");
    assert_eq!(store.recovery_codes_left(who).await.expect("left"), 1);
    store.set_recovery_codes(who, &[[3; 32]]).await.expect("replace");
    assert!(!store.use_recovery_code(who, &[2; 32], at(4)).await.expect("old"), "old codes are gone");
    assert_eq!(store.recovery_codes_left(who).await.expect("left"), 1);
}

/// The audit log keeps entries in order and filters them.
pub async fn audit_log_append_and_filter(_: &dyn Storage, store: &dyn Accounts) {
    let actor = AccountId::new();
    for (i, entity) in ["film", "showtime", "film"].into_iter().enumerate() {
        let entry = AuditEntry {
            id: 0,
            at: at(i64::try_from(i).unwrap_or(0)),
            actor_id: (i != 1).then_some(actor),
            actor_role: Role::Manager,
            actor_label: "boss".into(),
            action: format!("action {i}"),
            entity: entity.into(),
            entity_id: Some(format!("id-{i}")),
            before: (i == 2).then(|| serde_json::json!({"title": "Old"})),
            after: Some(serde_json::json!({"title": "New", "n": i})),
            status: 200,
            request_id: None,
        };
        store.append_audit(&entry).await.expect("append");
    }
    let all = store.audit_log(&AuditFilter::default(), PAGE).await.expect("list");
    assert_eq!(all.total, 3);
    assert_eq!(all.items[0].action, "action 2", "newest first");
    assert_eq!(all.items[0].before, Some(serde_json::json!({"title": "Old"})));
    assert!(all.items[0].id > all.items[1].id, "ids grow");
    let films = AuditFilter { entity: Some("film".into()), ..AuditFilter::default() };
    assert_eq!(store.audit_log(&films, PAGE).await.expect("list").total, 2);
    let mine = AuditFilter { actor_id: Some(actor), from: Some(at(1)), ..AuditFilter::default() };
    assert_eq!(store.audit_log(&mine, PAGE).await.expect("list").total, 1);
}

/// Erasing an account wipes its personal data and sessions; its bookings stay, and the
/// history sorts upcoming and past showtimes.
pub async fn erase_keeps_bookings_anonymised(storage: &dyn Storage, store: &dyn Accounts) {
    let ada = account(Role::Customer, "ada@example.com", "ada");
    store.insert_account(&ada).await.expect("insert");
    store.insert_session(&session(ada.id, 9, SessionKind::Bearer)).await.expect("session");
    store.set_recovery_codes(ada.id, &[[5; 32]]).await.expect("codes");
    let customer = ada.customer_id().expect("a customer account");
    assert_eq!(customer, CustomerId::from_uuid(ada.id.as_uuid()));
    let (f, room) = (film("Past and Future", "D", 100), auditorium("Salle 1"));
    storage.insert_film(&f).await.expect("film");
    storage.insert_auditorium(&room).await.expect("room");
    let (early, late) = (showtime(f.id, room.id, 0, 120), showtime(f.id, room.id, 600, 720));
    for (show, minutes) in [(&early, 1), (&late, 2)] {
        storage.insert_showtime(show).await.expect("showtime");
        let record = booking(show.id, customer, PaymentId::new(), 1250, at(minutes));
        storage
            .append_journal(show.id, &[entry(1, SeatEvent::BookingConfirmed { booking: record })])
            .await
            .expect("book");
    }
    let upcoming = store.booking_history(customer, BookingWhen::Upcoming, at(300), PAGE).await.expect("history");
    assert_eq!(upcoming.total, 1);
    assert_eq!(upcoming.items[0].booking.record.showtime_id, late.id);
    assert_eq!(upcoming.items[0].film_title.as_deref(), Some("Past and Future"));
    assert_eq!(upcoming.items[0].auditorium_name.as_deref(), Some("Salle 1"));
    assert_eq!(upcoming.items[0].starts_at, Some(at(600)));
    let past = store.booking_history(customer, BookingWhen::Past, at(300), PAGE).await.expect("history");
    assert_eq!((past.total, past.items[0].booking.record.showtime_id), (1, early.id));
    assert_eq!(store.booking_history(customer, BookingWhen::All, at(300), PAGE).await.expect("all").total, 2);

    store.erase_account(ada.id, at(700)).await.expect("erase");
    let erased = store.account(ada.id).await.expect("read").expect("the row stays");
    assert_eq!((&erased.email, &erased.phone, &erased.birth_date), (&None, &None, &None));
    assert_eq!(erased.password_hash, None);
    assert!(!erased.active && erased.first_name.is_empty() && erased.username != "ada", "{erased:?}");
    assert_eq!(store.account_by_email("ada@example.com").await.expect("by email"), None);
    assert!(store.sessions_of(ada.id).await.expect("sessions").is_empty(), "signed out everywhere");
    assert_eq!(store.recovery_codes_left(ada.id).await.expect("codes"), 0);
    assert_eq!(storage.bookings_of_customer(customer, PAGE).await.expect("bookings").total, 2, "bookings kept");
    let again = account(Role::Customer, "ada@example.com", "ada");
    store.insert_account(&again).await.expect("the email and username are free again");
    assert!(matches!(store.erase_account(AccountId::new(), at(1)).await, Err(StorageError::NotFound { .. })));
}

/// A review of `film` by `customer` with `rating`, written `minutes` after `T0`.
fn review(film: FilmId, customer: CustomerId, rating: u8, minutes: i64) -> Review {
    Review {
        id: ReviewId::new(),
        film_id: film,
        customer_id: customer,
        author: "Ada L.".into(),
        rating,
        comment: format!("{rating} stars"),
        created_at: at(minutes),
        hidden: false,
    }
}

/// One review per customer and film; newest first; hidden reviews are neither listed
/// (unless asked) nor counted; hiding an unknown review is `NotFound`.
pub async fn reviews_once_per_film_hidden_and_summarised(storage: &dyn Storage, store: &dyn Accounts) {
    let (f, other) = (film("Reviewed", "D", 100), film("Other", "D", 90));
    storage.insert_film(&f).await.expect("film");
    storage.insert_film(&other).await.expect("film");
    let (ada, bob, cy) = (CustomerId::new(), CustomerId::new(), CustomerId::new());
    let first = review(f.id, ada, 5, 1);
    store.insert_review(&first).await.expect("insert");
    let again = review(f.id, ada, 1, 2);
    assert_eq!(store.insert_review(&again).await, Err(StorageError::Duplicate("review")), "one review per film");
    assert_eq!(store.review(again.id).await.expect("read"), None, "the refused review is not stored");
    store.insert_review(&review(other.id, ada, 2, 3)).await.expect("another film is fine");
    let second = review(f.id, bob, 4, 4);
    let third = review(f.id, cy, 2, 5);
    store.insert_review(&second).await.expect("insert");
    store.insert_review(&third).await.expect("insert");
    assert_eq!(store.review(first.id).await.expect("read"), Some(first.clone()));

    let page = store.film_reviews(f.id, false, PAGE).await.expect("list");
    let ids: Vec<_> = page.items.iter().map(|r| r.id).collect();
    assert_eq!(ids, [third.id, second.id, first.id], "newest first");
    assert_eq!(page.total, 3);
    let two = store.film_reviews(f.id, false, PageRequest { offset: 1, limit: 1 }).await.expect("page");
    assert_eq!(two.items.iter().map(|r| r.id).collect::<Vec<_>>(), [second.id]);
    assert_eq!(two.total, 3);
    let summary = store.review_summary(f.id).await.expect("summary");
    assert_eq!((summary.count, summary.average_tenths), (3, Some(37)));

    store.set_review_hidden(third.id, true).await.expect("hide");
    let page = store.film_reviews(f.id, false, PAGE).await.expect("list");
    assert_eq!(
        page.items.iter().map(|r| r.id).collect::<Vec<_>>(),
        [second.id, first.id],
        "hidden ones are not listed"
    );
    assert_eq!(store.film_reviews(f.id, true, PAGE).await.expect("list").total, 3, "staff see them");
    let summary = store.review_summary(f.id).await.expect("summary");
    assert_eq!((summary.count, summary.average_tenths), (2, Some(45)), "nor counted");
    assert!(store.review(third.id).await.expect("read").is_some_and(|r| r.hidden));
    store.set_review_hidden(third.id, false).await.expect("show");
    assert_eq!(store.review_summary(f.id).await.expect("summary").count, 3);
    assert!(matches!(store.set_review_hidden(ReviewId::new(), true).await, Err(StorageError::NotFound { .. })));
    assert_eq!(store.review_summary(FilmId::new()).await.expect("summary").average_tenths, None);
}
