//! The audit log of admin actions.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("audit_events")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer_null("admin_id"))
                .col(string_len("actor", 300))
                .col(string_len("action", 64))
                .col(string_len("target_type", 32))
                .col(big_integer_null("target_id"))
                .col(text("detail"))
                .col(string_len_null("request_id", 64))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk_cascade(
                    "audit_events",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "audit_events",
            "org_time",
            &["organization_id", "created_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("audit_events").to_owned())
            .await
    }
}
