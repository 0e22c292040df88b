//! Addresses of people whose data was erased at their request, as hashes: a directory
//! import does not bring them back. Only the hash of organisation and address is kept
//! (no name, no date of birth, nothing else).

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("erased_addresses")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(string_len("address_hash", 64))
                .col(timestamp_with_time_zone("erased_at"))
                .foreign_key(&mut fk_cascade(
                    "erased_addresses",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "erased_addresses",
            "address",
            &["organization_id", "address_hash"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("erased_addresses").to_owned())
            .await
    }
}
