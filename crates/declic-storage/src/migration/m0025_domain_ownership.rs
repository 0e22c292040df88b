//! A mail domain belongs to one organisation in the whole deployment: whoever holds it
//! decides who may sign up with its addresses and whom Declic mails there. Before this,
//! two organisations could list the same domain; the earliest one (lowest id) keeps it,
//! the others lose it (the operator gives it back with `declic org domains` once the
//! rightful owner is known).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared(
                "DELETE FROM organization_domains WHERE EXISTS (\
                   SELECT 1 FROM organization_domains e \
                   WHERE e.domain = organization_domains.domain \
                     AND e.organization_id < organization_domains.organization_id)",
            )
            .await?;
        m.create_index(
            Index::create()
                .name("organization_domains_domain_one_owner")
                .table("organization_domains")
                .col("domain")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("organization_domains_domain_one_owner")
                .table("organization_domains")
                .to_owned(),
        )
        .await
    }
}
