//! The employee directory.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("employees")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(string_len("email", 254))
                .col(string_len("first_name", 200))
                .col(string_len("last_name", 200))
                .col(string_len_null("department", 200))
                .col(string_len_null("site", 200))
                .col(string_len_null("language", 8))
                .col(string_len_null("manager_email", 254))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("deactivated_at"))
                .col(timestamp_with_time_zone_null("erased_at"))
                .foreign_key(&mut fk_cascade(
                    "employees",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("employees", "email", &["organization_id", "email"]))
            .await?;
        m.create_index(index(
            "employees",
            "audience",
            &["organization_id", "active", "department", "site"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("employees").to_owned())
            .await
    }
}
