//! Post-mission evaluation: questionnaires, the waves the calendar schedules, the
//! invitations and answers, and the figures of the impact report.
//!
//! A wave opens on its calendar step (evaluation_hot, _short_term, _long_term;
//! by default D+1, D+30 and D+120 after the mission day) and stays open
//! [`WAVE_DAYS`] days. On its first day the scheduler invites the volunteers (those
//! seated on one of the campaign's missions and not marked absent) and the
//! contacts of the missions' associations; [`REMINDER_DAYS`] later it reminds those
//! who have not answered. Each invitation gets one answer, changeable until the
//! wave closes, unless the organisation keeps answers anonymous: then the answer is
//! stored without the person and cannot be changed.

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, Duration, NaiveDate};
use declic_evaluation::{Answers, Audience, Questionnaire, Wave};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::dispatches::{Dispatch, Recipient, insert_dispatch};
use crate::entity::{
    association, campaign, campaign_link, campaign_mission, campaign_step, delivery, dispatch,
    employee, link_visit, mission, opt_out, questionnaire, registration, registration_choice,
    share_back, survey_invitation, survey_response,
};
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// How long a wave stays open for answers, in days from its calendar step.
pub const WAVE_DAYS: i64 = 21;
/// When the one reminder goes, in days from the wave's opening.
pub const REMINDER_DAYS: i64 = 7;
/// A wave whose day passed more than this many days before the scheduler first
/// sees it (a campaign entered after the fact) is not sent.
pub const LATE_DAYS: i64 = 7;

/// The `step_kind` of a wave's reminder dispatch.
pub fn reminder_kind(wave: Wave) -> String {
    format!("{}_reminder", wave.step_kind())
}

/// The `step_kind` of a share-back dispatch.
pub const SHARE_BACK_KIND: &str = "impact_summary";

/// A campaign's figures from first message to volunteering again.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct Funnel {
    /// People a campaign mail reached (sent at least once).
    pub reached: i64,
    /// Visits of the campaign's links (any channel, poster, ambassador).
    pub link_visits: i64,
    /// Registrations not cancelled.
    pub registered: i64,
    /// Of which confirmed by mail.
    pub confirmed: i64,
    /// People marked present on a mission.
    pub attended: i64,
    /// Volunteers invited to each wave (1, 2, 3).
    pub invited: [i64; 3],
    /// Volunteers who answered each wave.
    pub answered: [i64; 3],
    /// Attendees who signed up again in a later campaign.
    pub volunteered_again: i64,
    /// Registrations by the channel of the link they came through.
    pub channels: BTreeMap<String, i64>,
    /// Registrations credited to an ambassador.
    pub through_ambassadors: i64,
}

/// What became of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Submitted {
    /// First answer.
    Recorded,
    /// An earlier answer was replaced.
    Updated,
}

fn audience_of(s: &str) -> Audience {
    Audience::parse(s).unwrap_or(Audience::Volunteer)
}

impl Store {
    /// The organisation's questionnaire for `audience`, or Declic's default.
    pub async fn questionnaire(
        &self,
        org: OrgId,
        audience: Audience,
    ) -> Result<Questionnaire, StorageError> {
        let row = questionnaire::Entity::find()
            .filter(questionnaire::Column::OrganizationId.eq(org.0))
            .filter(questionnaire::Column::Audience.eq(audience.as_str()))
            .one(self.db())
            .await?;
        Ok(row
            .and_then(|r| serde_json::from_str(&r.definition).ok())
            .unwrap_or_else(|| Questionnaire::default_for(audience)))
    }

    /// Saves the organisation's questionnaire for `audience` after checking it.
    /// Waves already answered keep their answers; questions removed simply stop
    /// appearing in the figures.
    pub async fn save_questionnaire(
        &self,
        org: OrgId,
        audience: Audience,
        q: &Questionnaire,
        actor: &Actor,
    ) -> Result<Questionnaire, StorageError> {
        q.check()
            .map_err(|e| StorageError::invalid(e.field, e.message))?;
        let definition = serde_json::to_string(q)
            .map_err(|e| StorageError::invalid("questions", e.to_string()))?;
        let txn = self.write_txn().await?;
        let existing = questionnaire::Entity::find()
            .filter(questionnaire::Column::OrganizationId.eq(org.0))
            .filter(questionnaire::Column::Audience.eq(audience.as_str()))
            .one(&txn)
            .await?;
        match existing {
            Some(row) => {
                let mut a: questionnaire::ActiveModel = row.into();
                a.definition = Set(definition);
                a.updated_at = Set(now());
                a.update(&txn).await?;
            }
            None => {
                questionnaire::ActiveModel {
                    organization_id: Set(org.0),
                    audience: Set(audience.as_str().to_owned()),
                    definition: Set(definition),
                    updated_at: Set(now()),
                    ..Default::default()
                }
                .insert(&txn)
                .await?;
            }
        }
        // Answers given while answers were named stay with their people: they were
        // given on those terms, and an erasure must still find them. Only answers
        // from now on are anonymous.
        audit::record(
            &txn,
            org,
            actor,
            "questionnaire.save",
            "questionnaire",
            None,
            serde_json::json!({"audience": audience.as_str(), "questions": q.questions.len(), "anonymous": q.anonymous}),
        )
        .await?;
        txn.commit().await?;
        Ok(q.clone())
    }

    /// Goes back to Declic's default questionnaire for `audience`.
    pub async fn reset_questionnaire(
        &self,
        org: OrgId,
        audience: Audience,
        actor: &Actor,
    ) -> Result<Questionnaire, StorageError> {
        let txn = self.write_txn().await?;
        questionnaire::Entity::delete_many()
            .filter(questionnaire::Column::OrganizationId.eq(org.0))
            .filter(questionnaire::Column::Audience.eq(audience.as_str()))
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            org,
            actor,
            "questionnaire.reset",
            "questionnaire",
            None,
            serde_json::json!({"audience": audience.as_str()}),
        )
        .await?;
        txn.commit().await?;
        Ok(Questionnaire::default_for(audience))
    }

    /// Sends the evaluation waves and reminders that are due on `today`; returns the
    /// dispatches created. At most one per wave and kind, whatever the number of
    /// instances (the dispatches' unique step index).
    pub async fn dispatch_due_evaluations(
        &self,
        today: NaiveDate,
    ) -> Result<Vec<i64>, StorageError> {
        let kinds: Vec<&str> = declic_evaluation::WAVES
            .iter()
            .map(|w| w.step_kind())
            .collect();
        let steps = campaign_step::Entity::find()
            .filter(campaign_step::Column::Kind.is_in(kinds))
            .filter(campaign_step::Column::ScheduledOn.lte(today))
            .filter(campaign_step::Column::ScheduledOn.gte(today - Duration::days(WAVE_DAYS)))
            .all(self.db())
            .await?;
        let mut created = Vec::new();
        for step in steps {
            let Some(wave) = Wave::from_step_kind(&step.kind) else {
                continue;
            };
            let Some(c) = campaign::Entity::find_by_id(step.campaign_id)
                .one(self.db())
                .await?
            else {
                continue;
            };
            if !["live", "closed", "evaluated"].contains(&c.status.as_str()) {
                continue;
            }
            let org = OrgId(c.organization_id);
            let opens = step.scheduled_on;
            let done = |kind: String| {
                dispatch::Entity::find()
                    .filter(dispatch::Column::CampaignId.eq(c.id))
                    .filter(dispatch::Column::StepKind.eq(kind))
                    .count(self.db())
            };
            if done(wave.step_kind().to_owned()).await? == 0 {
                if today - opens > Duration::days(LATE_DAYS) {
                    continue;
                }
                match self.open_wave(org, &c, wave, opens).await {
                    Ok(Some(id)) => created.push(id),
                    Ok(None) => {}
                    Err(StorageError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            } else if today - opens >= Duration::days(REMINDER_DAYS)
                && done(reminder_kind(wave)).await? == 0
            {
                match self.remind_wave(org, &c, wave, opens).await {
                    Ok(Some(id)) => created.push(id),
                    Ok(None) => {}
                    Err(StorageError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(created)
    }

    /// Invites a wave's volunteers and association contacts; the dispatch's id,
    /// or `None` when there was nobody to invite.
    async fn open_wave(
        &self,
        org: OrgId,
        c: &campaign::Model,
        wave: Wave,
        opens: NaiveDate,
    ) -> Result<Option<i64>, StorageError> {
        let closes = (opens + Duration::days(WAVE_DAYS))
            .and_hms_opt(23, 59, 59)
            .unwrap_or_default()
            .and_utc();
        let txn = self.write_txn().await?;
        let o = crate::entity::organization::Entity::find_by_id(org.0)
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("organization"))?;
        // Volunteers: seated on one of the campaign's missions, not marked absent.
        let seated = registration_choice::Entity::find()
            .filter(registration_choice::Column::OrganizationId.eq(org.0))
            .filter(registration_choice::Column::Status.eq(crate::registrations::choice::SEATED))
            .filter(
                Expr::col(registration_choice::Column::Attended)
                    .is_null()
                    .or(Expr::col(registration_choice::Column::Attended).eq(true)),
            )
            .filter(
                registration_choice::Column::RegistrationId.in_subquery(
                    Query::select()
                        .column(registration::Column::Id)
                        .from(registration::Entity)
                        .and_where(Expr::col(registration::Column::CampaignId).eq(c.id))
                        .and_where(
                            Expr::col(registration::Column::Status)
                                .eq(crate::registrations::status::CONFIRMED),
                        )
                        .to_owned(),
                ),
            )
            .all(&txn)
            .await?;
        let reg_ids: Vec<i64> = seated.iter().map(|s| s.registration_id).collect();
        let regs: HashMap<i64, registration::Model> = registration::Entity::find()
            .filter(registration::Column::Id.is_in(reg_ids))
            .all(&txn)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let people: HashSet<i64> = regs.values().map(|r| r.employee_id).collect();
        let opted_out = opted_out_of_mail(&txn, org).await?;
        let employees = employee::Entity::find()
            .filter(employee::Column::Id.is_in(people.iter().copied()))
            .filter(employee::Column::Active.eq(true))
            .filter(employee::Column::ErasedAt.is_null())
            .all(&txn)
            .await?;
        let lang_of_reg: HashMap<i64, String> = regs
            .values()
            .map(|r| (r.employee_id, r.language.clone()))
            .collect();
        let wave_of = WaveOf {
            org,
            campaign_id: c.id,
            wave,
            opens,
            closes,
            at: now(),
        };
        let mut rows: Vec<Recipient> = Vec::new();
        for e in employees {
            // Whoever opted out of mail is not asked (and does not count as invited).
            if opted_out.contains(&e.id) {
                continue;
            }
            let language = lang_of_reg
                .get(&e.id)
                .cloned()
                .or(e.language.clone())
                .unwrap_or_else(|| o.default_language.clone());
            wave_of
                .invite(&txn, Invitee::Volunteer(e.id), language)
                .await?;
            rows.push((Some(e.id), None, e.email));
        }
        // The associations of the campaign's missions, through their contacts.
        let mission_ids: Vec<i64> = campaign_mission::Entity::find()
            .filter(campaign_mission::Column::CampaignId.eq(c.id))
            .all(&txn)
            .await?
            .into_iter()
            .map(|m| m.mission_id)
            .collect();
        let missions = mission::Entity::find()
            .filter(mission::Column::Id.is_in(mission_ids))
            .all(&txn)
            .await?;
        let mut seen = HashSet::new();
        for m in missions {
            let Some(a) = association::Entity::find_by_id(m.association_id)
                .one(&txn)
                .await?
            else {
                continue;
            };
            let contacts: Vec<crate::associations::Contact> =
                serde_json::from_str(&a.contacts).unwrap_or_default();
            for contact in contacts {
                let Some(email) = contact
                    .email
                    .as_deref()
                    .and_then(declic_directory::normalize_email)
                else {
                    continue;
                };
                // One invitation per address, even for a contact of two associations.
                if !seen.insert(email.clone()) {
                    continue;
                }
                let language = if m.language == "en" { "en" } else { "fr" };
                wave_of
                    .invite(
                        &txn,
                        Invitee::Contact(a.id, email.clone()),
                        language.to_owned(),
                    )
                    .await?;
                rows.push((None, None, email));
            }
        }
        // The dispatch marks the wave opened even with nobody to ask, so that it is
        // looked at once.
        let d = insert_dispatch(
            &txn,
            org,
            c.id,
            "mail",
            (Some(wave.step_kind()), Some(opens)),
            &rows,
            &Actor::scheduler(),
        )
        .await?;
        txn.commit().await?;
        Ok((!rows.is_empty()).then_some(d.id))
    }

    /// Reminds those who have not answered a wave yet.
    async fn remind_wave(
        &self,
        org: OrgId,
        c: &campaign::Model,
        wave: Wave,
        opens: NaiveDate,
    ) -> Result<Option<i64>, StorageError> {
        let txn = self.write_txn().await?;
        let pending = survey_invitation::Entity::find()
            .filter(survey_invitation::Column::CampaignId.eq(c.id))
            .filter(survey_invitation::Column::Wave.eq(wave.number()))
            .filter(survey_invitation::Column::Answered.eq(false))
            .filter(survey_invitation::Column::ClosesAt.gt(now()))
            .all(&txn)
            .await?;
        let opted_out = opted_out_of_mail(&txn, org).await?;
        let ids: Vec<i64> = pending.iter().filter_map(|i| i.employee_id).collect();
        let emails: HashMap<i64, String> = employee::Entity::find()
            .filter(employee::Column::Id.is_in(ids))
            .filter(employee::Column::Active.eq(true))
            .filter(employee::Column::ErasedAt.is_null())
            .all(&txn)
            .await?
            .into_iter()
            .map(|e| (e.id, e.email))
            .collect();
        let mut rows: Vec<Recipient> = Vec::new();
        for i in pending {
            match (i.employee_id, i.email) {
                (Some(id), _) if !opted_out.contains(&id) => {
                    if let Some(email) = emails.get(&id) {
                        rows.push((Some(id), None, email.clone()));
                    }
                }
                (None, Some(email)) => rows.push((None, None, email)),
                _ => {}
            }
        }
        let d = insert_dispatch(
            &txn,
            org,
            c.id,
            "mail",
            // Dated by the wave, not by the day it runs: one reminder per wave, even
            // across midnight and instances (the dispatches' unique step index).
            (
                Some(&reminder_kind(wave)),
                Some(opens + Duration::days(REMINDER_DAYS)),
            ),
            &rows,
            &Actor::scheduler(),
        )
        .await?;
        txn.commit().await?;
        Ok((!rows.is_empty()).then_some(d.id))
    }

    /// The invitations of a campaign's wave, for the delivery worker to find each
    /// recipient's own link.
    pub async fn wave_invitations(
        &self,
        org: OrgId,
        campaign_id: i64,
        wave: Wave,
    ) -> Result<Vec<survey_invitation::Model>, StorageError> {
        Ok(survey_invitation::Entity::find()
            .filter(survey_invitation::Column::OrganizationId.eq(org.0))
            .filter(survey_invitation::Column::CampaignId.eq(campaign_id))
            .filter(survey_invitation::Column::Wave.eq(wave.number()))
            .all(self.db())
            .await?)
    }

    /// An invitation by id.
    pub async fn survey_invitation(
        &self,
        id: i64,
    ) -> Result<survey_invitation::Model, StorageError> {
        survey_invitation::Entity::find_by_id(id)
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("invitation"))
    }

    /// The answer given through an invitation, when it is kept with the person.
    pub async fn survey_answer_of(
        &self,
        invitation_id: i64,
    ) -> Result<Option<Answers>, StorageError> {
        Ok(survey_response::Entity::find()
            .filter(survey_response::Column::InvitationId.eq(invitation_id))
            .one(self.db())
            .await?
            .and_then(|r| serde_json::from_str(&r.answers).ok()))
    }

    /// Records the answer given through an invitation (checked by the caller against
    /// the questionnaire). Refused once the wave is closed, and a second time when
    /// answers are anonymous. Nothing is stored when refused.
    pub async fn submit_survey(
        &self,
        invitation_id: i64,
        answers: &Answers,
        anonymous: bool,
    ) -> Result<Submitted, StorageError> {
        let txn = self.write_txn().await?;
        let inv = survey_invitation::Entity::find_by_id(invitation_id)
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("invitation"))?;
        if inv.closes_at <= now() {
            return Err(StorageError::invalid(
                "wave",
                "this survey is closed: answers are no longer taken",
            ));
        }
        let existing = survey_response::Entity::find()
            .filter(survey_response::Column::InvitationId.eq(inv.id))
            .one(&txn)
            .await?;
        let already = || StorageError::Conflict {
            field: "invitation",
            message: "you already answered; anonymous answers cannot be changed".into(),
        };
        if inv.answered && existing.is_none() {
            return Err(already());
        }
        if existing.is_none() {
            // Claim the invitation first: of two answers sent at once, only one
            // changes the row (an anonymous answer has no unique key to stop the other).
            let claimed = survey_invitation::Entity::update_many()
                .col_expr(survey_invitation::Column::Answered, Expr::value(true))
                .filter(survey_invitation::Column::Id.eq(inv.id))
                .filter(survey_invitation::Column::Answered.eq(false))
                .exec(&txn)
                .await?
                .rows_affected;
            if claimed == 0 {
                return Err(already());
            }
        }
        let json = serde_json::to_string(answers)
            .map_err(|e| StorageError::invalid("answers", e.to_string()))?;
        let today = now().date_naive();
        let outcome = match existing {
            Some(r) => {
                let mut a: survey_response::ActiveModel = r.into();
                a.answers = Set(json);
                a.submitted_on = Set(today);
                a.pending = Set(true);
                a.update(&txn).await?;
                Submitted::Updated
            }
            None => {
                // An anonymous answer carries nothing that orders or places it: a
                // random id, the wave's opening day, no invitation nor association.
                survey_response::ActiveModel {
                    // Random for every answer: a sequential id (or SQLite's next rowid
                    // after a random one) would tell when an answer came.
                    id: Set(rand::random_range(1_i64 << 40..1_i64 << 62)),
                    organization_id: Set(inv.organization_id),
                    campaign_id: Set(inv.campaign_id),
                    wave: Set(inv.wave),
                    audience: Set(inv.audience.clone()),
                    association_id: Set(inv.association_id.filter(|_| !anonymous)),
                    invitation_id: Set((!anonymous).then_some(inv.id)),
                    answers: Set(json),
                    submitted_on: Set(if anonymous { inv.opens_on } else { today }),
                    published_answers: Set(None),
                    pending: Set(true),
                }
                .insert(&txn)
                .await?;
                Submitted::Recorded
            }
        };
        publish_step(&txn, &inv).await?;
        txn.commit().await?;
        Ok(outcome)
    }

    /// The answers to a wave of the given campaigns from one audience, by campaign.
    pub async fn survey_answers(
        &self,
        org: OrgId,
        campaign_ids: &[i64],
        wave: Wave,
        audience: Audience,
    ) -> Result<HashMap<i64, Vec<Answers>>, StorageError> {
        let mut out: HashMap<i64, Vec<Answers>> = HashMap::new();
        for r in survey_response::Entity::find()
            .filter(survey_response::Column::OrganizationId.eq(org.0))
            .filter(survey_response::Column::CampaignId.is_in(campaign_ids.iter().copied()))
            .filter(survey_response::Column::Wave.eq(wave.number()))
            .filter(survey_response::Column::Audience.eq(audience.as_str()))
            .all(self.db())
            .await?
        {
            // What the last publication step showed (see [`publish_step`]).
            let Some(published) = r.published_answers.as_deref() else {
                continue;
            };
            if let Ok(a) = serde_json::from_str(published) {
                out.entry(r.campaign_id).or_default().push(a);
            }
        }
        Ok(out)
    }

    /// How many were invited to a wave of the given campaigns, from one audience.
    pub async fn survey_invited(
        &self,
        org: OrgId,
        campaign_ids: &[i64],
        wave: Wave,
        audience: Audience,
    ) -> Result<i64, StorageError> {
        let n = survey_invitation::Entity::find()
            .filter(survey_invitation::Column::OrganizationId.eq(org.0))
            .filter(survey_invitation::Column::CampaignId.is_in(campaign_ids.iter().copied()))
            .filter(survey_invitation::Column::Wave.eq(wave.number()))
            .filter(survey_invitation::Column::Audience.eq(audience.as_str()))
            .count(self.db())
            .await?;
        Ok(i64::try_from(n).unwrap_or(i64::MAX))
    }

    /// The campaigns of a year (by creation), oldest first.
    pub async fn campaigns_of_year(
        &self,
        org: OrgId,
        year: i32,
    ) -> Result<Vec<campaign::Model>, StorageError> {
        Ok(campaign::Entity::find()
            .filter(campaign::Column::OrganizationId.eq(org.0))
            .order_by_asc(campaign::Column::CreatedAt)
            .order_by_asc(campaign::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .filter(|c| c.created_at.year() == year)
            .collect())
    }

    /// A campaign's funnel, from the people reached to those who came back.
    pub async fn campaign_funnel(
        &self,
        org: OrgId,
        campaign_id: i64,
    ) -> Result<Funnel, StorageError> {
        let c = campaign::Entity::find_by_id(campaign_id)
            .filter(campaign::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("campaign"))?;
        let mut f = Funnel::default();
        // Reached: people a campaign mail (announcement, reminder, last call) went to.
        let campaign_dispatches: Vec<i64> = dispatch::Entity::find()
            .filter(dispatch::Column::CampaignId.eq(c.id))
            .filter(dispatch::Column::Channel.eq("mail"))
            .filter(
                Expr::col(dispatch::Column::StepKind)
                    .is_null()
                    .or(Expr::col(dispatch::Column::StepKind).is_in(crate::dispatches::STEP_KINDS)),
            )
            .all(self.db())
            .await?
            .into_iter()
            .map(|d| d.id)
            .collect();
        let reached: HashSet<i64> = delivery::Entity::find()
            .select_only()
            .column(delivery::Column::EmployeeId)
            .filter(delivery::Column::DispatchId.is_in(campaign_dispatches))
            .filter(delivery::Column::Status.eq(crate::dispatches::delivery_status::SENT))
            .into_tuple::<Option<i64>>()
            .all(self.db())
            .await?
            .into_iter()
            .flatten()
            .collect();
        f.reached = reached.len() as i64;
        let links: Vec<i64> = campaign_link::Entity::find()
            .filter(campaign_link::Column::CampaignId.eq(c.id))
            .all(self.db())
            .await?
            .into_iter()
            .map(|l| l.id)
            .collect();
        f.link_visits = link_visit::Entity::find()
            .filter(link_visit::Column::LinkId.is_in(links))
            .all(self.db())
            .await?
            .iter()
            .map(|v| v.visits)
            .sum();
        let regs = registration::Entity::find()
            .filter(registration::Column::CampaignId.eq(c.id))
            .filter(registration::Column::Status.ne(crate::registrations::status::CANCELLED))
            .all(self.db())
            .await?;
        f.registered = regs.len() as i64;
        f.confirmed = regs
            .iter()
            .filter(|r| r.status == crate::registrations::status::CONFIRMED)
            .count() as i64;
        f.through_ambassadors = regs
            .iter()
            .filter(|r| r.referrer_employee_id.is_some())
            .count() as i64;
        for r in &regs {
            *f.channels.entry(r.source_channel.clone()).or_default() += 1;
        }
        let reg_ids: Vec<i64> = regs.iter().map(|r| r.id).collect();
        let attended_regs: HashSet<i64> = registration_choice::Entity::find()
            .filter(registration_choice::Column::RegistrationId.is_in(reg_ids))
            .filter(registration_choice::Column::Attended.eq(true))
            .all(self.db())
            .await?
            .into_iter()
            .map(|ch| ch.registration_id)
            .collect();
        let attendees: HashSet<i64> = regs
            .iter()
            .filter(|r| attended_regs.contains(&r.id))
            .map(|r| r.employee_id)
            .collect();
        f.attended = attendees.len() as i64;
        for w in declic_evaluation::WAVES {
            let i = usize::try_from(w.number() - 1).unwrap_or(0);
            f.invited[i] = self
                .survey_invited(org, &[c.id], w, Audience::Volunteer)
                .await?;
            f.answered[i] = survey_response::Entity::find()
                .filter(survey_response::Column::CampaignId.eq(c.id))
                .filter(survey_response::Column::Wave.eq(w.number()))
                .filter(survey_response::Column::Audience.eq(Audience::Volunteer.as_str()))
                .filter(survey_response::Column::PublishedAnswers.is_not_null())
                .count(self.db())
                .await? as i64;
        }
        // Came back: attendees with a registration in a campaign created later.
        let later: Vec<i64> = campaign::Entity::find()
            .filter(campaign::Column::OrganizationId.eq(org.0))
            .filter(campaign::Column::CreatedAt.gt(c.created_at))
            .all(self.db())
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        if !later.is_empty() && !attendees.is_empty() {
            let again: HashSet<i64> = registration::Entity::find()
                .filter(registration::Column::CampaignId.is_in(later))
                .filter(registration::Column::Status.ne(crate::registrations::status::CANCELLED))
                .filter(registration::Column::EmployeeId.is_in(attendees.iter().copied()))
                .all(self.db())
                .await?
                .into_iter()
                .map(|r| r.employee_id)
                .collect();
            f.volunteered_again = again.len() as i64;
        }
        Ok(f)
    }

    /// Queues a "what your mission changed" mail to the campaign's attendees, with
    /// `content` (figures and quotes HR chose) for the message.
    pub async fn create_share_back(
        &self,
        org: OrgId,
        campaign_id: i64,
        content: &serde_json::Value,
        actor: &Actor,
    ) -> Result<Dispatch, StorageError> {
        let txn = self.write_txn().await?;
        let c = campaign::Entity::find_by_id(campaign_id)
            .filter(campaign::Column::OrganizationId.eq(org.0))
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("campaign"))?;
        let regs = registration::Entity::find()
            .filter(registration::Column::CampaignId.eq(c.id))
            .filter(registration::Column::Status.eq(crate::registrations::status::CONFIRMED))
            .all(&txn)
            .await?;
        let attended: HashSet<i64> = registration_choice::Entity::find()
            .filter(registration_choice::Column::RegistrationId.is_in(regs.iter().map(|r| r.id)))
            .filter(registration_choice::Column::Attended.eq(true))
            .all(&txn)
            .await?
            .into_iter()
            .map(|ch| ch.registration_id)
            .collect();
        let people: HashSet<i64> = regs
            .iter()
            .filter(|r| attended.contains(&r.id))
            .map(|r| r.employee_id)
            .collect();
        let opted_out = opted_out_of_mail(&txn, org).await?;
        let rows: Vec<Recipient> = employee::Entity::find()
            .filter(employee::Column::Id.is_in(people.iter().copied()))
            .filter(employee::Column::Active.eq(true))
            .filter(employee::Column::ErasedAt.is_null())
            .all(&txn)
            .await?
            .into_iter()
            .filter(|e| !opted_out.contains(&e.id))
            .map(|e| (Some(e.id), None, e.email))
            .collect();
        if rows.is_empty() {
            return Err(StorageError::invalid(
                "campaign",
                "nobody to write to: mark attendance on the missions first",
            ));
        }
        let d = insert_dispatch(
            &txn,
            org,
            c.id,
            "mail",
            (Some(SHARE_BACK_KIND), None),
            &rows,
            actor,
        )
        .await?;
        share_back::ActiveModel {
            organization_id: Set(org.0),
            campaign_id: Set(c.id),
            dispatch_id: Set(d.id),
            content: Set(content.to_string()),
            created_at: Set(now()),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        self.dispatch(org, d.id).await
    }

    /// What a share-back dispatch says.
    pub async fn share_back_content(
        &self,
        dispatch_id: i64,
    ) -> Result<serde_json::Value, StorageError> {
        share_back::Entity::find()
            .filter(share_back::Column::DispatchId.eq(dispatch_id))
            .one(self.db())
            .await?
            .and_then(|s| serde_json::from_str(&s.content).ok())
            .ok_or(StorageError::NotFound("share-back"))
    }

    /// The person's own answers (kept with them), for their data export.
    pub async fn survey_answers_of_person(
        &self,
        org: OrgId,
        employee_id: i64,
    ) -> Result<Vec<PersonalAnswer>, StorageError> {
        self.personal_answers(org, survey_invitation::Column::EmployeeId.eq(employee_id))
            .await
    }

    /// An association contact's invitations and the answers kept with them, for the
    /// export of their data (they are not in the directory).
    pub async fn survey_answers_of_contact(
        &self,
        org: OrgId,
        email: &str,
    ) -> Result<Vec<PersonalAnswer>, StorageError> {
        self.personal_answers(org, survey_invitation::Column::Email.eq(email))
            .await
    }

    async fn personal_answers(
        &self,
        org: OrgId,
        whose: sea_orm::sea_query::SimpleExpr,
    ) -> Result<Vec<PersonalAnswer>, StorageError> {
        let invitations = survey_invitation::Entity::find()
            .filter(survey_invitation::Column::OrganizationId.eq(org.0))
            .filter(whose)
            .order_by_asc(survey_invitation::Column::Id)
            .all(self.db())
            .await?;
        // Whether they answered, never what: the export goes through HR, and a
        // person's answers are read by HR only within the published figures.
        let out: Vec<PersonalAnswer> = invitations
            .into_iter()
            .map(|i| PersonalAnswer {
                campaign_id: i.campaign_id,
                wave: i.wave,
                answered: i.answered,
            })
            .collect();
        Ok(out)
    }

    /// Erasure of an association's contact (not an employee): their invitations,
    /// the answers kept with them, and their address on past mails. Whether any was
    /// found.
    pub(crate) async fn forget_contact(
        txn: &sea_orm::DatabaseTransaction,
        org: OrgId,
        email: &str,
    ) -> Result<bool, StorageError> {
        let ids: Vec<i64> = survey_invitation::Entity::find()
            .filter(survey_invitation::Column::OrganizationId.eq(org.0))
            .filter(survey_invitation::Column::Email.eq(email))
            .all(txn)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        delete_invitations(txn, &ids).await?;
        let mails = delivery::Entity::update_many()
            .col_expr(
                delivery::Column::Recipient,
                Expr::value("erased-contact@erased.invalid"),
            )
            .filter(delivery::Column::OrganizationId.eq(org.0))
            .filter(delivery::Column::EmployeeId.is_null())
            .filter(delivery::Column::WebhookId.is_null())
            .filter(delivery::Column::Recipient.eq(email))
            .exec(txn)
            .await?
            .rows_affected;
        // The association's contact list names them too.
        let mut listed = false;
        for a in association::Entity::find()
            .filter(association::Column::OrganizationId.eq(org.0))
            // A pre-filter (contacts are stored as typed: compared without case below).
            .filter(
                Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(
                    association::Column::Contacts,
                )))
                .like(format!("%{}%", email.to_lowercase())),
            )
            .all(txn)
            .await?
        {
            let mut contacts: Vec<serde_json::Value> =
                serde_json::from_str(&a.contacts).unwrap_or_default();
            let before = contacts.len();
            contacts.retain(|c| {
                !c["email"]
                    .as_str()
                    .is_some_and(|e| e.trim().eq_ignore_ascii_case(email))
            });
            if contacts.len() < before {
                listed = true;
                let mut row: association::ActiveModel = a.into();
                row.contacts = Set(serde_json::Value::from(contacts).to_string());
                row.update(txn).await?;
            }
        }
        Ok(!ids.is_empty() || mails > 0 || listed)
    }

    /// Erasure: the person's invitations and the answers kept with them go.
    pub(crate) async fn forget_surveys(
        txn: &sea_orm::DatabaseTransaction,
        employee_id: i64,
    ) -> Result<(), StorageError> {
        let ids: Vec<i64> = survey_invitation::Entity::find()
            .filter(survey_invitation::Column::EmployeeId.eq(employee_id))
            .all(txn)
            .await?
            .into_iter()
            .map(|i| i.id)
            .collect();
        delete_invitations(txn, &ids).await?;
        Ok(())
    }
}

/// Who is invited to a wave.
enum Invitee {
    Volunteer(i64),
    /// An association's contact: the association and the address.
    Contact(i64, String),
}

/// The wave invitations are written for.
struct WaveOf {
    org: OrgId,
    campaign_id: i64,
    wave: Wave,
    opens: NaiveDate,
    closes: chrono::DateTime<chrono::Utc>,
    at: chrono::DateTime<chrono::Utc>,
}

impl WaveOf {
    async fn invite(
        &self,
        txn: &sea_orm::DatabaseTransaction,
        who: Invitee,
        language: String,
    ) -> Result<(), StorageError> {
        let (audience, employee_id, association_id, email) = match who {
            Invitee::Volunteer(id) => (Audience::Volunteer, Some(id), None, None),
            Invitee::Contact(a, email) => (Audience::Association, None, Some(a), Some(email)),
        };
        survey_invitation::ActiveModel {
            organization_id: Set(self.org.0),
            campaign_id: Set(self.campaign_id),
            wave: Set(self.wave.number()),
            audience: Set(audience.as_str().to_owned()),
            employee_id: Set(employee_id),
            association_id: Set(association_id),
            email: Set(email),
            language: Set(language),
            answered: Set(false),
            opens_on: Set(self.opens),
            closes_at: Set(self.closes),
            created_at: Set(self.at),
            ..Default::default()
        }
        .insert(txn)
        .await
        .map_err(StorageError::on_unique(
            "wave",
            "this wave was already opened",
        ))?;
        Ok(())
    }
}

/// Deletes invitations and the answers kept with them.
/// Answers are published in steps of [`declic_evaluation::K_ANONYMITY`]: once that many
/// answers of a wave's group (campaign, wave, audience) were written or changed since
/// the last step, all of them are published together. Two reports therefore never
/// differ by one person's answer; the last answers of a wave, fewer than a step, stay
/// unpublished.
async fn publish_step(
    txn: &sea_orm::DatabaseTransaction,
    inv: &survey_invitation::Model,
) -> Result<(), StorageError> {
    let group = sea_orm::Condition::all()
        .add(survey_response::Column::OrganizationId.eq(inv.organization_id))
        .add(survey_response::Column::CampaignId.eq(inv.campaign_id))
        .add(survey_response::Column::Wave.eq(inv.wave))
        .add(survey_response::Column::Audience.eq(inv.audience.clone()))
        .add(survey_response::Column::Pending.eq(true));
    let pending = survey_response::Entity::find()
        .filter(group.clone())
        .count(txn)
        .await?;
    if pending >= declic_evaluation::K_ANONYMITY as u64 {
        survey_response::Entity::update_many()
            .col_expr(
                survey_response::Column::PublishedAnswers,
                Expr::col(survey_response::Column::Answers),
            )
            .col_expr(survey_response::Column::Pending, Expr::value(false))
            .filter(group)
            .exec(txn)
            .await?;
    }
    Ok(())
}

pub(crate) async fn delete_invitations(
    txn: &sea_orm::DatabaseTransaction,
    ids: &[i64],
) -> Result<(), StorageError> {
    // An answer already in the published figures stays there as no one's scores and
    // choices (detached, without its free text): deleting it would change a report by
    // exactly one person whom HR knows, and show their answers. The rest goes.
    let responses = survey_response::Entity::find()
        .filter(survey_response::Column::InvitationId.is_in(ids.iter().copied()))
        .all(txn)
        .await?;
    // Each kept answer takes its wave's opening day instead of its own.
    let opens_on: HashMap<i64, chrono::NaiveDate> = survey_invitation::Entity::find()
        .filter(survey_invitation::Column::Id.is_in(ids.iter().copied()))
        .all(txn)
        .await?
        .into_iter()
        .map(|i| (i.id, i.opens_on))
        .collect();
    let mut forms: HashMap<(i64, String), Questionnaire> = HashMap::new();
    for r in responses {
        let kept = match r.published_answers.as_deref() {
            Some(published) => {
                let key = (r.organization_id, r.audience.clone());
                if !forms.contains_key(&key) {
                    let form = questionnaire::Entity::find()
                        .filter(questionnaire::Column::OrganizationId.eq(r.organization_id))
                        .filter(questionnaire::Column::Audience.eq(r.audience.clone()))
                        .one(txn)
                        .await?
                        .and_then(|q| serde_json::from_str(&q.definition).ok())
                        .unwrap_or_else(|| Questionnaire::default_for(audience_of(&r.audience)));
                    forms.insert(key.clone(), form);
                }
                let form = &forms[&key];
                let mut answers: Answers = serde_json::from_str(published).unwrap_or_default();
                answers.retain(|k, _| {
                    form.questions
                        .iter()
                        .any(|q| q.key == *k && q.kind != declic_evaluation::Kind::Text)
                });
                (!answers.is_empty()).then_some(answers)
            }
            None => None,
        };
        match kept {
            Some(answers) => {
                let json = serde_json::to_string(&answers)
                    .map_err(|e| StorageError::invalid("answers", e.to_string()))?;
                let opens_on = r
                    .invitation_id
                    .and_then(|i| opens_on.get(&i).copied())
                    .unwrap_or(r.submitted_on);
                let mut a: survey_response::ActiveModel = r.into();
                a.invitation_id = Set(None);
                a.association_id = Set(None);
                a.answers = Set(json.clone());
                a.published_answers = Set(Some(json));
                a.pending = Set(false);
                a.submitted_on = Set(opens_on);
                a.update(txn).await?;
            }
            None => {
                survey_response::Entity::delete_by_id(r.id)
                    .exec(txn)
                    .await?;
            }
        }
    }
    survey_invitation::Entity::delete_many()
        .filter(survey_invitation::Column::Id.is_in(ids.iter().copied()))
        .exec(txn)
        .await?;
    Ok(())
}

/// The people of an organisation who opted out of mail.
async fn opted_out_of_mail(
    txn: &sea_orm::DatabaseTransaction,
    org: OrgId,
) -> Result<HashSet<i64>, StorageError> {
    Ok(opt_out::Entity::find()
        .filter(opt_out::Column::OrganizationId.eq(org.0))
        .filter(opt_out::Column::Channel.eq("mail"))
        .all(txn)
        .await?
        .into_iter()
        .map(|o| o.employee_id)
        .collect())
}

/// One survey invitation of a person and whether they answered; never the answers
/// themselves (HR reads those only as published figures).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonalAnswer {
    pub campaign_id: i64,
    pub wave: i32,
    pub answered: bool,
}

/// The audience of a stored row.
pub fn audience(s: &str) -> Audience {
    audience_of(s)
}
