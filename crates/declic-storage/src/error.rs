//! The storage error type: typed, so the HTTP edge can map each case to a status.

use sea_orm::{DbErr, SqlErr};

/// What went wrong in a storage operation.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The row does not exist in this organisation.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A uniqueness rule would be broken.
    #[error("{message}")]
    Conflict {
        field: &'static str,
        message: String,
    },
    /// A value breaks a business rule.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// The database cannot be reached or set up.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// Any other database error (a bug or an outage, never the user's fault).
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl StorageError {
    /// A business-rule violation on `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Turns a unique-constraint violation into a [`StorageError::Conflict`] on `field`.
    pub(crate) fn on_unique(
        field: &'static str,
        message: impl Into<String>,
    ) -> impl FnOnce(DbErr) -> Self {
        let message = message.into();
        move |err| match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => Self::Conflict { field, message },
            _ => Self::Db(err),
        }
    }
}

/// Broad classes of database errors, for the HTTP edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbErrKind {
    /// The connection or pool failed: retry later.
    Unavailable,
    /// Anything else.
    Other,
}

/// Classifies a database error.
pub fn classify_db_error(err: &DbErr) -> DbErrKind {
    match err {
        DbErr::Conn(_) | DbErr::ConnectionAcquire(_) => DbErrKind::Unavailable,
        _ => DbErrKind::Other,
    }
}
