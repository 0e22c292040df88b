//! Password sign-in for the browser console: slowdown, then lockout, after
//! consecutive failures on one address.
//!
//! The throttle is keyed by a hash of the address, whether an account has it or not,
//! so its answers tell nothing about which addresses exist. Each attempt first
//! reserves its place with one conditional update (so parallel requests cannot slip
//! past the limit), then the password is checked. After [`SLOW_AFTER`] failures each
//! further one makes the address wait a doubling delay; [`LOCK_AFTER`] failures lock
//! it for the configured minutes, after which the count starts over. A password set
//! through a mailed reset link lifts the lock (`Store::set_admin_password`).

use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set, SqlErr};

use crate::admins::{Authenticated, normalize_admin_email};
use crate::entity::{admin, sign_in_throttle as throttle};
use crate::{Actor, OrgId, StorageError, Store, hash_password, hash_token, now, verify_password};

/// Failures allowed before each further one imposes a wait.
pub const SLOW_AFTER: i32 = 3;
/// Failures that lock the address.
pub const LOCK_AFTER: i32 = 10;

/// How the sign-in throttles an address.
#[derive(Debug, Clone, Copy)]
pub struct Throttle {
    /// The first wait, doubled at each further failure (capped at 5 minutes); 0 disables the slowdown.
    pub slowdown_secs: i64,
    /// How long a lockout lasts.
    pub lockout_minutes: i64,
}

/// What a password sign-in attempt led to.
#[derive(Debug)]
pub enum PasswordSignIn {
    /// A session was opened: the cookie value and who it belongs to.
    Opened {
        session: String,
        auth: Authenticated,
    },
    /// Wrong address or password.
    Refused,
    /// Too many failures: no attempt is checked before `until`.
    Wait { until: DateTime<Utc>, locked: bool },
}

/// The throttle's key for an address (SHA-256 of the normalised address).
pub fn address_hash(email: &str) -> String {
    let normal = normalize_admin_email(email).unwrap_or_else(|_| email.trim().to_lowercase());
    hash_token(&format!("sign-in|{normal}"))
}

/// A hash to check unknown addresses against, so they take as long as known ones.
fn decoy_hash() -> &'static str {
    static H: OnceLock<String> = OnceLock::new();
    H.get_or_init(|| hash_password("decoy password for unknown addresses").unwrap_or_default())
}

impl Store {
    /// Checks an address and password; opens a page session of `session_hours` on success.
    pub async fn sign_in_with_password(
        &self,
        email: &str,
        password: &str,
        session_hours: u32,
        throttle: Throttle,
        request_id: Option<String>,
    ) -> Result<PasswordSignIn, StorageError> {
        let key = address_hash(email);
        if let Some(wait) = self.reserve_attempt(&key, throttle).await? {
            return Ok(wait);
        }
        let accounts = self.enabled_accounts(email).await?;
        // Argon2 takes tens of milliseconds of CPU: off the async runtime.
        let hashes: Vec<Option<String>> =
            accounts.iter().map(|a| a.password_hash.clone()).collect();
        let password = password.to_owned();
        let matched = tokio::task::spawn_blocking(move || {
            if hashes.iter().all(Option::is_none) {
                verify_password(decoy_hash(), &password);
                return None;
            }
            hashes
                .iter()
                .position(|h| h.as_deref().is_some_and(|h| verify_password(h, &password)))
        })
        .await
        .map_err(|e| StorageError::Unavailable(e.to_string()))?;
        let Some(account) = matched.and_then(|i| accounts.into_iter().nth(i)) else {
            self.after_failure(&key, throttle).await?;
            return Ok(PasswordSignIn::Refused);
        };
        throttle::Entity::delete_many()
            .filter(throttle::Column::AddressHash.eq(key))
            .exec(self.db())
            .await?;
        let actor = Actor {
            admin_id: Some(account.id),
            label: account.email.clone(),
            request_id,
        };
        let session = self
            .create_session(
                OrgId(account.organization_id),
                account.id,
                session_hours,
                &actor,
            )
            .await?;
        let auth = self
            .authenticate_session(&session)
            .await?
            .ok_or(StorageError::NotFound("session"))?;
        Ok(PasswordSignIn::Opened { session, auth })
    }

    /// Counts the attempt before it is checked; `Some(wait)` when the address may not try now.
    async fn reserve_attempt(
        &self,
        key: &str,
        throttle: Throttle,
    ) -> Result<Option<PasswordSignIn>, StorageError> {
        let t = now();
        // A lockout that ran out starts the count over.
        throttle::Entity::update_many()
            .col_expr(throttle::Column::Failures, Expr::value(0))
            .col_expr(
                throttle::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(throttle::Column::AddressHash.eq(key))
            .filter(throttle::Column::Failures.gte(LOCK_AFTER))
            .filter(throttle::Column::LockedUntil.lte(t))
            .exec(self.db())
            .await?;
        let exists = throttle::Entity::find()
            .filter(throttle::Column::AddressHash.eq(key))
            .one(self.db())
            .await?
            .is_some();
        if !exists {
            let inserted = throttle::Entity::insert(throttle::ActiveModel {
                address_hash: Set(key.to_owned()),
                failures: Set(0),
                locked_until: Set(None),
                updated_at: Set(t),
                ..Default::default()
            })
            .exec(self.db())
            .await;
            match inserted {
                Ok(_) => {}
                // A parallel attempt on the same address inserted it first.
                Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {}
                Err(e) => return Err(e.into()),
            }
        }
        let reserved = throttle::Entity::update_many()
            .col_expr(
                throttle::Column::Failures,
                sea_orm::sea_query::ExprTrait::add(Expr::col(throttle::Column::Failures), 1),
            )
            .col_expr(throttle::Column::UpdatedAt, Expr::value(t))
            .filter(throttle::Column::AddressHash.eq(key))
            .filter(throttle::Column::Failures.lt(LOCK_AFTER))
            .filter(
                sea_orm::Condition::any()
                    .add(throttle::Column::LockedUntil.is_null())
                    .add(throttle::Column::LockedUntil.lte(t)),
            )
            .exec(self.db())
            .await?;
        if reserved.rows_affected == 1 {
            return Ok(None);
        }
        let row = throttle::Entity::find()
            .filter(throttle::Column::AddressHash.eq(key))
            .one(self.db())
            .await?;
        let locked = row.as_ref().is_some_and(|r| r.failures >= LOCK_AFTER);
        let until = row
            .and_then(|r| r.locked_until)
            .filter(|u| *u > t)
            // The last allowed attempts are still being checked: their lock is coming.
            .unwrap_or_else(|| t + Duration::minutes(throttle.lockout_minutes));
        Ok(Some(PasswordSignIn::Wait { until, locked }))
    }

    /// After a wrong password: the wait or the lockout the count now calls for.
    async fn after_failure(&self, key: &str, throttle: Throttle) -> Result<(), StorageError> {
        let Some(row) = throttle::Entity::find()
            .filter(throttle::Column::AddressHash.eq(key))
            .one(self.db())
            .await?
        else {
            return Ok(());
        };
        let failures = row.failures;
        let wait = if failures >= LOCK_AFTER {
            Some(Duration::minutes(throttle.lockout_minutes))
        } else if failures > SLOW_AFTER && throttle.slowdown_secs > 0 {
            let doubled = throttle.slowdown_secs << (failures - SLOW_AFTER - 1).clamp(0, 10);
            Some(Duration::seconds(std::cmp::min(doubled, 300)))
        } else {
            None
        };
        if let Some(wait) = wait {
            throttle::Entity::update_many()
                .col_expr(throttle::Column::LockedUntil, Expr::value(now() + wait))
                .filter(throttle::Column::Id.eq(row.id))
                .exec(self.db())
                .await?;
        }
        Ok(())
    }

    /// The enabled accounts with an address, for a reset mail (none for unknown addresses).
    pub async fn admins_with_email(
        &self,
        email: &str,
    ) -> Result<Vec<(OrgId, i64, String)>, StorageError> {
        Ok(self
            .enabled_accounts(email)
            .await?
            .into_iter()
            .map(|a| (OrgId(a.organization_id), a.id, a.email))
            .collect())
    }

    /// Every enabled admin account with this address, in any organisation.
    async fn enabled_accounts(&self, email: &str) -> Result<Vec<admin::Model>, StorageError> {
        let Ok(email) = normalize_admin_email(email) else {
            return Ok(vec![]);
        };
        Ok(admin::Entity::find()
            .filter(admin::Column::Email.eq(email))
            .filter(admin::Column::DisabledAt.is_null())
            .order_by_asc(admin::Column::Id)
            .all(self.db())
            .await?)
    }
}
