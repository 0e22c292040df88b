//! One path for every message to a person: what follows each change
//! ([`follow`], queued in the change's transaction), the mail it becomes when it
//! leaves ([`compose`]), and the lane of the delivery worker that sends it
//! ([`lane`]). Campaign messages to an audience take the other lane, the
//! dispatches' deliveries (`crate::deliveries`).

pub mod compose;
pub mod follow;
pub mod lane;

pub use lane::{Lane, deliver_messages};
