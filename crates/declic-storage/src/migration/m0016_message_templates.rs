//! Campaign messages an organisation rewrote, for all its campaigns or for one.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("message_templates")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                // Null: every campaign of the organisation without its own.
                .col(big_integer_null("campaign_id"))
                .col(string_len("message", 40))
                .col(string_len("language", 2))
                .col(text("subject"))
                .col(text("text_body"))
                .col(text("html_body"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "message_templates",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade(
                    "message_templates",
                    "campaign_id",
                    "campaigns",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "message_templates",
            "scope",
            &["organization_id", "message", "campaign_id"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("message_templates").to_owned())
            .await
    }
}
