//! Organisations, their mail domains, admin accounts, API tokens and sessions.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("organizations")
                .col(big_pk_auto("id"))
                .col(string_len("slug", 64))
                .col(string_len("name", 200))
                .col(string_len("default_language", 8))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("organizations", "slug", &["slug"]))
            .await?;

        m.create_table(
            Table::create()
                .table("organization_domains")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(string_len("domain", 253))
                .foreign_key(&mut fk_cascade(
                    "organization_domains",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "organization_domains",
            "domain",
            &["organization_id", "domain"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("admins")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(string_len("email", 254))
                .col(string_len("role", 32))
                .col(string_null("password_hash"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("disabled_at"))
                .foreign_key(&mut fk_cascade(
                    "admins",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("admins", "email", &["organization_id", "email"]))
            .await?;

        // Bearer tokens for the API and one-time sign-in links share one shape:
        // a random secret shown once, stored only as its SHA-256.
        m.create_table(
            Table::create()
                .table("credentials")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("admin_id"))
                .col(string_len("kind", 16))
                .col(string_len("name", 100))
                .col(string_len("token_hash", 64))
                .col(string_len("token_prefix", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(timestamp_with_time_zone_null("last_used_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .foreign_key(&mut fk_cascade(
                    "credentials",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade("credentials", "admin_id", "admins"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("credentials", "token_hash", &["token_hash"]))
            .await?;
        m.create_index(index("credentials", "admin", &["admin_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "credentials",
            "admins",
            "organization_domains",
            "organizations",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
