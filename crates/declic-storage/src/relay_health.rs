//! How the mail relay is doing, as the delivery workers last saw it.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{EntityTrait, Set};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::relay_health;
use crate::{StorageError, Store, now};

/// The relay's state, for the dispatch pages and the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct RelayHealth {
    /// `ok`, `slow` (sends take seconds) or `failing` (refused, silent, or
    /// answering "try later" to every message).
    pub state: String,
    /// The latest relay error, addresses taken out.
    pub last_error: Option<String>,
    /// Since when.
    pub since: DateTime<Utc>,
}

impl Store {
    /// Stores the relay's new state.
    pub async fn set_relay_health(
        &self,
        transport: &str,
        state: &str,
        last_error: Option<String>,
    ) -> Result<(), StorageError> {
        relay_health::Entity::insert(relay_health::ActiveModel {
            transport: Set(transport.to_owned()),
            state: Set(state.to_owned()),
            last_error: Set(last_error),
            since: Set(now()),
        })
        .on_conflict(
            OnConflict::column(relay_health::Column::Transport)
                .update_columns([
                    relay_health::Column::State,
                    relay_health::Column::LastError,
                    relay_health::Column::Since,
                ])
                .to_owned(),
        )
        .exec_without_returning(self.writer())
        .await?;
        Ok(())
    }

    /// The relay's state as last seen; `None` before any send.
    pub async fn relay_health(&self, transport: &str) -> Result<Option<RelayHealth>, StorageError> {
        Ok(relay_health::Entity::find_by_id(transport.to_owned())
            .one(self.db())
            .await?
            .map(|r| RelayHealth {
                state: r.state,
                last_error: r.last_error,
                since: r.since,
            }))
    }
}
