//! Attendance on mission choices, and the referral edges recorded when a colleague
//! who came through an ambassador's link confirms their address.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        m.alter_table(
            Table::alter()
                .table("registration_choices")
                .add_column(boolean_null("attended"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("registration_choices")
                .add_column(timestamp_with_time_zone_null("attendance_marked_at"))
                .to_owned(),
        )
        .await?;
        // The referee's choice: may the ambassador who brought them see their first name?
        m.alter_table(
            Table::alter()
                .table("registrations")
                .add_column(boolean("show_to_referrer").default(false))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("referral_edges")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("campaign_id"))
                .col(big_integer("referrer_employee_id"))
                .col(big_integer("referee_employee_id"))
                .col(big_integer("registration_id"))
                .col(timestamp_with_time_zone("confirmed_at"))
                .foreign_key(&mut fk_cascade(
                    "referral_edges",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade(
                    "referral_edges",
                    "campaign_id",
                    "campaigns",
                ))
                .foreign_key(&mut fk_cascade(
                    "referral_edges",
                    "registration_id",
                    "registrations",
                ))
                .to_owned(),
        )
        .await?;
        // One credit per colleague and campaign, whatever the concurrency.
        m.create_index(unique(
            "referral_edges",
            "referee",
            &["campaign_id", "referee_employee_id"],
        ))
        .await?;
        m.create_index(index("referral_edges", "org", &["organization_id", "id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("referral_edges").to_owned())
            .await?;
        for (table, column) in [
            ("registrations", "show_to_referrer"),
            ("registration_choices", "attendance_marked_at"),
            ("registration_choices", "attended"),
        ] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .drop_column(Alias::new(column))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
