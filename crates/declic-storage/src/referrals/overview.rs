//! What an ambassador sees of their own figures, and where registrations came from.

use std::collections::HashMap;

use declic_referral::PersonId;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{campaign_link, employee, referral_edge, registration};
use crate::{OrgId, StorageError, Store};

/// What an ambassador sees of their own figures.
#[derive(Debug, Clone, Serialize)]
pub struct AmbassadorOverview {
    /// Anonymous visits of their links.
    pub visits: u64,
    /// Registrations that came through their links, confirmed or not (cancelled ones aside).
    pub registrations: u64,
    /// Colleagues credited to them (confirmed), and of those who attended.
    pub confirmed: u32,
    pub attended: u32,
    /// People reached across generations.
    pub reach: u32,
    /// First names of the colleagues they brought in who agreed to be shown.
    pub recruits_shown: Vec<String>,
    /// The leaderboard as they may see it: names only of those who opted in.
    pub leaderboard: Vec<LeaderboardLine>,
}

/// One line of the leaderboard an ambassador sees.
#[derive(Debug, Clone, Serialize)]
pub struct LeaderboardLine {
    pub rank: u32,
    /// `None` for an ambassador who did not opt in to be named.
    pub first_name: Option<String>,
    pub is_me: bool,
    pub direct_recruits: u32,
    pub reach: u32,
}

impl Store {
    /// An ambassador's own figures and the leaderboard as they may see it.
    pub async fn ambassador_overview(
        &self,
        org: OrgId,
        employee_id: i64,
    ) -> Result<AmbassadorOverview, StorageError> {
        let data = self.referral_data(org).await?;
        let me = PersonId(employee_id);
        let visits = data.visits.get(&me).copied().unwrap_or(0);
        let figures = data.graph.figures_for(me, Some(visits));
        let registrations = registration::Entity::find()
            .filter(registration::Column::OrganizationId.eq(org.0))
            .filter(registration::Column::ReferrerEmployeeId.eq(employee_id))
            .filter(registration::Column::Status.ne(crate::registrations::status::CANCELLED))
            .count(self.db())
            .await?;
        let shown: Vec<i64> = referral_edge::Entity::find()
            .select_only()
            .column(referral_edge::Column::RefereeEmployeeId)
            .filter(referral_edge::Column::OrganizationId.eq(org.0))
            .filter(referral_edge::Column::ReferrerEmployeeId.eq(employee_id))
            .filter(
                referral_edge::Column::RegistrationId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(registration::Column::Id)
                        .from(registration::Entity)
                        .and_where(sea_orm::sea_query::ExprTrait::eq(
                            sea_orm::sea_query::Expr::col(registration::Column::ShowToReferrer),
                            true,
                        ))
                        .to_owned(),
                ),
            )
            .into_tuple()
            .all(self.db())
            .await?;
        let mut recruits_shown: Vec<String> = employee::Entity::find()
            .filter(employee::Column::OrganizationId.eq(org.0))
            .filter(employee::Column::Id.is_in(shown))
            .filter(employee::Column::ErasedAt.is_null())
            .all(self.db())
            .await?
            .into_iter()
            .map(|e| e.first_name)
            .collect();
        recruits_shown.sort();
        let board = declic_referral::leaderboard(
            data.figures(),
            declic_referral::Viewer::Ambassador(me),
            10,
        );
        let leaderboard = board
            .top
            .iter()
            .chain(board.own.iter())
            .map(|e| LeaderboardLine {
                rank: e.rank,
                first_name: e.person.and_then(|p| data.first_names.get(&p).cloned()),
                is_me: e.is_viewer,
                direct_recruits: e.direct_recruits,
                reach: e.reach,
            })
            .collect();
        Ok(AmbassadorOverview {
            visits,
            registrations,
            confirmed: figures.as_ref().map_or(0, |f| f.conversion.confirmed),
            attended: figures.as_ref().map_or(0, |f| f.conversion.attended),
            reach: figures.as_ref().map_or(0, |f| f.reach),
            recruits_shown,
            leaderboard,
        })
    }
}

/// Registrations of a campaign from one source: a channel, and for posters a site.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SourceShare {
    pub campaign_id: i64,
    /// ambassador, mail, slack, teams, poster, event or direct.
    pub channel: String,
    /// The poster's site, for posters printed per site.
    pub site: Option<String>,
    /// Registrations (cancelled ones aside), and of those confirmed.
    pub registrations: u64,
    pub confirmed: u64,
    /// Share of the campaign's registrations, 0 to 1.
    pub share: f64,
}

impl Store {
    /// Where registrations came from, per campaign (or one campaign).
    pub async fn registration_sources(
        &self,
        org: OrgId,
        campaign: Option<i64>,
    ) -> Result<Vec<SourceShare>, StorageError> {
        let mut q = registration::Entity::find()
            .select_only()
            .column(registration::Column::CampaignId)
            .column(registration::Column::SourceChannel)
            .column(registration::Column::SourceLinkId)
            .column(registration::Column::Status)
            .filter(registration::Column::OrganizationId.eq(org.0))
            .filter(registration::Column::Status.ne(crate::registrations::status::CANCELLED));
        if let Some(c) = campaign {
            q = q.filter(registration::Column::CampaignId.eq(c));
        }
        let rows: Vec<(i64, String, Option<i64>, String)> = q.into_tuple().all(self.db()).await?;
        let sites: HashMap<i64, Option<String>> = campaign_link::Entity::find()
            .select_only()
            .column(campaign_link::Column::Id)
            .column(campaign_link::Column::Site)
            .filter(campaign_link::Column::OrganizationId.eq(org.0))
            .filter(campaign_link::Column::Site.is_not_null())
            .into_tuple::<(i64, Option<String>)>()
            .all(self.db())
            .await?
            .into_iter()
            .collect();
        let mut counts: std::collections::BTreeMap<(i64, String, Option<String>), (u64, u64)> =
            std::collections::BTreeMap::new();
        let mut totals: HashMap<i64, u64> = HashMap::new();
        for (campaign_id, channel, link, st) in rows {
            let site = link.and_then(|l| sites.get(&l).cloned().flatten());
            let e = counts.entry((campaign_id, channel, site)).or_default();
            e.0 += 1;
            if st == crate::registrations::status::CONFIRMED {
                e.1 += 1;
            }
            *totals.entry(campaign_id).or_default() += 1;
        }
        Ok(counts
            .into_iter()
            .map(
                |((campaign_id, channel, site), (registrations, confirmed))| {
                    let total = totals.get(&campaign_id).copied().unwrap_or(1).max(1);
                    SourceShare {
                        campaign_id,
                        channel,
                        site,
                        registrations,
                        confirmed,
                        share: registrations as f64 / total as f64,
                    }
                },
            )
            .collect())
    }
}
