//! The outbox of a person's own messages (confirmation link, seat, offer, sign-in
//! link, reset…): written in the transaction of the change that causes them and
//! delivered by the delivery worker, so a slow or absent mail server neither holds a
//! request nor loses a message.

use sea_orm_migration::{prelude::*, schema::*};

use super::{fk_cascade, index, unique};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("messages")
                .col(big_pk_auto("id"))
                .col(big_integer("organization_id"))
                // What the message is (`confirm_registration`, `seat_offered`…).
                .col(string_len("kind", 40))
                // Who it is about: the registration, the ambassador or the admin account.
                .col(big_integer_null("registration_id"))
                .col(big_integer_null("employee_id"))
                .col(big_integer_null("ambassador_id"))
                .col(big_integer_null("admin_id"))
                // The address when queued; re-read from the directory before sending.
                .col(string_len("recipient", 254))
                .col(string_len("language", 8))
                // What the mail needs beyond the rows it points at (JSON; secrets sealed),
                // emptied once the message is done.
                .col(text("params"))
                // One message per key: a retried request or a double submit queues once.
                .col(string_len("idempotency_key", 200))
                // queued | sending | sent | retrying | failed | expired | cancelled
                .col(string_len("status", 16))
                .col(integer("attempts"))
                .col(timestamp_with_time_zone("next_attempt_at"))
                .col(timestamp_with_time_zone_null("locked_until"))
                // A message whose link lapses is not sent after this; it is reported.
                .col(timestamp_with_time_zone_null("expires_at"))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk_cascade(
                    "messages",
                    "organization_id",
                    "organizations",
                ))
                .foreign_key(&mut fk_cascade(
                    "messages",
                    "registration_id",
                    "registrations",
                ))
                .foreign_key(&mut fk_cascade("messages", "employee_id", "employees"))
                .foreign_key(&mut fk_cascade("messages", "ambassador_id", "ambassadors"))
                .foreign_key(&mut fk_cascade("messages", "admin_id", "admins"))
                .to_owned(),
        )
        .await?;
        m.create_index(unique("messages", "idempotency", &["idempotency_key"]))
            .await?;
        m.create_index(index("messages", "due", &["status", "next_attempt_at"]))
            .await?;
        m.create_index(index("messages", "person", &["employee_id"]))
            .await?;
        m.create_index(index("messages", "registration", &["registration_id"]))
            .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("messages").to_owned())
            .await
    }
}
