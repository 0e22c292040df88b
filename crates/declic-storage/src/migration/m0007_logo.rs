//! The organisation's logo, printed on posters: one per organisation, replaced on upload.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("organization_logos")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(string_len("content_type", 64))
                // BLOB on SQLite, BYTEA on PostgreSQL.
                .col(blob("bytes"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "organization_logos",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("organization_logos", "org", &["organization_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("organization_logos").to_owned())
            .await
    }
}
