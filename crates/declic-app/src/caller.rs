//! Who calls a use case, and what a use case answers when it refuses.
//!
//! Every use case takes a [`Caller`]: the organisation acted for, the role that
//! decides what is allowed, and the actor written in the audit log. The API and the
//! console build one from the signed-in admin, the CLI from the operator.

use declic_storage::admins::{Authenticated, Role};
use declic_storage::{Actor, OrgId, StorageError};

/// The one who asks.
#[derive(Debug, Clone)]
pub struct Caller {
    org: OrgId,
    role: Role,
    actor: Actor,
}

impl Caller {
    /// An admin signed in through a token or a console session.
    pub fn admin(auth: &Authenticated, request_id: Option<String>) -> Self {
        Self {
            org: auth.org,
            role: auth.role,
            actor: Actor {
                admin_id: Some(auth.admin_id),
                label: auth.email.clone(),
                request_id,
            },
        }
    }

    /// The operator at the command line: an owner's rights over `org`.
    pub fn operator(org: OrgId) -> Self {
        Self {
            org,
            role: Role::Owner,
            actor: Actor::cli(),
        }
    }

    /// The organisation acted for.
    pub fn org(&self) -> OrgId {
        self.org
    }

    /// The actor for the audit log.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// Whether this caller may change things (not a viewer).
    pub fn can_manage(&self) -> bool {
        self.role.can_manage()
    }

    /// Refuses viewers.
    pub fn require_manage(&self) -> Result<(), AppError> {
        if self.role.can_manage() {
            Ok(())
        } else {
            Err(AppError::Forbidden("make changes (viewer role)"))
        }
    }

    /// Refuses anyone but owners.
    pub fn require_owner(&self) -> Result<(), AppError> {
        if self.role.is_owner() {
            Ok(())
        } else {
            Err(AppError::Forbidden("do this (owner role required)"))
        }
    }
}

/// Why a use case did not do what was asked. Each edge says it its own way (a
/// problem document, a console page, a CLI message).
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The caller's role does not allow it (the text completes "Your role does not allow you to …").
    #[error("your role does not allow you to {0}")]
    Forbidden(&'static str),
    /// Nothing with this id in the caller's organisation (names what was looked for).
    #[error("no {0} with this id")]
    NotFound(&'static str),
    /// Fields break rules.
    #[error("invalid: {0:?}")]
    Invalid(Vec<FieldIssue>),
    /// A bug or an outage outside storage; logged by the edge, never shown.
    #[error("internal error: {0}")]
    Internal(String),
    /// What storage answered (not found, conflict, invalid, unavailable…).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl AppError {
    /// A rule broken by one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldIssue {
            field: field.into(),
            message: message.into(),
        }])
    }
}

/// One field at fault: its path in the request (`goal`, `steps[2].date`) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: String,
    pub message: String,
}

/// What use cases return.
pub type AppResult<T> = Result<T, AppError>;
