//! The `mission_skills` table.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mission_skills")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub mission_id: i64,
    pub skill_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
