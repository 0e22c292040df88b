//! Campaigns: their audience, missions, calendar of steps and lifecycle.

use chrono::{DateTime, NaiveDate, Utc};
use declic_planning::{CalendarInput, CalendarWarning, CampaignStatus, PlannedStep, StepKind};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::entity::{campaign, campaign_mission, campaign_step, mission};
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// A step of the campaign calendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Step {
    pub kind: StepKind,
    pub date: NaiveDate,
    #[serde(default)]
    pub note: String,
}

/// Who a campaign speaks to: empty lists mean everyone.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    #[serde(default)]
    pub departments: Vec<String>,
    #[serde(default)]
    pub sites: Vec<String>,
}

/// A campaign as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub title: String,
    /// How many volunteers the campaign aims to recruit.
    pub goal: i32,
    pub audience: Audience,
    pub registration_opens: Option<NaiveDate>,
    pub registration_closes: Option<NaiveDate>,
    pub key_message: String,
    pub why_it_matters: String,
    pub status: CampaignStatus,
    pub mission_ids: Vec<i64>,
    pub steps: Vec<Step>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Fields to create or change a campaign; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct CampaignChanges {
    pub title: Option<String>,
    pub goal: Option<i64>,
    pub audience: Option<Audience>,
    pub registration_opens: Option<Option<NaiveDate>>,
    pub registration_closes: Option<Option<NaiveDate>>,
    pub key_message: Option<String>,
    pub why_it_matters: Option<String>,
    pub mission_ids: Option<Vec<i64>>,
    pub steps: Option<Vec<Step>>,
}

fn check(ch: &CampaignChanges) -> Result<(), StorageError> {
    if let Some(t) = &ch.title {
        let t = t.trim();
        if t.is_empty() || t.chars().count() > 300 {
            return Err(StorageError::invalid(
                "title",
                "give a title of 1 to 300 characters",
            ));
        }
    }
    if let Some(g) = ch.goal
        && !(1..=100_000).contains(&g)
    {
        return Err(StorageError::invalid(
            "goal",
            "the goal is a number of volunteers between 1 and 100000",
        ));
    }
    if let (Some(Some(o)), Some(Some(c))) = (ch.registration_opens, ch.registration_closes)
        && c < o
    {
        return Err(StorageError::invalid(
            "registration_closes",
            "registration cannot close before it opens",
        ));
    }
    if let Some(steps) = &ch.steps
        && steps.len() > 100
    {
        return Err(StorageError::invalid("steps", "at most 100 steps"));
    }
    Ok(())
}

fn json_list(v: &[String]) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

impl Store {
    /// Creates a draft campaign.
    pub async fn create_campaign(
        &self,
        org: OrgId,
        ch: CampaignChanges,
        actor: &Actor,
    ) -> Result<Campaign, StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        if ch.title.is_none() {
            return Err(StorageError::invalid("title", "a campaign needs a title"));
        }
        check(&ch)?;
        let txn = self.write_txn().await?;
        let t = now();
        let audience = ch.audience.clone().unwrap_or_default();
        let m = campaign::ActiveModel {
            organization_id: Set(org.0),
            title: Set(ch.title.clone().unwrap_or_default().trim().to_owned()),
            goal: Set(i32::try_from(ch.goal.unwrap_or(10)).unwrap_or(10)),
            audience_departments: Set(json_list(&audience.departments)),
            audience_sites: Set(json_list(&audience.sites)),
            registration_opens: Set(ch.registration_opens.flatten()),
            registration_closes: Set(ch.registration_closes.flatten()),
            key_message: Set(ch.key_message.clone().unwrap_or_default()),
            why_it_matters: Set(ch.why_it_matters.clone().unwrap_or_default()),
            status: Set(CampaignStatus::Draft.as_str().to_owned()),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        if let Some(ids) = &ch.mission_ids {
            set_missions(&txn, org, m.id, ids).await?;
        }
        if let Some(steps) = &ch.steps {
            set_steps(&txn, m.id, steps).await?;
        }
        audit::record(
            &txn,
            org,
            actor,
            "campaign.create",
            "campaign",
            Some(m.id),
            serde_json::json!({"title": m.title}),
        )
        .await?;
        txn.commit().await?;
        self.campaign(org, m.id).await
    }

    /// Changes a campaign; closed and evaluated campaigns are frozen.
    pub async fn update_campaign(
        &self,
        org: OrgId,
        id: i64,
        ch: CampaignChanges,
        actor: &Actor,
    ) -> Result<Campaign, StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        check(&ch)?;
        let txn = self.write_txn().await?;
        let cur = campaign_in(&txn, org, id).await?;
        let status: CampaignStatus = cur.status.parse().unwrap_or(CampaignStatus::Draft);
        if matches!(status, CampaignStatus::Closed | CampaignStatus::Evaluated) {
            return Err(StorageError::invalid(
                "status",
                format!("a {} campaign can no longer be changed", status.as_str()),
            ));
        }
        let opens = ch.registration_opens.unwrap_or(cur.registration_opens);
        let closes = ch.registration_closes.unwrap_or(cur.registration_closes);
        if let (Some(o), Some(c)) = (opens, closes)
            && c < o
        {
            return Err(StorageError::invalid(
                "registration_closes",
                "registration cannot close before it opens",
            ));
        }
        let mut a: campaign::ActiveModel = cur.into();
        if let Some(t) = &ch.title {
            a.title = Set(t.trim().to_owned());
        }
        if let Some(g) = ch.goal {
            a.goal = Set(i32::try_from(g).unwrap_or(i32::MAX));
        }
        if let Some(aud) = &ch.audience {
            a.audience_departments = Set(json_list(&aud.departments));
            a.audience_sites = Set(json_list(&aud.sites));
        }
        a.registration_opens = Set(opens);
        a.registration_closes = Set(closes);
        if let Some(k) = &ch.key_message {
            a.key_message = Set(k.clone());
        }
        if let Some(w) = &ch.why_it_matters {
            a.why_it_matters = Set(w.clone());
        }
        a.updated_at = Set(now());
        a.update(&txn).await?;
        if let Some(ids) = &ch.mission_ids {
            set_missions(&txn, org, id, ids).await?;
        }
        if let Some(steps) = &ch.steps {
            set_steps(&txn, id, steps).await?;
        }
        audit::record(&txn, org, actor, "campaign.update", "campaign", Some(id), serde_json::json!({"missions": ch.mission_ids, "steps": ch.steps.as_ref().map(Vec::len)})).await?;
        txn.commit().await?;
        self.campaign(org, id).await
    }

    /// Moves a campaign through its lifecycle; scheduling or launching needs published missions.
    pub async fn transition_campaign(
        &self,
        org: OrgId,
        id: i64,
        next: CampaignStatus,
        actor: &Actor,
    ) -> Result<Campaign, StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        let txn = self.write_txn().await?;
        let cur = campaign_in(&txn, org, id).await?;
        let status: CampaignStatus = cur.status.parse().unwrap_or(CampaignStatus::Draft);
        status
            .transition_to(next)
            .map_err(|e| StorageError::invalid("status", e.to_string()))?;
        if matches!(next, CampaignStatus::Scheduled | CampaignStatus::Live) {
            let missions = campaign_missions(&txn, id).await?;
            if missions.is_empty() {
                return Err(StorageError::invalid(
                    "mission_ids",
                    "add at least one mission before scheduling or launching",
                ));
            }
            if let Some(m) = missions.iter().find(|m| m.status != "published") {
                return Err(StorageError::invalid(
                    "mission_ids",
                    format!("mission “{}” is not published yet", m.title),
                ));
            }
        }
        // The status in the WHERE clause makes two concurrent transitions from the same state collide safely.
        let done = campaign::Entity::update_many()
            .col_expr(
                campaign::Column::Status,
                sea_orm::sea_query::Expr::value(next.as_str()),
            )
            .col_expr(
                campaign::Column::UpdatedAt,
                sea_orm::sea_query::Expr::value(now()),
            )
            .filter(campaign::Column::Id.eq(id))
            .filter(campaign::Column::Status.eq(status.as_str()))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            return Err(StorageError::Conflict {
                field: "status",
                message: "the campaign changed meanwhile; reload and retry".into(),
            });
        }
        audit::record(
            &txn,
            org,
            actor,
            "campaign.transition",
            "campaign",
            Some(id),
            serde_json::json!({"from": status, "to": next}),
        )
        .await?;
        txn.commit().await?;
        self.campaign(org, id).await
    }

    /// One campaign with its missions and steps.
    pub async fn campaign(&self, org: OrgId, id: i64) -> Result<Campaign, StorageError> {
        let m = campaign_in(self.db(), org, id).await?;
        self.campaign_view(m).await
    }

    /// All campaigns of the organisation, newest first.
    pub async fn campaigns(&self, org: OrgId) -> Result<Vec<Campaign>, StorageError> {
        let rows = campaign::Entity::find()
            .filter(campaign::Column::OrganizationId.eq(org.0))
            .order_by_desc(campaign::Column::Id)
            .all(self.db())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for m in rows {
            out.push(self.campaign_view(m).await?);
        }
        Ok(out)
    }

    /// The realistic-calendar check for a campaign as it stands today.
    pub async fn calendar_warnings(
        &self,
        org: OrgId,
        id: i64,
        today: NaiveDate,
    ) -> Result<Vec<CalendarWarning>, StorageError> {
        self.calendar_warnings_with(org, id, today, None).await
    }

    /// The calendar warnings a campaign would have with `steps` instead of its saved calendar
    /// (the console checks a calendar while it is being edited, before it is saved).
    pub async fn calendar_warnings_with(
        &self,
        org: OrgId,
        id: i64,
        today: NaiveDate,
        steps: Option<&[Step]>,
    ) -> Result<Vec<CalendarWarning>, StorageError> {
        let mut c = self.campaign(org, id).await?;
        if let Some(steps) = steps {
            c.steps = steps.to_vec();
        }
        let missions = campaign_missions(self.db(), id).await?;
        let audience = self
            .audience_size(org, &c.audience.departments, &c.audience.sites)
            .await?;
        let input = CalendarInput {
            today,
            steps: c
                .steps
                .iter()
                .map(|s| PlannedStep::new(s.kind, s.date))
                .collect(),
            registration_opens: c.registration_opens,
            registration_closes: c.registration_closes,
            mission_starts: missions.iter().map(|m| m.starts_at.date()).collect(),
            goal: u32::try_from(c.goal).unwrap_or(0),
            total_capacity: missions
                .iter()
                .map(|m| u32::try_from(m.capacity).unwrap_or(0))
                .sum(),
            audience_size: Some(u32::try_from(audience).unwrap_or(u32::MAX)),
        };
        Ok(declic_planning::check_calendar(&input))
    }

    async fn campaign_view(&self, m: campaign::Model) -> Result<Campaign, StorageError> {
        let mission_ids = campaign_mission::Entity::find()
            .filter(campaign_mission::Column::CampaignId.eq(m.id))
            .order_by_asc(campaign_mission::Column::MissionId)
            .all(self.db())
            .await?
            .into_iter()
            .map(|l| l.mission_id)
            .collect();
        let steps = campaign_step::Entity::find()
            .filter(campaign_step::Column::CampaignId.eq(m.id))
            .order_by_asc(campaign_step::Column::ScheduledOn)
            .order_by_asc(campaign_step::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .filter_map(|s| {
                Some(Step {
                    kind: s.kind.parse().ok()?,
                    date: s.scheduled_on,
                    note: s.note,
                })
            })
            .collect();
        Ok(Campaign {
            id: m.id,
            title: m.title,
            goal: m.goal,
            audience: Audience {
                departments: serde_json::from_str(&m.audience_departments).unwrap_or_default(),
                sites: serde_json::from_str(&m.audience_sites).unwrap_or_default(),
            },
            registration_opens: m.registration_opens,
            registration_closes: m.registration_closes,
            key_message: m.key_message,
            why_it_matters: m.why_it_matters,
            status: m.status.parse().unwrap_or(CampaignStatus::Draft),
            mission_ids,
            steps,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

async fn campaign_in<C: ConnectionTrait>(
    db: &C,
    org: OrgId,
    id: i64,
) -> Result<campaign::Model, StorageError> {
    campaign::Entity::find_by_id(id)
        .filter(campaign::Column::OrganizationId.eq(org.0))
        .one(db)
        .await?
        .ok_or(StorageError::NotFound("campaign"))
}

async fn campaign_missions<C: ConnectionTrait>(
    db: &C,
    campaign_id: i64,
) -> Result<Vec<mission::Model>, StorageError> {
    let ids: Vec<i64> = campaign_mission::Entity::find()
        .filter(campaign_mission::Column::CampaignId.eq(campaign_id))
        .all(db)
        .await?
        .into_iter()
        .map(|l| l.mission_id)
        .collect();
    Ok(mission::Entity::find()
        .filter(mission::Column::Id.is_in(ids))
        .order_by_asc(mission::Column::StartsAt)
        .all(db)
        .await?)
}

async fn set_missions<C: ConnectionTrait>(
    db: &C,
    org: OrgId,
    campaign_id: i64,
    ids: &[i64],
) -> Result<(), StorageError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let found = mission::Entity::find()
        .filter(mission::Column::OrganizationId.eq(org.0))
        .filter(mission::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    if found.len() != ids.len() {
        return Err(StorageError::invalid("mission_ids", "unknown mission id"));
    }
    campaign_mission::Entity::delete_many()
        .filter(campaign_mission::Column::CampaignId.eq(campaign_id))
        .exec(db)
        .await?;
    if !ids.is_empty() {
        campaign_mission::Entity::insert_many(ids.into_iter().map(|mission_id| {
            campaign_mission::ActiveModel {
                campaign_id: Set(campaign_id),
                mission_id: Set(mission_id),
                ..Default::default()
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

async fn set_steps<C: ConnectionTrait>(
    db: &C,
    campaign_id: i64,
    steps: &[Step],
) -> Result<(), StorageError> {
    campaign_step::Entity::delete_many()
        .filter(campaign_step::Column::CampaignId.eq(campaign_id))
        .exec(db)
        .await?;
    if !steps.is_empty() {
        campaign_step::Entity::insert_many(steps.iter().map(|s| campaign_step::ActiveModel {
            campaign_id: Set(campaign_id),
            kind: Set(s.kind.as_str().to_owned()),
            scheduled_on: Set(s.date),
            note: Set(s.note.chars().take(2000).collect()),
            ..Default::default()
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The default plan for a mission date, as editable steps, moved off weekends and public holidays.
pub fn default_steps(mission_date: NaiveDate) -> Vec<Step> {
    declic_planning::default_plan_on_working_days(mission_date)
        .into_iter()
        .map(|p| Step {
            kind: p.kind,
            date: p.date,
            note: String::new(),
        })
        .collect()
}
