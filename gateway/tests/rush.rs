//! The short release-day rush of the test suite: a real server (`spawn_app`, temporary
//! SQLite file), about 500 simulated customers for 10 s (plus a few open-loop arrivals and
//! two kiosks) through `boxoffice-load`'s rush, then every invariant checked through the
//! API and directly in the store. Asserts the invariants, never timings.

#[allow(dead_code)]
#[path = "api/helpers.rs"]
mod helpers;

use boxoffice_loadtests::api::Api;
use boxoffice_loadtests::rush::{execute, parse_args};
use boxoffice_loadtests::verify::{self, AckedBooking};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_short_rush_keeps_every_invariant() {
    let app = helpers::spawn_app().await;
    let store = format!("sqlite:{}", app.dir.path().join("boxoffice.db").display());
    let out = app.dir.path();
    let (json, chart) = (out.join("rush.json"), out.join("rush.svg"));
    let words = [
        "--target",
        &app.address,
        "--admin-token",
        &app.admin_token,
        "--users",
        "500",
        "--duration",
        "10s",
        "--ramp",
        "3s",
        "--rate",
        "5/s",
        "--others",
        "5",
        "--kiosks",
        "2",
        "--think-scale",
        "0.3",
        "--seed",
        "6",
        "--store",
        &store,
        "--quiet",
    ];
    let args = parse_args(&words).expect("rush options");
    let report = execute(&args).await.expect("the rush runs");
    report.print();
    report.write(&json, &chart).expect("result files");
    let v = &report.verification;
    assert!(v.store_checked, "the store was checked");
    assert_eq!(v.violation_count, 0, "invariant violations: {:#?}", v.violations);
    assert!(v.checks.len() >= 7, "every check ran: {:?}", v.checks);
    assert!(report.bookings.0 > 0, "some customers booked");
    assert!(report.served > 0, "some customers were served");
    assert!(std::fs::read_to_string(&chart).is_ok_and(|svg| svg.contains("<svg")), "a chart was drawn");

    // The checks do catch lies: a booking nobody made, a wallet told the wrong credit and a
    // seat acknowledged to two customers are each reported.
    let mut facts = report.facts.clone();
    let real = facts.bookings.values().find(|b| !b.cancelled).cloned().expect("a live booking");
    let ghost = AckedBooking { id: "0190c4f4-9f7e-7c3a-8f4e-1a2b3c4d5e6f".into(), ..real.clone() };
    facts.bookings.insert(ghost.id.clone(), ghost);
    facts.customers[0].1 += 1;
    let api = Api::new(reqwest::Url::parse(&app.address).expect("url"), 8).expect("client");
    let path = app.dir.path().join("boxoffice.db");
    let lied = verify::run(&api, &app.admin_token, &facts, Some(&path)).await;
    let said = lied.violations.join("\n");
    assert!(lied.violation_count >= 4, "{said}");
    assert!(said.contains("sold twice") && said.contains("not in the store") && said.contains("credit"), "{said}");
}
