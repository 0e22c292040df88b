//! The claim shared by the two queues (campaign `deliveries`, a person's own
//! `messages`): due rows taken for a worker with a lease, in one transaction.

use chrono::Duration;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbBackend, QueryResult, Statement};

use crate::{StorageError, now};

/// Which rows a claim reads and what it returns.
pub(crate) struct ClaimQuery<'a> {
    /// The table updated.
    pub table: &'a str,
    /// The rows' source in the subquery, the table aliased `q` (joins allowed).
    pub from: &'a str,
    /// More conditions on the source, or "".
    pub filter: &'a str,
    /// The columns returned.
    pub returning: &'a str,
}

/// Claims up to `limit` due rows for `lease`. One statement per kind of due row,
/// each an ordered range of the index (status, next_attempt_at), so that a claim
/// reads about `limit` rows however long the queue: leases run out first (a dead
/// worker's rows), then the queue (older than any retry), then retries whose time
/// came. The same statements on both databases, but for the row locks PostgreSQL
/// needs so that concurrent workers skip each other's rows.
pub(crate) async fn claim_due(
    txn: &DatabaseTransaction,
    q: &ClaimQuery<'_>,
    limit: u64,
    lease: Duration,
) -> Result<Vec<QueryResult>, StorageError> {
    let backend = txn.get_database_backend();
    let pg = backend == DbBackend::Postgres;
    let t = now();
    let (p, lock) = if pg {
        (["$1", "$2"], "FOR UPDATE OF q SKIP LOCKED")
    } else {
        (["?", "?"], "")
    };
    let kinds = [
        "q.status = 'sending' AND q.locked_until < {now}",
        "q.status = 'queued' AND q.next_attempt_at <= {now}",
        "q.status = 'retrying' AND q.next_attempt_at <= {now}",
    ];
    let mut limit = limit.clamp(1, 10_000);
    let mut rows = Vec::new();
    for due in kinds {
        if limit == 0 {
            break;
        }
        let sql = format!(
            "UPDATE {table} SET status = 'sending', locked_until = {lease_until}, \
               attempts = attempts + 1, updated_at = {now} \
             WHERE id IN ( \
               SELECT q.id FROM {from} WHERE {due} {filter} \
               ORDER BY q.next_attempt_at LIMIT {limit} {lock}) \
             RETURNING {returning}",
            table = q.table,
            from = q.from,
            filter = q.filter,
            returning = q.returning,
            lease_until = p[0],
            now = p[1],
            due = due.replace("{now}", p[1]),
        );
        let values: Vec<sea_orm::Value> = if pg {
            vec![(t + lease).into(), t.into()]
        } else {
            vec![(t + lease).into(), t.into(), t.into()]
        };
        let got = txn
            .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
            .await?;
        limit = limit.saturating_sub(got.len() as u64);
        rows.extend(got);
    }
    Ok(rows)
}
