//! Criterion benchmark of what a booking confirmation email costs to compose beyond its
//! text: the ticket's QR code, and the PNG of it that the email carries inline.
//! Run: `cargo bench -p boxoffice-gateway --bench booking_email`.

#![allow(missing_docs, clippy::unwrap_used)]

use boxoffice_engine::reference::booking_reference;
use criterion::{Criterion, criterion_group, criterion_main};

fn booking_email(c: &mut Criterion) {
    let mut group = c.benchmark_group("booking_email");
    // Fresh references as the engine makes them (`XXXX-XXXX`), so no run is cached.
    group.bench_function("qr_code", |b| {
        b.iter(|| qrcode::QrCode::new(booking_reference().as_bytes()).unwrap().to_colors());
    });
    group.bench_function("qr_png", |b| b.iter(|| boxoffice_gateway::qr::png(&booking_reference()).unwrap()));
    group.finish();
}

criterion_group!(benches, booking_email);
criterion_main!(benches);
