//! Slack and Teams incoming webhooks per organisation (the URL is a secret: stored
//! sealed, shown masked), and deliveries that go to a webhook instead of a person:
//! `deliveries` is rebuilt with `employee_id` nullable and a `webhook_id`.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: &str = "id, organization_id, dispatch_id, employee_id, recipient, status, \
    attempts, next_attempt_at, locked_until, last_error, sent_at, updated_at";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("webhooks")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                .col(string_len("name", 80))
                // slack | teams
                .col(string_len("platform", 8))
                // The URL sealed with a key derived from the secret key (AEAD).
                .col(text("url_sealed"))
                // Scheme, host and the last characters, to tell webhooks apart.
                .col(string_len("url_hint", 120))
                .col(boolean("active"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "webhooks",
                    "organization_id",
                    "organizations",
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("webhooks", "name", &["organization_id", "name"]))
            .await?;

        let create = Table::create()
            .table("deliveries_v2")
            .col(big_pk_auto("id"))
            .col(big_integer("organization_id"))
            .col(big_integer("dispatch_id"))
            // A person, or (for Slack and Teams) a webhook.
            .col(big_integer_null("employee_id"))
            .col(string_len("recipient", 254))
            .col(string_len("status", 16))
            .col(integer("attempts"))
            .col(timestamp_with_time_zone("next_attempt_at"))
            .col(timestamp_with_time_zone_null("locked_until"))
            .col(text_null("last_error"))
            .col(timestamp_with_time_zone_null("sent_at"))
            .col(timestamp_with_time_zone("updated_at"))
            .col(big_integer_null("webhook_id"))
            .foreign_key(&mut fk_cascade(
                "deliveries_v2",
                "organization_id",
                "organizations",
            ))
            .foreign_key(&mut fk_cascade(
                "deliveries_v2",
                "dispatch_id",
                "dispatches",
            ))
            .foreign_key(&mut fk_cascade("deliveries_v2", "employee_id", "employees"))
            .foreign_key(&mut fk_cascade("deliveries_v2", "webhook_id", "webhooks"))
            .to_owned();
        let db = m.get_connection();
        let backend = db.get_database_backend();
        // One batch on one connection: another pooled SQLite connection would still
        // see the old table between the drop and the rename.
        let indexes = [
            unique("deliveries", "recipient", &["dispatch_id", "employee_id"]),
            unique("deliveries", "webhook", &["dispatch_id", "webhook_id"]),
            index("deliveries", "due", &["status", "next_attempt_at"]),
            index("deliveries", "person", &["employee_id"]),
            index("deliveries", "progress", &["dispatch_id", "status"]),
        ];
        let mut batch = vec![
            backend.build(&create).sql,
            format!("INSERT INTO deliveries_v2 ({COLUMNS}) SELECT {COLUMNS} FROM deliveries"),
            backend
                .build(&Table::drop().table("deliveries").to_owned())
                .sql,
            backend
                .build(
                    &Table::rename()
                        .table("deliveries_v2", "deliveries")
                        .to_owned(),
                )
                .sql,
        ];
        batch.extend(indexes.iter().map(|i| backend.build(i).sql));
        if backend == DbBackend::Postgres {
            // The copied ids were explicit: move the sequence past them.
            batch.push(
                "SELECT setval(pg_get_serial_sequence('deliveries', 'id'), \
                 COALESCE((SELECT MAX(id) FROM deliveries), 0) + 1, false)"
                    .to_owned(),
            );
        }
        db.execute_unprepared(&batch.join(";\n")).await?;
        Ok(())
    }

    async fn down(&self, _m: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "m0017 cannot be undone: webhook deliveries have no person".into(),
        ))
    }
}
