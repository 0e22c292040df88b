//! Associations, skills and missions.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("associations")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(string_len("name", 200))
                .col(text("description"))
                .col(text("contacts"))
                .col(boolean("past_activity_feedback"))
                .col(boolean("finances_documented"))
                .col(boolean("two_people_available"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "associations",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("associations", "name", &["organization_id", "name"]))
            .await?;

        m.create_table(
            Table::create()
                .table("skills")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(string_len("kind", 8))
                .col(string_len("label_en", 100))
                .col(string_len("label_fr", 100))
                .foreign_key(&mut fk_cascade(
                    "skills",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "skills",
            "label",
            &["organization_id", "kind", "label_en"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("missions")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(big_integer("association_id"))
                .col(string_len("title", 300))
                .col(text("description"))
                .col(string_len("format", 16))
                .col(string_len("work_mode", 16))
                .col(string_len_null("place", 300))
                .col(string_len_null("online_link", 500))
                .col(timestamp("starts_at"))
                .col(timestamp("ends_at"))
                .col(string_len("time_zone", 64))
                .col(integer("capacity"))
                .col(string_len("language", 8))
                .col(text("confidentiality_note"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "missions",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade(
                    "missions",
                    "association_id",
                    "associations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("missions", "org", &["organization_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("mission_skills")
                .col(big_pk_auto("id"))
                .col(big_integer("mission_id"))
                .col(big_integer("skill_id"))
                .foreign_key(&mut fk_cascade("mission_skills", "mission_id", "missions"))
                .foreign_key(&mut fk_cascade("mission_skills", "skill_id", "skills"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique(
            "mission_skills",
            "pair",
            &["mission_id", "skill_id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in ["mission_skills", "missions", "skills", "associations"] {
            m.drop_table(Table::drop().table(t).to_owned()).await?;
        }
        Ok(())
    }
}
