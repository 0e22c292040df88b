//! Changes from the person's own page: cancel, claim or decline an offered seat;
//! and the clock: lapsed offers pass to the next person.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use super::seats::{lock_missions, offer_free_seats, release};
use super::{choice, status};
use crate::entity::{mission, registration, registration_choice};
use crate::outbox::NewMessage;
use crate::{StorageError, Store, now};

/// A seat held for someone from the waitlist until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offer {
    pub registration_id: i64,
    pub mission_id: i64,
    pub expires_at: DateTime<Utc>,
}

/// What a change did, for the mails that follow it.
#[derive(Debug, Clone, Default)]
pub struct ChangeOutcome {
    /// The registration changed.
    pub registration_id: i64,
    /// Every seat this person held before the change and not after (calendar
    /// cancellations), whether cancelled or given up for a better choice.
    pub given_up_seats: Vec<i64>,
    /// Missions this person's place was cancelled on (acknowledgements): a seat
    /// given up by the person, or a waitlist place or offer cancelled by HR.
    pub cancelled_missions: Vec<i64>,
    /// Seats now offered to people from the waitlist.
    pub offers: Vec<Offer>,
    /// The mission this person was just seated in.
    pub seated_mission: Option<i64>,
}

async fn choices_of(
    txn: &sea_orm::DatabaseTransaction,
    registration_id: i64,
) -> Result<Vec<registration_choice::Model>, StorageError> {
    Ok(registration_choice::Entity::find()
        .filter(registration_choice::Column::RegistrationId.eq(registration_id))
        .order_by_asc(registration_choice::Column::Rank)
        .all(txn)
        .await?)
}

/// Locks the missions of every choice of the registration (and `extra`), then reads
/// its choices under those locks. Every change to a choice holds its mission's lock,
/// so what is read here stays true until the commit: no change reads a choice before
/// it holds the lock, and none writes a stale copy over another's (a claim racing the
/// job that passes lapsed offers on).
pub(super) async fn lock_and_read(
    txn: &sea_orm::DatabaseTransaction,
    registration_id: i64,
    extra: &[i64],
) -> Result<(Vec<mission::Model>, Vec<registration_choice::Model>), StorageError> {
    use sea_orm::QuerySelect;
    let mut ids: Vec<i64> = registration_choice::Entity::find()
        .select_only()
        .column(registration_choice::Column::MissionId)
        .filter(registration_choice::Column::RegistrationId.eq(registration_id))
        .into_tuple()
        .all(txn)
        .await?;
    ids.extend_from_slice(extra);
    ids.sort_unstable();
    ids.dedup();
    let mut missions = lock_missions(txn, &ids).await?;
    let choices = choices_of(txn, registration_id).await?;
    // A choice added meanwhile (a new preference) on a mission not locked yet.
    let mut missing: Vec<i64> = choices
        .iter()
        .map(|c| c.mission_id)
        .filter(|m| !ids.contains(m))
        .collect();
    if !missing.is_empty() {
        missing.sort_unstable();
        missing.dedup();
        missions.extend(lock_missions(txn, &missing).await?);
        return Ok((missions, choices_of(txn, registration_id).await?));
    }
    Ok((missions, choices))
}

/// Ends a change: notes the seats given up, queues the messages `follow` names
/// and commits, all in the change's transaction.
async fn finish(
    txn: sea_orm::DatabaseTransaction,
    registration_id: i64,
    before: &[registration_choice::Model],
    mut out: ChangeOutcome,
    follow: impl FnOnce(&ChangeOutcome) -> Vec<NewMessage>,
) -> Result<ChangeOutcome, StorageError> {
    let after = choices_of(&txn, registration_id).await?;
    out.registration_id = registration_id;
    out.given_up_seats = before
        .iter()
        .filter(|b| b.status == choice::SEATED)
        .filter(|b| {
            !after
                .iter()
                .any(|a| a.mission_id == b.mission_id && a.status == choice::SEATED)
        })
        .map(|b| b.mission_id)
        .collect();
    crate::outbox::queue(&txn, follow(&out)).await?;
    txn.commit().await?;
    Ok(out)
}

fn active(c: &registration_choice::Model) -> bool {
    matches!(
        c.status.as_str(),
        choice::SEATED | choice::WAITLISTED | choice::OFFERED | choice::PENDING
    )
}

impl Store {
    /// Cancels one mission choice, or all of them (`mission_id = None`), freeing seats for the waitlist.
    pub async fn cancel_registration(
        &self,
        registration_id: i64,
        mission_id: Option<i64>,
        claim_window: Duration,
        follow: impl FnOnce(&ChangeOutcome) -> Vec<NewMessage> + Send,
    ) -> Result<ChangeOutcome, StorageError> {
        let txn = self.write_txn().await?;
        let reg = registration::Entity::find_by_id(registration_id)
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("registration"))?;
        let (missions, all) = lock_and_read(&txn, reg.id, &[]).await?;
        let targets: Vec<_> = all
            .iter()
            .filter(|c| active(c) && mission_id.is_none_or(|m| m == c.mission_id))
            .cloned()
            .collect();
        if targets.is_empty() {
            return Err(StorageError::invalid("mission_id", "nothing to cancel"));
        }
        let mut out = ChangeOutcome::default();
        for c in targets {
            // A seat freed, or a duo partner left to wait alone (whom a single free seat
            // now fits): either way the next in line may get an offer.
            let held_seat = matches!(c.status.as_str(), choice::SEATED | choice::OFFERED)
                || c.waits_with.is_some();
            if c.status == choice::SEATED {
                out.cancelled_missions.push(c.mission_id);
            }
            let mid = c.mission_id;
            release(&txn, c, choice::CANCELLED).await?;
            if held_seat && let Some(m) = missions.iter().find(|m| m.id == mid) {
                out.offers
                    .extend(offer_free_seats(&txn, m, now() + claim_window).await?);
            }
        }
        let remaining = choices_of(&txn, reg.id).await?.iter().any(active);
        if !remaining {
            let mut a: registration::ActiveModel = reg.into();
            a.status = Set(status::CANCELLED.to_owned());
            a.cancelled_at = Set(Some(now()));
            a.updated_at = Set(now());
            a.update(&txn).await?;
        }
        finish(txn, registration_id, &all, out, follow).await
    }

    /// Takes an offered seat: seated there, and any worse-ranked seat or waitlist place is given up.
    pub async fn claim_offer(
        &self,
        registration_id: i64,
        mission_id: i64,
        claim_window: Duration,
        follow: impl FnOnce(&ChangeOutcome) -> Vec<NewMessage> + Send,
    ) -> Result<ChangeOutcome, StorageError> {
        let txn = self.write_txn().await?;
        let (missions, all) = lock_and_read(&txn, registration_id, &[]).await?;
        let offered = all
            .iter()
            .find(|c| c.mission_id == mission_id && c.status == choice::OFFERED)
            .cloned()
            .ok_or_else(|| {
                StorageError::invalid(
                    "mission_id",
                    "there is no seat offered to you for this mission",
                )
            })?;
        if offered.offer_expires_at.is_some_and(|e| e < now()) {
            return Err(StorageError::invalid(
                "mission_id",
                "this offer has expired",
            ));
        }
        let lower: Vec<_> = all
            .iter()
            .filter(|c| c.rank > offered.rank && active(c))
            .cloned()
            .collect();
        let mut out = ChangeOutcome {
            seated_mission: Some(mission_id),
            ..Default::default()
        };
        let mut a: registration_choice::ActiveModel = offered.into();
        a.status = Set(choice::SEATED.to_owned());
        a.offer_expires_at = Set(None);
        a.updated_at = Set(now());
        a.update(&txn).await?;
        for c in lower {
            let held = matches!(c.status.as_str(), choice::SEATED | choice::OFFERED);
            let mid = c.mission_id;
            release(&txn, c, choice::RELEASED).await?;
            if held && let Some(m) = missions.iter().find(|m| m.id == mid) {
                out.offers
                    .extend(offer_free_seats(&txn, m, now() + claim_window).await?);
            }
        }
        finish(txn, registration_id, &all, out, follow).await
    }

    /// Declines an offered seat; it goes to the next person.
    pub async fn decline_offer(
        &self,
        registration_id: i64,
        mission_id: i64,
        claim_window: Duration,
        follow: impl FnOnce(&ChangeOutcome) -> Vec<NewMessage> + Send,
    ) -> Result<ChangeOutcome, StorageError> {
        let txn = self.write_txn().await?;
        let (missions, before) = lock_and_read(&txn, registration_id, &[]).await?;
        let offered = before
            .iter()
            .find(|c| c.mission_id == mission_id && c.status == choice::OFFERED)
            .cloned()
            .ok_or_else(|| {
                StorageError::invalid(
                    "mission_id",
                    "there is no seat offered to you for this mission",
                )
            })?;
        release(&txn, offered, choice::RELEASED).await?;
        let mut out = ChangeOutcome::default();
        if let Some(m) = missions.iter().find(|m| m.id == mission_id) {
            out.offers = offer_free_seats(&txn, m, now() + claim_window).await?;
        }
        finish(txn, registration_id, &before, out, follow).await
    }

    /// Duo: the inviter gives up their seat to wait with their colleague, who is
    /// waiting for the same mission. The pair takes the inviter's place, ahead of
    /// everyone waiting, and is offered two seats at once; the seat given up goes to
    /// the next one in line meanwhile.
    pub async fn waitlist_with_partner(
        &self,
        registration_id: i64,
        mission_id: i64,
        claim_window: Duration,
        follow: impl FnOnce(&ChangeOutcome) -> Vec<NewMessage> + Send,
    ) -> Result<ChangeOutcome, StorageError> {
        let txn = self.write_txn().await?;
        let (missions, before) = lock_and_read(&txn, registration_id, &[]).await?;
        let mine = before
            .iter()
            .find(|c| c.mission_id == mission_id && c.status == choice::SEATED)
            .cloned()
            .ok_or_else(|| {
                StorageError::invalid("mission_id", "you have no seat in this mission")
            })?;
        let Some(m) = missions.iter().find(|m| m.id == mission_id) else {
            return Err(StorageError::NotFound("mission"));
        };
        // The colleague this person invited, waiting for this mission (read under
        // the mission's lock like every choice of it).
        let partners: Vec<i64> = registration::Entity::find()
            .filter(registration::Column::DuoRegistrationId.eq(registration_id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        let theirs = registration_choice::Entity::find()
            .filter(registration_choice::Column::MissionId.eq(mission_id))
            .filter(registration_choice::Column::Status.eq(choice::WAITLISTED))
            .filter(registration_choice::Column::RegistrationId.is_in(partners))
            .one(&txn)
            .await?
            .ok_or_else(|| {
                StorageError::invalid(
                    "mission_id",
                    "your colleague is not waiting for this mission",
                )
            })?;
        let head = registration_choice::Entity::find()
            .filter(registration_choice::Column::MissionId.eq(mission_id))
            .filter(registration_choice::Column::Status.eq(choice::WAITLISTED))
            .order_by_asc(registration_choice::Column::QueueSeq)
            .one(&txn)
            .await?
            .and_then(|c| c.queue_seq)
            .unwrap_or(1);
        let mut a: registration_choice::ActiveModel = mine.clone().into();
        a.status = Set(choice::WAITLISTED.to_owned());
        a.seat_no = Set(None);
        a.queue_seq = Set(Some(head - 2));
        a.waits_with = Set(Some(theirs.id));
        a.updated_at = Set(now());
        a.update(&txn).await?;
        let mut b: registration_choice::ActiveModel = theirs.clone().into();
        b.queue_seq = Set(Some(head - 1));
        b.waits_with = Set(Some(mine.id));
        b.updated_at = Set(now());
        b.update(&txn).await?;
        let offers = offer_free_seats(&txn, m, now() + claim_window).await?;
        let out = ChangeOutcome {
            offers,
            ..Default::default()
        };
        finish(txn, registration_id, &before, out, follow).await
    }

    /// Offers whose claim window has passed are released and passed on.
    /// `follow` names the messages of the new offers, queued in the same transaction.
    pub async fn expire_offers(
        &self,
        claim_window: Duration,
        follow: impl FnOnce(&[Offer]) -> Vec<NewMessage> + Send,
    ) -> Result<Vec<Offer>, StorageError> {
        let txn = self.write_txn().await?;
        let cutoff = now();
        let lapsed = |ids: Option<Vec<i64>>| {
            let mut q = registration_choice::Entity::find()
                .filter(registration_choice::Column::Status.eq(choice::OFFERED))
                .filter(registration_choice::Column::OfferExpiresAt.lt(cutoff));
            if let Some(ids) = ids {
                q = q.filter(registration_choice::Column::MissionId.is_in(ids));
            }
            q
        };
        // Which missions to lock, then the lapsed offers read again under the locks:
        // one claimed meanwhile is seated now and stays so.
        let mut ids: Vec<i64> = lapsed(None)
            .all(&txn)
            .await?
            .iter()
            .map(|c| c.mission_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        if ids.is_empty() {
            txn.rollback().await?;
            return Ok(Vec::new());
        }
        let missions = lock_missions(&txn, &ids).await?;
        for c in lapsed(Some(ids)).all(&txn).await? {
            release(&txn, c, choice::RELEASED).await?;
        }
        let mut offers = Vec::new();
        for m in &missions {
            offers.extend(offer_free_seats(&txn, m, now() + claim_window).await?);
        }
        crate::outbox::queue(&txn, follow(&offers)).await?;
        txn.commit().await?;
        Ok(offers)
    }

    /// Seated people of missions starting between `from` and `to` (local times)
    /// not yet reminded; marks them reminded and queues the reminders `follow` names
    /// in the same transaction. Returns (registration, mission) pairs.
    pub async fn due_mission_reminders(
        &self,
        from: chrono::NaiveDateTime,
        to: chrono::NaiveDateTime,
        follow: impl FnOnce(&[(i64, i64)]) -> Vec<NewMessage> + Send,
    ) -> Result<Vec<(i64, i64)>, StorageError> {
        let txn = self.write_txn().await?;
        let missions: Vec<i64> = mission::Entity::find()
            .filter(mission::Column::StartsAt.gte(from))
            .filter(mission::Column::StartsAt.lt(to))
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| m.id)
            .collect();
        let due = registration_choice::Entity::find()
            .filter(registration_choice::Column::MissionId.is_in(missions))
            .filter(registration_choice::Column::Status.eq(choice::SEATED))
            .filter(registration_choice::Column::RemindedAt.is_null())
            .all(&txn)
            .await?;
        let pairs: Vec<(i64, i64)> = due
            .iter()
            .map(|c| (c.registration_id, c.mission_id))
            .collect();
        registration_choice::Entity::update_many()
            .col_expr(registration_choice::Column::RemindedAt, Expr::value(now()))
            .filter(
                registration_choice::Column::Id.is_in(due.iter().map(|c| c.id).collect::<Vec<_>>()),
            )
            .exec(&txn)
            .await?;
        crate::outbox::queue(&txn, follow(&pairs)).await?;
        txn.commit().await?;
        Ok(pairs)
    }
}

impl Store {
    /// Changes to (or adds) a preferred mission: it becomes the first choice and is
    /// seated if it has room (any other seat is then given up and offered on);
    /// otherwise the person keeps what they have and waits for it.
    pub async fn prefer_mission(
        &self,
        registration_id: i64,
        mission_id: i64,
        claim_window: Duration,
        follow: impl FnOnce(&ChangeOutcome) -> Vec<NewMessage> + Send,
    ) -> Result<ChangeOutcome, StorageError> {
        use crate::entity::{campaign_mission, mission as mission_entity};
        let txn = self.write_txn().await?;
        let reg = registration::Entity::find_by_id(registration_id)
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("registration"))?;
        if reg.status != status::CONFIRMED {
            return Err(StorageError::invalid(
                "mission_id",
                "confirm your registration first",
            ));
        }
        let offered = campaign_mission::Entity::find()
            .filter(campaign_mission::Column::CampaignId.eq(reg.campaign_id))
            .filter(campaign_mission::Column::MissionId.eq(mission_id))
            .one(&txn)
            .await?
            .is_some()
            && mission_entity::Entity::find_by_id(mission_id)
                .one(&txn)
                .await?
                .is_some_and(|m| m.status == "published");
        if !offered {
            return Err(StorageError::invalid(
                "mission_id",
                "this mission is not part of the campaign",
            ));
        }
        let (missions, all) = lock_and_read(&txn, reg.id, &[mission_id]).await?;
        if all.iter().any(|c| c.mission_id == mission_id && active(c)) {
            return Err(StorageError::invalid(
                "mission_id",
                "you already chose this mission",
            ));
        }
        // Renumber: the new preference first, the others keep their order.
        for (rank, c) in (2..).zip(all.iter().filter(|c| c.mission_id != mission_id)) {
            let mut a: registration_choice::ActiveModel = c.clone().into();
            a.rank = Set(rank);
            a.update(&txn).await?;
        }
        let preferred = match all.iter().find(|c| c.mission_id == mission_id) {
            Some(old) => {
                let mut a: registration_choice::ActiveModel = old.clone().into();
                a.rank = Set(1);
                a.update(&txn).await?
            }
            None => {
                registration_choice::ActiveModel {
                    organization_id: Set(reg.organization_id),
                    registration_id: Set(reg.id),
                    mission_id: Set(mission_id),
                    rank: Set(1),
                    status: Set(choice::PENDING.to_owned()),
                    updated_at: Set(now()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?
            }
        };
        let others: Vec<_> = all
            .iter()
            .filter(|c| c.mission_id != mission_id && active(c))
            .cloned()
            .collect();
        let Some(m) = missions.iter().find(|m| m.id == mission_id) else {
            return Err(StorageError::NotFound("mission"));
        };
        let done = super::seats::seat_or_queue(&txn, m, preferred).await?;
        let mut out = ChangeOutcome::default();
        if done.status == choice::SEATED {
            out.seated_mission = Some(mission_id);
            for c in others {
                let held = matches!(c.status.as_str(), choice::SEATED | choice::OFFERED);
                if c.status == choice::SEATED {
                    out.cancelled_missions.push(c.mission_id);
                }
                let mid = c.mission_id;
                release(&txn, c, choice::RELEASED).await?;
                if held && let Some(m) = missions.iter().find(|m| m.id == mid) {
                    out.offers
                        .extend(offer_free_seats(&txn, m, now() + claim_window).await?);
                }
            }
        }
        finish(txn, registration_id, &all, out, follow).await
    }
}

impl Store {
    /// The person's own choice, from their page, to let the ambassador who brought them
    /// see their first name or not; withdrawn as easily as given. Nothing to choose
    /// without an ambassador.
    pub async fn set_shown_to_referrer(
        &self,
        registration_id: i64,
        show: bool,
    ) -> Result<(), StorageError> {
        let txn = self.write_txn().await?;
        let reg = registration::Entity::find_by_id(registration_id)
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("registration"))?;
        if reg.referrer_employee_id.is_none() {
            return Err(StorageError::invalid(
                "show_to_referrer",
                "no colleague's link brought you here",
            ));
        }
        let org = reg.organization_id;
        let mut a: registration::ActiveModel = reg.into();
        a.show_to_referrer = Set(show);
        a.updated_at = Set(now());
        a.update(&txn).await?;
        txn.commit().await?;
        self.caches().referrals_changed(org);
        Ok(())
    }
}
