//! Attendance, the referral edges recorded at confirmation, and the organisation's
//! referral graph built from them (the rules and figures live in `declic-referral`).

mod overview;

pub use overview::{AmbassadorOverview, LeaderboardLine, SourceShare};

use std::collections::HashMap;

use declic_referral::{
    AttributionPolicy, CampaignId, Candidate, Edge, PersonFacts, PersonId, ReferralGraph, Visits,
};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, JoinType, QueryFilter,
    QueryOrder, QuerySelect, Set,
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
        self.caches().referrals_changed(org.0);
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
        let rebuild = self.caches().rebuild_lock(org.0);
        let _one_at_a_time = rebuild.lock().await;
        if let Some(d) = self.caches().referral_data(org.0) {
            return Ok(d);
        }
        let generation = self.caches().referral_generation(org.0);
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
        // Four integer columns, as tuples: this is the largest read of the page, and the
        // database turns the time into seconds faster than the driver parses text.
        let epoch = if self.backend() == sea_orm::DbBackend::Postgres {
            "CAST(FLOOR(EXTRACT(EPOCH FROM confirmed_at)) AS BIGINT)"
        } else {
            "CAST(strftime('%s', confirmed_at) AS INTEGER)"
        };
        let rows: Vec<(i64, i64, i64, i64)> = referral_edge::Entity::find()
            .select_only()
            .column(referral_edge::Column::CampaignId)
            .column(referral_edge::Column::ReferrerEmployeeId)
            .column(referral_edge::Column::RefereeEmployeeId)
            .column_as(sea_orm::sea_query::Expr::cust(epoch), "at")
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
                confirmed_at: at,
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
        // First names only of ambassadors who said yes. A colleague's consent on the form
        // is to be seen by the ambassador who shared the link, on that ambassador's own
        // page (see `ambassador_overview`), not in HR's figures and exports.
        use sea_orm::sea_query::{Expr, ExprTrait, Query};
        let active = Query::select()
            .column(ambassador::Column::EmployeeId)
            .from(ambassador::Entity)
            .and_where(Expr::col(ambassador::Column::OrganizationId).eq(org.0))
            .and_where(Expr::col(ambassador::Column::Status).eq(crate::ambassadors::status::ACTIVE))
            .to_owned();
        let mut first_names = HashMap::new();
        let rows: Vec<(i64, String)> = employee::Entity::find()
            .select_only()
            .column(employee::Column::Id)
            .column(employee::Column::FirstName)
            .filter(employee::Column::OrganizationId.eq(org.0))
            .filter(employee::Column::ErasedAt.is_null())
            .filter(employee::Column::Id.in_subquery(active))
            .into_tuple()
            .all(self.db())
            .await?;
        for (id, name) in rows {
            if facts.contains_key(&id) {
                first_names.insert(PersonId(id), name);
            }
        }
        let mut visits: Visits = HashMap::new();
        if !link_owner.is_empty() {
            // A subquery, not a list of ids: ambassadors × campaigns can exceed the
            // databases' limits on bound parameters.
            let links = Query::select()
                .column(campaign_link::Column::Id)
                .from(campaign_link::Entity)
                .and_where(Expr::col(campaign_link::Column::OrganizationId).eq(org.0))
                .and_where(Expr::col(campaign_link::Column::AmbassadorEmployeeId).is_not_null())
                .to_owned();
            let counts: Vec<(i64, i64)> = link_visit::Entity::find()
                .select_only()
                .column(link_visit::Column::LinkId)
                .column(link_visit::Column::Visits)
                .filter(link_visit::Column::LinkId.in_subquery(links))
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
    // What the rules need, by index rather than the whole campaign: the referee's own
    // credit in this campaign, if any, and the referrer's chain of referrers (each person
    // has at most one per campaign), which would close a loop if it met the referee.
    let in_campaign = |who: i64| {
        referral_edge::Entity::find()
            .filter(referral_edge::Column::CampaignId.eq(reg.campaign_id))
            .filter(referral_edge::Column::RefereeEmployeeId.eq(who))
    };
    let mut existing: Vec<Edge> = Vec::new();
    if let Some(e) = in_campaign(reg.employee_id).one(txn).await? {
        existing.push(edge_of(&e));
    }
    let mut up = referrer;
    for _ in 0..10_000 {
        let Some(e) = in_campaign(up).one(txn).await? else {
            break;
        };
        existing.push(edge_of(&e));
        if e.referrer_employee_id == reg.employee_id {
            break;
        }
        up = e.referrer_employee_id;
    }
    // A new sign-up after a cancellation counts from its own time.
    let registered_at = reg.consented_at.timestamp();
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
