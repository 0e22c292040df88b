//! Where a dispatch stands without reading all its deliveries: whether any is left
//! to try (checked after every batch) and the counts per state.

use sea_orm_migration::prelude::*;

use super::index;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_index(index("deliveries", "progress", &["dispatch_id", "status"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("deliveries_progress_idx")
                .table("deliveries")
                .to_owned(),
        )
        .await
    }
}
