//! The `ambassadors` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ambassadors")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub employee_id: i64,
    pub status: String,
    pub past_volunteer: bool,
    pub leaderboard_opt_in: bool,
    pub invited_at: DateTimeUtc,
    pub accepted_at: Option<DateTimeUtc>,
    pub opted_out_at: Option<DateTimeUtc>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
