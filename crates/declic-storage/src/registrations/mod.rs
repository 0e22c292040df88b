//! Registrations: the public campaign page's data, sign-up with ranked mission
//! choices, confirmation by mail, seats and waitlists, and the organiser's view.
//!
//! Seats are taken inside one write transaction per change. On PostgreSQL the
//! missions involved are locked (`FOR UPDATE`, in id order); on SQLite the write
//! transaction is `BEGIN IMMEDIATE`, which serialises writers. A unique index on
//! `(mission_id, seat_no)` makes a double booking impossible even if that logic
//! were wrong.

mod hr;
mod manage;
mod public;
mod seats;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

pub use hr::{ChoiceMove, RegistrationRow};
pub use manage::{ChangeOutcome, Offer};
pub use public::{
    PublicCampaign, PublicMission, RegisterOutcome, RegistrationRequest, WindowState,
};
pub use seats::{ChoiceOutcome, ConfirmOutcome, DuoNotice};
pub(crate) use seats::{check_capacity, holders, lock_missions, offer_free_seats};

/// A registration's state.
pub mod status {
    /// Waiting for the person to open the confirmation link.
    pub const PENDING: &str = "pending";
    pub const CONFIRMED: &str = "confirmed";
    pub const CANCELLED: &str = "cancelled";
}

/// A mission choice's state.
pub mod choice {
    /// The registration is not confirmed yet.
    pub const PENDING: &str = "pending";
    pub const SEATED: &str = "seated";
    pub const WAITLISTED: &str = "waitlisted";
    /// A freed seat is held for this person until `offer_expires_at`.
    pub const OFFERED: &str = "offered";
    /// Not needed: the person got a seat in a mission they ranked higher, or let an offer lapse.
    pub const RELEASED: &str = "released";
    pub const CANCELLED: &str = "cancelled";
}

/// One mission choice as the person sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChoiceView {
    pub choice_id: i64,
    pub mission_id: i64,
    pub rank: i32,
    pub status: String,
    /// Position on the waitlist (1 = next), when waitlisted.
    pub position: Option<u64>,
    pub offer_expires_at: Option<DateTime<Utc>>,
    /// Whether the person came, once the organiser marked it.
    pub attended: Option<bool>,
}

/// A registration as its owner sees it on their personal page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationView {
    pub id: i64,
    pub organization_id: i64,
    pub campaign_id: i64,
    pub employee_id: i64,
    pub email: String,
    pub first_name: String,
    pub language: String,
    pub status: String,
    pub source_channel: String,
    pub duo_registration_id: Option<i64>,
    pub duo_invitee_email: Option<String>,
    pub choices: Vec<ChoiceView>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    /// Whether the ambassador who brought the person may see their first name.
    pub show_to_referrer: bool,
    /// Whether an ambassador's link brought the person (then they choose the above).
    pub has_referrer: bool,
    /// The secret behind the personal-page link; never shown or serialised.
    #[serde(skip)]
    pub manage_nonce: String,
}

/// Builds the view from rows in hand; `positions` gives the waitlist place of
/// each waitlisted choice, by choice id.
pub(crate) fn view_of(
    reg: &crate::entity::registration::Model,
    person: &crate::entity::employee::Model,
    rows: Vec<crate::entity::registration_choice::Model>,
    positions: &std::collections::HashMap<i64, u64>,
) -> RegistrationView {
    let mut rows = rows;
    rows.sort_by_key(|c| c.rank);
    RegistrationView {
        id: reg.id,
        organization_id: reg.organization_id,
        campaign_id: reg.campaign_id,
        employee_id: reg.employee_id,
        email: person.email.clone(),
        first_name: person.first_name.clone(),
        language: reg.language.clone(),
        status: reg.status.clone(),
        source_channel: reg.source_channel.clone(),
        duo_registration_id: reg.duo_registration_id,
        duo_invitee_email: reg.duo_invitee_email.clone(),
        choices: rows
            .into_iter()
            .map(|c| ChoiceView {
                choice_id: c.id,
                mission_id: c.mission_id,
                rank: c.rank,
                position: positions.get(&c.id).copied(),
                status: c.status,
                offer_expires_at: c.offer_expires_at,
                attended: c.attended,
            })
            .collect(),
        created_at: reg.created_at,
        confirmed_at: reg.confirmed_at,
        show_to_referrer: reg.show_to_referrer,
        has_referrer: reg.referrer_employee_id.is_some(),
        manage_nonce: reg.manage_nonce.clone(),
    }
}
