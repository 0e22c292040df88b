//! Missions offered by associations, and the skills they call for.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use declic_planning::{MissionFormat, SkillKind, WorkMode};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::entity::{association, mission, mission_skill, skill};
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// A skill from the organisation's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Skill {
    pub id: i64,
    pub kind: SkillKind,
    pub label_en: String,
    pub label_fr: String,
}

/// A mission as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Mission {
    pub id: i64,
    pub association_id: i64,
    pub title: String,
    pub description: String,
    pub format: MissionFormat,
    pub work_mode: WorkMode,
    pub place: Option<String>,
    pub online_link: Option<String>,
    /// Local time in `time_zone`.
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub time_zone: String,
    pub capacity: i32,
    pub language: String,
    pub confidentiality_note: String,
    /// `draft` or `published`.
    pub status: String,
    pub skills: Vec<Skill>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything a mission is made of; used for create and full update.
#[derive(Debug, Clone)]
pub struct MissionInput {
    pub association_id: i64,
    pub title: String,
    pub description: String,
    pub format: MissionFormat,
    pub work_mode: WorkMode,
    pub place: Option<String>,
    pub online_link: Option<String>,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
    pub time_zone: String,
    pub capacity: i64,
    pub language: String,
    pub confidentiality_note: String,
    pub skill_ids: Vec<i64>,
}

/// What a change of a mission did to the people on it, for the messages that follow.
#[derive(Debug, Clone, Default)]
pub struct MissionUpdate {
    pub mission_id: i64,
    /// What changed that a volunteer must know: `time`, `place`, `format`.
    pub changes: Vec<&'static str>,
    /// Registrations holding a seat (`true`) or an offer (`false`), told of the changes.
    pub told: Vec<(i64, bool)>,
    /// Seats the change offered to the waitlist (a higher capacity).
    pub offers: Vec<crate::registrations::Offer>,
    /// The change's time, in microseconds: one message per person and change.
    pub version: i64,
}

/// What a volunteer must be told of, between the mission as it was and as it will be.
fn schedule_changes(cur: &mission::Model, input: &MissionInput) -> Vec<&'static str> {
    let mut out = Vec::new();
    if cur.starts_at != input.starts_at
        || cur.ends_at != input.ends_at
        || cur.time_zone != input.time_zone
    {
        out.push("time");
    }
    if cur.place != non_empty(&input.place)
        || cur.online_link != non_empty(&input.online_link)
        || cur.work_mode != input.work_mode.as_str()
    {
        out.push("place");
    }
    if cur.format != input.format.as_str() {
        out.push("format");
    }
    out
}

fn non_empty(v: &Option<String>) -> Option<String> {
    v.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

fn check(input: &MissionInput) -> Result<(), StorageError> {
    let title = input.title.trim();
    if title.is_empty() || title.chars().count() > 300 {
        return Err(StorageError::invalid(
            "title",
            "give a title of 1 to 300 characters",
        ));
    }
    declic_planning::validate_mission_dates(input.starts_at, input.ends_at, &input.time_zone)
        .map_err(|e| StorageError::invalid(e.field(), e.to_string()))?;
    declic_planning::validate_capacity(input.capacity)
        .map_err(|e| StorageError::invalid(e.field(), e.to_string()))?;
    crate::orgs::validate_language("language", &input.language)?;
    if matches!(input.work_mode, WorkMode::InPerson | WorkMode::Hybrid)
        && non_empty(&input.place).is_none()
    {
        return Err(StorageError::invalid(
            "place",
            "an in-person or hybrid mission needs a place",
        ));
    }
    if let Some(link) = non_empty(&input.online_link)
        && !(link.starts_with("https://") || link.starts_with("http://"))
    {
        return Err(StorageError::invalid(
            "online_link",
            "the link must start with https://",
        ));
    }
    Ok(())
}

impl Store {
    /// The organisation's skills list.
    pub async fn skills(&self, org: OrgId) -> Result<Vec<Skill>, StorageError> {
        Ok(skill::Entity::find()
            .filter(skill::Column::OrganizationId.eq(org.0))
            .order_by_asc(skill::Column::Kind)
            .order_by_asc(skill::Column::LabelEn)
            .all(self.db())
            .await?
            .into_iter()
            .filter_map(skill_view)
            .collect())
    }

    async fn skills_by_ids(&self, org: OrgId, ids: &[i64]) -> Result<Vec<Skill>, StorageError> {
        Ok(skill::Entity::find()
            .filter(skill::Column::OrganizationId.eq(org.0))
            .filter(skill::Column::Id.is_in(ids.to_vec()))
            .all(self.db())
            .await?
            .into_iter()
            .filter_map(skill_view)
            .collect())
    }

    /// Adds a skill to the organisation's list.
    pub async fn create_skill(
        &self,
        org: OrgId,
        kind: SkillKind,
        label_en: &str,
        label_fr: &str,
        actor: &Actor,
    ) -> Result<Skill, StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        let (en, fr) = (label_en.trim(), label_fr.trim());
        if en.is_empty() || en.chars().count() > 100 {
            return Err(StorageError::invalid(
                "label_en",
                "give a label of 1 to 100 characters",
            ));
        }
        if fr.is_empty() || fr.chars().count() > 100 {
            return Err(StorageError::invalid(
                "label_fr",
                "give a label of 1 to 100 characters",
            ));
        }
        let txn = self.write_txn().await?;
        let m = skill::ActiveModel {
            organization_id: Set(org.0),
            kind: Set(kind.as_str().to_owned()),
            label_en: Set(en.to_owned()),
            label_fr: Set(fr.to_owned()),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(StorageError::on_unique(
            "label_en",
            "this skill is already in the list",
        ))?;
        audit::record(
            &txn,
            org,
            actor,
            "skill.create",
            "skill",
            Some(m.id),
            serde_json::json!({"label_en": en}),
        )
        .await?;
        txn.commit().await?;
        skill_view(m).ok_or(StorageError::NotFound("skill"))
    }

    /// Creates a mission as a draft.
    pub async fn create_mission(
        &self,
        org: OrgId,
        input: MissionInput,
        actor: &Actor,
    ) -> Result<Mission, StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        check(&input)?;
        let txn = self.write_txn().await?;
        owned_association(&txn, org, input.association_id).await?;
        let t = now();
        let m = mission::ActiveModel {
            organization_id: Set(org.0),
            status: Set("draft".to_owned()),
            created_at: Set(t),
            ..fill(<mission::ActiveModel as Default>::default(), &input, t)
        }
        .insert(&txn)
        .await?;
        set_skills(&txn, org, m.id, &input.skill_ids).await?;
        audit::record(
            &txn,
            org,
            actor,
            "mission.create",
            "mission",
            Some(m.id),
            serde_json::json!({"title": m.title}),
        )
        .await?;
        txn.commit().await?;
        self.mission(org, m.id).await
    }

    /// Replaces a mission's fields; a published mission stays published only if its
    /// association is still eligible. The mission is locked like any change to its
    /// seats: a capacity below the seats held is refused (naming who holds them); a
    /// higher one offers the new seats to the waitlist in order, before anyone new. A
    /// new time, place or format is told to everyone holding a seat or an offer.
    /// `follow` names the messages of all this, queued in the same transaction.
    pub async fn update_mission(
        &self,
        org: OrgId,
        id: i64,
        input: MissionInput,
        claim_window: chrono::Duration,
        actor: &Actor,
        follow: impl FnOnce(&MissionUpdate) -> Vec<crate::outbox::NewMessage> + Send,
    ) -> Result<(Mission, MissionUpdate), StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        check(&input)?;
        let txn = self.write_txn().await?;
        mission_in(&txn, org, id).await?;
        crate::registrations::lock_missions(&txn, &[id]).await?;
        let cur = mission_in(&txn, org, id).await?;
        crate::registrations::check_capacity(&txn, id, input.capacity).await?;
        let assoc = owned_association(&txn, org, input.association_id).await?;
        if cur.status == "published" {
            ensure_eligible(&assoc)?;
        }
        let changes = schedule_changes(&cur, &input);
        let t = now();
        let updated = fill(cur.into(), &input, t).update(&txn).await?;
        set_skills(&txn, org, id, &input.skill_ids).await?;
        audit::record(
            &txn,
            org,
            actor,
            "mission.update",
            "mission",
            Some(id),
            serde_json::json!({"title": input.title}),
        )
        .await?;
        let offers =
            crate::registrations::offer_free_seats(&txn, &updated, now() + claim_window).await?;
        let told = if changes.is_empty() {
            Vec::new()
        } else {
            crate::registrations::holders(&txn, id).await?
        };
        let update = MissionUpdate {
            mission_id: id,
            changes,
            told,
            offers,
            version: t.timestamp_micros(),
        };
        crate::outbox::queue(&txn, follow(&update)).await?;
        txn.commit().await?;
        Ok((self.mission(org, id).await?, update))
    }

    /// Publishes a mission; refused when its association is not eligible.
    pub async fn publish_mission(
        &self,
        org: OrgId,
        id: i64,
        actor: &Actor,
    ) -> Result<Mission, StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        let txn = self.write_txn().await?;
        let cur = mission_in(&txn, org, id).await?;
        let assoc = owned_association(&txn, org, cur.association_id).await?;
        ensure_eligible(&assoc)?;
        let mut a: mission::ActiveModel = cur.into();
        a.status = Set("published".to_owned());
        a.updated_at = Set(now());
        a.update(&txn).await?;
        audit::record(
            &txn,
            org,
            actor,
            "mission.publish",
            "mission",
            Some(id),
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        self.mission(org, id).await
    }

    /// One mission with its skills.
    pub async fn mission(&self, org: OrgId, id: i64) -> Result<Mission, StorageError> {
        let m = mission_in(self.db(), org, id).await?;
        let mut all = self.missions_view(org, vec![m]).await?;
        all.pop().ok_or(StorageError::NotFound("mission"))
    }

    /// All missions of the organisation, by start date.
    pub async fn missions(&self, org: OrgId) -> Result<Vec<Mission>, StorageError> {
        let rows = mission::Entity::find()
            .filter(mission::Column::OrganizationId.eq(org.0))
            .order_by_asc(mission::Column::StartsAt)
            .order_by_asc(mission::Column::Id)
            .all(self.db())
            .await?;
        self.missions_view(org, rows).await
    }

    /// Missions by id, all of which must belong to the organisation.
    pub async fn missions_by_ids(
        &self,
        org: OrgId,
        ids: &[i64],
    ) -> Result<Vec<Mission>, StorageError> {
        let rows = mission::Entity::find()
            .filter(mission::Column::OrganizationId.eq(org.0))
            .filter(mission::Column::Id.is_in(ids.to_vec()))
            .order_by_asc(mission::Column::StartsAt)
            .all(self.db())
            .await?;
        self.missions_view(org, rows).await
    }

    async fn missions_view(
        &self,
        org: OrgId,
        rows: Vec<mission::Model>,
    ) -> Result<Vec<Mission>, StorageError> {
        let links = mission_skill::Entity::find()
            .filter(
                mission_skill::Column::MissionId
                    .is_in(rows.iter().map(|m| m.id).collect::<Vec<_>>()),
            )
            .all(self.db())
            .await?;
        // Only the skills these missions use, not the organisation's whole list.
        let mut skill_ids: Vec<i64> = links.iter().map(|l| l.skill_id).collect();
        skill_ids.sort_unstable();
        skill_ids.dedup();
        let skills: HashMap<i64, Skill> = if skill_ids.is_empty() {
            HashMap::new()
        } else {
            self.skills_by_ids(org, &skill_ids)
                .await?
                .into_iter()
                .map(|s| (s.id, s))
                .collect()
        };
        let mut by_mission: HashMap<i64, Vec<Skill>> = HashMap::new();
        for l in links {
            if let Some(s) = skills.get(&l.skill_id) {
                by_mission.entry(l.mission_id).or_default().push(s.clone());
            }
        }
        Ok(rows
            .into_iter()
            .map(|m| {
                let skills = by_mission.remove(&m.id).unwrap_or_default();
                view(m, skills)
            })
            .collect())
    }
}

fn fill(
    mut a: mission::ActiveModel,
    input: &MissionInput,
    t: DateTime<Utc>,
) -> mission::ActiveModel {
    a.association_id = Set(input.association_id);
    a.title = Set(input.title.trim().to_owned());
    a.description = Set(input.description.clone());
    a.format = Set(input.format.as_str().to_owned());
    a.work_mode = Set(input.work_mode.as_str().to_owned());
    a.place = Set(non_empty(&input.place));
    a.online_link = Set(non_empty(&input.online_link));
    a.starts_at = Set(input.starts_at);
    a.ends_at = Set(input.ends_at);
    a.time_zone = Set(input.time_zone.clone());
    a.capacity = Set(i32::try_from(input.capacity).unwrap_or(i32::MAX));
    a.language = Set(input.language.clone());
    a.confidentiality_note = Set(input.confidentiality_note.clone());
    a.updated_at = Set(t);
    a
}

async fn mission_in<C: ConnectionTrait>(
    db: &C,
    org: OrgId,
    id: i64,
) -> Result<mission::Model, StorageError> {
    mission::Entity::find_by_id(id)
        .filter(mission::Column::OrganizationId.eq(org.0))
        .one(db)
        .await?
        .ok_or(StorageError::NotFound("mission"))
}

async fn owned_association<C: ConnectionTrait>(
    db: &C,
    org: OrgId,
    id: i64,
) -> Result<association::Model, StorageError> {
    association::Entity::find_by_id(id)
        .filter(association::Column::OrganizationId.eq(org.0))
        .one(db)
        .await?
        .ok_or_else(|| {
            StorageError::invalid("association_id", "no such association in this organisation")
        })
}

fn ensure_eligible(assoc: &association::Model) -> Result<(), StorageError> {
    let verdict = crate::associations::criteria(assoc).assess();
    if verdict.eligible {
        return Ok(());
    }
    let reasons: Vec<String> = verdict
        .missing
        .iter()
        .map(|r| r.message_en.clone())
        .collect();
    Err(StorageError::invalid(
        "association_id",
        format!(
            "the association is not eligible, so the mission cannot be published: {}",
            reasons.join("; ")
        ),
    ))
}

async fn set_skills<C: ConnectionTrait>(
    db: &C,
    org: OrgId,
    mission_id: i64,
    ids: &[i64],
) -> Result<(), StorageError> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let found = skill::Entity::find()
        .filter(skill::Column::OrganizationId.eq(org.0))
        .filter(skill::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    if found.len() != ids.len() {
        return Err(StorageError::invalid("skill_ids", "unknown skill id"));
    }
    mission_skill::Entity::delete_many()
        .filter(mission_skill::Column::MissionId.eq(mission_id))
        .exec(db)
        .await?;
    if !ids.is_empty() {
        mission_skill::Entity::insert_many(ids.into_iter().map(|skill_id| {
            mission_skill::ActiveModel {
                mission_id: Set(mission_id),
                skill_id: Set(skill_id),
                ..Default::default()
            }
        }))
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

fn skill_view(m: skill::Model) -> Option<Skill> {
    Some(Skill {
        id: m.id,
        kind: m.kind.parse().ok()?,
        label_en: m.label_en,
        label_fr: m.label_fr,
    })
}

fn view(m: mission::Model, skills: Vec<Skill>) -> Mission {
    Mission {
        id: m.id,
        association_id: m.association_id,
        format: m.format.parse().unwrap_or(MissionFormat::Workshop),
        work_mode: m.work_mode.parse().unwrap_or(WorkMode::InPerson),
        title: m.title,
        description: m.description,
        place: m.place,
        online_link: m.online_link,
        starts_at: m.starts_at,
        ends_at: m.ends_at,
        time_zone: m.time_zone,
        capacity: m.capacity,
        language: m.language,
        confidentiality_note: m.confidentiality_note,
        status: m.status,
        skills,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}
