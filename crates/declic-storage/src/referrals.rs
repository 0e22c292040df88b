//! Attendance, the referral edges recorded at confirmation, and the organisation's
//! referral graph built from them (the rules and figures live in `declic-referral`).

use std::collections::HashMap;

use declic_referral::{
    AttributionPolicy, CampaignId, Candidate, Edge, PersonFacts, PersonId, ReferralGraph, Visits,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, JoinType, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::entity::{
    ambassador, campaign_link, employee, link_visit, mission, referral_edge, registration,
    registration_choice,
};
use crate::registrations::choice;
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// One line of an attendance sheet.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
pub struct AttendanceMark {
    pub registration_id: i64,
    pub attended: bool,
}

/// The organisation's referral graph with what its figures and exports need.
#[derive(Debug)]
pub struct ReferralData {
    pub graph: ReferralGraph,
    /// Visits of each ambassador's links (anonymous counts).
    pub visits: Visits,
    /// First names that may be shown: ambassadors', and colleagues' who agreed.
    pub first_names: HashMap<PersonId, String>,
    figures: std::sync::OnceLock<Vec<declic_referral::AmbassadorFigures>>,
}

impl ReferralData {
    /// Every ambassador's figures, computed once per graph.
    pub fn figures(&self) -> &[declic_referral::AmbassadorFigures] {
        self.figures
            .get_or_init(|| self.graph.all_figures(Some(&self.visits)))
    }
}

/// How an edge looks from one person's side, for their data export.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReferralSide {
    pub campaign_id: i64,
    /// `referrer` (they brought someone in) or `referee` (someone brought them in).
    pub role: String,
    pub confirmed_at: chrono::DateTime<chrono::Utc>,
}

impl Store {
    /// Marks who came to a mission. Only seated people can be marked; the whole
    /// sheet is refused if one line is wrong, naming it.
    pub async fn mark_attendance(
        &self,
        org: OrgId,
        mission_id: i64,
        marks: &[AttendanceMark],
        actor: &Actor,
    ) -> Result<u64, StorageError> {
        if marks.is_empty() || marks.len() > 10_000 {
            return Err(StorageError::invalid("marks", "give 1 to 10 000 lines"));
        }
        let txn = self.write_txn().await?;
        mission::Entity::find_by_id(mission_id)
            .filter(mission::Column::OrganizationId.eq(org.0))
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("mission"))?;
        let t = now();
        for (i, m) in marks.iter().enumerate() {
            let done = registration_choice::Entity::update_many()
                .col_expr(
                    registration_choice::Column::Attended,
                    Expr::value(m.attended),
                )
                .col_expr(
                    registration_choice::Column::AttendanceMarkedAt,
                    Expr::value(t),
                )
                .filter(registration_choice::Column::OrganizationId.eq(org.0))
                .filter(registration_choice::Column::MissionId.eq(mission_id))
                .filter(registration_choice::Column::RegistrationId.eq(m.registration_id))
                .filter(registration_choice::Column::Status.eq(choice::SEATED))
                .exec(&txn)
                .await?;
            if done.rows_affected == 0 {
                return Err(StorageError::invalid(
                    format!("marks[{i}].registration_id"),
                    "no seated registration with this id for this mission",
                ));
            }
        }
        let attended = marks.iter().filter(|m| m.attended).count();
        audit::record(
            &txn,
            org,
            actor,
            "mission.attendance",
            "mission",
            Some(mission_id),
            serde_json::json!({"marked": marks.len(), "attended": attended}),
        )
        .await?;
        txn.commit().await?;
        self.caches().referrals_changed();
        Ok(marks.len() as u64)
    }

    /// The organisation's referral graph: from the process cache when fresh (see
    /// [`crate::cache::REFERRAL_TTL`]), else read from the database and built.
    pub async fn referral_data(
        &self,
        org: OrgId,
    ) -> Result<std::sync::Arc<ReferralData>, StorageError> {
        if let Some(d) = self.caches().referral_data(org.0) {
            return Ok(d);
        }
        let generation = self.caches().referral_generation();
        let data = std::sync::Arc::new(self.read_referral_data(org).await?);
        self.caches()
            .put_referral_data(generation, org.0, std::sync::Arc::clone(&data));
        Ok(data)
    }

    /// Reads the organisation's referral edges and facts and builds the graph.
    pub async fn read_referral_data(&self, org: OrgId) -> Result<ReferralData, StorageError> {
        if let Err(e) = self.flush_visits().await {
            tracing::warn!(error = %e, "visit counts not written yet");
        }
        // Four columns, as tuples: this is the largest read of the page.
        let rows: Vec<(i64, i64, i64, chrono::DateTime<chrono::Utc>)> =
            referral_edge::Entity::find()
                .select_only()
                .column(referral_edge::Column::CampaignId)
                .column(referral_edge::Column::ReferrerEmployeeId)
                .column(referral_edge::Column::RefereeEmployeeId)
                .column(referral_edge::Column::ConfirmedAt)
                .filter(referral_edge::Column::OrganizationId.eq(org.0))
                .order_by_asc(referral_edge::Column::Id)
                .into_tuple()
                .all(self.db())
                .await?;
        let edges: Vec<Edge> = rows
            .iter()
            .map(|&(c, from, to, at)| Edge {
                campaign: CampaignId(c),
                referrer: PersonId(from),
                referee: PersonId(to),
                confirmed_at: at.timestamp(),
            })
            .collect();
        drop(rows);
        // Visits are counted per link; each ambassador link has one owner.
        let links: Vec<(i64, i64)> = campaign_link::Entity::find()
            .select_only()
            .column(campaign_link::Column::Id)
            .column(campaign_link::Column::AmbassadorEmployeeId)
            .filter(campaign_link::Column::OrganizationId.eq(org.0))
            .filter(campaign_link::Column::AmbassadorEmployeeId.is_not_null())
            .into_tuple()
            .all(self.db())
            .await?;
        let link_owner: HashMap<i64, i64> = links.into_iter().collect();
        let mut facts: HashMap<i64, PersonFacts> = HashMap::new();
        for a in ambassador::Entity::find()
            .filter(ambassador::Column::OrganizationId.eq(org.0))
            .all(self.db())
            .await?
        {
            let f = facts
                .entry(a.employee_id)
                .or_insert_with(|| PersonFacts::new(PersonId(a.employee_id)));
            if a.status == crate::ambassadors::status::ACTIVE {
                f.ambassador_since = a.accepted_at.map(|t| t.timestamp());
                f.leaderboard_opt_in = a.leaderboard_opt_in;
            }
        }
        for e in &edges {
            for p in [e.referrer.0, e.referee.0] {
                facts
                    .entry(p)
                    .or_insert_with(|| PersonFacts::new(PersonId(p)));
            }
        }
        // Attendance, by person and campaign.
        let attended: Vec<(i64, i64)> = registration_choice::Entity::find()
            .select_only()
            .column(registration::Column::EmployeeId)
            .column(registration::Column::CampaignId)
            .join(
                JoinType::InnerJoin,
                registration_choice::Entity::belongs_to(registration::Entity)
                    .from(registration_choice::Column::RegistrationId)
                    .to(registration::Column::Id)
                    .into(),
            )
            .filter(registration_choice::Column::OrganizationId.eq(org.0))
            .filter(registration_choice::Column::Attended.eq(true))
            .distinct()
            .into_tuple()
            .all(self.db())
            .await?;
        for (person, campaign) in attended {
            if let Some(f) = facts.get_mut(&person) {
                f.attended.push(CampaignId(campaign));
            }
        }
        for f in facts.values_mut() {
            f.first_volunteered = f.attended.iter().min().copied();
        }
        // Erased people keep their place under a pseudonym.
        let erased: Vec<i64> = employee::Entity::find()
            .select_only()
            .column(employee::Column::Id)
            .filter(employee::Column::OrganizationId.eq(org.0))
            .filter(employee::Column::ErasedAt.is_not_null())
            .into_tuple()
            .all(self.db())
            .await?;
        for id in &erased {
            if let Some(f) = facts.get_mut(id) {
                f.erased = true;
            }
        }
        // First names only of ambassadors who said yes and of colleagues who agreed.
        let mut named: Vec<i64> = registration::Entity::find()
            .select_only()
            .column(registration::Column::EmployeeId)
            .filter(registration::Column::OrganizationId.eq(org.0))
            .filter(registration::Column::ShowToReferrer.eq(true))
            .into_tuple::<i64>()
            .all(self.db())
            .await?;
        named.extend(
            facts
                .iter()
                .filter(|(_, f)| f.ambassador_since.is_some())
                .map(|(id, _)| *id),
        );
        named.sort_unstable();
        named.dedup();
        let mut first_names = HashMap::new();
        for chunk in named.chunks(500) {
            let rows: Vec<(i64, String)> = employee::Entity::find()
                .select_only()
                .column(employee::Column::Id)
                .column(employee::Column::FirstName)
                .filter(employee::Column::OrganizationId.eq(org.0))
                .filter(employee::Column::Id.is_in(chunk.to_vec()))
                .filter(employee::Column::ErasedAt.is_null())
                .into_tuple()
                .all(self.db())
                .await?;
            for (id, name) in rows {
                if facts.contains_key(&id) {
                    first_names.insert(PersonId(id), name);
                }
            }
        }
        let mut visits: Visits = HashMap::new();
        if !link_owner.is_empty() {
            let counts: Vec<(i64, i64)> = link_visit::Entity::find()
                .select_only()
                .column(link_visit::Column::LinkId)
                .column(link_visit::Column::Visits)
                .filter(
                    link_visit::Column::LinkId
                        .is_in(link_owner.keys().copied().collect::<Vec<_>>()),
                )
                .into_tuple()
                .all(self.db())
                .await?;
            for (link, n) in counts {
                if let Some(p) = link_owner.get(&link) {
                    *visits.entry(PersonId(*p)).or_default() += u64::try_from(n).unwrap_or(0);
                }
            }
        }
        let people: Vec<PersonFacts> = facts.into_values().collect();
        let graph = ReferralGraph::new(&edges, &people)
            .map_err(|e| StorageError::Unavailable(e.to_string()))?;
        Ok(ReferralData {
            graph,
            visits,
            first_names,
            figures: std::sync::OnceLock::new(),
        })
    }

    /// The referral edges that involve a person, for their data export.
    pub async fn referrals_of(
        &self,
        org: OrgId,
        employee_id: i64,
    ) -> Result<Vec<ReferralSide>, StorageError> {
        let rows = referral_edge::Entity::find()
            .filter(referral_edge::Column::OrganizationId.eq(org.0))
            .filter(
                sea_orm::Condition::any()
                    .add(referral_edge::Column::ReferrerEmployeeId.eq(employee_id))
                    .add(referral_edge::Column::RefereeEmployeeId.eq(employee_id)),
            )
            .order_by_asc(referral_edge::Column::Id)
            .all(self.db())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| ReferralSide {
                campaign_id: r.campaign_id,
                role: if r.referrer_employee_id == employee_id {
                    "referrer".into()
                } else {
                    "referee".into()
                },
                confirmed_at: r.confirmed_at,
            })
            .collect())
    }
}

fn edge_of(r: &referral_edge::Model) -> Edge {
    Edge {
        campaign: CampaignId(r.campaign_id),
        referrer: PersonId(r.referrer_employee_id),
        referee: PersonId(r.referee_employee_id),
        confirmed_at: r.confirmed_at.timestamp(),
    }
}

/// Credits the ambassador whose link brought `reg` in, now that it is confirmed,
/// when the attribution rules allow; a refused credit leaves the registration as it is.
pub(crate) async fn record_referral(
    txn: &DatabaseTransaction,
    reg: &registration::Model,
    confirmed_at: chrono::DateTime<chrono::Utc>,
    policy: &AttributionPolicy,
) -> Result<(), StorageError> {
    let Some(referrer) = reg.referrer_employee_id else {
        return Ok(());
    };
    // Only someone who said yes, and has not opted out since, is credited.
    let active = ambassador::Entity::find()
        .filter(ambassador::Column::OrganizationId.eq(reg.organization_id))
        .filter(ambassador::Column::EmployeeId.eq(referrer))
        .filter(ambassador::Column::Status.eq(crate::ambassadors::status::ACTIVE))
        .one(txn)
        .await?
        .is_some();
    if !active {
        tracing::info!(
            registration = reg.id,
            "referral not credited: not an active ambassador"
        );
        return Ok(());
    }
    let existing: Vec<Edge> = referral_edge::Entity::find()
        .filter(referral_edge::Column::CampaignId.eq(reg.campaign_id))
        .all(txn)
        .await?
        .iter()
        .map(edge_of)
        .collect();
    let registered_at = reg.created_at.timestamp();
    let candidate = Candidate {
        campaign: CampaignId(reg.campaign_id),
        referrer: PersonId(referrer),
        referee: PersonId(reg.employee_id),
        link_used_at: reg.link_used_at.map_or(registered_at, |t| t.timestamp()),
        registered_at,
        confirmed_at: confirmed_at.timestamp(),
    };
    match declic_referral::attribute(&existing, &candidate, policy) {
        Ok(_) => {
            referral_edge::ActiveModel {
                organization_id: Set(reg.organization_id),
                campaign_id: Set(reg.campaign_id),
                referrer_employee_id: Set(referrer),
                referee_employee_id: Set(reg.employee_id),
                registration_id: Set(reg.id),
                confirmed_at: Set(confirmed_at),
                ..Default::default()
            }
            .insert(txn)
            .await?;
        }
        Err(refusal) => {
            tracing::info!(%refusal, registration = reg.id, "referral not credited");
        }
    }
    Ok(())
}

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
