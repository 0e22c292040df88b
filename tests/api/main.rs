//! API tests: the real app on port 0, a database per test (SQLite, or PostgreSQL
//! when DECLIC_TEST_DATABASE_URL is set).
#![expect(clippy::unwrap_used, reason = "tests")]

#[path = "../support/mod.rs"]
mod support;

mod access;
mod ambassadors;
mod authz;
mod bad_input;
mod campaigns;
mod console;
mod delivery_faults;
mod directory;
mod dispatches;
mod domains;
mod evaluations;
mod health;
mod jobs;
mod missions;
mod outbox;
mod pages;
mod posters;
mod privacy;
mod referrals;
mod registration;
mod seat_model;
mod seats;
mod smtp_flow;
mod templates;
mod webhooks;
