//! Password sign-in from the browser console: consecutive failures per address and
//! the wait or lockout they lead to. Keyed by a hash of the address, known or not, so
//! the throttle answers the same for addresses without an account.

use sea_orm_migration::{prelude::*, schema::*};

use super::unique;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("sign_in_throttles")
                .col(big_pk_auto("id"))
                .col(string_len("address_hash", 64))
                .col(integer("failures").default(0))
                .col(timestamp_with_time_zone_null("locked_until"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("sign_in_throttles", "address", &["address_hash"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("sign_in_throttles").to_owned())
            .await
    }
}
