//! The organiser's view: every registration of a campaign, and manual moves.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::seats::{lock_missions, offer_free_seats, release, seat_or_queue};
use super::{ChoiceView, choice};
use crate::entity::{campaign_link, employee, registration, registration_choice};
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// One person's registration in the organiser's list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegistrationRow {
    pub id: i64,
    pub employee_id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub department: Option<String>,
    pub site: Option<String>,
    pub status: String,
    /// The channel of the link used: direct, mail, slack, teams, poster, event, ambassador.
    pub source_channel: String,
    /// The site of a poster link.
    pub source_site: Option<String>,
    pub referrer_employee_id: Option<i64>,
    pub duo_registration_id: Option<i64>,
    pub choices: Vec<ChoiceView>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
}

/// An organiser's manual change to one choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChoiceMove {
    /// Give a seat (only when the mission has room: capacity holds for organisers too).
    Seat,
    /// Put at the end of the waitlist, freeing any seat.
    Waitlist,
    /// Remove from the mission, freeing any seat.
    Cancel,
}

impl Store {
    /// Per campaign of the organisation: registrations not cancelled, and of those the
    /// confirmed ones, counted in the database (the dashboard's figures).
    pub async fn registration_counts(
        &self,
        org: OrgId,
    ) -> Result<HashMap<i64, (i64, i64)>, StorageError> {
        use sea_orm::QuerySelect;
        let rows: Vec<(i64, String, i64)> = registration::Entity::find()
            .select_only()
            .column(registration::Column::CampaignId)
            .column(registration::Column::Status)
            .column_as(registration::Column::Id.count(), "n")
            .filter(registration::Column::OrganizationId.eq(org.0))
            .filter(registration::Column::Status.ne(super::status::CANCELLED))
            .group_by(registration::Column::CampaignId)
            .group_by(registration::Column::Status)
            .into_tuple()
            .all(self.db())
            .await?;
        let mut counts: HashMap<i64, (i64, i64)> = HashMap::new();
        for (campaign, status, n) in rows {
            let entry = counts.entry(campaign).or_default();
            entry.0 += n;
            if status == super::status::CONFIRMED {
                entry.1 += n;
            }
        }
        Ok(counts)
    }

    /// Registrations of a campaign (optionally those choosing one mission), oldest first.
    pub async fn campaign_registrations(
        &self,
        org: OrgId,
        campaign_id: i64,
        mission_id: Option<i64>,
    ) -> Result<Vec<RegistrationRow>, StorageError> {
        self.campaign(org, campaign_id).await?;
        let regs = registration::Entity::find()
            .filter(registration::Column::OrganizationId.eq(org.0))
            .filter(registration::Column::CampaignId.eq(campaign_id))
            .order_by_asc(registration::Column::Id)
            .all(self.db())
            .await?;
        let ids: Vec<i64> = regs.iter().map(|r| r.id).collect();
        let mut choices: HashMap<i64, Vec<registration_choice::Model>> = HashMap::new();
        for c in registration_choice::Entity::find()
            .filter(registration_choice::Column::RegistrationId.is_in(ids))
            .order_by_asc(registration_choice::Column::Rank)
            .all(self.db())
            .await?
        {
            choices.entry(c.registration_id).or_default().push(c);
        }
        let people: HashMap<i64, employee::Model> = employee::Entity::find()
            .filter(
                employee::Column::Id.is_in(regs.iter().map(|r| r.employee_id).collect::<Vec<_>>()),
            )
            .all(self.db())
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        let sites: HashMap<i64, Option<String>> = campaign_link::Entity::find()
            .filter(campaign_link::Column::CampaignId.eq(campaign_id))
            .all(self.db())
            .await?
            .into_iter()
            .map(|l| (l.id, l.site))
            .collect();
        let mut out = Vec::new();
        for r in regs {
            let mine = choices.remove(&r.id).unwrap_or_default();
            if mission_id.is_some_and(|m| !mine.iter().any(|c| c.mission_id == m)) {
                continue;
            }
            let Some(p) = people.get(&r.employee_id) else {
                continue;
            };
            let mut views = Vec::with_capacity(mine.len());
            for c in mine {
                let position = if c.status == choice::WAITLISTED {
                    Some(super::seats::position(self.db(), &c).await?)
                } else {
                    None
                };
                views.push(ChoiceView {
                    choice_id: c.id,
                    mission_id: c.mission_id,
                    rank: c.rank,
                    status: c.status,
                    position,
                    offer_expires_at: c.offer_expires_at,
                    attended: c.attended,
                });
            }
            out.push(RegistrationRow {
                id: r.id,
                employee_id: r.employee_id,
                email: p.email.clone(),
                first_name: p.first_name.clone(),
                last_name: p.last_name.clone(),
                department: p.department.clone(),
                site: p.site.clone(),
                status: r.status,
                source_channel: r.source_channel,
                source_site: r
                    .source_link_id
                    .and_then(|l| sites.get(&l).cloned().flatten()),
                referrer_employee_id: r.referrer_employee_id,
                duo_registration_id: r.duo_registration_id,
                choices: views,
                created_at: r.created_at,
                confirmed_at: r.confirmed_at,
            });
        }
        Ok(out)
    }

    /// An organiser moves one choice (seat, waitlist, cancel), with a reason for the audit log.
    #[expect(
        clippy::too_many_arguments,
        reason = "the move, its reason and author, and the messages that follow"
    )]
    pub async fn move_choice(
        &self,
        org: OrgId,
        choice_id: i64,
        action: ChoiceMove,
        reason: &str,
        claim_window: Duration,
        actor: &Actor,
        follow: impl FnOnce(&super::ChangeOutcome) -> Vec<crate::outbox::NewMessage> + Send,
    ) -> Result<super::ChangeOutcome, StorageError> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(StorageError::invalid(
                "reason",
                "say why, in 1 to 500 characters",
            ));
        }
        let txn = self.write_txn().await?;
        let find = || {
            registration_choice::Entity::find_by_id(choice_id)
                .filter(registration_choice::Column::OrganizationId.eq(org.0))
        };
        let mission_id = find()
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("registration choice"))?
            .mission_id;
        // The mission locked first, the choice read again under the lock.
        let missions = lock_missions(&txn, &[mission_id]).await?;
        let c = find()
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("registration choice"))?;
        let reg = registration::Entity::find_by_id(c.registration_id)
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("registration"))?;
        if reg.status != super::status::CONFIRMED {
            return Err(StorageError::invalid(
                "choice_id",
                "only confirmed registrations can be moved",
            ));
        }
        let Some(m) = missions.first() else {
            return Err(StorageError::NotFound("mission"));
        };
        let from = c.status.clone();
        let held = matches!(from.as_str(), choice::SEATED | choice::OFFERED);
        // A duo partner left behind waits alone now: a free seat may be theirs.
        let frees = held || c.waits_with.is_some();
        let was_seated = from == choice::SEATED;
        if action == ChoiceMove::Cancel
            && matches!(from.as_str(), choice::CANCELLED | choice::RELEASED)
        {
            // A second press of "cancel" tells nobody anything twice.
            return Err(StorageError::invalid(
                "action",
                "this place is already cancelled",
            ));
        }
        let mut offers = Vec::new();
        let mut seated = false;
        match action {
            ChoiceMove::Seat if from == choice::SEATED => {}
            ChoiceMove::Seat => {
                let (occupied, _) = super::seats::occupancy(&txn, m.id).await?;
                if occupied >= i64::from(m.capacity) {
                    return Err(StorageError::invalid(
                        "action",
                        "the mission is full: free a seat or raise its capacity first",
                    ));
                }
                let done = seat_or_queue(&txn, m, c).await?;
                if done.status != choice::SEATED {
                    return Err(StorageError::invalid("action", "the mission is full"));
                }
                seated = true;
            }
            ChoiceMove::Waitlist => {
                let mut a: registration_choice::ActiveModel = c.into();
                a.seat_no = sea_orm::Set(None);
                a.status = sea_orm::Set(choice::RELEASED.to_owned());
                let freed = sea_orm::ActiveModelTrait::update(a, &txn).await?;
                if held {
                    offers = offer_free_seats(&txn, m, now() + claim_window).await?;
                }
                let mut a: registration_choice::ActiveModel = freed.into();
                a.status = sea_orm::Set(choice::WAITLISTED.to_owned());
                a.waits_with = sea_orm::Set(None);
                a.queue_seq = sea_orm::Set(Some(super::seats::next_queue_seq(&txn, m.id).await?));
                a.updated_at = sea_orm::Set(now());
                sea_orm::ActiveModelTrait::update(a, &txn).await?;
            }
            ChoiceMove::Cancel => {
                release(&txn, c, choice::CANCELLED).await?;
                if frees {
                    offers = offer_free_seats(&txn, m, now() + claim_window).await?;
                }
            }
        }
        audit::record(&txn, org, actor, "registration.move", "registration", Some(reg.id), serde_json::json!({"choice_id": choice_id, "mission_id": m.id, "from": from, "action": action, "reason": reason})).await?;
        let out = super::ChangeOutcome {
            registration_id: reg.id,
            given_up_seats: if was_seated && action != ChoiceMove::Seat {
                vec![m.id]
            } else {
                vec![]
            },
            // A waitlist place or an offer cancelled by HR: told too, without a
            // calendar (there was no invitation to take back).
            cancelled_missions: if action == ChoiceMove::Cancel && !was_seated {
                vec![m.id]
            } else {
                vec![]
            },
            offers,
            seated_mission: seated.then_some(m.id),
        };
        crate::outbox::queue(&txn, follow(&out)).await?;
        txn.commit().await?;
        Ok(out)
    }
}
