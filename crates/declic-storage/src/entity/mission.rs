//! The `missions` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "missions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub association_id: i64,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub format: String,
    pub work_mode: String,
    pub place: Option<String>,
    pub online_link: Option<String>,
    /// Local wall-clock time in `time_zone`.
    pub starts_at: DateTime,
    pub ends_at: DateTime,
    pub time_zone: String,
    pub capacity: i32,
    pub language: String,
    #[sea_orm(column_type = "Text")]
    pub confidentiality_note: String,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
