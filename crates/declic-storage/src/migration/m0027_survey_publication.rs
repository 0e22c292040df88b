//! Survey results are published in steps: a report reads `published_answers`, the copy
//! taken when five answers (new or changed) had gathered in a wave's group since the last
//! step, so comparing two reports never isolates one person's answer. `pending` marks an
//! answer written since. Answers already stored are published as they are.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("survey_responses")
                .add_column(text_null("published_answers"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("survey_responses")
                .add_column(boolean("pending").default(false))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared("UPDATE survey_responses SET published_answers = answers")
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["pending", "published_answers"] {
            m.alter_table(
                Table::alter()
                    .table("survey_responses")
                    .drop_column(column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
