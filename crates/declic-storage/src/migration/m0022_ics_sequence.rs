//! The SEQUENCE of the calendar invitations of each choice, stored: every invitation,
//! update or cancellation sent for a seat carries a number strictly above the last
//! one, so calendars apply them in order (the number used to count minutes, and two
//! changes in one minute carried the same).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("registration_choices")
                .add_column(big_integer("ics_sequence").default(0))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("registration_choices")
                .drop_column("ics_sequence")
                .to_owned(),
        )
        .await
    }
}
