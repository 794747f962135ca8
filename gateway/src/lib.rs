//! The boxoffice gateway: the HTTP API in front of the booking engine, and the `boxoffice`
//! binary.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`startup`] | [`startup::Application`]: build (store, engine, listener), serve, shut down |
//! | [`config`] | layered settings: defaults, TOML file, `BOXOFFICE_*` environment |
//! | [`cluster`] | several nodes on one store: membership, placement, forwarding |
//! | [`state`] | [`state::AppState`], shared by every handler |
//! | [`routes`] | one module per resource, and the middleware stack |
//! | [`auth`] | principals, roles and permissions; bearer tokens and session cookies |
//! | [`security`] | signing key, passwords, TOTP, rate limits, CSRF, headers, TLS |
//! | [`accounts`] | account rules: registration, sessions, link tokens, the first admin |
//! | [`mail`] | outgoing email: templates, the queue, outbox files and SMTP |
//! | [`audit`] | the audit log middleware of staff actions |
//! | [`qr`] | QR codes (SVG and PNG) |
//! | [`admin_token`] | the staff token: configured, or generated once into the data dir |
//! | [`idempotency`] | the `Idempotency-Key` middleware |
//! | [`listing_cache`] | the cache of showtime listings, invalidated by catalog writes |
//! | [`error`], [`error_map`], [`error_codes`] | [`error::ApiError`] as RFC 9457 problem JSON |
//! | [`extract`] | JSON, path and query extractors whose rejections are problem JSON |
//! | [`http_errors`] | 404 fallback, problem rewriting of bare errors, panics |
//! | [`metrics`] | the Prometheus recorder and the HTTP metrics middleware |
//! | [`openapi`], [`docs_page`] | the generated OpenAPI document and its HTML page |
//! | [`store`], [`store_scylla`] | opening the configured storage backend (SQLite or ScyllaDB) |
//! | [`demo`], [`demo_data`] | demo films, auditoriums, showtimes and a customer for `serve --demo` |
//! | [`telemetry`] | logging |
//! | [`web`] | the web site (`/`) and the staff console (`/admin`): HTML pages |
//! | [`ws`] | the WebSocket endpoint `/ws`: kiosks and live seat maps |

pub mod accounts;
pub mod admin_token;
pub mod audit;
pub mod auth;
pub mod cluster;
pub mod config;
pub mod demo;
pub mod demo_data;
pub mod docs_page;
pub mod error;
pub mod error_codes;
pub mod error_map;
pub mod extract;
pub mod http_errors;
pub mod idempotency;
pub mod listing_cache;
pub mod mail;
pub mod metrics;
pub mod openapi;
pub mod priority;
pub mod qr;
pub mod routes;
pub mod security;
pub mod startup;
pub mod state;
pub mod store;
pub mod store_scylla;
pub mod telemetry;
pub mod web;
pub mod ws;
