//! The `campaigns` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "campaigns")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub organization_id: i64,
    pub title: String,
    pub goal: i32,
    /// JSON array of department names; empty array means everyone.
    #[sea_orm(column_type = "Text")]
    pub audience_departments: String,
    /// JSON array of site names; empty array means everyone.
    #[sea_orm(column_type = "Text")]
    pub audience_sites: String,
    pub registration_opens: Option<Date>,
    pub registration_closes: Option<Date>,
    #[sea_orm(column_type = "Text")]
    pub key_message: String,
    #[sea_orm(column_type = "Text")]
    pub why_it_matters: String,
    pub status: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
