//! One path for every message to a person: what follows each change
//! ([`follow`], queued in the change's transaction), the mail it becomes when it
//! leaves ([`compose`]), and the lane of the delivery worker that sends it
//! ([`lane`]). Campaign messages to an audience take the other lane, the
//! dispatches' deliveries (`crate::delivery_worker`).

pub mod compose;
pub mod follow;
pub mod lane;

pub use lane::{Lane, deliver_messages};

/// What the policy needs to know, from what storage read right before a send
/// (both lanes ask `declic_messaging::policy::decide` with it).
pub fn facts(
    expires_at: Option<chrono::DateTime<chrono::Utc>>,
    person: Option<declic_storage::outbox::InDirectory>,
    opted_out: bool,
) -> declic_messaging::policy::Facts {
    use declic_messaging::policy::Person;
    use declic_storage::outbox::InDirectory;
    declic_messaging::policy::Facts {
        now: chrono::Utc::now(),
        expires_at,
        person: person.map(|p| match p {
            InDirectory::Active => Person::Active,
            InDirectory::Deactivated => Person::Deactivated,
            InDirectory::Erased => Person::Erased,
        }),
        opted_out,
    }
}
