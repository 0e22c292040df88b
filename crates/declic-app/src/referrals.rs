//! Referral use cases for HR: the word-of-mouth graph of a campaign.

use declic_referral::CampaignId;

use crate::App;
use crate::caller::{AppResult, Caller};

/// The campaign's referral graph as an SVG drawing (first names only: keep it out
/// of shared caches).
pub async fn campaign_svg(app: &App, caller: &Caller, campaign_id: i64) -> AppResult<String> {
    let org = caller.org();
    app.store.campaign(org, campaign_id).await?;
    let data = app.store.referral_data(org).await?;
    Ok(data.graph.to_svg(CampaignId(campaign_id), |p| {
        data.first_names.get(&p).cloned()
    }))
}
