//! Password sign-in for the browser console: slowdown, then lockout, after
//! consecutive failures on one address.
//!
//! Failures are counted on every account with the address (an address may be an
//! admin of several organisations, and the attacker does not say which). After
//! [`SLOW_AFTER`] failures each further failure makes the address wait a growing
//! delay before the next attempt is even checked; after [`LOCK_AFTER`] it is locked
//! for the configured minutes. A password set through a mailed reset link unlocks.

use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::admins::{Authenticated, normalize_admin_email};
use crate::entity::admin;
use crate::{Actor, OrgId, StorageError, Store, hash_password, now, verify_password};

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
        let email = normalize_admin_email(email).unwrap_or_default();
        let accounts = admin::Entity::find()
            .filter(admin::Column::Email.eq(email.clone()))
            .filter(admin::Column::DisabledAt.is_null())
            .order_by_asc(admin::Column::Id)
            .all(self.db())
            .await?;
        let t = now();
        if let Some(wait) = accounts
            .iter()
            .filter_map(|a| a.locked_until)
            .filter(|u| *u > t)
            .max()
        {
            let locked = accounts.iter().any(|a| a.failed_sign_ins >= LOCK_AFTER);
            return Ok(PasswordSignIn::Wait {
                until: wait,
                locked,
            });
        }
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
        let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
        let Some(account) = matched.and_then(|i| accounts.into_iter().nth(i)) else {
            if !ids.is_empty() {
                self.record_sign_in_failure(&ids, throttle).await?;
            }
            return Ok(PasswordSignIn::Refused);
        };
        admin::Entity::update_many()
            .col_expr(admin::Column::FailedSignIns, Expr::value(0))
            .col_expr(
                admin::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(admin::Column::Id.is_in(ids))
            .exec(self.db())
            .await?;
        let org = OrgId(account.organization_id);
        let actor = Actor {
            admin_id: Some(account.id),
            label: account.email.clone(),
            request_id,
        };
        let session = self
            .create_session(org, account.id, session_hours, &actor)
            .await?;
        let auth = self
            .authenticate_session(&session)
            .await?
            .ok_or(StorageError::NotFound("session"))?;
        Ok(PasswordSignIn::Opened { session, auth })
    }

    async fn record_sign_in_failure(
        &self,
        ids: &[i64],
        throttle: Throttle,
    ) -> Result<(), StorageError> {
        let txn = self.write_txn().await?;
        admin::Entity::update_many()
            .col_expr(
                admin::Column::FailedSignIns,
                sea_orm::sea_query::ExprTrait::add(Expr::col(admin::Column::FailedSignIns), 1),
            )
            .filter(admin::Column::Id.is_in(ids.to_vec()))
            .exec(&txn)
            .await?;
        let failures = admin::Entity::find()
            .filter(admin::Column::Id.is_in(ids.to_vec()))
            .all(&txn)
            .await?
            .iter()
            .map(|a| a.failed_sign_ins)
            .max()
            .unwrap_or(0);
        let wait = if failures >= LOCK_AFTER {
            Some(Duration::minutes(throttle.lockout_minutes))
        } else if failures > SLOW_AFTER && throttle.slowdown_secs > 0 {
            let doubled = throttle.slowdown_secs << (failures - SLOW_AFTER - 1).min(10);
            Some(Duration::seconds(doubled.min(300)))
        } else {
            None
        };
        if let Some(wait) = wait {
            admin::Entity::update_many()
                .col_expr(admin::Column::LockedUntil, Expr::value(now() + wait))
                .filter(admin::Column::Id.is_in(ids.to_vec()))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        Ok(())
    }

    /// Lifts a lockout (after a password reset by mail).
    pub async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StorageError> {
        admin::Entity::update_many()
            .col_expr(admin::Column::FailedSignIns, Expr::value(0))
            .col_expr(
                admin::Column::LockedUntil,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(admin::Column::Email.eq(email))
            .exec(self.db())
            .await?;
        Ok(())
    }

    /// The enabled accounts with an address, for a reset mail (none for unknown addresses).
    pub async fn admins_with_email(
        &self,
        email: &str,
    ) -> Result<Vec<(OrgId, i64, String)>, StorageError> {
        let Ok(email) = normalize_admin_email(email) else {
            return Ok(vec![]);
        };
        Ok(admin::Entity::find()
            .filter(admin::Column::Email.eq(email))
            .filter(admin::Column::DisabledAt.is_null())
            .order_by_asc(admin::Column::Id)
            .all(self.db())
            .await?
            .into_iter()
            .map(|a| (OrgId(a.organization_id), a.id, a.email))
            .collect())
    }
}
