//! The `registration_choices` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "registration_choices")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub registration_id: i64,
    pub mission_id: i64,
    pub rank: i32,
    pub status: String,
    pub queue_seq: Option<i64>,
    pub seat_no: Option<i32>,
    pub offer_expires_at: Option<DateTimeUtc>,
    pub reminded_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
    /// Whether the person came: `None` until the organiser marks it.
    pub attended: Option<bool>,
    pub attendance_marked_at: Option<DateTimeUtc>,
    /// The SEQUENCE of the latest calendar invitation sent for this choice.
    pub ics_sequence: i64,
    /// A duo waiting together: the other one's choice (they are offered seats together).
    pub waits_with: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
