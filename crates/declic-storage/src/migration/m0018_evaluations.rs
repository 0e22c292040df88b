//! Post-mission evaluation: each organisation's questionnaires, the invitations of
//! each wave (one per person, or association contact, per campaign and wave), the
//! answers, and the content of "what your mission changed" messages.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("questionnaires")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(string_len("audience", 20))
                .col(text("definition"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "questionnaires",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "questionnaires",
            "scope",
            &["organization_id", "audience"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("survey_invitations")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("campaign_id"))
                .col(integer("wave"))
                .col(string_len("audience", 20))
                // A volunteer, or an association's contact (association and address).
                .col(big_integer_null("employee_id"))
                .col(big_integer_null("association_id"))
                .col(string_len_null("email", 320))
                .col(string_len("language", 2))
                .col(boolean("answered"))
                .col(date("opens_on"))
                .col(timestamp_with_time_zone("closes_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk_cascade(
                    "survey_invitations",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade(
                    "survey_invitations",
                    "campaign_id",
                    "campaigns",
                ))
                .foreign_key(&mut fk_cascade(
                    "survey_invitations",
                    "employee_id",
                    "employees",
                ))
                .foreign_key(&mut fk_cascade(
                    "survey_invitations",
                    "association_id",
                    "associations",
                ))
                .to_owned(),
        )
        .await?;
        for i in [
            unique(
                "survey_invitations",
                "person",
                &["campaign_id", "wave", "employee_id"],
            ),
            unique(
                "survey_invitations",
                "contact",
                &["campaign_id", "wave", "association_id", "email"],
            ),
            index("survey_invitations", "employee", &["employee_id"]),
        ] {
            m.create_index(i).await?;
        }
        m.create_table(
            Table::create()
                .table("survey_responses")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("campaign_id"))
                .col(integer("wave"))
                .col(string_len("audience", 20))
                .col(big_integer_null("association_id"))
                // Null when the organisation keeps answers anonymous.
                .col(big_integer_null("invitation_id"))
                .col(text("answers"))
                // A day, not a time: a time could be matched with who opened the link.
                .col(date("submitted_on"))
                .foreign_key(&mut fk_cascade(
                    "survey_responses",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade(
                    "survey_responses",
                    "campaign_id",
                    "campaigns",
                ))
                .foreign_key(&mut fk_cascade(
                    "survey_responses",
                    "association_id",
                    "associations",
                ))
                .foreign_key(&mut fk_cascade(
                    "survey_responses",
                    "invitation_id",
                    "survey_invitations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("survey_responses", "invitation", &["invitation_id"]))
            .await?;
        m.create_index(index(
            "survey_responses",
            "wave",
            &["campaign_id", "wave", "audience"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("share_backs")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("campaign_id"))
                .col(big_integer("dispatch_id"))
                .col(text("content"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk_cascade(
                    "share_backs",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade("share_backs", "campaign_id", "campaigns"))
                .foreign_key(&mut fk_cascade("share_backs", "dispatch_id", "dispatches"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("share_backs", "dispatch", &["dispatch_id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "share_backs",
            "survey_responses",
            "survey_invitations",
            "questionnaires",
        ] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
