//! The `associations` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "associations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub name: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// JSON array of contacts.
    #[sea_orm(column_type = "Text")]
    pub contacts: String,
    pub past_activity_feedback: bool,
    pub finances_documented: bool,
    pub two_people_available: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
