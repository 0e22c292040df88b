//! Catalogue use cases: partner associations (with their eligibility checklist),
//! missions and the skills list.

use chrono::NaiveDateTime;
use declic_planning::{EligibilityCriteria, MissionFormat, SkillKind, WorkMode};
use declic_storage::associations::{Association, AssociationChanges, Contact};
use declic_storage::missions::{Mission, MissionInput, Skill};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::App;
use crate::caller::{AppResult, Caller};

/// An association to create, or changes to one (absent fields are kept).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssociationBody {
    pub name: Option<String>,
    pub description: Option<String>,
    pub contacts: Option<Vec<Contact>>,
    pub eligibility: Option<EligibilityCriteria>,
}

impl From<AssociationBody> for AssociationChanges {
    fn from(b: AssociationBody) -> Self {
        Self {
            name: b.name,
            description: b.description,
            contacts: b.contacts,
            eligibility: b.eligibility,
        }
    }
}

/// A mission, in full (used for create and replace).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MissionBody {
    pub association_id: i64,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub format: MissionFormat,
    pub work_mode: WorkMode,
    pub place: Option<String>,
    pub online_link: Option<String>,
    /// Local date-time in `time_zone`, e.g. `2027-03-18T09:00:00`.
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    /// IANA time zone, default `Europe/Paris`.
    #[serde(default = "paris")]
    pub time_zone: String,
    pub capacity: i64,
    /// `fr` or `en`, default `fr`.
    #[serde(default = "fr")]
    pub language: String,
    /// What volunteers must keep confidential about the association.
    #[serde(default)]
    pub confidentiality_note: String,
    #[serde(default)]
    pub skill_ids: Vec<i64>,
}

fn paris() -> String {
    "Europe/Paris".to_owned()
}

fn fr() -> String {
    "fr".to_owned()
}

impl From<MissionBody> for MissionInput {
    fn from(b: MissionBody) -> Self {
        Self {
            association_id: b.association_id,
            title: b.title,
            description: b.description,
            format: b.format,
            work_mode: b.work_mode,
            place: b.place,
            online_link: b.online_link,
            starts_at: b.starts_at,
            ends_at: b.ends_at,
            time_zone: b.time_zone,
            capacity: b.capacity,
            language: b.language,
            confidentiality_note: b.confidentiality_note,
            skill_ids: b.skill_ids,
        }
    }
}

/// A skill to add to the list.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSkill {
    pub kind: SkillKind,
    pub label_en: String,
    pub label_fr: String,
}

/// Creates an association.
pub async fn create_association(
    app: &App,
    caller: &Caller,
    b: AssociationBody,
) -> AppResult<Association> {
    caller.require_manage()?;
    Ok(app
        .store
        .create_association(caller.org(), b.into(), caller.actor())
        .await?)
}

/// Changes an association (absent fields are kept).
pub async fn update_association(
    app: &App,
    caller: &Caller,
    id: i64,
    b: AssociationBody,
) -> AppResult<Association> {
    caller.require_manage()?;
    Ok(app
        .store
        .update_association(caller.org(), id, b.into(), caller.actor())
        .await?)
}

/// Creates a draft mission.
pub async fn create_mission(app: &App, caller: &Caller, b: MissionBody) -> AppResult<Mission> {
    caller.require_manage()?;
    Ok(app
        .store
        .create_mission(caller.org(), b.into(), caller.actor())
        .await?)
}

/// Replaces a mission. More seats are offered to the waitlist at once; fewer than
/// the seats held is refused, naming who holds them; a new time, place or format is
/// told to everyone holding a seat (with the updated invitation) or an offer.
pub async fn replace_mission(
    app: &App,
    caller: &Caller,
    id: i64,
    b: MissionBody,
) -> AppResult<Mission> {
    caller.require_manage()?;
    let window = chrono::Duration::minutes(i64::from(app.config.registration.claim_window_minutes));
    let (mission, update) = app
        .store
        .update_mission(
            caller.org(),
            id,
            b.into(),
            window,
            caller.actor(),
            crate::outbox::follow::mission_updated,
        )
        .await?;
    if !update.offers.is_empty() || !update.told.is_empty() {
        app.lane.wake();
    }
    Ok(mission)
}

/// Publishes a mission; refused while its association is not eligible.
pub async fn publish_mission(app: &App, caller: &Caller, id: i64) -> AppResult<Mission> {
    caller.require_manage()?;
    Ok(app
        .store
        .publish_mission(caller.org(), id, caller.actor())
        .await?)
}

/// Adds a skill to the organisation's list.
pub async fn create_skill(app: &App, caller: &Caller, b: NewSkill) -> AppResult<Skill> {
    caller.require_manage()?;
    Ok(app
        .store
        .create_skill(
            caller.org(),
            b.kind,
            &b.label_en,
            &b.label_fr,
            caller.actor(),
        )
        .await?)
}
