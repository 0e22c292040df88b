//! Handlers grouped by domain; each is thin: parse, authorise, call the domain, map the result.

pub mod admins;
pub mod ambassadors;
pub mod associations;
pub mod audit;
pub mod campaigns;
pub mod dispatches;
pub mod employees;
pub mod evaluations;
pub mod health;
pub mod missions;
pub mod organization;
pub mod posters;
pub mod referrals;
pub mod registrations;
pub mod templates;
pub mod tokens;
pub mod webhooks;
