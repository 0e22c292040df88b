//! Which calendar step a dispatch carries out: the scheduler creates at most one
//! dispatch per (campaign, step, day, channel), whatever the number of instances.

use sea_orm_migration::{prelude::*, schema::*};

use super::unique;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("dispatches")
                .add_column(string_len_null("step_kind", 32))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("dispatches")
                .add_column(date_null("step_on"))
                .to_owned(),
        )
        .await?;
        // Manual dispatches have no step: NULLs never collide in a unique index.
        m.create_index(unique(
            "dispatches",
            "step",
            &["campaign_id", "step_kind", "step_on", "channel"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("dispatches_step_key")
                .table("dispatches")
                .to_owned(),
        )
        .await?;
        for column in ["step_on", "step_kind"] {
            m.alter_table(
                Table::alter()
                    .table("dispatches")
                    .drop_column(Alias::new(column))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
