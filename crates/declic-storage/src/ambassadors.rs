//! Ambassadors: invited by HR among people who volunteered before, opted in by
//! themselves, free to opt out at any time; their magic-link sign-in and page sessions.

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{
    ambassador, ambassador_token, employee, organization_domain, registration, registration_choice,
};
use crate::{Actor, OrgId, StorageError, Store, audit, generate_token, hash_token, now};

/// Where an ambassador stands.
pub mod status {
    /// HR invited them; they have not said yes yet.
    pub const INVITED: &str = "invited";
    /// They opted in: their links credit them.
    pub const ACTIVE: &str = "active";
    /// They opted out: no more mails, links or figures shown to others.
    pub const OPTED_OUT: &str = "opted_out";
}

const KIND_SIGN_IN: &str = "sign_in";
const KIND_SESSION: &str = "session";

/// An ambassador as HR and the ambassador see them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ambassador {
    pub id: i64,
    pub employee_id: i64,
    pub email: String,
    pub first_name: String,
    pub language: String,
    pub status: String,
    pub past_volunteer: bool,
    pub leaderboard_opt_in: bool,
    pub invited_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub opted_out_at: Option<DateTime<Utc>>,
}

/// A signed-in ambassador.
#[derive(Debug, Clone)]
pub struct AmbassadorSession {
    pub org: OrgId,
    pub ambassador: Ambassador,
}

fn view(a: ambassador::Model, e: &employee::Model) -> Ambassador {
    Ambassador {
        id: a.id,
        employee_id: a.employee_id,
        email: e.email.clone(),
        first_name: e.first_name.clone(),
        language: e.language.clone().unwrap_or_else(|| "fr".into()),
        status: a.status,
        past_volunteer: a.past_volunteer,
        leaderboard_opt_in: a.leaderboard_opt_in,
        invited_at: a.invited_at,
        accepted_at: a.accepted_at,
        opted_out_at: a.opted_out_at,
    }
}

impl Store {
    /// Invites an employee who volunteered before (an attended mission, or
    /// `past_volunteer` from imported history) to become an ambassador. Inviting
    /// again returns the same record; someone who opted out is not invited again.
    /// Returns the ambassador and whether an invitation is due (a new one).
    ///
    /// `follow` names the messages of a new invitation, queued in the same transaction.
    pub async fn invite_ambassador(
        &self,
        org: OrgId,
        email: &str,
        past_volunteer: bool,
        actor: &Actor,
        follow: impl FnOnce(&Ambassador) -> Vec<crate::outbox::NewMessage> + Send,
    ) -> Result<(Ambassador, bool), StorageError> {
        let email = declic_directory::normalize_email(email)
            .ok_or_else(|| StorageError::invalid("email", "not an email address"))?;
        let txn = self.write_txn().await?;
        let person = employee::Entity::find()
            .filter(employee::Column::OrganizationId.eq(org.0))
            .filter(employee::Column::Email.eq(&email))
            .one(&txn)
            .await?
            .filter(|e| e.active && e.erased_at.is_none() && !e.provisional)
            .ok_or_else(|| StorageError::invalid("email", "no active employee with this email"))?;
        if let Some(a) = ambassador::Entity::find()
            .filter(ambassador::Column::OrganizationId.eq(org.0))
            .filter(ambassador::Column::EmployeeId.eq(person.id))
            .one(&txn)
            .await?
        {
            if a.status == status::OPTED_OUT {
                return Err(StorageError::invalid(
                    "email",
                    "this person opted out of being an ambassador",
                ));
            }
            txn.rollback().await?;
            return Ok((view(a, &person), false));
        }
        let attended = registration_choice::Entity::find()
            .filter(registration_choice::Column::OrganizationId.eq(org.0))
            .filter(registration_choice::Column::Attended.eq(true))
            .filter(
                registration_choice::Column::RegistrationId.in_subquery(
                    sea_orm::sea_query::Query::select()
                        .column(registration::Column::Id)
                        .from(registration::Entity)
                        .and_where(Expr::col(registration::Column::EmployeeId).eq(person.id))
                        .to_owned(),
                ),
            )
            .one(&txn)
            .await?
            .is_some();
        if !attended && !past_volunteer {
            return Err(StorageError::invalid(
                "email",
                "ambassadors are people who volunteered before: mark their attendance, \
                 or set past_volunteer for history from before Declic",
            ));
        }
        let t = now();
        let a = ambassador::ActiveModel {
            organization_id: Set(org.0),
            employee_id: Set(person.id),
            status: Set(status::INVITED.to_owned()),
            past_volunteer: Set(past_volunteer),
            leaderboard_opt_in: Set(false),
            invited_at: Set(t),
            accepted_at: Set(None),
            opted_out_at: Set(None),
            updated_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(StorageError::on_unique("email", "already invited"))?;
        audit::record(
            &txn,
            org,
            actor,
            "ambassador.invite",
            "ambassador",
            Some(a.id),
            serde_json::json!({"employee_id": person.id, "past_volunteer": past_volunteer}),
        )
        .await?;
        let a = view(a, &person);
        crate::outbox::queue(&txn, follow(&a)).await?;
        txn.commit().await?;
        self.caches().referrals_changed(org.0);
        Ok((a, true))
    }

    /// The organisation's ambassadors, every status, by invitation date.
    pub async fn ambassadors(&self, org: OrgId) -> Result<Vec<Ambassador>, StorageError> {
        let rows = ambassador::Entity::find()
            .filter(ambassador::Column::OrganizationId.eq(org.0))
            .order_by_asc(ambassador::Column::Id)
            .all(self.db())
            .await?;
        let people: std::collections::HashMap<i64, employee::Model> = employee::Entity::find()
            .filter(employee::Column::OrganizationId.eq(org.0))
            .filter(employee::Column::Id.is_in(rows.iter().map(|a| a.employee_id)))
            .all(self.db())
            .await?
            .into_iter()
            .map(|e| (e.id, e))
            .collect();
        Ok(rows
            .into_iter()
            .filter_map(|a| {
                let e = people.get(&a.employee_id)?;
                Some(view(a, e))
            })
            .collect())
    }

    /// One ambassador of the organisation.
    pub async fn ambassador(&self, org: OrgId, id: i64) -> Result<Ambassador, StorageError> {
        let a = ambassador::Entity::find_by_id(id)
            .filter(ambassador::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("ambassador"))?;
        let e = employee::Entity::find_by_id(a.employee_id)
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("employee"))?;
        Ok(view(a, &e))
    }

    /// The ambassador record of an employee who opted in, if any.
    pub async fn active_ambassador_of(
        &self,
        org: OrgId,
        employee_id: i64,
    ) -> Result<Option<i64>, StorageError> {
        Ok(ambassador::Entity::find()
            .filter(ambassador::Column::OrganizationId.eq(org.0))
            .filter(ambassador::Column::EmployeeId.eq(employee_id))
            .filter(ambassador::Column::Status.eq(status::ACTIVE))
            .one(self.db())
            .await?
            .map(|a| a.id))
    }

    /// A single-use sign-in link for the ambassador (invited or active) with this
    /// address, valid `minutes`. `None` when there is none: the caller answers the
    /// same either way.
    ///
    /// `follow` names the messages that carry the link (given the token, the
    /// ambassador and the link's expiry), queued with the token in one transaction.
    pub async fn request_ambassador_sign_in(
        &self,
        email: &str,
        minutes: u32,
        follow: impl FnOnce(&str, &Ambassador, DateTime<Utc>) -> Vec<crate::outbox::NewMessage> + Send,
    ) -> Result<Option<(String, Ambassador, OrgId)>, StorageError> {
        let Some(email) = declic_directory::normalize_email(email) else {
            return Ok(None);
        };
        let Some((_, domain)) = email.rsplit_once('@') else {
            return Ok(None);
        };
        for d in organization_domain::Entity::find()
            .filter(organization_domain::Column::Domain.eq(domain))
            .all(self.db())
            .await?
        {
            let org = OrgId(d.organization_id);
            let Some(person) = employee::Entity::find()
                .filter(employee::Column::OrganizationId.eq(org.0))
                .filter(employee::Column::Email.eq(&email))
                .one(self.db())
                .await?
                .filter(|e| e.active && e.erased_at.is_none() && !e.provisional)
            else {
                continue;
            };
            let Some(a) = ambassador::Entity::find()
                .filter(ambassador::Column::OrganizationId.eq(org.0))
                .filter(ambassador::Column::EmployeeId.eq(person.id))
                // Someone who opted out may ask for a link too: to say yes again.
                .one(self.db())
                .await?
            else {
                continue;
            };
            let valid = Duration::minutes(i64::from(Ord::max(minutes, 1)));
            let a = view(a, &person);
            let txn = self.write_txn().await?;
            let token = new_ambassador_token(&txn, org, a.id, KIND_SIGN_IN, valid).await?;
            crate::outbox::queue(&txn, follow(&token, &a, now() + valid)).await?;
            txn.commit().await?;
            return Ok(Some((token, a, org)));
        }
        Ok(None)
    }

    async fn new_ambassador_token(
        &self,
        org: OrgId,
        ambassador_id: i64,
        kind: &str,
        valid: Duration,
    ) -> Result<String, StorageError> {
        new_ambassador_token(self.writer(), org, ambassador_id, kind, valid).await
    }

    async fn ambassador_by_token(
        &self,
        plain: &str,
        kind: &str,
    ) -> Result<Option<(ambassador_token::Model, AmbassadorSession)>, StorageError> {
        if plain.len() > 100 {
            return Ok(None);
        }
        let Some(tok) = ambassador_token::Entity::find()
            .filter(ambassador_token::Column::TokenHash.eq(hash_token(plain)))
            .filter(ambassador_token::Column::Kind.eq(kind))
            .one(self.db())
            .await?
            .filter(|t| t.used_at.is_none() && t.expires_at > now())
        else {
            return Ok(None);
        };
        let org = OrgId(tok.organization_id);
        let a = self.ambassador(org, tok.ambassador_id).await?;
        // Someone who left the directory (or was erased) has no page any more.
        let present = employee::Entity::find_by_id(a.employee_id)
            .one(self.db())
            .await?
            .is_some_and(|e| e.active && e.erased_at.is_none());
        if !present {
            return Ok(None);
        }
        Ok(Some((tok, AmbassadorSession { org, ambassador: a })))
    }

    /// Whether a sign-in link is still good (viewing the page does not use it up).
    pub async fn peek_ambassador_sign_in(&self, plain: &str) -> Result<bool, StorageError> {
        Ok(self
            .ambassador_by_token(plain, KIND_SIGN_IN)
            .await?
            .is_some())
    }

    /// Uses up a sign-in link and opens a page session of `hours`.
    pub async fn ambassador_sign_in(
        &self,
        plain: &str,
        hours: u32,
    ) -> Result<Option<(String, AmbassadorSession)>, StorageError> {
        let Some((tok, session)) = self.ambassador_by_token(plain, KIND_SIGN_IN).await? else {
            return Ok(None);
        };
        // Conditional update: of two concurrent uses, only one changes the row.
        let done = ambassador_token::Entity::update_many()
            .col_expr(ambassador_token::Column::UsedAt, Expr::value(now()))
            .filter(ambassador_token::Column::Id.eq(tok.id))
            .filter(ambassador_token::Column::UsedAt.is_null())
            .exec(self.writer())
            .await?;
        if done.rows_affected != 1 {
            return Ok(None);
        }
        let token = self
            .new_ambassador_token(
                session.org,
                session.ambassador.id,
                KIND_SESSION,
                Duration::hours(i64::from(Ord::max(hours, 1))),
            )
            .await?;
        Ok(Some((token, session)))
    }

    /// The ambassador behind a page session, if it is still open.
    pub async fn ambassador_session(
        &self,
        plain: &str,
    ) -> Result<Option<AmbassadorSession>, StorageError> {
        Ok(self
            .ambassador_by_token(plain, KIND_SESSION)
            .await?
            .map(|(_, s)| s))
    }

    /// Ends a page session.
    pub async fn end_ambassador_session(&self, plain: &str) -> Result<(), StorageError> {
        ambassador_token::Entity::update_many()
            .col_expr(ambassador_token::Column::UsedAt, Expr::value(now()))
            .filter(ambassador_token::Column::TokenHash.eq(hash_token(plain)))
            .filter(ambassador_token::Column::Kind.eq(KIND_SESSION))
            .exec(self.writer())
            .await?;
        Ok(())
    }

    /// The ambassador's own answers: opt in, opt out (which ends their sessions and
    /// hides them from leaderboards), or show/hide their name on the leaderboard.
    pub async fn ambassador_choice(
        &self,
        org: OrgId,
        id: i64,
        choice: AmbassadorChoice,
    ) -> Result<Ambassador, StorageError> {
        let txn = self.write_txn().await?;
        let a = ambassador::Entity::find_by_id(id)
            .filter(ambassador::Column::OrganizationId.eq(org.0))
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("ambassador"))?;
        let t = now();
        let mut m: ambassador::ActiveModel = a.clone().into();
        match choice {
            // Yes, for the first time or again after opting out: their own decision.
            AmbassadorChoice::Accept => {
                if a.status != status::ACTIVE {
                    m.status = Set(status::ACTIVE.to_owned());
                    m.accepted_at = Set(Some(t));
                    m.opted_out_at = Set(None);
                }
            }
            AmbassadorChoice::OptOut => {
                m.status = Set(status::OPTED_OUT.to_owned());
                m.opted_out_at = Set(Some(t));
                m.leaderboard_opt_in = Set(false);
                ambassador_token::Entity::update_many()
                    .col_expr(ambassador_token::Column::UsedAt, Expr::value(t))
                    .filter(ambassador_token::Column::AmbassadorId.eq(id))
                    .filter(ambassador_token::Column::UsedAt.is_null())
                    .exec(&txn)
                    .await?;
            }
            AmbassadorChoice::Leaderboard(show) => {
                if a.status != status::ACTIVE {
                    return Err(StorageError::invalid("status", "say yes first"));
                }
                m.leaderboard_opt_in = Set(show);
            }
        }
        m.updated_at = Set(t);
        let a = m.update(&txn).await?;
        txn.commit().await?;
        self.caches().referrals_changed(org.0);
        self.ambassador(org, a.id).await
    }

    /// Removes an erased person's ambassador record (and its tokens, by cascade).
    pub(crate) async fn forget_ambassador<C: sea_orm::ConnectionTrait>(
        db: &C,
        org: OrgId,
        employee_id: i64,
    ) -> Result<(), StorageError> {
        let rows = ambassador::Entity::find()
            .filter(ambassador::Column::OrganizationId.eq(org.0))
            .filter(ambassador::Column::EmployeeId.eq(employee_id))
            .all(db)
            .await?;
        for a in rows {
            ambassador_token::Entity::delete_many()
                .filter(ambassador_token::Column::AmbassadorId.eq(a.id))
                .exec(db)
                .await?;
            ambassador::Entity::delete_by_id(a.id).exec(db).await?;
        }
        Ok(())
    }
}

/// What an ambassador decides on their page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmbassadorChoice {
    Accept,
    OptOut,
    Leaderboard(bool),
}

/// A new token for an ambassador (a sign-in link or a page session), written through `db`.
async fn new_ambassador_token<C: sea_orm::ConnectionTrait>(
    db: &C,
    org: OrgId,
    ambassador_id: i64,
    kind: &str,
    valid: Duration,
) -> Result<String, StorageError> {
    let (plain, hash, _) = generate_token(if kind == KIND_SESSION { "das" } else { "dal" });
    let t = now();
    ambassador_token::ActiveModel {
        organization_id: Set(org.0),
        ambassador_id: Set(ambassador_id),
        kind: Set(kind.to_owned()),
        token_hash: Set(hash),
        expires_at: Set(t + valid),
        used_at: Set(None),
        created_at: Set(t),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(plain)
}
