//! The employee directory: import by upsert, search, deactivation.

mod import;

use chrono::{DateTime, Utc};
use declic_directory::RejectedLine;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::employee;
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// An employee as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Employee {
    pub id: i64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub department: Option<String>,
    pub site: Option<String>,
    pub language: Option<String>,
    pub manager_email: Option<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deactivated_at: Option<DateTime<Utc>>,
    pub erased: bool,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportSummary {
    pub dry_run: bool,
    /// Data rows read from the file (blank lines excluded).
    pub total_rows: u64,
    pub inserted: u64,
    pub updated: u64,
    pub unchanged: u64,
    /// Previously deactivated employees present in the file again.
    pub reactivated: u64,
    #[schema(value_type = Vec<Object>)]
    pub rejected: Vec<RejectedLine>,
    pub ignored_columns: Vec<String>,
    pub encoding: String,
    pub separator: String,
}

/// Filters for listing the directory.
#[derive(Debug, Clone, Default)]
pub struct EmployeeQuery {
    /// Matches email, first or last name (case-insensitive substring).
    pub search: Option<String>,
    pub department: Option<String>,
    pub site: Option<String>,
    pub active: Option<bool>,
    pub limit: u64,
    pub offset: u64,
}

impl Store {
    /// Lists employees matching `q`, ordered by last then first name.
    pub async fn employees(
        &self,
        org: OrgId,
        q: &EmployeeQuery,
    ) -> Result<(Vec<Employee>, u64), StorageError> {
        let mut cond = Condition::all()
            .add(employee::Column::OrganizationId.eq(org.0))
            .add(employee::Column::ErasedAt.is_null())
            // Someone who signed up and has not confirmed is not in the directory yet.
            .add(employee::Column::Provisional.eq(false));
        if let Some(s) = q.search.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            let pattern = format!("%{}%", s.to_lowercase().replace(['%', '_'], ""));
            cond = cond.add(
                Condition::any()
                    .add(Expr::col(employee::Column::Email).like(pattern.clone()))
                    .add(
                        Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(
                            employee::Column::FirstName,
                        )))
                        .like(pattern.clone()),
                    )
                    .add(
                        Expr::expr(sea_orm::sea_query::Func::lower(Expr::col(
                            employee::Column::LastName,
                        )))
                        .like(pattern),
                    ),
            );
        }
        if let Some(d) = &q.department {
            cond = cond.add(employee::Column::Department.eq(d.clone()));
        }
        if let Some(s) = &q.site {
            cond = cond.add(employee::Column::Site.eq(s.clone()));
        }
        if let Some(a) = q.active {
            cond = cond.add(employee::Column::Active.eq(a));
        }
        let base = employee::Entity::find().filter(cond);
        let total = base.clone().count(self.db()).await?;
        let rows = base
            .order_by_asc(employee::Column::LastName)
            .order_by_asc(employee::Column::FirstName)
            .order_by_asc(employee::Column::Id)
            .limit(q.limit.clamp(1, 1000))
            // Past the end is an empty page, not an overflow in the driver.
            .offset(std::cmp::Ord::min(q.offset, i64::MAX.unsigned_abs()))
            .all(self.db())
            .await?;
        Ok((rows.into_iter().map(view).collect(), total))
    }

    /// One employee of the organisation.
    pub async fn employee(&self, org: OrgId, id: i64) -> Result<Employee, StorageError> {
        Ok(view(self.employee_model(org, id).await?))
    }

    pub(crate) async fn employee_model(
        &self,
        org: OrgId,
        id: i64,
    ) -> Result<employee::Model, StorageError> {
        employee::Entity::find_by_id(id)
            .filter(employee::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("employee"))
    }

    /// Finds an employee by email.
    pub async fn employee_by_email(
        &self,
        org: OrgId,
        email: &str,
    ) -> Result<Employee, StorageError> {
        let email = declic_directory::normalize_email(email)
            .ok_or_else(|| StorageError::invalid("email", "not an email address"))?;
        employee::Entity::find()
            .filter(employee::Column::OrganizationId.eq(org.0))
            .filter(employee::Column::Email.eq(email))
            .one(self.db())
            .await?
            .map(view)
            .ok_or(StorageError::NotFound("employee"))
    }

    /// Marks an employee as having left (or back); history is kept.
    pub async fn set_employee_active(
        &self,
        org: OrgId,
        id: i64,
        active: bool,
        actor: &Actor,
    ) -> Result<Employee, StorageError> {
        let txn = self.write_txn().await?;
        let cur = employee::Entity::find_by_id(id)
            .filter(employee::Column::OrganizationId.eq(org.0))
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("employee"))?;
        if cur.erased_at.is_some() {
            return Err(StorageError::invalid(
                "id",
                "this employee's data was erased",
            ));
        }
        let t = now();
        let mut a: employee::ActiveModel = cur.into();
        a.active = Set(active);
        a.deactivated_at = Set((!active).then_some(t));
        a.updated_at = Set(t);
        let model = a.update(&txn).await?;
        let action = if active {
            "employee.reactivate"
        } else {
            "employee.deactivate"
        };
        audit::record(
            &txn,
            org,
            actor,
            action,
            "employee",
            Some(id),
            serde_json::json!({}),
        )
        .await?;
        txn.commit().await?;
        Ok(view(model))
    }

    /// Active employees matching an audience filter (empty lists mean everyone).
    pub async fn audience_size(
        &self,
        org: OrgId,
        departments: &[String],
        sites: &[String],
    ) -> Result<u64, StorageError> {
        let mut q = employee::Entity::find()
            .filter(employee::Column::OrganizationId.eq(org.0))
            .filter(employee::Column::Active.eq(true))
            .filter(employee::Column::Provisional.eq(false));
        if !departments.is_empty() {
            q = q.filter(employee::Column::Department.is_in(departments.to_vec()));
        }
        if !sites.is_empty() {
            q = q.filter(employee::Column::Site.is_in(sites.to_vec()));
        }
        Ok(q.count(self.db()).await?)
    }

    /// Distinct departments and sites of active employees, for audience pickers.
    pub async fn directory_facets(
        &self,
        org: OrgId,
    ) -> Result<(Vec<String>, Vec<String>), StorageError> {
        let distinct = |col: employee::Column| {
            employee::Entity::find()
                .select_only()
                .column(col)
                .distinct()
                .filter(employee::Column::OrganizationId.eq(org.0))
                .filter(employee::Column::Active.eq(true))
                .filter(employee::Column::Provisional.eq(false))
                .filter(col.is_not_null())
                .order_by_asc(col)
                .into_tuple::<String>()
        };
        let departments = distinct(employee::Column::Department)
            .all(self.db())
            .await?;
        let sites = distinct(employee::Column::Site).all(self.db()).await?;
        Ok((departments, sites))
    }
}

pub(crate) fn view(m: employee::Model) -> Employee {
    Employee {
        id: m.id,
        email: m.email,
        first_name: m.first_name,
        last_name: m.last_name,
        department: m.department,
        site: m.site,
        language: m.language,
        manager_email: m.manager_email,
        active: m.active,
        created_at: m.created_at,
        updated_at: m.updated_at,
        deactivated_at: m.deactivated_at,
        erased: m.erased_at.is_some(),
    }
}
