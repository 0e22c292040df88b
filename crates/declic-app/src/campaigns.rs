//! Campaign use cases: create (from the default plan or not), change, move through
//! the lifecycle.

use chrono::NaiveDate;
use declic_planning::CampaignStatus;
use declic_storage::campaigns::{Audience, Campaign, CampaignChanges, Step, default_steps};
use serde::{Deserialize, Deserializer};
use utoipa::ToSchema;

use crate::App;
use crate::caller::{AppError, AppResult, Caller};

/// Distinguishes an absent field (keep) from `null` (clear).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A campaign to create, or changes to one (absent fields are kept).
#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct CampaignBody {
    pub title: Option<String>,
    /// Number of volunteers sought.
    pub goal: Option<i64>,
    pub audience: Option<Audience>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub registration_opens: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<NaiveDate>)]
    pub registration_closes: Option<Option<NaiveDate>>,
    pub key_message: Option<String>,
    pub why_it_matters: Option<String>,
    pub mission_ids: Option<Vec<i64>>,
    /// The calendar, replacing the current one.
    pub steps: Option<Vec<Step>>,
    /// Build the calendar from the default plan around this mission date
    /// (D-28 teaser … D+120 evaluation). Ignored when `steps` is given.
    pub plan_from_mission_date: Option<NaiveDate>,
}

impl CampaignBody {
    fn into_changes(self) -> CampaignChanges {
        let steps = self
            .steps
            .or_else(|| self.plan_from_mission_date.map(default_steps));
        CampaignChanges {
            title: self.title,
            goal: self.goal,
            audience: self.audience,
            registration_opens: self.registration_opens,
            registration_closes: self.registration_closes,
            key_message: self.key_message,
            why_it_matters: self.why_it_matters,
            mission_ids: self.mission_ids,
            steps,
        }
    }
}

/// The target of a lifecycle move.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    pub status: CampaignStatus,
}

/// Creates a draft campaign, optionally from the default plan.
pub async fn create(app: &App, caller: &Caller, b: CampaignBody) -> AppResult<Campaign> {
    caller.require_manage()?;
    if b.title.is_none() {
        return Err(AppError::field("title", "a campaign needs a title"));
    }
    Ok(app
        .store
        .create_campaign(caller.org(), b.into_changes(), caller.actor())
        .await?)
}

/// Changes a campaign (absent fields are kept).
pub async fn update(app: &App, caller: &Caller, id: i64, b: CampaignBody) -> AppResult<Campaign> {
    caller.require_manage()?;
    Ok(app
        .store
        .update_campaign(caller.org(), id, b.into_changes(), caller.actor())
        .await?)
}

/// Moves a campaign through draft → scheduled → live → closed → evaluated; a live
/// campaign has its public link from the start.
pub async fn transition(
    app: &App,
    caller: &Caller,
    id: i64,
    status: CampaignStatus,
) -> AppResult<Campaign> {
    caller.require_manage()?;
    let campaign = app
        .store
        .transition_campaign(caller.org(), id, status, caller.actor())
        .await?;
    if campaign.status == CampaignStatus::Live {
        app.store
            .ensure_link(
                caller.org(),
                id,
                declic_planning::Channel::Direct,
                None,
                None,
            )
            .await?;
    }
    Ok(campaign)
}
