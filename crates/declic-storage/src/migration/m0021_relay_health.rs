//! How the mail relay is doing, as the delivery workers last saw it: shown on the
//! dispatches and the dashboard, so a silent relay is not mistaken for a slow day.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("relay_health")
                // `mail`: the deployment's one relay.
                .col(string_len("transport", 16).primary_key())
                // ok | slow | failing
                .col(string_len("state", 16))
                // The latest relay error, addresses taken out.
                .col(text_null("last_error"))
                // When the relay entered this state.
                .col(timestamp_with_time_zone("since"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("relay_health").to_owned())
            .await
    }
}
