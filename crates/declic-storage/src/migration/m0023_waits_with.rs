//! A duo waiting together: each of the two waitlist places names the other, so seats
//! are offered to the pair together (two at once), never to one of them alone.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("registration_choices")
                .add_column(big_integer_null("waits_with"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("registration_choices")
                .drop_column("waits_with")
                .to_owned(),
        )
        .await
    }
}
