//! What the public campaign page shows, and signing up from it.

use std::sync::Arc;

use chrono::{Duration, NaiveDate};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde::Serialize;
use utoipa::ToSchema;

use super::{RegistrationView, choice, status};
use crate::associations::Association;
use crate::campaigns::Campaign;
use crate::entity::{campaign_link, employee, registration, registration_choice};
use crate::missions::Mission;
use crate::orgs::Organization;
use crate::outbox::NewMessage;
use crate::{CampaignCatalog, OrgId, StorageError, Store, generate_token, hash_token, now};

/// Whether sign-ups are accepted today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case", tag = "state", content = "date")]
pub enum WindowState {
    Open,
    /// Live, but registration opens on this date.
    NotYetOpen(NaiveDate),
    /// Closed, evaluated, past its deadline, or not launched.
    Closed,
}

/// A mission on the public page, with its seats.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PublicMission {
    pub mission: Mission,
    pub association: Association,
    pub seats_left: i64,
    pub waitlist: i64,
}

/// Everything the public campaign page needs.
#[derive(Debug, Clone)]
pub struct PublicCampaign {
    pub link: campaign_link::Model,
    pub organization: Organization,
    pub campaign: Campaign,
    pub missions: Vec<PublicMission>,
    pub window: WindowState,
}

/// A sign-up from the public form.
#[derive(Debug, Clone, Default)]
pub struct RegistrationRequest {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    /// Ranked: the first is the preferred mission.
    pub mission_ids: Vec<i64>,
    pub duo_email: Option<String>,
    /// The inviter's registration when this person follows a duo invitation.
    pub duo_of: Option<i64>,
    pub consent: bool,
    pub language: String,
    /// Through an ambassador's link: may they see this person's first name?
    pub show_to_referrer: bool,
    /// Ambassador links this browser used for the campaign (the current one included);
    /// the first within the window is credited.
    pub link_uses: Vec<declic_referral::LinkUse>,
    /// The attribution window, in seconds.
    pub referral_window_secs: i64,
}

/// The result of a sign-up.
#[derive(Debug, Clone)]
pub struct RegisterOutcome {
    pub registration: RegistrationView,
    /// False when the person was already registered: same record, no new mail.
    pub created: bool,
    /// The confirmation token to mail, when a mail is due.
    pub confirm_token: Option<String>,
}

fn window(c: &Campaign, today: NaiveDate) -> WindowState {
    use declic_planning::CampaignStatus;
    if c.status != CampaignStatus::Live {
        return WindowState::Closed;
    }
    if let Some(o) = c.registration_opens
        && today < o
    {
        return WindowState::NotYetOpen(o);
    }
    if c.registration_closes.is_some_and(|cl| today > cl) {
        return WindowState::Closed;
    }
    WindowState::Open
}

impl Store {
    /// The public view of a campaign reached through `code`; `None` for an unknown code.
    /// The catalogue part comes from the process cache (see [`crate::cache`]); the
    /// seat counts are read from the database every time, in one query.
    pub async fn public_campaign(
        &self,
        code: &str,
        today: NaiveDate,
    ) -> Result<Option<PublicCampaign>, StorageError> {
        let Some(link) = self.cached_link(code).await? else {
            return Ok(None);
        };
        let catalog = self
            .campaign_catalog(OrgId(link.organization_id), link.campaign_id)
            .await?;
        let published: Vec<&(Mission, Association)> = catalog
            .missions
            .iter()
            .filter(|(m, _)| m.status == "published")
            .collect();
        let ids: Vec<i64> = published.iter().map(|(m, _)| m.id).collect();
        let counts = super::seats::occupancy_of(self.db(), &ids).await?;
        let missions = published
            .into_iter()
            .map(|(m, a)| {
                let (occupied, waitlist) = counts.get(&m.id).copied().unwrap_or_default();
                PublicMission {
                    seats_left: (i64::from(m.capacity) - occupied).max(0),
                    waitlist,
                    mission: m.clone(),
                    association: a.clone(),
                }
            })
            .collect();
        let window = window(&catalog.campaign, today);
        Ok(Some(PublicCampaign {
            link,
            organization: catalog.organization.clone(),
            campaign: catalog.campaign.clone(),
            missions,
            window,
        }))
    }

    async fn cached_link(&self, code: &str) -> Result<Option<campaign_link::Model>, StorageError> {
        if let Some(l) = self.caches().link(code) {
            return Ok(Some(l));
        }
        let generation = self.caches().generation();
        let found = self.link_by_code(code).await?;
        if let Some(l) = &found {
            self.caches().put_link(generation, l.clone());
        }
        Ok(found)
    }

    /// A campaign with its organisation, missions and associations, from the
    /// process cache when fresh (see [`crate::cache`]).
    pub async fn campaign_catalog(
        &self,
        org: OrgId,
        campaign_id: i64,
    ) -> Result<Arc<CampaignCatalog>, StorageError> {
        if let Some(c) = self.caches().campaign(campaign_id)
            && c.organization.id == org.0
        {
            return Ok(c);
        }
        let generation = self.caches().generation();
        let campaign = self.campaign(org, campaign_id).await?;
        let organization = self.organization(org).await?;
        let missions = self.missions_by_ids(org, &campaign.mission_ids).await?;
        let mut assoc_ids: Vec<i64> = missions.iter().map(|m| m.association_id).collect();
        assoc_ids.sort_unstable();
        assoc_ids.dedup();
        let associations = self.associations_by_ids(org, &assoc_ids).await?;
        let missions = missions
            .into_iter()
            .filter_map(|m| {
                let a = associations.iter().find(|a| a.id == m.association_id)?;
                Some((m, a.clone()))
            })
            .collect();
        let c = Arc::new(CampaignCatalog {
            organization,
            campaign,
            missions,
        });
        self.caches().put_campaign(generation, Arc::clone(&c));
        Ok(c)
    }

    /// Signs a person up (pending until they confirm by mail). A second sign-up
    /// for the same campaign returns the same record and asks for no new mail;
    /// after a cancellation it starts again.
    ///
    /// `follow` names the messages of a new sign-up (the confirmation link…),
    /// queued in the same transaction.
    pub async fn register(
        &self,
        page: &PublicCampaign,
        req: RegistrationRequest,
        confirm_valid: Duration,
        follow: impl FnOnce(&RegisterOutcome) -> Vec<NewMessage> + Send,
    ) -> Result<RegisterOutcome, StorageError> {
        if page.window != WindowState::Open {
            return Err(StorageError::invalid(
                "campaign",
                "registration is not open for this campaign",
            ));
        }
        let org = OrgId(page.organization.id);
        let offered: Vec<i64> = page.missions.iter().map(|m| m.mission.id).collect();
        let declic_directory::sign_up::SignUp {
            email,
            first_name: first,
            last_name: last,
            mission_ids: ids,
            duo_email: duo,
        } = declic_directory::sign_up::check(
            &declic_directory::sign_up::SignUpInput {
                email: &req.email,
                first_name: &req.first_name,
                last_name: &req.last_name,
                mission_ids: &req.mission_ids,
                duo_email: req.duo_email.as_deref().unwrap_or(""),
                consent: req.consent,
            },
            &page.organization.domains,
            &offered,
        )
        .map_err(|p| StorageError::invalid(p.field, p.message))?;
        let lang = if req.language == "en" { "en" } else { "fr" };

        let txn = self.write_txn().await?;
        let person = match employee::Entity::find()
            .filter(employee::Column::OrganizationId.eq(org.0))
            .filter(employee::Column::Email.eq(&email))
            .one(&txn)
            .await?
        {
            Some(e) if !e.active => {
                return Err(StorageError::invalid(
                    "email",
                    "this address is not active in your organisation's directory",
                ));
            }
            // Nobody has confirmed this address yet: the latest sign-up's names
            // replace ones an earlier, unconfirmed one typed (perhaps someone else).
            Some(e) if e.provisional && (e.first_name != first || e.last_name != last) => {
                let mut a: employee::ActiveModel = e.into();
                a.first_name = Set(first);
                a.last_name = Set(last);
                a.language = Set(Some(lang.to_owned()));
                a.updated_at = Set(now());
                a.update(&txn).await?
            }
            Some(e) => e,
            None => {
                let t = now();
                // Two submissions at once (a double click): on PostgreSQL the second
                // waits for the first here, then finds its row instead of failing.
                employee::Entity::insert(employee::ActiveModel {
                    organization_id: Set(org.0),
                    email: Set(email.clone()),
                    first_name: Set(first),
                    last_name: Set(last),
                    language: Set(Some(lang.to_owned())),
                    active: Set(true),
                    // Not in the directory: a person once they confirm from their mailbox.
                    provisional: Set(true),
                    created_at: Set(t),
                    updated_at: Set(t),
                    ..Default::default()
                })
                .on_conflict(
                    OnConflict::columns([
                        employee::Column::OrganizationId,
                        employee::Column::Email,
                    ])
                    .do_nothing()
                    .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
                employee::Entity::find()
                    .filter(employee::Column::OrganizationId.eq(org.0))
                    .filter(employee::Column::Email.eq(&email))
                    .one(&txn)
                    .await?
                    .ok_or(StorageError::NotFound("employee"))?
            }
        };
        let existing = registration::Entity::find()
            .filter(registration::Column::CampaignId.eq(page.campaign.id))
            .filter(registration::Column::EmployeeId.eq(person.id))
            .one(&txn)
            .await?;
        if let Some(r) = &existing
            && r.status != status::CANCELLED
        {
            // Nothing new, except a provisional person's names (above).
            txn.commit().await?;
            let view = self.registration_view(r.id).await?;
            return Ok(RegisterOutcome {
                registration: view,
                created: false,
                confirm_token: None,
            });
        }
        let chosen = declic_referral::first_link_within_window(
            &req.link_uses,
            declic_referral::PersonId(person.id),
            now().timestamp(),
            &declic_referral::AttributionPolicy {
                window_secs: req.referral_window_secs,
            },
        );
        let referrer = chosen.map(|u| u.referrer.0);
        let link_used_at = chosen.and_then(|u| chrono::DateTime::from_timestamp(u.at, 0));
        let duo_of = match req.duo_of {
            Some(id) => registration::Entity::find_by_id(id)
                .filter(registration::Column::CampaignId.eq(page.campaign.id))
                .filter(registration::Column::DuoInviteeEmail.eq(&email))
                .one(&txn)
                .await?
                .map(|r| r.id),
            None => None,
        };
        let (token, token_hash, _) = generate_token("dcc");
        let t = now();
        let reg = registration::ActiveModel {
            organization_id: Set(org.0),
            campaign_id: Set(page.campaign.id),
            employee_id: Set(person.id),
            status: Set(status::PENDING.to_owned()),
            source_link_id: Set(Some(page.link.id)),
            source_channel: Set(page.link.channel.clone()),
            referrer_employee_id: Set(referrer),
            duo_registration_id: Set(duo_of),
            duo_invitee_email: Set(duo),
            language: Set(lang.to_owned()),
            confirm_token_hash: Set(Some(token_hash)),
            confirm_expires_at: Set(Some(t + confirm_valid)),
            manage_nonce: Set(hash_token(&generate_token("n").0)),
            consented_at: Set(t),
            show_to_referrer: Set(req.show_to_referrer && referrer.is_some()),
            link_used_at: Set(link_used_at),
            confirmed_at: Set(None),
            cancelled_at: Set(None),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        };
        let reg = match existing {
            Some(old) => {
                // Registering again after a cancellation: same record, fresh start.
                registration_choice::Entity::delete_many()
                    .filter(registration_choice::Column::RegistrationId.eq(old.id))
                    .exec(&txn)
                    .await?;
                let mut a = reg;
                a.id = Set(old.id);
                a.created_at = Set(old.created_at);
                a.update(&txn).await?
            }
            None => {
                // The same person's other submission may have just registered them:
                // then this one answers like a second sign-up and queues nothing.
                let inserted = registration::Entity::insert(reg)
                    .on_conflict(
                        OnConflict::columns([
                            registration::Column::CampaignId,
                            registration::Column::EmployeeId,
                        ])
                        .do_nothing()
                        .to_owned(),
                    )
                    .exec_without_returning(&txn)
                    .await?;
                let found = registration::Entity::find()
                    .filter(registration::Column::CampaignId.eq(page.campaign.id))
                    .filter(registration::Column::EmployeeId.eq(person.id))
                    .one(&txn)
                    .await?
                    .ok_or(StorageError::NotFound("registration"))?;
                if inserted == 0 {
                    txn.rollback().await?;
                    return Ok(RegisterOutcome {
                        registration: self.registration_view(found.id).await?,
                        created: false,
                        confirm_token: None,
                    });
                }
                found
            }
        };
        if let Some(partner) = duo_of {
            registration::Entity::update_many()
                .col_expr(
                    registration::Column::DuoRegistrationId,
                    sea_orm::sea_query::Expr::value(reg.id),
                )
                .filter(registration::Column::Id.eq(partner))
                .exec(&txn)
                .await?;
        }
        let mut rows = Vec::with_capacity(ids.len());
        for (i, mission_id) in ids.iter().enumerate() {
            let row = registration_choice::ActiveModel {
                organization_id: Set(org.0),
                registration_id: Set(reg.id),
                mission_id: Set(*mission_id),
                rank: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
                status: Set(choice::PENDING.to_owned()),
                updated_at: Set(t),
                ..Default::default()
            }
            .insert(&txn)
            .await?;
            rows.push(row);
        }
        let outcome = RegisterOutcome {
            registration: super::view_of(&reg, &person, rows, &Default::default()),
            created: true,
            confirm_token: Some(token),
        };
        crate::outbox::queue(&txn, follow(&outcome)).await?;
        txn.commit().await?;
        Ok(outcome)
    }

    /// A new confirmation token for a pending registration (the previous one stops working).
    /// `follow` names the messages that carry it, queued in the same transaction.
    pub async fn renew_confirmation(
        &self,
        registration_id: i64,
        confirm_valid: Duration,
        follow: impl FnOnce(i64, &str) -> Vec<NewMessage> + Send,
    ) -> Result<Option<String>, StorageError> {
        let txn = self.write_txn().await?;
        let Some(reg) = registration::Entity::find_by_id(registration_id)
            .one(&txn)
            .await?
        else {
            return Err(StorageError::NotFound("registration"));
        };
        if reg.status != status::PENDING {
            return Ok(None);
        }
        let (token, hash, _) = generate_token("dcc");
        let mut a: registration::ActiveModel = reg.into();
        a.confirm_token_hash = Set(Some(hash));
        a.confirm_expires_at = Set(Some(now() + confirm_valid));
        a.updated_at = Set(now());
        a.update(&txn).await?;
        crate::outbox::queue(&txn, follow(registration_id, &token)).await?;
        txn.commit().await?;
        Ok(Some(token))
    }

    /// A registration with its choices, for the personal page and mails.
    pub async fn registration_view(&self, id: i64) -> Result<RegistrationView, StorageError> {
        let reg = registration::Entity::find_by_id(id)
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("registration"))?;
        let person = employee::Entity::find_by_id(reg.employee_id)
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("employee"))?;
        let rows = registration_choice::Entity::find()
            .filter(registration_choice::Column::RegistrationId.eq(id))
            .all(self.db())
            .await?;
        let mut positions = std::collections::HashMap::new();
        for c in rows.iter().filter(|c| c.status == choice::WAITLISTED) {
            positions.insert(c.id, super::seats::position(self.db(), c).await?);
        }
        Ok(super::view_of(&reg, &person, rows, &positions))
    }

    /// The first name of the colleague whose link brought a registration, if any
    /// (and if they are still in the directory).
    pub async fn referrer_first_name(
        &self,
        registration_id: i64,
    ) -> Result<Option<String>, StorageError> {
        let Some((org, referrer)) = registration::Entity::find_by_id(registration_id)
            .one(self.db())
            .await?
            .and_then(|r| r.referrer_employee_id.map(|e| (r.organization_id, e)))
        else {
            return Ok(None);
        };
        Ok(employee::Entity::find_by_id(referrer)
            .filter(employee::Column::OrganizationId.eq(org))
            .filter(employee::Column::Active.eq(true))
            .one(self.db())
            .await?
            .map(|e| e.first_name)
            .filter(|n| !n.trim().is_empty()))
    }

    /// The nonce behind a registration's personal-page link.
    pub async fn manage_nonce(&self, id: i64) -> Result<Option<String>, StorageError> {
        Ok(registration::Entity::find_by_id(id)
            .one(self.db())
            .await?
            .map(|r| r.manage_nonce))
    }
}

impl Store {
    /// The pending registration of `email` for the page's campaign, if any.
    pub async fn pending_registration_id(
        &self,
        page: &PublicCampaign,
        email: &str,
    ) -> Result<Option<i64>, StorageError> {
        let Some(email) = declic_directory::normalize_email(email) else {
            return Ok(None);
        };
        let Some(person) = employee::Entity::find()
            .filter(employee::Column::OrganizationId.eq(page.organization.id))
            .filter(employee::Column::Email.eq(email))
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        Ok(registration::Entity::find()
            .filter(registration::Column::CampaignId.eq(page.campaign.id))
            .filter(registration::Column::EmployeeId.eq(person.id))
            .filter(registration::Column::Status.eq(status::PENDING))
            .one(self.db())
            .await?
            .map(|r| r.id))
    }
}

impl Store {
    /// Forgets the people who signed up with an address the directory did not hold
    /// and never confirmed: once every confirmation link they had has lapsed (or the
    /// sign-up was cancelled), the provisional person, their sign-ups and their
    /// messages are deleted, leaving nothing behind. Answers how many were forgotten.
    pub async fn purge_unconfirmed_sign_ups(&self, dry_run: bool) -> Result<u64, StorageError> {
        let t = now();
        let txn = self.write_txn().await?;
        let people = employee::Entity::find()
            .filter(employee::Column::Provisional.eq(true))
            .all(&txn)
            .await?;
        if people.is_empty() {
            txn.rollback().await?;
            return Ok(0);
        }
        let ids: Vec<i64> = people.iter().map(|p| p.id).collect();
        let regs = registration::Entity::find()
            .filter(registration::Column::EmployeeId.is_in(ids.clone()))
            .all(&txn)
            .await?;
        let gone: Vec<i64> = ids
            .into_iter()
            .filter(|id| {
                regs.iter().filter(|r| r.employee_id == *id).all(|r| {
                    r.confirmed_at.is_none()
                        && (r.status == status::CANCELLED
                            || r.confirm_expires_at.is_none_or(|e| e < t))
                })
            })
            .collect();
        if gone.is_empty() {
            txn.rollback().await?;
            return Ok(0);
        }
        let reg_ids: Vec<i64> = regs
            .iter()
            .filter(|r| gone.contains(&r.employee_id))
            .map(|r| r.id)
            .collect();
        // A colleague's sign-up that named one of these as its duo forgets the link.
        registration::Entity::update_many()
            .col_expr(
                registration::Column::DuoRegistrationId,
                sea_orm::sea_query::Expr::value(Option::<i64>::None),
            )
            .filter(registration::Column::DuoRegistrationId.is_in(reg_ids.clone()))
            .exec(&txn)
            .await?;
        registration_choice::Entity::delete_many()
            .filter(registration_choice::Column::RegistrationId.is_in(reg_ids.clone()))
            .exec(&txn)
            .await?;
        registration::Entity::delete_many()
            .filter(registration::Column::Id.is_in(reg_ids))
            .exec(&txn)
            .await?;
        // Their messages, opt-outs and deliveries go with them (foreign keys cascade).
        let n = employee::Entity::delete_many()
            .filter(employee::Column::Id.is_in(gone))
            .filter(employee::Column::Provisional.eq(true))
            .exec(&txn)
            .await?
            .rows_affected;
        crate::finish(txn, dry_run).await?;
        Ok(n)
    }
}
