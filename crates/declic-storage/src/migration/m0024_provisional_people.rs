//! A person who signed up with an address the directory does not hold is
//! provisional until they confirm from their mailbox: listed nowhere, mailed nothing
//! but their confirmation link, and forgotten when that link lapses unused.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("employees")
                .add_column(boolean("provisional").default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("employees")
                .drop_column("provisional")
                .to_owned(),
        )
        .await
    }
}
