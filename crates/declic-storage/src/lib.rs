//! Storage: sea-orm entities, migrations (SQLite and PostgreSQL) and the data services built on them.
//!
//! Every service method that touches organisation data takes an [`OrgId`]; the
//! HTTP and CLI front ends obtain it only from an authenticated credential or an
//! explicit `--org`, so no query can cross organisations.

pub mod entity;
pub mod migration;

mod cache;
mod claims;
mod error;
mod secrets;

pub mod admins;
pub mod ambassadors;
pub mod associations;
pub mod audit;
pub mod campaigns;
pub mod delivery_failures;
pub mod dispatches;
pub mod employees;
pub mod evaluations;
pub mod links;
pub mod logos;
pub mod message_templates;
pub mod missions;
pub mod opt_outs;
pub mod orgs;
pub mod outbox;
pub mod privacy;
pub mod referrals;
pub mod registrations;
pub mod relay_health;
pub mod retention;
pub mod sign_in;
pub mod webhooks;

use std::time::Duration;

use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

pub use cache::CampaignCatalog;
pub use error::{DbErrKind, StorageError, classify_db_error};
pub use secrets::{generate_token, hash_password, hash_token, verify_password};

/// The organisation a request acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct OrgId(pub i64);

/// Who does something, for the audit log.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    /// The admin account, when the action came through one.
    pub admin_id: Option<i64>,
    /// A readable label: the admin's email, or `cli`.
    pub label: String,
    /// The HTTP request id, when there is one.
    pub request_id: Option<String>,
}

impl Actor {
    /// The operator at the command line.
    pub fn cli() -> Self {
        Self {
            admin_id: None,
            label: "cli".into(),
            request_id: None,
        }
    }

    /// A volunteer's survey answer ("I'd like to be an ambassador").
    pub fn survey() -> Self {
        Self {
            admin_id: None,
            label: "survey".into(),
            request_id: None,
        }
    }

    /// The scheduler, acting on the campaign calendar.
    pub fn scheduler() -> Self {
        Self {
            admin_id: None,
            label: "scheduler".into(),
            request_id: None,
        }
    }
}

/// A handle on the database; cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    db: DatabaseConnection,
    /// Where write transactions run. On SQLite a pool of one connection, so that
    /// writers wait their turn in the process (in order, without spinning)
    /// instead of sleeping in SQLite's busy handler; elsewhere the same pool.
    writer: DatabaseConnection,
    caches: std::sync::Arc<cache::Caches>,
}

impl Store {
    /// Connects to `url` (`sqlite://…` or `postgres://…`), creating the SQLite file's directory.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, StorageError> {
        if let Some(path) = url.strip_prefix("sqlite://") {
            let file = path.split('?').next().unwrap_or_default();
            if let Some(dir) = std::path::Path::new(file).parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StorageError::Unavailable(format!("cannot create {}: {e}", dir.display()))
                })?;
            }
        }
        let opts = |max: u32| {
            let mut opts = ConnectOptions::new(url.to_owned());
            opts.max_connections(max)
                .min_connections(1)
                .connect_timeout(Duration::from_secs(10))
                .acquire_timeout(Duration::from_secs(15))
                .sqlx_logging(false)
                .map_sqlx_sqlite_opts(|o| {
                    use sea_orm::sqlx::sqlite::SqliteSynchronous;
                    // Writers queue behind the busy timeout instead of failing at once.
                    // WAL is set once per file below, not by every new connection: a
                    // connection that asks for it while another process writes can get
                    // "database is locked" at once (that pragma does not wait).
                    // Freed pages are overwritten with zeros, so an erased address does
                    // not linger in the file's free space.
                    o.synchronous(SqliteSynchronous::Normal)
                        .busy_timeout(Duration::from_secs(30))
                        .foreign_keys(true)
                        .pragma("secure_delete", "ON")
                });
            opts
        };
        let db = Database::connect(opts(max_connections.max(1))).await?;
        if db.get_database_backend() == DbBackend::Sqlite {
            ensure_wal(&db).await?;
        }
        let writer = if db.get_database_backend() == DbBackend::Sqlite {
            Database::connect(opts(1)).await?
        } else {
            db.clone()
        };
        Ok(Self {
            db,
            writer,
            caches: std::sync::Arc::default(),
        })
    }

    /// Wraps an existing connection.
    pub fn from_connection(db: DatabaseConnection) -> Self {
        Self {
            writer: db.clone(),
            db,
            caches: std::sync::Arc::default(),
        }
    }

    /// Where single writes go outside a transaction: the one SQLite write connection
    /// (so they queue with the transactions), or the pool on PostgreSQL.
    pub(crate) fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    pub(crate) fn caches(&self) -> &cache::Caches {
        &self.caches
    }

    /// Drops every cached catalogue entry (organisations, campaigns, missions,
    /// associations, links). Writes through this store do it themselves; this is
    /// for callers that change those tables with their own SQL.
    pub fn invalidate_caches(&self) {
        self.caches.invalidate();
    }

    /// The underlying connection, for callers that build their own queries.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// Which database this is.
    pub fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// Applies pending migrations; returns how many ran.
    pub async fn migrate(&self) -> Result<usize, StorageError> {
        // Read only: `get_pending_migrations` issues `CREATE TABLE IF NOT EXISTS` on
        // every call, a write that a command run beside a busy server (SQLite) can
        // meet as "database is locked". Nothing to apply: no write, no lock at all.
        let before = migration::Migrator::get_pending_migrations_read_only(&self.db)
            .await?
            .len();
        if before > 0 {
            migration::Migrator::up(&self.db, None).await?;
        }
        Ok(before)
    }

    /// Names of migrations not yet applied.
    pub async fn pending_migrations(&self) -> Result<Vec<String>, StorageError> {
        Ok(
            migration::Migrator::get_pending_migrations_read_only(&self.db)
                .await?
                .iter()
                .map(|m| m.name().to_owned())
                .collect(),
        )
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at
    /// once (`BEGIN IMMEDIATE`), so two writers queue instead of one failing
    /// when it upgrades a stale read snapshot.
    pub async fn write_txn(&self) -> Result<DatabaseTransaction, StorageError> {
        let mode =
            (self.backend() == DbBackend::Sqlite).then_some(SqliteTransactionMode::Immediate);
        Ok(self
            .writer
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: mode,
                ..Default::default()
            })
            .await?)
    }

    /// Succeeds when the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StorageError> {
        self.db.ping().await?;
        Ok(())
    }
}

/// Commits `txn`, or rolls it back for a dry run (which then reports what it would do).
pub(crate) async fn finish(
    txn: sea_orm::DatabaseTransaction,
    dry_run: bool,
) -> Result<(), sea_orm::DbErr> {
    if dry_run {
        txn.rollback().await
    } else {
        txn.commit().await
    }
}

/// The current time, truncated to microseconds so SQLite and PostgreSQL round-trip it alike.
pub(crate) fn now() -> chrono::DateTime<chrono::Utc> {
    use chrono::SubsecRound;
    chrono::Utc::now().trunc_subsecs(6)
}

impl Store {
    /// Connections open in the pool and how many are idle.
    pub fn pool_stats(&self) -> (u32, usize) {
        match self.backend() {
            DbBackend::Sqlite => {
                let p = self.db.get_sqlite_connection_pool();
                (p.size(), p.num_idle())
            }
            DbBackend::Postgres => {
                let p = self.db.get_postgres_connection_pool();
                (p.size(), p.num_idle())
            }
            _ => (0, 0),
        }
    }
}

/// Puts a SQLite file in WAL mode (readers proceed while one writer commits) unless it
/// is already: the mode is a property of the file, kept across connections, so only
/// the first start of a new database changes it. A busy answer is retried briefly.
async fn ensure_wal(db: &DatabaseConnection) -> Result<(), StorageError> {
    use sea_orm::{ConnectionTrait, Statement};
    let current = db
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA journal_mode".to_owned(),
        ))
        .await?
        .and_then(|r| r.try_get_by_index::<String>(0).ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    // An in-memory database has no WAL; one already in WAL needs nothing.
    if current == "wal" || current == "memory" {
        return Ok(());
    }
    let mut last = None;
    for _ in 0..100 {
        match db
            .query_one_raw(Statement::from_string(
                DbBackend::Sqlite,
                "PRAGMA journal_mode = WAL".to_owned(),
            ))
            .await
        {
            Ok(_) => return Ok(()),
            Err(e) => {
                last = Some(e);
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    Err(last.map_or_else(
        || StorageError::Unavailable("cannot switch the database to WAL".into()),
        StorageError::from,
    ))
}
