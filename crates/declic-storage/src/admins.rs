//! Admin accounts, their roles, API tokens and one-time sign-in links.

use chrono::{DateTime, Duration, Utc};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::entity::{admin, credential};
use crate::{Actor, OrgId, StorageError, Store, audit, generate_token, hash_token, now};

/// What an admin may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including accounts and tokens.
    Owner,
    /// Campaigns, missions, associations and the directory.
    CampaignManager,
    /// Reads, never changes.
    Viewer,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::CampaignManager => "campaign_manager",
            Self::Viewer => "viewer",
        }
    }

    /// Parses a stored or typed role name.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "owner" => Some(Self::Owner),
            "campaign_manager" | "manager" => Some(Self::CampaignManager),
            "viewer" => Some(Self::Viewer),
            _ => None,
        }
    }

    /// May change campaigns, missions, associations and the directory.
    pub fn can_manage(self) -> bool {
        matches!(self, Self::Owner | Self::CampaignManager)
    }

    /// May manage accounts, tokens, the organisation and personal-data requests.
    pub fn is_owner(self) -> bool {
        self == Self::Owner
    }
}

/// An admin account as the API shows it (never the password hash).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Admin {
    pub id: i64,
    pub email: String,
    pub role: Role,
    pub has_password: bool,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

/// An API token's metadata; the secret itself is shown once, at creation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ApiToken {
    pub id: i64,
    pub admin_id: i64,
    pub name: String,
    /// The first characters of the token, to recognise it.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Who a valid credential belongs to.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub org: OrgId,
    pub admin_id: i64,
    pub email: String,
    pub role: Role,
    pub credential_id: i64,
}

const KIND_API: &str = "api";
/// The longest validity of an API token: ten years.
pub const MAX_TOKEN_DAYS: u32 = 3650;
pub(crate) const KIND_SIGN_IN: &str = "sign_in";
pub(crate) const KIND_SESSION: &str = "session";

/// Normalises and checks an admin's email address.
pub fn normalize_admin_email(raw: &str) -> Result<String, StorageError> {
    declic_directory::normalize_email(raw).ok_or_else(|| {
        StorageError::invalid("email", format!("`{}` is not an email address", raw.trim()))
    })
}

impl Store {
    /// Creates an admin account; `password_hash` may be absent (sign-in link instead).
    pub async fn create_admin(
        &self,
        org: OrgId,
        email: &str,
        role: Role,
        password_hash: Option<String>,
        actor: &Actor,
    ) -> Result<Admin, StorageError> {
        let email = normalize_admin_email(email)?;
        let txn = self.write_txn().await?;
        let model = admin::ActiveModel {
            organization_id: Set(org.0),
            email: Set(email.clone()),
            role: Set(role.as_str().to_owned()),
            password_hash: Set(password_hash),
            created_at: Set(now()),
            disabled_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(StorageError::on_unique(
            "email",
            format!("an admin with email {email} already exists"),
        ))?;
        audit::record(
            &txn,
            org,
            actor,
            "admin.create",
            "admin",
            Some(model.id),
            serde_json::json!({"email": email, "role": role}),
        )
        .await?;
        txn.commit().await?;
        Ok(admin_view(model))
    }

    /// Lists the organisation's admins.
    pub async fn admins(&self, org: OrgId) -> Result<Vec<Admin>, StorageError> {
        Ok(admin::Entity::find()
            .filter(admin::Column::OrganizationId.eq(org.0))
            .order_by_asc(admin::Column::Email)
            .all(self.db())
            .await?
            .into_iter()
            .map(admin_view)
            .collect())
    }

    /// Finds an admin by email within an organisation.
    pub async fn admin_by_email(
        &self,
        org: OrgId,
        email: &str,
    ) -> Result<admin::Model, StorageError> {
        let email = normalize_admin_email(email)?;
        admin::Entity::find()
            .filter(admin::Column::OrganizationId.eq(org.0))
            .filter(admin::Column::Email.eq(email))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("admin"))
    }

    async fn admin_in_org(&self, org: OrgId, id: i64) -> Result<admin::Model, StorageError> {
        admin::Entity::find_by_id(id)
            .filter(admin::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("admin"))
    }

    /// Changes an admin's role or disables/enables the account; the last owner cannot be demoted or disabled.
    pub async fn update_admin(
        &self,
        org: OrgId,
        id: i64,
        role: Option<Role>,
        disabled: Option<bool>,
        actor: &Actor,
    ) -> Result<Admin, StorageError> {
        let txn = self.write_txn().await?;
        let current = admin::Entity::find_by_id(id)
            .filter(admin::Column::OrganizationId.eq(org.0))
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("admin"))?;
        let loses_owner = current.role == Role::Owner.as_str()
            && (role.is_some_and(|r| r != Role::Owner) || disabled == Some(true));
        if loses_owner {
            let owners = admin::Entity::find()
                .filter(admin::Column::OrganizationId.eq(org.0))
                .filter(admin::Column::Role.eq(Role::Owner.as_str()))
                .filter(admin::Column::DisabledAt.is_null())
                .all(&txn)
                .await?;
            if owners.len() <= 1 {
                return Err(StorageError::invalid(
                    "role",
                    "an organisation keeps at least one active owner",
                ));
            }
        }
        let mut active: admin::ActiveModel = current.into();
        if let Some(r) = role {
            active.role = Set(r.as_str().to_owned());
        }
        match disabled {
            Some(true) => active.disabled_at = Set(Some(now())),
            Some(false) => active.disabled_at = Set(None),
            None => {}
        }
        let model = active.update(&txn).await?;
        audit::record(
            &txn,
            org,
            actor,
            "admin.update",
            "admin",
            Some(id),
            serde_json::json!({"role": role, "disabled": disabled}),
        )
        .await?;
        txn.commit().await?;
        Ok(admin_view(model))
    }

    /// Sets an admin's password hash.
    pub async fn set_admin_password(
        &self,
        org: OrgId,
        id: i64,
        hash: String,
        actor: &Actor,
    ) -> Result<(), StorageError> {
        let txn = self.write_txn().await?;
        let current = admin::Entity::find_by_id(id)
            .filter(admin::Column::OrganizationId.eq(org.0))
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("admin"))?;
        let email = current.email.clone();
        let mut active: admin::ActiveModel = current.into();
        active.password_hash = Set(Some(hash));
        active.update(&txn).await?;
        // A password set through a mailed link lifts a lockout on the address, and
        // ends the account's other sessions (whoever knew the old password is out).
        crate::entity::sign_in_throttle::Entity::delete_many()
            .filter(
                crate::entity::sign_in_throttle::Column::AddressHash
                    .eq(crate::sign_in::address_hash(&email)),
            )
            .exec(&txn)
            .await?;
        credential::Entity::update_many()
            .col_expr(
                credential::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(now()),
            )
            .filter(credential::Column::AdminId.eq(id))
            .filter(credential::Column::Kind.eq(KIND_SESSION))
            .filter(credential::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        audit::record(
            &txn,
            org,
            actor,
            "admin.password",
            "admin",
            Some(id),
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Creates an API token for an admin; returns its metadata and the secret, shown once.
    pub async fn create_api_token(
        &self,
        org: OrgId,
        admin_id: i64,
        name: &str,
        valid_days: u32,
        actor: &Actor,
    ) -> Result<(ApiToken, String), StorageError> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(StorageError::invalid(
                "name",
                "give the token a name of 1 to 100 characters",
            ));
        }
        let owner = self.admin_in_org(org, admin_id).await?;
        if owner.disabled_at.is_some() {
            return Err(StorageError::invalid(
                "admin",
                "this admin account is disabled",
            ));
        }
        if valid_days > MAX_TOKEN_DAYS {
            return Err(StorageError::invalid(
                "valid_days",
                format!("at most {MAX_TOKEN_DAYS} days"),
            ));
        }
        let expires = (valid_days > 0).then(|| now() + Duration::days(i64::from(valid_days)));
        let (plain, model) = self
            .insert_credential(org, admin_id, KIND_API, name, expires, actor)
            .await?;
        Ok((token_view(model), plain))
    }

    /// Creates a one-time sign-in link token for an admin, valid for `minutes`;
    /// `follow` names the messages that carry it (given the token and its expiry),
    /// queued in the same transaction.
    pub async fn create_sign_in_token(
        &self,
        org: OrgId,
        admin_id: i64,
        minutes: u32,
        actor: &Actor,
        follow: impl FnOnce(&str, DateTime<Utc>) -> Vec<crate::outbox::NewMessage> + Send,
    ) -> Result<String, StorageError> {
        self.admin_in_org(org, admin_id).await?;
        let expires = now() + Duration::minutes(i64::from(minutes.max(1)));
        let (plain, _) = self
            .insert_credential_then(
                org,
                admin_id,
                KIND_SIGN_IN,
                "sign-in link",
                Some(expires),
                actor,
                |token| follow(token, expires),
            )
            .await?;
        Ok(plain)
    }

    async fn insert_credential(
        &self,
        org: OrgId,
        admin_id: i64,
        kind: &str,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
        actor: &Actor,
    ) -> Result<(String, credential::Model), StorageError> {
        self.insert_credential_then(org, admin_id, kind, name, expires_at, actor, |_| Vec::new())
            .await
    }

    /// [`Self::insert_credential`], queuing the messages `follow` names for the new
    /// token (a mailed link) in the same transaction.
    #[expect(
        clippy::too_many_arguments,
        reason = "the credential's fields, one each"
    )]
    async fn insert_credential_then(
        &self,
        org: OrgId,
        admin_id: i64,
        kind: &str,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
        actor: &Actor,
        follow: impl FnOnce(&str) -> Vec<crate::outbox::NewMessage> + Send,
    ) -> Result<(String, credential::Model), StorageError> {
        let prefix = match kind {
            KIND_API => "dcl",
            KIND_SESSION => "dse",
            _ => "dcs",
        };
        let (plain, hash, shown) = generate_token(prefix);
        let txn = self.write_txn().await?;
        let model = credential::ActiveModel {
            organization_id: Set(org.0),
            admin_id: Set(admin_id),
            kind: Set(kind.to_owned()),
            name: Set(name.to_owned()),
            token_hash: Set(hash),
            token_prefix: Set(shown),
            created_at: Set(now()),
            expires_at: Set(expires_at),
            last_used_at: Set(None),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        audit::record(
            &txn,
            org,
            actor,
            &format!("credential.create.{kind}"),
            "credential",
            Some(model.id),
            serde_json::json!({"admin_id": admin_id, "name": name}),
        )
        .await?;
        crate::outbox::queue(&txn, follow(&plain)).await?;
        txn.commit().await?;
        Ok((plain, model))
    }

    /// The organisation's API tokens (optionally one admin's), newest first.
    pub async fn api_tokens(
        &self,
        org: OrgId,
        admin_id: Option<i64>,
    ) -> Result<Vec<ApiToken>, StorageError> {
        let mut q = credential::Entity::find()
            .filter(credential::Column::OrganizationId.eq(org.0))
            .filter(credential::Column::Kind.eq(KIND_API))
            .order_by_desc(credential::Column::Id);
        if let Some(a) = admin_id {
            q = q.filter(credential::Column::AdminId.eq(a));
        }
        Ok(q.all(self.db())
            .await?
            .into_iter()
            .map(token_view)
            .collect())
    }

    /// Revokes an API token; `only_admin` restricts it to one admin's tokens.
    pub async fn revoke_api_token(
        &self,
        org: OrgId,
        id: i64,
        only_admin: Option<i64>,
        actor: &Actor,
    ) -> Result<ApiToken, StorageError> {
        let txn = self.write_txn().await?;
        let mut q = credential::Entity::find_by_id(id)
            .filter(credential::Column::OrganizationId.eq(org.0))
            .filter(credential::Column::Kind.eq(KIND_API));
        if let Some(a) = only_admin {
            q = q.filter(credential::Column::AdminId.eq(a));
        }
        let model = q.one(&txn).await?.ok_or(StorageError::NotFound("token"))?;
        let model = if model.revoked_at.is_none() {
            let mut active: credential::ActiveModel = model.into();
            active.revoked_at = Set(Some(now()));
            active.update(&txn).await?
        } else {
            model
        };
        audit::record(
            &txn,
            org,
            actor,
            "credential.revoke",
            "credential",
            Some(id),
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(token_view(model))
    }

    /// Resolves a bearer token to its admin, or `None` when unknown, revoked, expired or disabled.
    pub async fn authenticate_api_token(
        &self,
        plain: &str,
    ) -> Result<Option<Authenticated>, StorageError> {
        self.authenticate(plain, KIND_API).await
    }

    /// Opens a page session for an admin, valid `hours`; returns the cookie value.
    pub async fn create_session(
        &self,
        org: OrgId,
        admin_id: i64,
        hours: u32,
        actor: &Actor,
    ) -> Result<String, StorageError> {
        let expires = now() + Duration::hours(i64::from(hours.max(1)));
        let (plain, _) = self
            .insert_credential(
                org,
                admin_id,
                KIND_SESSION,
                "page session",
                Some(expires),
                actor,
            )
            .await?;
        Ok(plain)
    }

    /// Resolves a session cookie, or `None` when unknown, ended or expired.
    pub async fn authenticate_session(
        &self,
        plain: &str,
    ) -> Result<Option<Authenticated>, StorageError> {
        self.authenticate(plain, KIND_SESSION).await
    }

    /// Ends a page session.
    pub async fn end_session(&self, plain: &str) -> Result<(), StorageError> {
        credential::Entity::update_many()
            .col_expr(
                credential::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(now()),
            )
            .filter(credential::Column::TokenHash.eq(hash_token(plain)))
            .filter(credential::Column::Kind.eq(KIND_SESSION))
            .filter(credential::Column::RevokedAt.is_null())
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// Checks a one-time sign-in token without using it up (for showing the form:
    /// mail scanners fetch links, so only the form submission consumes it).
    pub async fn peek_sign_in_token(
        &self,
        plain: &str,
    ) -> Result<Option<Authenticated>, StorageError> {
        self.authenticate(plain, KIND_SIGN_IN).await
    }

    /// Consumes a one-time sign-in token (it cannot be used twice).
    pub async fn consume_sign_in_token(
        &self,
        plain: &str,
    ) -> Result<Option<Authenticated>, StorageError> {
        let Some(auth) = self.authenticate(plain, KIND_SIGN_IN).await? else {
            return Ok(None);
        };
        // Revoking with a condition makes concurrent uses race safely: only one updates the row.
        let done = credential::Entity::update_many()
            .col_expr(
                credential::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(now()),
            )
            .filter(credential::Column::Id.eq(auth.credential_id))
            .filter(credential::Column::RevokedAt.is_null())
            .exec(self.writer())
            .await?;
        if done.rows_affected != 1 {
            return Ok(None);
        }
        // The other links mailed to this account stop working: the one used was the
        // account's, whoever else may have a copy of an older one.
        credential::Entity::update_many()
            .col_expr(
                credential::Column::RevokedAt,
                sea_orm::sea_query::Expr::value(now()),
            )
            .filter(credential::Column::AdminId.eq(auth.admin_id))
            .filter(credential::Column::Kind.eq(KIND_SIGN_IN))
            .filter(credential::Column::RevokedAt.is_null())
            .exec(self.writer())
            .await?;
        Ok(Some(auth))
    }

    async fn authenticate(
        &self,
        plain: &str,
        kind: &str,
    ) -> Result<Option<Authenticated>, StorageError> {
        let Some(cred) = credential::Entity::find()
            .filter(credential::Column::TokenHash.eq(hash_token(plain)))
            .filter(credential::Column::Kind.eq(kind))
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        let t = now();
        if cred.revoked_at.is_some() || cred.expires_at.is_some_and(|e| e <= t) {
            return Ok(None);
        }
        let Some(owner) = admin::Entity::find_by_id(cred.admin_id)
            .one(self.db())
            .await?
        else {
            return Ok(None);
        };
        let Some(role) = Role::parse(&owner.role) else {
            return Ok(None);
        };
        if owner.disabled_at.is_some() || owner.organization_id != cred.organization_id {
            return Ok(None);
        }
        // Record use at most once a minute: a write per request would serialise SQLite.
        if cred
            .last_used_at
            .is_none_or(|u| t - u > Duration::minutes(1))
        {
            credential::Entity::update_many()
                .col_expr(
                    credential::Column::LastUsedAt,
                    sea_orm::sea_query::Expr::value(t),
                )
                .filter(credential::Column::Id.eq(cred.id))
                .exec(self.db())
                .await?;
        }
        Ok(Some(Authenticated {
            org: OrgId(cred.organization_id),
            admin_id: owner.id,
            email: owner.email,
            role,
            credential_id: cred.id,
        }))
    }
}

fn admin_view(m: admin::Model) -> Admin {
    Admin {
        id: m.id,
        role: Role::parse(&m.role).unwrap_or(Role::Viewer),
        email: m.email,
        has_password: m.password_hash.is_some(),
        created_at: m.created_at,
        disabled_at: m.disabled_at,
    }
}

fn token_view(m: credential::Model) -> ApiToken {
    ApiToken {
        id: m.id,
        admin_id: m.admin_id,
        name: m.name,
        prefix: m.token_prefix,
        created_at: m.created_at,
        expires_at: m.expires_at,
        last_used_at: m.last_used_at,
        revoked_at: m.revoked_at,
    }
}
