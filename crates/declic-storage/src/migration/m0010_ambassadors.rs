//! Ambassadors (invited by HR, opted in by themselves), their magic-link sign-in and
//! page sessions, and when a registration's ambassador link was first used.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("ambassadors")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("employee_id"))
                // invited | active | opted_out
                .col(string_len("status", 16))
                // HR states the person volunteered before Declic (imported history).
                .col(boolean("past_volunteer").default(false))
                .col(boolean("leaderboard_opt_in").default(false))
                .col(timestamp_with_time_zone("invited_at"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(timestamp_with_time_zone_null("opted_out_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "ambassadors",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade("ambassadors", "employee_id", "employees"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "ambassadors",
            "person",
            &["organization_id", "employee_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("ambassador_tokens")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("ambassador_id"))
                // sign_in (single use, minutes) | session (a working day)
                .col(string_len("kind", 16))
                .col(string_len("token_hash", 64))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk_cascade(
                    "ambassador_tokens",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade(
                    "ambassador_tokens",
                    "ambassador_id",
                    "ambassadors",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("ambassador_tokens", "hash", &["token_hash"]))
            .await?;
        m.create_index(index("ambassador_tokens", "expiry", &["expires_at"]))
            .await?;
        // When the ambassador link credited for a registration was first opened (the
        // browser remembers it for the attribution window).
        m.alter_table(
            Table::alter()
                .table("registrations")
                .add_column(timestamp_with_time_zone_null("link_used_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("registrations")
                .drop_column(Alias::new("link_used_at"))
                .to_owned(),
        )
        .await?;
        m.drop_table(Table::drop().table("ambassador_tokens").to_owned())
            .await?;
        m.drop_table(Table::drop().table("ambassadors").to_owned())
            .await
    }
}
