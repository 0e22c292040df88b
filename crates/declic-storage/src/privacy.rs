//! Personal data: where it lives, export of everything held about a person, erasure.
//!
//! [`COLUMNS`] classifies every column of every table. A test compares it with the
//! live schema, so a migration that adds a table or column fails the build until
//! someone decides whether export and erasure must cover it.

use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{admin, audit_event, credential, employee, registration};
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// How a column relates to a person who asks for export or erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// The person's own data: exported, and removed or pseudonymised on erasure.
    Subject,
    /// Kept on erasure because aggregates need it, and it no longer points to anyone once names and email are gone.
    Aggregate,
    /// Personal data of someone who is not an employee (e.g. an association's contact), managed by HR in place.
    ThirdParty,
    /// Not personal data.
    None,
}

use Class::{Aggregate, None as NotPersonal, Subject, ThirdParty};

/// Every table and column, classified.
pub const COLUMNS: &[(&str, &[(&str, Class)])] = &[
    (
        "organizations",
        &[
            ("id", NotPersonal),
            ("slug", NotPersonal),
            ("name", NotPersonal),
            ("default_language", NotPersonal),
            // A DPO's or a team's address, managed by HR in place.
            ("privacy_contact", ThirdParty),
            ("created_at", NotPersonal),
            ("updated_at", NotPersonal),
        ],
    ),
    (
        "organization_domains",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("domain", NotPersonal),
        ],
    ),
    (
        "organization_logos",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("content_type", NotPersonal),
            ("bytes", NotPersonal),
            ("updated_at", NotPersonal),
        ],
    ),
    (
        "admins",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("email", Subject),
            ("role", NotPersonal),
            ("password_hash", Subject),
            ("created_at", NotPersonal),
            ("disabled_at", NotPersonal),
        ],
    ),
    (
        "sign_in_throttles",
        &[
            ("id", NotPersonal),
            // SHA-256 of an address (admin or not): pseudonymous, deleted on erasure.
            ("address_hash", Subject),
            ("failures", NotPersonal),
            ("locked_until", NotPersonal),
            ("updated_at", NotPersonal),
        ],
    ),
    (
        "credentials",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("admin_id", NotPersonal),
            ("kind", NotPersonal),
            ("name", NotPersonal),
            ("token_hash", NotPersonal),
            ("token_prefix", NotPersonal),
            ("created_at", NotPersonal),
            ("expires_at", NotPersonal),
            ("last_used_at", NotPersonal),
            ("revoked_at", NotPersonal),
        ],
    ),
    (
        "employees",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("email", Subject),
            ("first_name", Subject),
            ("last_name", Subject),
            ("department", Aggregate),
            ("site", Aggregate),
            ("language", Subject),
            ("manager_email", Subject),
            ("active", NotPersonal),
            ("created_at", NotPersonal),
            ("updated_at", NotPersonal),
            ("deactivated_at", NotPersonal),
            ("erased_at", NotPersonal),
            ("provisional", NotPersonal),
        ],
    ),
    (
        "erased_addresses",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            // Kept on purpose: it is how the erasure is honoured (see `erase_person`).
            ("address_hash", Aggregate),
            ("erased_at", NotPersonal),
        ],
    ),
    (
        "associations",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("name", NotPersonal),
            ("description", NotPersonal),
            ("contacts", ThirdParty),
            ("past_activity_feedback", NotPersonal),
            ("finances_documented", NotPersonal),
            ("two_people_available", NotPersonal),
            ("created_at", NotPersonal),
            ("updated_at", NotPersonal),
        ],
    ),
    (
        "skills",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("kind", NotPersonal),
            ("label_en", NotPersonal),
            ("label_fr", NotPersonal),
        ],
    ),
    (
        "missions",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("association_id", NotPersonal),
            ("title", NotPersonal),
            ("description", NotPersonal),
            ("format", NotPersonal),
            ("work_mode", NotPersonal),
            ("place", NotPersonal),
            ("online_link", NotPersonal),
            ("starts_at", NotPersonal),
            ("ends_at", NotPersonal),
            ("time_zone", NotPersonal),
            ("capacity", NotPersonal),
            ("language", NotPersonal),
            ("confidentiality_note", NotPersonal),
            ("status", NotPersonal),
            ("created_at", NotPersonal),
            ("updated_at", NotPersonal),
        ],
    ),
    (
        "mission_skills",
        &[
            ("id", NotPersonal),
            ("mission_id", NotPersonal),
            ("skill_id", NotPersonal),
        ],
    ),
    (
        "campaigns",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("title", NotPersonal),
            ("goal", NotPersonal),
            ("audience_departments", NotPersonal),
            ("audience_sites", NotPersonal),
            ("registration_opens", NotPersonal),
            ("registration_closes", NotPersonal),
            ("key_message", NotPersonal),
            ("why_it_matters", NotPersonal),
            ("status", NotPersonal),
            ("created_at", NotPersonal),
            ("updated_at", NotPersonal),
        ],
    ),
    (
        "campaign_missions",
        &[
            ("id", NotPersonal),
            ("campaign_id", NotPersonal),
            ("mission_id", NotPersonal),
        ],
    ),
    (
        "campaign_steps",
        &[
            ("id", NotPersonal),
            ("campaign_id", NotPersonal),
            ("kind", NotPersonal),
            ("scheduled_on", NotPersonal),
            ("note", NotPersonal),
        ],
    ),
    (
        "campaign_links",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("campaign_id", NotPersonal),
            ("code", NotPersonal),
            ("channel", NotPersonal),
            ("variant", NotPersonal),
            ("site", NotPersonal),
            ("ambassador_employee_id", NotPersonal),
            ("created_at", NotPersonal),
        ],
    ),
    (
        "link_visits",
        &[
            ("id", NotPersonal),
            ("link_id", NotPersonal),
            ("day", NotPersonal),
            ("visits", NotPersonal),
        ],
    ),
    (
        "registrations",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("campaign_id", NotPersonal),
            ("employee_id", NotPersonal),
            ("status", NotPersonal),
            ("source_link_id", NotPersonal),
            ("source_channel", NotPersonal),
            ("referrer_employee_id", NotPersonal),
            ("duo_registration_id", NotPersonal),
            ("duo_invitee_email", Subject),
            ("language", Aggregate),
            ("confirm_token_hash", NotPersonal),
            ("confirm_expires_at", NotPersonal),
            ("manage_nonce", NotPersonal),
            // When the person accepted the terms: proof of consent, and the sign-up
            // time of the referral figures; pointing at no one once erased.
            ("consented_at", Aggregate),
            ("confirmed_at", NotPersonal),
            ("cancelled_at", NotPersonal),
            ("created_at", NotPersonal),
            ("updated_at", NotPersonal),
            ("show_to_referrer", Subject),
            // When they followed an ambassador's link: their own trace, gone on erasure.
            ("link_used_at", Subject),
        ],
    ),
    (
        // Being an ambassador is the person's own choice: the row goes on erasure.
        "ambassadors",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("employee_id", Subject),
            ("status", Subject),
            ("past_volunteer", Subject),
            ("leaderboard_opt_in", Subject),
            ("invited_at", Subject),
            ("accepted_at", Subject),
            ("opted_out_at", Subject),
            ("updated_at", NotPersonal),
        ],
    ),
    (
        "dispatches",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("campaign_id", NotPersonal),
            ("channel", NotPersonal),
            ("status", NotPersonal),
            ("total", NotPersonal),
            ("created_at", NotPersonal),
            ("finished_at", NotPersonal),
            ("updated_at", NotPersonal),
            ("step_kind", NotPersonal),
            ("step_on", NotPersonal),
        ],
    ),
    (
        // The address is replaced on erasure; the row stays for the dispatch's counts.
        "deliveries",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("dispatch_id", NotPersonal),
            ("employee_id", Aggregate),
            ("recipient", Subject),
            ("status", Aggregate),
            ("attempts", NotPersonal),
            ("next_attempt_at", NotPersonal),
            ("locked_until", NotPersonal),
            ("last_error", Subject),
            ("sent_at", Aggregate),
            ("updated_at", NotPersonal),
            ("webhook_id", NotPersonal),
        ],
    ),
    (
        // Where channel posts go; the URL is sealed, and a channel is nobody's data.
        "webhooks",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("name", NotPersonal),
            ("platform", NotPersonal),
            ("url_sealed", NotPersonal),
            ("url_hint", NotPersonal),
            ("active", NotPersonal),
            ("created_at", NotPersonal),
            ("updated_at", NotPersonal),
        ],
    ),
    (
        // The organisation's evaluation questions: no one's data.
        "questionnaires",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("audience", NotPersonal),
            ("definition", NotPersonal),
            ("updated_at", NotPersonal),
        ],
    ),
    (
        // Who is asked to evaluate a wave: an employee (deleted on erasure, with
        // their named answers) or an association's contact (managed by HR).
        "survey_invitations",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("campaign_id", NotPersonal),
            ("wave", NotPersonal),
            ("audience", NotPersonal),
            ("employee_id", Subject),
            ("association_id", NotPersonal),
            ("email", ThirdParty),
            ("language", Subject),
            ("answered", Subject),
            ("opens_on", NotPersonal),
            ("closes_at", NotPersonal),
            ("created_at", NotPersonal),
        ],
    ),
    (
        // Answers: tied to a person through the invitation (exported, erased with
        // it), or stored without anyone when the organisation chose anonymity.
        "survey_responses",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("campaign_id", NotPersonal),
            ("wave", NotPersonal),
            ("audience", NotPersonal),
            ("association_id", NotPersonal),
            ("invitation_id", Subject),
            ("answers", Subject),
            ("submitted_on", Subject),
            ("published_answers", Subject),
            ("pending", NotPersonal),
        ],
    ),
    (
        // What HR shared back after a mission: figures and chosen quotes.
        "share_backs",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("campaign_id", NotPersonal),
            ("dispatch_id", NotPersonal),
            // Quotes HR chose from published comments: kept like the figures.
            ("content", Aggregate),
            ("created_at", NotPersonal),
        ],
    ),
    (
        // The organisation's own wording of its campaign messages: no one's data.
        "message_templates",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("campaign_id", NotPersonal),
            ("message", NotPersonal),
            ("language", NotPersonal),
            ("subject", NotPersonal),
            ("text_body", NotPersonal),
            ("html_body", NotPersonal),
            ("updated_at", NotPersonal),
        ],
    ),
    (
        // Kept on erasure: the pseudonymised person must stay out of audiences.
        "opt_outs",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("employee_id", Aggregate),
            ("channel", Aggregate),
            ("created_at", Aggregate),
        ],
    ),
    (
        // Hashes of short-lived secrets; deleted with the ambassador row.
        "ambassador_tokens",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("ambassador_id", NotPersonal),
            ("kind", NotPersonal),
            ("token_hash", NotPersonal),
            ("expires_at", NotPersonal),
            ("used_at", NotPersonal),
            ("created_at", NotPersonal),
        ],
    ),
    (
        "registration_choices",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("registration_id", NotPersonal),
            ("mission_id", NotPersonal),
            ("rank", NotPersonal),
            ("status", NotPersonal),
            ("queue_seq", NotPersonal),
            ("seat_no", NotPersonal),
            ("offer_expires_at", NotPersonal),
            ("reminded_at", NotPersonal),
            ("updated_at", NotPersonal),
            ("attended", Aggregate),
            ("attendance_marked_at", NotPersonal),
            ("ics_sequence", NotPersonal),
            ("waits_with", NotPersonal),
        ],
    ),
    (
        // Ids only; an erased person's node keeps its place under a pseudonym.
        "referral_edges",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("campaign_id", NotPersonal),
            ("referrer_employee_id", Aggregate),
            ("referee_employee_id", Aggregate),
            ("registration_id", NotPersonal),
            ("confirmed_at", NotPersonal),
        ],
    ),
    (
        // A person's own messages: exported, and deleted with everything in them on erasure.
        "messages",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("kind", Subject),
            ("registration_id", Subject),
            ("employee_id", Subject),
            ("ambassador_id", Subject),
            ("admin_id", Subject),
            ("recipient", Subject),
            ("language", Subject),
            ("params", Subject),
            ("idempotency_key", Subject),
            ("status", Subject),
            ("attempts", Subject),
            ("next_attempt_at", Subject),
            ("locked_until", Subject),
            ("expires_at", Subject),
            ("last_error", Subject),
            ("sent_at", Subject),
            ("created_at", Subject),
            ("updated_at", Subject),
        ],
    ),
    (
        // The relay's state; its error has addresses taken out.
        "relay_health",
        &[
            ("transport", NotPersonal),
            ("state", NotPersonal),
            ("last_error", NotPersonal),
            ("since", NotPersonal),
        ],
    ),
    (
        "audit_events",
        &[
            ("id", NotPersonal),
            ("organization_id", NotPersonal),
            ("admin_id", NotPersonal),
            ("actor", Subject),
            ("action", NotPersonal),
            ("target_type", NotPersonal),
            ("target_id", NotPersonal),
            ("detail", Subject),
            ("request_id", NotPersonal),
            ("created_at", NotPersonal),
        ],
    ),
];

/// Everything held about one person in one organisation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonalExport {
    pub email: String,
    pub organization: String,
    pub exported_at: chrono::DateTime<chrono::Utc>,
    pub employee: Option<crate::employees::Employee>,
    pub admin_accounts: Vec<crate::admins::Admin>,
    /// Admin actions this person performed or that name them.
    pub audit_entries: Vec<crate::audit::AuditEntry>,
    /// Campaign registrations with their mission choices.
    pub registrations: Vec<crate::registrations::RegistrationView>,
    /// Referrals this person made or came through (campaign and side only).
    pub referrals: Vec<crate::referrals::ReferralSide>,
    /// Their ambassador record, if HR invited them.
    pub ambassador: Option<crate::ambassadors::Ambassador>,
    /// Channels they opted out of.
    pub opt_outs: Vec<crate::opt_outs::OptOut>,
    /// Evaluation surveys they were asked, with their answers unless anonymous.
    pub survey_answers: Vec<crate::evaluations::PersonalAnswer>,
    /// Their own messages (confirmation, seat, offer, sign-in link…) and what became of them.
    pub messages: Vec<crate::outbox::MessageRecord>,
    /// Campaign mails sent to them (announcements, reminders, surveys) and what became of them.
    pub deliveries: Vec<crate::dispatches::DeliveryRecord>,
    /// When they accepted the terms of each sign-up and followed an ambassador's link.
    pub consents: Vec<ConsentRecord>,
}

/// The times that prove a sign-up's consent and its origin.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConsentRecord {
    pub registration_id: i64,
    pub campaign_id: i64,
    /// When they ticked the consent box and signed up.
    pub consented_at: chrono::DateTime<chrono::Utc>,
    /// When they confirmed from their mailbox.
    pub confirmed_at: Option<chrono::DateTime<chrono::Utc>>,
    /// When they followed an ambassador's link, if one brought them.
    pub link_used_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Whether they let the ambassador see their first name.
    pub show_to_referrer: bool,
}

/// What an erasure changed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErasureReport {
    pub employee_erased: bool,
    pub admin_accounts_erased: u64,
    pub audit_entries_pseudonymised: u64,
}

impl Store {
    /// Exports everything held about the person with `email` in the organisation.
    pub async fn export_person(
        &self,
        org: OrgId,
        email: &str,
        actor: &Actor,
    ) -> Result<PersonalExport, StorageError> {
        let email = declic_directory::normalize_email(email)
            .ok_or_else(|| StorageError::invalid("email", "not an email address"))?;
        let o = self.organization(org).await?;
        let employee = employee::Entity::find()
            .filter(employee::Column::OrganizationId.eq(org.0))
            .filter(employee::Column::Email.eq(&email))
            .one(self.db())
            .await?
            .map(crate::employees::view);
        let admin_accounts: Vec<_> = self
            .admins(org)
            .await?
            .into_iter()
            .filter(|a| a.email == email)
            .collect();
        let entries = audit_event::Entity::find()
            .filter(audit_event::Column::OrganizationId.eq(org.0))
            .filter({
                let mut about = sea_orm::Condition::any()
                    .add(audit_event::Column::Actor.eq(&email))
                    .add(audit_event::Column::Detail.contains(&email));
                // Entries about their directory row, by id, whatever the text says.
                if let Some(e) = &employee {
                    about = about.add(
                        sea_orm::Condition::all()
                            .add(audit_event::Column::TargetType.eq("employee"))
                            .add(audit_event::Column::TargetId.eq(e.id)),
                    );
                }
                about
            })
            .order_by_asc(audit_event::Column::Id)
            .all(self.db())
            .await?;
        let mut registrations = Vec::new();
        let mut deliveries = Vec::new();
        let mut consents = Vec::new();
        let mut referrals = Vec::new();
        let mut ambassador = None;
        let mut opt_outs = Vec::new();
        let mut survey_answers = Vec::new();
        let mut messages = Vec::new();
        if let Some(e) = &employee {
            messages = self.messages_of(org, e.id).await?;
            opt_outs = self.opt_outs_of(org, e.id).await?;
            survey_answers = self.survey_answers_of_person(org, e.id).await?;
            referrals = self.referrals_of(org, e.id).await?;
            ambassador = self
                .ambassadors(org)
                .await?
                .into_iter()
                .find(|a| a.employee_id == e.id);
            for r in registration::Entity::find()
                .filter(registration::Column::EmployeeId.eq(e.id))
                .order_by_asc(registration::Column::Id)
                .all(self.db())
                .await?
            {
                consents.push(ConsentRecord {
                    registration_id: r.id,
                    campaign_id: r.campaign_id,
                    consented_at: r.consented_at,
                    confirmed_at: r.confirmed_at,
                    link_used_at: r.link_used_at,
                    show_to_referrer: r.show_to_referrer,
                });
                let mut view = self.registration_view(r.id).await?;
                // Someone else's address is theirs to ask for, not this person's.
                if view.duo_invitee_email.is_some() {
                    view.duo_invitee_email = Some("a colleague".to_owned());
                }
                registrations.push(view);
            }
            // Campaign mails; their own messages are in `messages`.
            deliveries = self
                .deliveries_of(org, e.id)
                .await?
                .into_iter()
                .filter(|d| d.lane == "campaign")
                .collect();
        }
        // An association's contact, asked to evaluate missions.
        survey_answers.extend(self.survey_answers_of_contact(org, &email).await?);
        if employee.is_none()
            && admin_accounts.is_empty()
            && entries.is_empty()
            && survey_answers.is_empty()
        {
            return Err(StorageError::NotFound("person"));
        }
        // Every export is in the audit log (who asked, about which directory row).
        let txn = self.write_txn().await?;
        audit::record(
            &txn,
            org,
            actor,
            "person.export",
            "employee",
            employee.as_ref().map(|e| e.id),
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(PersonalExport {
            email,
            organization: o.slug,
            exported_at: now(),
            employee,
            admin_accounts,
            audit_entries: entries.into_iter().map(crate::audit::entry).collect(),
            registrations,
            referrals,
            ambassador,
            opt_outs,
            survey_answers,
            messages,
            deliveries,
            consents,
        })
    }

    /// Erases the person with `email` at their request: names and addresses removed or
    /// pseudonymised, history and counts kept, and the address remembered (as a hash)
    /// so that the directory does not bring them back. Idempotent.
    pub async fn erase_person(
        &self,
        org: OrgId,
        email: &str,
        actor: &Actor,
    ) -> Result<ErasureReport, StorageError> {
        let report = self.erase(org, email, actor, true).await?;
        self.checkpoint_after_erasure().await;
        Ok(report)
    }

    /// SQLite keeps the pages a transaction replaced in its write-ahead log until a
    /// checkpoint: copy them back now and empty the log, so erased rows are gone from
    /// the disk (freed pages are zeroed: `secure_delete`). Best effort: a reader holding
    /// an old snapshot leaves the log to the next checkpoint, which is logged.
    async fn checkpoint_after_erasure(&self) {
        if self.backend() != DbBackend::Sqlite {
            return;
        }
        let done = self
            .writer
            .query_one_raw(sea_orm::Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA wal_checkpoint(TRUNCATE)",
            ))
            .await;
        match done {
            Ok(Some(row)) if row.try_get::<i64>("", "busy").unwrap_or(0) != 0 => {
                tracing::warn!(
                    "the write-ahead log could not be emptied after an erasure: a reader held it"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "checkpoint after an erasure failed"),
        }
    }

    /// Erases, the same way, the people who left the directory more than `older_than`
    /// ago (`[privacy] departed_employee_days`); someone hired again later comes back
    /// with the directory like anyone new. Answers how many were erased.
    pub async fn erase_departed(
        &self,
        older_than: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, StorageError> {
        let gone = departed_before(older_than).all(self.db()).await?;
        let mut n = 0;
        for e in gone {
            self.erase(
                OrgId(e.organization_id),
                &e.email,
                &Actor::scheduler(),
                false,
            )
            .await?;
            n += 1;
        }
        if n > 0 {
            self.checkpoint_after_erasure().await;
        }
        Ok(n)
    }

    async fn erase(
        &self,
        org: OrgId,
        email: &str,
        actor: &Actor,
        on_request: bool,
    ) -> Result<ErasureReport, StorageError> {
        let email = declic_directory::normalize_email(email)
            .ok_or_else(|| StorageError::invalid("email", "not an email address"))?;
        let txn = self.write_txn().await?;
        let t = now();
        let mut report = ErasureReport {
            employee_erased: false,
            admin_accounts_erased: 0,
            audit_entries_pseudonymised: 0,
        };
        let mut pseudonym = String::from("erased person");
        if let Some(e) = employee::Entity::find()
            .filter(employee::Column::OrganizationId.eq(org.0))
            .filter(employee::Column::Email.eq(&email))
            .one(&txn)
            .await?
        {
            pseudonym = format!("erased employee #{}", e.id);
            let id = e.id;
            let mut a: employee::ActiveModel = e.into();
            a.email = Set(format!("erased-{id}@erased.invalid"));
            a.first_name = Set(String::new());
            a.last_name = Set(String::new());
            a.language = Set(None);
            a.manager_email = Set(None);
            a.active = Set(false);
            a.deactivated_at = Set(Some(t));
            a.erased_at = Set(Some(t));
            a.updated_at = Set(t);
            a.update(&txn).await?;
            // Audit entries about the person's rows keep what happened, not what was
            // written about them (an HR reason may say why someone could not come).
            let regs: Vec<i64> = registration::Entity::find()
                .filter(registration::Column::EmployeeId.eq(id))
                .all(&txn)
                .await?
                .into_iter()
                .map(|r| r.id)
                .collect();
            report.audit_entries_pseudonymised += audit_event::Entity::update_many()
                .col_expr(
                    audit_event::Column::Detail,
                    Expr::value(serde_json::json!({"erased": true}).to_string()),
                )
                .filter(audit_event::Column::OrganizationId.eq(org.0))
                .filter(
                    sea_orm::Condition::any()
                        .add(
                            sea_orm::Condition::all()
                                .add(audit_event::Column::TargetType.eq("employee"))
                                .add(audit_event::Column::TargetId.eq(id)),
                        )
                        .add(
                            sea_orm::Condition::all()
                                .add(audit_event::Column::TargetType.eq("registration"))
                                .add(audit_event::Column::TargetId.is_in(regs)),
                        ),
                )
                .exec(&txn)
                .await?
                .rows_affected;
            // Registrations stay for the counts; their links stop working.
            for r in registration::Entity::find()
                .filter(registration::Column::EmployeeId.eq(id))
                .all(&txn)
                .await?
            {
                let mut a: registration::ActiveModel = r.into();
                a.duo_invitee_email = Set(None);
                a.confirm_token_hash = Set(None);
                a.manage_nonce = Set(crate::hash_token(&crate::generate_token("n").0));
                a.show_to_referrer = Set(false);
                a.link_used_at = Set(None);
                a.update(&txn).await?;
            }
            Store::forget_ambassador(&txn, org, id).await?;
            // Survey invitations and the answers kept with the person.
            Store::forget_surveys(&txn, id).await?;
            // Their own messages go, with the links and addresses they hold.
            crate::entity::message::Entity::delete_many()
                .filter(crate::entity::message::Column::EmployeeId.eq(id))
                .exec(&txn)
                .await?;
            // Nothing more goes to someone erased.
            crate::entity::delivery::Entity::update_many()
                .col_expr(
                    crate::entity::delivery::Column::Status,
                    Expr::value(crate::dispatches::delivery_status::CANCELLED),
                )
                .filter(crate::entity::delivery::Column::EmployeeId.eq(id))
                .filter(crate::entity::delivery::Column::Status.is_in([
                    crate::dispatches::delivery_status::QUEUED,
                    crate::dispatches::delivery_status::RETRYING,
                ]))
                .exec(&txn)
                .await?;
            crate::entity::delivery::Entity::update_many()
                .col_expr(
                    crate::entity::delivery::Column::Recipient,
                    Expr::value(format!("erased-{id}@erased.invalid")),
                )
                .col_expr(
                    crate::entity::delivery::Column::LastError,
                    Expr::value(Option::<String>::None),
                )
                .filter(crate::entity::delivery::Column::EmployeeId.eq(id))
                .exec(&txn)
                .await?;
            report.employee_erased = true;
        }
        // Messages to the address outside the directory (a duo invitation, an
        // admin account's reset).
        crate::entity::message::Entity::delete_many()
            .filter(crate::entity::message::Column::OrganizationId.eq(org.0))
            .filter(crate::entity::message::Column::Recipient.eq(&email))
            .exec(&txn)
            .await?;
        registration::Entity::update_many()
            .col_expr(
                registration::Column::DuoInviteeEmail,
                Expr::value(Option::<String>::None),
            )
            .filter(registration::Column::OrganizationId.eq(org.0))
            .filter(registration::Column::DuoInviteeEmail.eq(&email))
            .exec(&txn)
            .await?;
        // Someone erased may have been other people's manager.
        employee::Entity::update_many()
            .col_expr(
                employee::Column::ManagerEmail,
                Expr::value(Option::<String>::None),
            )
            .filter(employee::Column::OrganizationId.eq(org.0))
            .filter(employee::Column::ManagerEmail.eq(&email))
            .exec(&txn)
            .await?;
        for adm in admin::Entity::find()
            .filter(admin::Column::OrganizationId.eq(org.0))
            .filter(admin::Column::Email.eq(&email))
            .all(&txn)
            .await?
        {
            let id = adm.id;
            pseudonym = format!("erased admin #{id}");
            credential::Entity::update_many()
                .col_expr(credential::Column::RevokedAt, Expr::value(t))
                .filter(credential::Column::AdminId.eq(id))
                .filter(credential::Column::RevokedAt.is_null())
                .exec(&txn)
                .await?;
            crate::entity::sign_in_throttle::Entity::delete_many()
                .filter(
                    crate::entity::sign_in_throttle::Column::AddressHash
                        .eq(crate::sign_in::address_hash(&adm.email)),
                )
                .exec(&txn)
                .await?;
            let mut a: admin::ActiveModel = adm.into();
            a.email = Set(format!("erased-admin-{id}@erased.invalid"));
            a.password_hash = Set(None);
            a.disabled_at = Set(Some(t));
            a.update(&txn).await?;
            report.admin_accounts_erased += 1;
        }
        for ev in audit_event::Entity::find()
            .filter(audit_event::Column::OrganizationId.eq(org.0))
            .filter(
                sea_orm::Condition::any()
                    .add(audit_event::Column::Actor.eq(&email))
                    .add(audit_event::Column::Detail.contains(&email)),
            )
            .all(&txn)
            .await?
        {
            let actor_is_person = ev.actor == email;
            let detail = ev.detail.replace(&email, &pseudonym);
            let mut a: audit_event::ActiveModel = ev.into();
            if actor_is_person {
                a.actor = Set(pseudonym.clone());
            }
            a.detail = Set(detail);
            a.update(&txn).await?;
            report.audit_entries_pseudonymised += 1;
        }
        // An association's contact asked to evaluate a mission.
        let contact_erased = Store::forget_contact(&txn, org, &email).await?;
        // A directory import must not bring back someone who asked: only a hash is kept.
        if on_request {
            remember_erased(&txn, org, &email).await?;
        }
        if !report.employee_erased
            && !contact_erased
            && report.admin_accounts_erased == 0
            && report.audit_entries_pseudonymised == 0
        {
            return Err(StorageError::NotFound("person"));
        }
        audit::record(
            &txn,
            org,
            actor,
            if on_request {
                "person.erase"
            } else {
                "person.erase_after_departure"
            },
            "person",
            None,
            serde_json::json!({"pseudonym": pseudonym}),
        )
        .await?;
        txn.commit().await?;
        self.caches().referrals_changed(org.0);
        Ok(report)
    }
}

impl Store {
    /// Lets the directory bring back someone erased at their request (they came back,
    /// or asked to be imported again): forgets the hash of their address. Audited;
    /// `NotFound` when the address was not on the list.
    pub async fn allow_again(
        &self,
        org: OrgId,
        email: &str,
        actor: &Actor,
    ) -> Result<(), StorageError> {
        let email = declic_directory::normalize_email(email)
            .ok_or_else(|| StorageError::invalid("email", "not an email address"))?;
        let txn = self.write_txn().await?;
        let gone = txn
            .execute_raw(sea_orm::Statement::from_sql_and_values(
                txn.get_database_backend(),
                "DELETE FROM erased_addresses WHERE organization_id = $1 AND address_hash = $2",
                [org.0.into(), address_hash(org, &email).into()],
            ))
            .await?
            .rows_affected();
        if gone == 0 {
            return Err(StorageError::NotFound("erased address"));
        }
        audit::record(
            &txn,
            org,
            actor,
            "person.allow_again",
            "person",
            None,
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// The people who left the directory before `cutoff` and are not erased yet: those
/// retention erases.
pub(crate) fn departed_before(
    cutoff: chrono::DateTime<chrono::Utc>,
) -> sea_orm::Select<employee::Entity> {
    employee::Entity::find()
        .filter(employee::Column::Active.eq(false))
        .filter(employee::Column::ErasedAt.is_null())
        .filter(employee::Column::DeactivatedAt.lt(cutoff))
}

/// The hash under which an erased address is remembered in `org`.
pub(crate) fn address_hash(org: OrgId, email: &str) -> String {
    crate::hash_token(&format!("erased:{}:{}", org.0, email.trim().to_lowercase()))
}

async fn remember_erased(
    txn: &sea_orm::DatabaseTransaction,
    org: OrgId,
    email: &str,
) -> Result<(), StorageError> {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = txn.get_database_backend();
    let sql = "INSERT INTO erased_addresses (organization_id, address_hash, erased_at) \
               VALUES ($1, $2, $3) ON CONFLICT (organization_id, address_hash) DO NOTHING";
    txn.execute_raw(Statement::from_sql_and_values(
        backend,
        sql,
        [org.0.into(), address_hash(org, email).into(), now().into()],
    ))
    .await?;
    Ok(())
}

/// The hashes of the addresses erased in `org`, with the day of each erasure.
pub(crate) async fn erased_addresses(
    txn: &sea_orm::DatabaseTransaction,
    org: OrgId,
) -> Result<std::collections::HashMap<String, chrono::NaiveDate>, StorageError> {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = txn.get_database_backend();
    let rows = txn
        .query_all_raw(Statement::from_sql_and_values(
            backend,
            "SELECT address_hash, erased_at FROM erased_addresses WHERE organization_id = $1",
            [org.0.into()],
        ))
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get::<String>("", "address_hash")?,
                r.try_get::<chrono::DateTime<chrono::Utc>>("", "erased_at")?
                    .date_naive(),
            ))
        })
        .collect::<Result<_, sea_orm::DbErr>>()
        .map_err(StorageError::from)
}
