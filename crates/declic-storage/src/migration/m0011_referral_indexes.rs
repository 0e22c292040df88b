//! Indexes to find a person's referrals from either side (their page, their data
//! export, and recursive queries over the graph).

use sea_orm_migration::prelude::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index(
            "referral_edges",
            "referrer",
            &["referrer_employee_id", "referee_employee_id"],
        ))
        .await?;
        m.create_index(index(
            "referral_edges",
            "referee_person",
            &["referee_employee_id"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for name in [
            "referral_edges_referrer_idx",
            "referral_edges_referee_person_idx",
        ] {
            m.drop_index(Index::drop().name(name).table("referral_edges").to_owned())
                .await?;
        }
        Ok(())
    }
}
