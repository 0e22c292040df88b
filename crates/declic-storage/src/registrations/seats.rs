//! Seats and waitlists: confirmation, seat numbers, queue order, offers.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set, Statement,
};
use serde::Serialize;
use utoipa::ToSchema;

use declic_planning::placement;

use super::{choice, status};
use crate::entity::{employee, mission, registration, registration_choice};
use crate::outbox::NewMessage;
use crate::{StorageError, Store, hash_token, now};

/// What happened to one choice.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChoiceOutcome {
    pub mission_id: i64,
    pub status: String,
    pub position: Option<u64>,
}

/// The duo partner to tell that their colleague could not be seated with them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DuoNotice {
    /// The inviter's registration.
    pub partner_registration_id: i64,
    pub mission_id: i64,
}

/// The result of opening a confirmation link.
#[derive(Debug, Clone)]
pub struct ConfirmOutcome {
    pub registration_id: i64,
    /// The registration as it stands after this confirmation.
    pub registration: super::RegistrationView,
    /// False when it was already confirmed (a second click): no new mail.
    pub newly_confirmed: bool,
    pub choices: Vec<ChoiceOutcome>,
    pub duo_notice: Option<DuoNotice>,
    /// The code of the link the person signed up through (a duo invitation points
    /// the colleague to the same page).
    pub link_code: Option<String>,
}

/// Seats taken (seated or held for an offer) and people waiting, for a mission.
pub(crate) async fn occupancy<C: ConnectionTrait>(
    db: &C,
    mission_id: i64,
) -> Result<(i64, i64), StorageError> {
    let count = |st: &'static [&'static str]| {
        registration_choice::Entity::find()
            .filter(registration_choice::Column::MissionId.eq(mission_id))
            .filter(registration_choice::Column::Status.is_in(st.iter().copied()))
            .count(db)
    };
    let occupied = count(&[choice::SEATED, choice::OFFERED]).await?;
    let waiting = count(&[choice::WAITLISTED]).await?;
    Ok((
        i64::try_from(occupied).unwrap_or(i64::MAX),
        i64::try_from(waiting).unwrap_or(i64::MAX),
    ))
}

/// Refuses a capacity below the seats held (seated or offered) of a mission the
/// caller has locked, naming the people who hold them: nobody loses a seat without
/// HR choosing who (a move to the waitlist or a cancellation, each told to the person).
pub(crate) async fn check_capacity(
    txn: &DatabaseTransaction,
    mission_id: i64,
    capacity: i64,
) -> Result<(), StorageError> {
    let held = holders(txn, mission_id).await?;
    let n = i64::try_from(held.len()).unwrap_or(i64::MAX);
    if capacity >= n {
        return Ok(());
    }
    let regs = registration::Entity::find()
        .filter(registration::Column::Id.is_in(held.iter().map(|(r, _)| *r).collect::<Vec<_>>()))
        .all(txn)
        .await?;
    let people = employee::Entity::find()
        .filter(employee::Column::Id.is_in(regs.iter().map(|r| r.employee_id).collect::<Vec<_>>()))
        .all(txn)
        .await?;
    let names: Vec<String> = held
        .iter()
        .filter_map(|(id, _)| regs.iter().find(|r| r.id == *id))
        .filter_map(|r| people.iter().find(|p| p.id == r.employee_id))
        .map(|p| {
            format!("{} {}", p.first_name, p.last_name)
                .trim()
                .to_owned()
        })
        .collect();
    Err(StorageError::invalid(
        "capacity",
        format!(
            "{n} people hold a seat ({}): move some of them to the waitlist or cancel their place first, or keep the capacity at {n} or more",
            names.join(", ")
        ),
    ))
}

/// The registrations holding a seat (`true`) or an offer (`false`) on a mission.
pub(crate) async fn holders(
    txn: &DatabaseTransaction,
    mission_id: i64,
) -> Result<Vec<(i64, bool)>, StorageError> {
    Ok(registration_choice::Entity::find()
        .filter(registration_choice::Column::MissionId.eq(mission_id))
        .filter(registration_choice::Column::Status.is_in([choice::SEATED, choice::OFFERED]))
        .order_by_asc(registration_choice::Column::Id)
        .all(txn)
        .await?
        .into_iter()
        .map(|c| (c.registration_id, c.status == choice::SEATED))
        .collect())
}

/// [`occupancy`] of several missions in one query: mission id → (taken, waiting).
pub(crate) async fn occupancy_of<C: ConnectionTrait>(
    db: &C,
    mission_ids: &[i64],
) -> Result<HashMap<i64, (i64, i64)>, StorageError> {
    let mut out = HashMap::new();
    if mission_ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<(i64, String, i64)> = registration_choice::Entity::find()
        .select_only()
        .column(registration_choice::Column::MissionId)
        .column(registration_choice::Column::Status)
        .column_as(registration_choice::Column::Id.count(), "n")
        .filter(registration_choice::Column::MissionId.is_in(mission_ids.to_vec()))
        .filter(registration_choice::Column::Status.is_in([
            choice::SEATED,
            choice::OFFERED,
            choice::WAITLISTED,
        ]))
        .group_by(registration_choice::Column::MissionId)
        .group_by(registration_choice::Column::Status)
        .into_tuple()
        .all(db)
        .await?;
    for (mission, st, n) in rows {
        let e: &mut (i64, i64) = out.entry(mission).or_default();
        if st == choice::WAITLISTED {
            e.1 += n;
        } else {
            e.0 += n;
        }
    }
    Ok(out)
}

/// 1-based place in the mission's waitlist.
pub(crate) async fn position<C: ConnectionTrait>(
    db: &C,
    c: &registration_choice::Model,
) -> Result<u64, StorageError> {
    let ahead = registration_choice::Entity::find()
        .filter(registration_choice::Column::MissionId.eq(c.mission_id))
        .filter(registration_choice::Column::Status.eq(choice::WAITLISTED))
        .filter(registration_choice::Column::QueueSeq.lt(c.queue_seq.unwrap_or(i64::MAX)))
        .count(db)
        .await?;
    Ok(ahead + 1)
}

/// Locks the missions' rows until the transaction ends (PostgreSQL), in id order
/// so that two transactions never wait on each other in a cycle. SQLite needs
/// nothing: its write transactions already run one at a time.
pub(crate) async fn lock_missions(
    txn: &DatabaseTransaction,
    ids: &[i64],
) -> Result<Vec<mission::Model>, StorageError> {
    let mut q = mission::Entity::find()
        .filter(mission::Column::Id.is_in(ids.to_vec()))
        .order_by_asc(mission::Column::Id);
    if txn.get_database_backend() == DbBackend::Postgres {
        q = q.lock_exclusive();
    }
    Ok(q.all(txn).await?)
}

/// The highest seat number taken in the mission and its highest queue number,
/// each read from the end of an index (no scan of the mission's rows).
async fn maxima(txn: &DatabaseTransaction, mission_id: i64) -> Result<(i32, i64), StorageError> {
    let backend = txn.get_database_backend();
    let p = if backend == DbBackend::Postgres {
        "$1"
    } else {
        "?"
    };
    let sql = format!(
        "SELECT \
           (SELECT MAX(seat_no) FROM registration_choices WHERE mission_id = {p}) AS seat, \
           (SELECT MAX(queue_seq) FROM registration_choices WHERE mission_id = {p}) AS seq"
    );
    let values: Vec<sea_orm::Value> = if backend == DbBackend::Postgres {
        vec![mission_id.into()]
    } else {
        vec![mission_id.into(), mission_id.into()]
    };
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    let Some(row) = row else {
        return Ok((0, 0));
    };
    let seat: Option<i32> = row.try_get("", "seat")?;
    let seq: Option<i64> = row.try_get("", "seq")?;
    Ok((seat.unwrap_or(0), seq.unwrap_or(0)))
}

/// A free seat number, if the mission has room. Seats are numbered 1..=capacity
/// and unique per mission (an index enforces it), so the number after the
/// highest taken one is free while it is within capacity; only a mission whose
/// last seat is taken needs a count, and a search for a gap left by a cancellation.
async fn free_seat(
    txn: &DatabaseTransaction,
    m: &mission::Model,
    highest: i32,
) -> Result<Option<i32>, StorageError> {
    if highest < m.capacity {
        return Ok(Some(highest + 1));
    }
    let taken = registration_choice::Entity::find()
        .filter(registration_choice::Column::MissionId.eq(m.id))
        .filter(registration_choice::Column::SeatNo.is_not_null())
        .count(txn)
        .await?;
    if taken >= u64::try_from(m.capacity.max(0)).unwrap_or(0) {
        return Ok(None);
    }
    let taken: Vec<Option<i32>> = registration_choice::Entity::find()
        .select_only()
        .column(registration_choice::Column::SeatNo)
        .filter(registration_choice::Column::MissionId.eq(m.id))
        .filter(registration_choice::Column::SeatNo.is_not_null())
        .into_tuple()
        .all(txn)
        .await?;
    let taken: Vec<i32> = taken.into_iter().flatten().collect();
    Ok(placement::free_seat_number(m.capacity, &taken))
}

pub(crate) async fn next_queue_seq(
    txn: &DatabaseTransaction,
    mission_id: i64,
) -> Result<i64, StorageError> {
    Ok(maxima(txn, mission_id).await?.1 + 1)
}

/// Seats the choice if its mission has room, else puts it at the end of the waitlist.
pub(crate) async fn seat_or_queue(
    txn: &DatabaseTransaction,
    m: &mission::Model,
    c: registration_choice::Model,
) -> Result<registration_choice::Model, StorageError> {
    let (highest, seq) = maxima(txn, m.id).await?;
    let seq = seq + 1;
    let seat = free_seat(txn, m, highest).await?;
    let mut a: registration_choice::ActiveModel = c.into();
    a.queue_seq = Set(Some(seq));
    a.offer_expires_at = Set(None);
    a.waits_with = Set(None);
    a.updated_at = Set(now());
    match seat {
        Some(n) => {
            a.status = Set(choice::SEATED.to_owned());
            a.seat_no = Set(Some(n));
        }
        None => {
            a.status = Set(choice::WAITLISTED.to_owned());
            a.seat_no = Set(None);
        }
    }
    Ok(a.update(txn).await?)
}

/// Sets a choice's status and frees its seat.
pub(crate) async fn release(
    txn: &DatabaseTransaction,
    c: registration_choice::Model,
    new_status: &str,
) -> Result<registration_choice::Model, StorageError> {
    let mut a: registration_choice::ActiveModel = c.into();
    a.status = Set(new_status.to_owned());
    a.seat_no = Set(None);
    a.offer_expires_at = Set(None);
    a.waits_with = Set(None);
    a.updated_at = Set(now());
    Ok(a.update(txn).await?)
}

/// Offers freed seats of a mission to the first people on its waitlist.
pub(crate) async fn offer_free_seats(
    txn: &DatabaseTransaction,
    m: &mission::Model,
    until: DateTime<Utc>,
) -> Result<Vec<super::Offer>, StorageError> {
    let (held, _) = occupancy(txn, m.id).await?;
    let free = i64::from(m.capacity) - held;
    if free <= 0 {
        return Ok(Vec::new());
    }
    let waiting = registration_choice::Entity::find()
        .filter(registration_choice::Column::MissionId.eq(m.id))
        .filter(registration_choice::Column::Status.eq(choice::WAITLISTED))
        .order_by_asc(registration_choice::Column::QueueSeq)
        .all(txn)
        .await?;
    // The decision is the pure rule; this function only reads and writes.
    let queue: Vec<placement::Waiting> = waiting
        .iter()
        .map(|c| placement::Waiting {
            id: c.id,
            waits_with: c.waits_with,
        })
        .collect();
    let chosen: Vec<registration_choice::Model> = placement::offer_order(free, &queue)
        .into_iter()
        .filter_map(|id| waiting.iter().find(|c| c.id == id).cloned())
        .collect();
    let mut offers = Vec::new();
    for next in chosen {
        let (highest, _) = maxima(txn, m.id).await?;
        let Some(seat) = free_seat(txn, m, highest).await? else {
            break;
        };
        let registration_id = next.registration_id;
        let mut a: registration_choice::ActiveModel = next.into();
        a.status = Set(choice::OFFERED.to_owned());
        a.seat_no = Set(Some(seat));
        a.offer_expires_at = Set(Some(until));
        a.updated_at = Set(now());
        a.update(txn).await?;
        offers.push(super::Offer {
            registration_id,
            mission_id: m.id,
            expires_at: until,
        });
    }
    Ok(offers)
}

fn outcomes_of(view: &super::RegistrationView) -> Vec<ChoiceOutcome> {
    view.choices
        .iter()
        .map(|c| ChoiceOutcome {
            mission_id: c.mission_id,
            status: c.status.clone(),
            position: c.position,
        })
        .collect()
}

impl Store {
    /// The SEQUENCE for the next calendar message of a registration's seat on a
    /// mission: one more than the last, and never below `floor` (the numbers sent
    /// before they were stored counted minutes since 2024).
    pub async fn next_ics_sequence(
        &self,
        registration_id: i64,
        mission_id: i64,
        floor: i64,
    ) -> Result<i64, StorageError> {
        use sea_orm::{ConnectionTrait, Statement};
        // Through the writers' queue, like every write (SQLite has one writer).
        let txn = self.write_txn().await?;
        let backend = txn.get_database_backend();
        let sql = if backend == DbBackend::Postgres {
            "UPDATE registration_choices SET ics_sequence = CASE WHEN ics_sequence + 1 > $1 \
             THEN ics_sequence + 1 ELSE $1 END WHERE registration_id = $2 AND mission_id = $3 \
             RETURNING ics_sequence"
        } else {
            "UPDATE registration_choices SET ics_sequence = CASE WHEN ics_sequence + 1 > ?1 \
             THEN ics_sequence + 1 ELSE ?1 END WHERE registration_id = ?2 AND mission_id = ?3 \
             RETURNING ics_sequence"
        };
        let row = txn
            .query_one_raw(Statement::from_sql_and_values(
                backend,
                sql,
                [floor.into(), registration_id.into(), mission_id.into()],
            ))
            .await?
            .ok_or(StorageError::NotFound("registration choice"))?;
        let seq: i64 = row.try_get_by_index(0)?;
        txn.commit().await?;
        Ok(seq)
    }

    /// Confirms a registration from its mail link and seats it: the best-ranked
    /// mission with room gets a seat, better-ranked full ones keep a waitlist place,
    /// worse-ranked ones are released. A duo partner's mission is tried first.
    ///
    /// `follow` names the messages of a new confirmation (the seat, the waitlist
    /// place…), queued in the same transaction.
    pub async fn confirm_registration(
        &self,
        token: &str,
        follow: impl FnOnce(&ConfirmOutcome) -> Vec<NewMessage> + Send,
    ) -> Result<ConfirmOutcome, StorageError> {
        let txn = self.write_txn().await?;
        let mut q = registration::Entity::find()
            .filter(registration::Column::ConfirmTokenHash.eq(hash_token(token)));
        // Two presses of the same button: on PostgreSQL the second waits here for the
        // first to commit, then sees the registration confirmed (SQLite's BEGIN
        // IMMEDIATE already runs them one after the other).
        if txn.get_database_backend() == DbBackend::Postgres {
            q = q.lock_exclusive();
        }
        let reg = q
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("confirmation link"))?;
        let choices = registration_choice::Entity::find()
            .filter(registration_choice::Column::RegistrationId.eq(reg.id))
            .order_by_asc(registration_choice::Column::Rank)
            .all(&txn)
            .await?;
        // Used once already: the same page again (a second press, the mail opened on
        // another device) while the link's window lasts, never after it (the link
        // would otherwise open the personal page forever).
        if reg.status == status::CONFIRMED && reg.confirm_expires_at.is_none_or(|e| e < now()) {
            return Err(StorageError::invalid(
                "token",
                "this confirmation link has expired; your mails hold your personal page's link",
            ));
        }
        if reg.status == status::CONFIRMED {
            txn.rollback().await?;
            let view = self.registration_view(reg.id).await?;
            return Ok(ConfirmOutcome {
                registration_id: reg.id,
                newly_confirmed: false,
                choices: outcomes_of(&view),
                registration: view,
                duo_notice: None,
                link_code: None,
            });
        }
        if reg.status != status::PENDING {
            return Err(StorageError::invalid(
                "token",
                "this registration was cancelled; register again",
            ));
        }
        // A closed campaign seats nobody new; offers already made may still be claimed
        // until their deadline.
        let campaign = crate::entity::campaign::Entity::find_by_id(reg.campaign_id)
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("campaign"))?;
        if matches!(
            campaign.status.parse(),
            Ok(declic_planning::CampaignStatus::Closed
                | declic_planning::CampaignStatus::Evaluated)
        ) {
            return Err(StorageError::invalid(
                "campaign",
                "registrations for this campaign are closed",
            ));
        }
        if reg.confirm_expires_at.is_none_or(|e| e < now()) {
            return Err(StorageError::invalid(
                "token",
                "this confirmation link has expired; ask for a new one",
            ));
        }
        // Seat next to a confirmed duo partner when their mission is among the choices.
        let partner_mission = match reg.duo_registration_id {
            Some(p) => registration_choice::Entity::find()
                .filter(registration_choice::Column::RegistrationId.eq(p))
                .filter(registration_choice::Column::Status.eq(choice::SEATED))
                .one(&txn)
                .await?
                .map(|c| (p, c.mission_id))
                .filter(|(_, m)| choices.iter().any(|c| c.mission_id == *m)),
            None => None,
        };
        let ranked: Vec<placement::RankedChoice> = choices
            .iter()
            .map(|c| placement::RankedChoice {
                mission_id: c.mission_id,
                rank: c.rank,
            })
            .collect();
        let order = placement::confirmation_order(&ranked, partner_mission.map(|(_, m)| m));
        let ids: Vec<i64> = order.iter().map(|c| c.mission_id).collect();
        // Locked first: the occupancy read next stays true until the commit, and the
        // choices are read again under the locks (an HR move may have changed one).
        let missions = lock_missions(&txn, &ids).await?;
        let choices = registration_choice::Entity::find()
            .filter(registration_choice::Column::RegistrationId.eq(reg.id))
            .order_by_asc(registration_choice::Column::Rank)
            .all(&txn)
            .await?;
        let load = occupancy_of(&txn, &ids).await?;
        let placed = placement::place(&order, |id| {
            missions.iter().find(|m| m.id == id).is_some_and(|m| {
                load.get(&id).map_or(0, |(taken, _)| *taken) < i64::from(m.capacity)
            })
        });
        let mut pending: HashMap<i64, registration_choice::Model> =
            choices.into_iter().map(|c| (c.mission_id, c)).collect();
        let mut duo_notice = None;
        let mut rows = Vec::with_capacity(placed.len());
        for (mission_id, decision) in placed {
            let Some(c) = pending.remove(&mission_id) else {
                continue;
            };
            let Some(m) = missions.iter().find(|m| m.id == mission_id) else {
                // A mission deleted meanwhile: the choice stays as it was.
                rows.push(c);
                continue;
            };
            let done = match decision {
                placement::Placement::Release => release(&txn, c, choice::RELEASED).await?,
                placement::Placement::Seat | placement::Placement::Waitlist => {
                    seat_or_queue(&txn, m, c).await?
                }
            };
            if done.status == choice::WAITLISTED
                && let Some((p, pm)) = partner_mission
                && pm == m.id
            {
                duo_notice = Some(DuoNotice {
                    partner_registration_id: p,
                    mission_id: pm,
                });
            }
            rows.push(done);
        }
        let t = now();
        registration::Entity::update_many()
            .col_expr(registration::Column::Status, Expr::value(status::CONFIRMED))
            .col_expr(registration::Column::ConfirmedAt, Expr::value(t))
            .col_expr(registration::Column::UpdatedAt, Expr::value(t))
            .filter(registration::Column::Id.eq(reg.id))
            .exec(&txn)
            .await?;
        let mut positions = HashMap::new();
        for c in rows.iter().filter(|c| c.status == choice::WAITLISTED) {
            positions.insert(c.id, position(&txn, c).await?);
        }
        let mut person = employee::Entity::find_by_id(reg.employee_id)
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("employee"))?;
        if person.provisional {
            // The mailbox answered: a person of the organisation from now on.
            employee::Entity::update_many()
                .col_expr(employee::Column::Provisional, Expr::value(false))
                .filter(employee::Column::Id.eq(person.id))
                .exec(&txn)
                .await?;
            person.provisional = false;
        }
        crate::referrals::record_referral(
            &txn,
            &reg,
            t,
            // The window was applied when the person registered (see `register`).
            &declic_referral::AttributionPolicy {
                window_secs: i64::MAX,
            },
        )
        .await?;
        let mut reg = reg;
        reg.status = status::CONFIRMED.to_owned();
        reg.confirmed_at = Some(t);
        reg.updated_at = t;
        let view = super::view_of(&reg, &person, rows, &positions);
        let link_code = match reg.source_link_id {
            Some(l) => crate::entity::campaign_link::Entity::find_by_id(l)
                .one(&txn)
                .await?
                .map(|l| l.code),
            None => None,
        };
        let outcome = ConfirmOutcome {
            registration_id: reg.id,
            newly_confirmed: true,
            choices: outcomes_of(&view),
            registration: view,
            duo_notice,
            link_code,
        };
        crate::outbox::queue(&txn, follow(&outcome)).await?;
        txn.commit().await?;
        if reg.referrer_employee_id.is_some() {
            self.caches().referrals_changed(reg.organization_id);
        }
        Ok(outcome)
    }
}
