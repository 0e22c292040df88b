//! Per-person opt-outs from campaign messages, recorded by the one-click
//! unsubscribe link (RFC 8058) and honoured when audiences are computed.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("opt_outs")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("employee_id"))
                // mail (campaign mailings; registration mails are not campaign messages)
                .col(string_len("channel", 16))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk_cascade(
                    "opt_outs",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade("opt_outs", "employee_id", "employees"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "opt_outs",
            "person",
            &["organization_id", "employee_id", "channel"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("opt_outs").to_owned())
            .await
    }
}
