//! Campaigns, the missions they offer and their calendar of steps.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("campaigns")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(string_len("title", 300))
                .col(integer("goal"))
                .col(text("audience_departments"))
                .col(text("audience_sites"))
                .col(date_null("registration_opens"))
                .col(date_null("registration_closes"))
                .col(text("key_message"))
                .col(text("why_it_matters"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "campaigns",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("campaign_missions")
                .col(big_pk_auto("id"))
                .col(big_integer("campaign_id"))
                .col(big_integer("mission_id"))
                .foreign_key(&mut fk_cascade(
                    "campaign_missions",
                    "campaign_id",
                    "campaigns",
                ))
                .foreign_key(&mut fk_cascade(
                    "campaign_missions",
                    "mission_id",
                    "missions",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "campaign_missions",
            "pair",
            &["campaign_id", "mission_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("campaign_steps")
                .col(big_pk_auto("id"))
                .col(big_integer("campaign_id"))
                .col(string_len("kind", 32))
                .col(date("scheduled_on"))
                .col(text("note"))
                .foreign_key(&mut fk_cascade(
                    "campaign_steps",
                    "campaign_id",
                    "campaigns",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(super::index(
            "campaign_steps",
            "campaign",
            &["campaign_id", "scheduled_on"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["campaign_steps", "campaign_missions", "campaigns"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
