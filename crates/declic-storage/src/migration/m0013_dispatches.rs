//! Dispatches (one campaign message on one channel) and their deliveries, one per
//! recipient, frozen when the dispatch is created so that a retry never re-targets.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("dispatches")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("campaign_id"))
                .col(string_len("channel", 16))
                // sending | paused | cancelled | finished
                .col(string_len("status", 16))
                .col(big_integer("total"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "dispatches",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade("dispatches", "campaign_id", "campaigns"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("deliveries")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("dispatch_id"))
                .col(big_integer("employee_id"))
                // The address at the time of the dispatch.
                .col(string_len("recipient", 254))
                // queued | sending | sent | retrying | failed | cancelled
                .col(string_len("status", 16))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                // A claimed delivery belongs to its worker until then; after a crash
                // it is claimed again.
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "deliveries",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade("deliveries", "dispatch_id", "dispatches"))
                .foreign_key(&mut fk_cascade("deliveries", "employee_id", "employees"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "deliveries",
            "recipient",
            &["dispatch_id", "employee_id"],
        ))
        .await?;
        m.create_index(index("deliveries", "due", &["status", "next_attempt_at"]))
            .await?;
        m.create_index(index("deliveries", "person", &["employee_id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("deliveries").to_owned())
            .await?;
        m.drop_table(Table::drop().table("dispatches").to_owned())
            .await
    }
}
