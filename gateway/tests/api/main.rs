//! Black-box tests of the HTTP API: the real server on a free port with a fresh SQLite file,
//! real `reqwest` clients. One binary, one module per area.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod accounts;
mod auditoriums;
mod bookings;
mod catalog_rules;
mod cli;
mod config;
mod customer_import;
mod customers;
mod errors;
mod films;
mod hardening;
mod health;
mod helpers;
mod idempotency;
mod malformed_input;
mod reviews;
mod safe_delete;
mod security;
mod showtimes;
mod smtp;
mod staff;
mod tls;
mod totp;
mod web_account;
mod web_console;
mod web_pages;
