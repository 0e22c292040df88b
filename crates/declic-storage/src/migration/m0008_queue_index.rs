//! An index that finds a mission's last waitlist number without scanning its
//! registrations: every confirmation asks for it.

use sea_orm_migration::prelude::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            "registration_choices",
            "mission_seq",
            &["mission_id", "queue_seq"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("registration_choices_mission_seq_idx")
                .table("registration_choices")
                .to_owned(),
        )
        .await
    }
}
