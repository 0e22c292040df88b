//! The `registrations` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registrations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub campaign_id: i64,
    pub employee_id: i64,
    pub status: String,
    pub source_link_id: Option<i64>,
    pub source_channel: String,
    pub referrer_employee_id: Option<i64>,
    pub duo_registration_id: Option<i64>,
    pub duo_invitee_email: Option<String>,
    pub language: String,
    pub confirm_token_hash: Option<String>,
    pub confirm_expires_at: Option<DateTimeUtc>,
    pub manage_nonce: String,
    pub consented_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The person agreed that the ambassador who brought them may see their first name.
    pub show_to_referrer: bool,
    /// When the credited ambassador link was first opened (remembered by the browser).
    pub link_used_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
