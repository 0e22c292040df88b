//! The directory import: an upsert by (organization_id, email) in one transaction.
//!
//! Files reach 100k rows, so the data crosses the driver in bulk, as JSON: the current
//! directory (only the compared columns) comes back as one JSON value, and each write
//! statement takes a batch of records as one JSON parameter that the database expands into
//! rows. docs/PERFORMANCE.md has the figures.

use std::collections::HashMap;

use declic_directory::{EmployeeRecord, ParsedDirectory};
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, Statement};
use serde::{Deserialize, Serialize};

use super::ImportSummary;
use crate::{Actor, OrgId, StorageError, Store, audit, now};

impl Store {
    /// Upserts parsed directory rows by email; re-importing the same file changes nothing.
    pub async fn import_employees(
        &self,
        org: OrgId,
        parsed: &ParsedDirectory,
        dry_run: bool,
        actor: &Actor,
    ) -> Result<ImportSummary, StorageError> {
        let txn = self.write_txn().await?;
        let current = current_directory(&txn, org).await?;
        // People erased at their request are not brought back by the directory.
        let erased = crate::privacy::erased_addresses(&txn, org).await?;
        // Usually nobody was ever erased: then no record is hashed nor copied.
        let erased_on = |r: &EmployeeRecord| {
            erased
                .get(&crate::privacy::address_hash(org, &r.email))
                .copied()
        };
        let (kept, refused): (Vec<&EmployeeRecord>, Vec<&EmployeeRecord>) = if erased.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            parsed.records.iter().partition(|r| erased_on(r).is_none())
        };
        let kept: Vec<EmployeeRecord> = kept.into_iter().cloned().collect();
        let records = if refused.is_empty() {
            &parsed.records[..]
        } else {
            &kept[..]
        };
        let plan = Plan::new(records, &current);
        let mut summary = plan.summary(parsed, dry_run);
        summary
            .rejected
            .extend(refused.into_iter().map(|r| declic_directory::RejectedLine {
                line: r.line,
                email: Some(r.email.clone()),
                reason: declic_directory::RejectReason::ErasedOnRequest {
                    on: erased_on(r).map(|d| d.to_string()).unwrap_or_default(),
                },
            }));
        summary.rejected.sort_by_key(|r| r.line);
        if dry_run {
            txn.rollback().await?;
            return Ok(summary);
        }
        write(&txn, org, &plan).await?;
        audit::record(
            &txn,
            org,
            actor,
            "employees.import",
            "organization",
            Some(org.0),
            serde_json::json!({"inserted": summary.inserted, "updated": summary.updated, "unchanged": summary.unchanged, "rejected": summary.rejected.len()}),
        )
        .await?;
        txn.commit().await?;
        Ok(summary)
    }
}

/// One employee already in the directory: the columns an import compares, and the id.
/// Deserialised from a JSON array of the fields in this order (see [`current_directory`]).
#[derive(Deserialize)]
struct Current {
    id: i64,
    email: String,
    first_name: String,
    last_name: String,
    department: Option<String>,
    site: Option<String>,
    language: Option<String>,
    manager_email: Option<String>,
    /// Active and in the directory (a provisional sign-up the file names becomes a
    /// person: see m0024).
    active: bool,
}

impl Current {
    /// True when importing `rec` would change nothing (a deactivated employee is reactivated).
    fn matches(&self, rec: &EmployeeRecord) -> bool {
        self.active
            && self.first_name == rec.first_name
            && self.last_name == rec.last_name
            && self.department == rec.department
            && self.site == rec.site
            && self.language == rec.language
            && self.manager_email == rec.manager_email
    }
}

/// The organisation's employees, read as a single JSON array of [`Current`] rows. Fetched
/// row by row, 100k employees took twice as long as the rest of a re-import on SQLite:
/// sqlx hands each row over separately (from its worker thread), with an allocation per
/// column.
async fn current_directory(txn: &DatabaseTransaction, org: OrgId) -> Result<Vec<Current>, DbErr> {
    let backend = txn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            "SELECT COALESCE(json_agg(json_build_array(id, email, first_name, last_name,
                 department, site, language, manager_email, active AND NOT provisional))::text,
                 '[]') AS directory
             FROM employees WHERE organization_id = $1"
        }
        // SQLite stores booleans as 0 or 1.
        _ => {
            "SELECT json_group_array(json_array(id, email, first_name, last_name, department,
                 site, language, manager_email,
                 json(CASE WHEN active AND NOT provisional THEN 'true' ELSE 'false' END)))
                 AS directory
             FROM employees WHERE organization_id = $1"
        }
    };
    let stmt = Statement::from_sql_and_values(backend, sql, [org.0.into()]);
    let row = txn
        .query_one_raw(stmt)
        .await?
        .ok_or_else(|| DbErr::RecordNotFound("the directory aggregate".into()))?;
    let directory: String = row.try_get("", "directory")?;
    serde_json::from_str(&directory).map_err(|e| DbErr::Json(e.to_string()))
}

/// What the import does with each record of the file.
struct Plan<'a> {
    fresh: Vec<&'a EmployeeRecord>,
    /// With the id of the employee each one updates.
    changed: Vec<(i64, &'a EmployeeRecord)>,
    unchanged: u64,
    /// Changed records whose employee was deactivated.
    reactivated: u64,
}

impl<'a> Plan<'a> {
    fn new(records: &'a [EmployeeRecord], current: &[Current]) -> Self {
        let current: HashMap<&str, &Current> = current.iter().map(|c| (&*c.email, c)).collect();
        let mut plan = Plan {
            fresh: Vec::new(),
            changed: Vec::new(),
            unchanged: 0,
            reactivated: 0,
        };
        for rec in records {
            match current.get(&*rec.email) {
                None => plan.fresh.push(rec),
                Some(cur) if cur.matches(rec) => plan.unchanged += 1,
                Some(cur) => {
                    plan.changed.push((cur.id, rec));
                    plan.reactivated += u64::from(!cur.active);
                }
            }
        }
        plan
    }

    fn summary(&self, parsed: &ParsedDirectory, dry_run: bool) -> ImportSummary {
        ImportSummary {
            dry_run,
            total_rows: parsed.total_rows,
            // Counted before writing: a row a concurrent import inserted first is still
            // reported here, though ON CONFLICT skips it.
            inserted: self.fresh.len() as u64,
            updated: self.changed.len() as u64,
            unchanged: self.unchanged,
            reactivated: self.reactivated,
            rejected: parsed.rejected.clone(),
            ignored_columns: parsed.ignored_columns.clone(),
            encoding: parsed.encoding.to_owned(),
            separator: separator_name(parsed.separator),
        }
    }
}

fn separator_name(sep: u8) -> String {
    match sep {
        b'\t' => "tab".to_owned(),
        other => char::from(other).to_string(),
    }
}

/// Records per statement. A batch travels as one JSON text of about 120 bytes a row, so
/// there is no parameter limit to respect; 10 000 rows keep each statement's memory small.
const BATCH_ROWS: usize = 10_000;

/// A record as one row of a batch's JSON array: `[key, first_name, last_name, department,
/// site, language, manager_email]`, `null` for a missing optional field. The key is the
/// email of a new employee, or the id of the employee a changed record updates.
type JsonRow<'a, K> = (
    K,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
    Option<&'a str>,
);

fn json_row<K>(key: K, rec: &EmployeeRecord) -> JsonRow<'_, K> {
    (
        key,
        &rec.first_name,
        &rec.last_name,
        rec.department.as_deref(),
        rec.site.as_deref(),
        rec.language.as_deref(),
        rec.manager_email.as_deref(),
    )
}

/// The import's two statements for a backend. `r.value ->> N` is field N of a [`JsonRow`]
/// on both (SQL NULL for a JSON null). Binding one JSON text per batch, rather than a
/// parameter per field, is what makes them fast: each parameter costs several copies and
/// allocations on its way through sea-orm and sqlx, far more than the database's parsing.
struct Statements {
    /// $1 organisation, $2 timestamp, $3 the JSON rows keyed by email. The unique
    /// (organization_id, email) index with ON CONFLICT DO NOTHING keeps a concurrent import
    /// from duplicating an employee.
    insert: &'static str,
    /// $1 timestamp, $2 the JSON rows keyed by id.
    update: &'static str,
}

const SQLITE: Statements = Statements {
    // SQLite needs the WHERE to tell the upsert's ON from a join's.
    insert: "INSERT INTO employees (organization_id, email, first_name, last_name, department,
                 site, language, manager_email, active, created_at, updated_at)
             SELECT $1, r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3,
                 r.value ->> 4, r.value ->> 5, r.value ->> 6, TRUE, $2, $2
             FROM json_each($3) AS r
             WHERE true
             ON CONFLICT (organization_id, email) DO NOTHING",
    // By id alone: with an organization_id condition as well, SQLite's planner scans the
    // organisation's employees once per JSON row. The ids come from this transaction.
    update: "UPDATE employees SET first_name = r.value ->> 1, last_name = r.value ->> 2,
                 department = r.value ->> 3, site = r.value ->> 4, language = r.value ->> 5,
                 manager_email = r.value ->> 6, active = TRUE, provisional = FALSE, deactivated_at = NULL,
                 updated_at = $1
             FROM json_each($2) AS r
             WHERE employees.id = r.value ->> 0",
};

const POSTGRES: Statements = Statements {
    insert: "INSERT INTO employees (organization_id, email, first_name, last_name, department,
                 site, language, manager_email, active, created_at, updated_at)
             SELECT $1, r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3,
                 r.value ->> 4, r.value ->> 5, r.value ->> 6, TRUE, $2, $2
             FROM jsonb_array_elements($3::jsonb) AS r(value)
             ON CONFLICT (organization_id, email) DO NOTHING",
    update: "UPDATE employees SET first_name = r.value ->> 1, last_name = r.value ->> 2,
                 department = r.value ->> 3, site = r.value ->> 4, language = r.value ->> 5,
                 manager_email = r.value ->> 6, active = TRUE, provisional = FALSE, deactivated_at = NULL,
                 updated_at = $1
             FROM jsonb_array_elements($2::jsonb) AS r(value)
             WHERE employees.id = (r.value ->> 0)::bigint",
};

/// Updates the changed employees, then inserts the new ones, all with one timestamp.
async fn write(txn: &DatabaseTransaction, org: OrgId, plan: &Plan<'_>) -> Result<(), DbErr> {
    let t = now();
    // Only the SQLite and PostgreSQL drivers are compiled in.
    let backend = txn.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => &POSTGRES,
        _ => &SQLITE,
    };
    for batch in plan.changed.chunks(BATCH_ROWS) {
        let rows: Vec<_> = batch.iter().map(|&(id, rec)| json_row(id, rec)).collect();
        let values = [t.into(), json_text(&rows)?.into()];
        let done = txn
            .execute_raw(Statement::from_sql_and_values(backend, sql.update, values))
            .await?;
        // Fewer rows than sent: an employee was deleted since it was read. Fail rather
        // than report it updated.
        if done.rows_affected() < rows.len() as u64 {
            return Err(DbErr::RecordNotUpdated);
        }
    }
    for batch in plan.fresh.chunks(BATCH_ROWS) {
        let rows: Vec<_> = batch
            .iter()
            .map(|&rec| json_row(&*rec.email, rec))
            .collect();
        let values = [org.0.into(), t.into(), json_text(&rows)?.into()];
        txn.execute_raw(Statement::from_sql_and_values(backend, sql.insert, values))
            .await?;
    }
    Ok(())
}

fn json_text(rows: &impl Serialize) -> Result<String, DbErr> {
    serde_json::to_string(rows).map_err(|e| DbErr::Json(e.to_string()))
}
