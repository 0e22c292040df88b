//! Campaign links, anonymous visit counters, registrations and their ranked mission choices.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("campaign_links")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("campaign_id"))
                .col(string_len("code", 32))
                .col(string_len("channel", 16))
                // Distinguishes variants of one channel: a site's poster, an ambassador.
                .col(string_len("variant", 300))
                .col(string_len_null("site", 200))
                .col(big_integer_null("ambassador_employee_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk_cascade(
                    "campaign_links",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade(
                    "campaign_links",
                    "campaign_id",
                    "campaigns",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("campaign_links", "code", &["code"]))
            .await?;
        m.create_index(unique(
            "campaign_links",
            "variant",
            &["campaign_id", "channel", "variant"],
        ))
        .await?;

        // Visits are counted per link and day, never per person.
        m.create_table(
            Table::create()
                .table("link_visits")
                .col(big_pk_auto("id"))
                .col(big_integer("link_id"))
                .col(date("day"))
                .col(big_integer("visits"))
                .foreign_key(&mut fk_cascade("link_visits", "link_id", "campaign_links"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("link_visits", "day", &["link_id", "day"]))
            .await?;

        m.create_table(
            Table::create()
                .table("registrations")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("campaign_id"))
                .col(big_integer("employee_id"))
                .col(string_len("status", 16))
                .col(big_integer_null("source_link_id"))
                .col(string_len("source_channel", 16))
                .col(big_integer_null("referrer_employee_id"))
                .col(big_integer_null("duo_registration_id"))
                .col(string_len_null("duo_invitee_email", 254))
                .col(string_len("language", 8))
                .col(string_len_null("confirm_token_hash", 64))
                .col(timestamp_with_time_zone_null("confirm_expires_at"))
                // Random; the personal-page link is an HMAC over the id and this nonce, so rotating it revokes the link.
                .col(string_len("manage_nonce", 64))
                .col(timestamp_with_time_zone("consented_at"))
                .col(timestamp_with_time_zone_null("confirmed_at"))
                .col(timestamp_with_time_zone_null("cancelled_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "registrations",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade("registrations", "campaign_id", "campaigns"))
                .foreign_key(&mut fk_cascade("registrations", "employee_id", "employees"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "registrations",
            "person",
            &["campaign_id", "employee_id"],
        ))
        .await?;
        m.create_index(unique("registrations", "manage", &["manage_nonce"]))
            .await?;
        m.create_index(unique("registrations", "confirm", &["confirm_token_hash"]))
            .await?;

        m.create_table(
            Table::create()
                .table("registration_choices")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("registration_id"))
                .col(big_integer("mission_id"))
                .col(integer("rank"))
                .col(string_len("status", 16))
                // Order in which the person confirmed, per mission: the waitlist order.
                .col(big_integer_null("queue_seq"))
                // A seat number makes two holders of one seat impossible, whatever the concurrency.
                .col(integer_null("seat_no"))
                .col(timestamp_with_time_zone_null("offer_expires_at"))
                .col(timestamp_with_time_zone_null("reminded_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "registration_choices",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade(
                    "registration_choices",
                    "registration_id",
                    "registrations",
                ))
                .foreign_key(&mut fk_cascade(
                    "registration_choices",
                    "mission_id",
                    "missions",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "registration_choices",
            "pair",
            &["registration_id", "mission_id"],
        ))
        .await?;
        m.create_index(unique(
            "registration_choices",
            "seat",
            &["mission_id", "seat_no"],
        ))
        .await?;
        m.create_index(index(
            "registration_choices",
            "queue",
            &["mission_id", "status", "queue_seq"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "registration_choices",
            "registrations",
            "link_visits",
            "campaign_links",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
