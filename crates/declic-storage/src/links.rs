//! Campaign links: one per channel variant, short random codes, anonymous visit counts.

use chrono::{DateTime, NaiveDate, Utc};
use declic_planning::Channel;
use rand::Rng;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{campaign, campaign_link, employee, link_visit};
use crate::{OrgId, StorageError, Store, now};

/// Characters of link codes: lowercase, no look-alikes (0/o, 1/l/i).
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// 12 characters of a 31-letter alphabet: about 59 bits, useless to enumerate.
const CODE_LEN: usize = 12;

/// A tagged link as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignLink {
    pub id: i64,
    pub campaign_id: i64,
    pub code: String,
    pub channel: Channel,
    pub site: Option<String>,
    pub ambassador_employee_id: Option<i64>,
    /// Visits counted so far (anonymous).
    pub visits: i64,
    pub created_at: DateTime<Utc>,
}

/// A new random link code.
pub fn new_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LEN)
        .map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]))
        .collect()
}

/// Plausible link codes only: everything else is a 404 without a query.
pub fn is_plausible_code(code: &str) -> bool {
    code.len() == CODE_LEN && code.bytes().all(|b| ALPHABET.contains(&b))
}

impl Store {
    /// The link for a channel variant, created on first request.
    pub async fn ensure_link(
        &self,
        org: OrgId,
        campaign_id: i64,
        channel: Channel,
        site: Option<&str>,
        ambassador_employee_id: Option<i64>,
    ) -> Result<CampaignLink, StorageError> {
        // No cache to drop: cached links are found by code, and a new link has a new code.
        campaign::Entity::find_by_id(campaign_id)
            .filter(campaign::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("campaign"))?;
        let site = site.map(str::trim).filter(|s| !s.is_empty());
        if site.is_some_and(|s| s.chars().count() > 200) {
            return Err(StorageError::invalid("site", "at most 200 characters"));
        }
        if channel == Channel::Ambassador {
            let Some(id) = ambassador_employee_id else {
                return Err(StorageError::invalid(
                    "ambassador_email",
                    "an ambassador link names its ambassador",
                ));
            };
            employee::Entity::find_by_id(id)
                .filter(employee::Column::OrganizationId.eq(org.0))
                .filter(employee::Column::Active.eq(true))
                .filter(employee::Column::Provisional.eq(false))
                .one(self.db())
                .await?
                .ok_or_else(|| {
                    StorageError::invalid("ambassador_email", "no active employee with this email")
                })?;
        } else if ambassador_employee_id.is_some() {
            return Err(StorageError::invalid(
                "channel",
                "only ambassador links name an ambassador",
            ));
        }
        let variant = variant_of(site, ambassador_employee_id);
        let find = || {
            campaign_link::Entity::find()
                .filter(campaign_link::Column::CampaignId.eq(campaign_id))
                .filter(campaign_link::Column::Channel.eq(channel.as_str()))
                .filter(campaign_link::Column::Variant.eq(variant.clone()))
        };
        if let Some(existing) = find().one(self.db()).await? {
            return self.link_view(existing).await;
        }
        // Two concurrent requests may both get here: the unique index keeps one.
        campaign_link::Entity::insert(campaign_link::ActiveModel {
            organization_id: Set(org.0),
            campaign_id: Set(campaign_id),
            code: Set(new_code()),
            channel: Set(channel.as_str().to_owned()),
            variant: Set(variant.clone()),
            site: Set(site.map(str::to_owned)),
            ambassador_employee_id: Set(ambassador_employee_id),
            created_at: Set(now()),
            ..Default::default()
        })
        .on_conflict(
            OnConflict::columns([
                campaign_link::Column::CampaignId,
                campaign_link::Column::Channel,
                campaign_link::Column::Variant,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(self.writer())
        .await?;
        let created = find()
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("link"))?;
        self.link_view(created).await
    }

    /// The tagged link [`Self::ensure_link`] would give, if it exists; creates nothing.
    pub async fn existing_link(
        &self,
        org: OrgId,
        campaign_id: i64,
        channel: Channel,
        site: Option<&str>,
        ambassador_employee_id: Option<i64>,
    ) -> Result<Option<CampaignLink>, StorageError> {
        let site = site.map(str::trim).filter(|s| !s.is_empty());
        let variant = variant_of(site, ambassador_employee_id);
        let found = campaign_link::Entity::find()
            .filter(campaign_link::Column::OrganizationId.eq(org.0))
            .filter(campaign_link::Column::CampaignId.eq(campaign_id))
            .filter(campaign_link::Column::Channel.eq(channel.as_str()))
            .filter(campaign_link::Column::Variant.eq(variant))
            .one(self.db())
            .await?;
        match found {
            Some(l) => Ok(Some(self.link_view(l).await?)),
            None => Ok(None),
        }
    }

    /// All links of a campaign with their visit counts.
    pub async fn campaign_links(
        &self,
        org: OrgId,
        campaign_id: i64,
    ) -> Result<Vec<CampaignLink>, StorageError> {
        let rows = campaign_link::Entity::find()
            .filter(campaign_link::Column::OrganizationId.eq(org.0))
            .filter(campaign_link::Column::CampaignId.eq(campaign_id))
            .order_by_asc(campaign_link::Column::Id)
            .all(self.db())
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(self.link_view(r).await?);
        }
        Ok(out)
    }

    /// Finds a link by its public code (no organisation: this is the public entry point).
    pub async fn link_by_code(
        &self,
        code: &str,
    ) -> Result<Option<campaign_link::Model>, StorageError> {
        if !is_plausible_code(code) {
            return Ok(None);
        }
        Ok(campaign_link::Entity::find()
            .filter(campaign_link::Column::Code.eq(code))
            .one(self.db())
            .await?)
    }

    /// Counts one visit of a link today; nothing about the visitor is kept.
    /// Counts gather in memory and are written together every few seconds
    /// ([`crate::cache::VISIT_FLUSH`]), before any read of them, and by
    /// [`Store::flush_visits`] at shutdown, so a page view costs no write.
    pub async fn record_visit(&self, link_id: i64, day: NaiveDate) -> Result<(), StorageError> {
        match self.caches().count_visit(link_id, day) {
            Some(due) => self.write_visits(due).await,
            None => Ok(()),
        }
    }

    /// Writes the visit counts gathered in memory.
    pub async fn flush_visits(&self) -> Result<(), StorageError> {
        let due = self.caches().take_visits();
        if due.is_empty() {
            return Ok(());
        }
        self.write_visits(due).await
    }

    async fn write_visits(
        &self,
        due: std::collections::HashMap<(i64, NaiveDate), i64>,
    ) -> Result<(), StorageError> {
        let mut rows: Vec<_> = due.iter().map(|(&(l, d), &n)| (l, d, n)).collect();
        // The same order in every writer, so two flushes never deadlock on PostgreSQL.
        rows.sort_unstable();
        let result = async {
            let txn = self.write_txn().await?;
            for (link_id, day, n) in rows {
                link_visit::Entity::insert(link_visit::ActiveModel {
                    link_id: Set(link_id),
                    day: Set(day),
                    visits: Set(n),
                    ..Default::default()
                })
                .on_conflict(
                    OnConflict::columns([link_visit::Column::LinkId, link_visit::Column::Day])
                        .value(
                            link_visit::Column::Visits,
                            Expr::col((link_visit::Entity, link_visit::Column::Visits)).add(n),
                        )
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await?;
            }
            txn.commit().await?;
            Ok::<_, StorageError>(())
        }
        .await;
        if let Err(e) = result {
            // A link deleted meanwhile would fail forever: keep the counts only
            // when the database itself was the problem.
            if matches!(e, StorageError::Unavailable(_)) {
                self.caches().restore_visits(due);
            }
            return Err(e);
        }
        Ok(())
    }

    async fn link_view(&self, m: campaign_link::Model) -> Result<CampaignLink, StorageError> {
        if let Err(e) = self.flush_visits().await {
            tracing::warn!(error = %e, "visit counts not written yet");
        }
        // PostgreSQL sums BIGINT into NUMERIC: cast back so both backends decode an i64.
        let visits: Option<i64> = link_visit::Entity::find()
            .select_only()
            .column_as(
                Expr::cust("CAST(COALESCE(SUM(visits), 0) AS BIGINT)"),
                "total",
            )
            .filter(link_visit::Column::LinkId.eq(m.id))
            .into_tuple::<i64>()
            .one(self.db())
            .await?;
        Ok(CampaignLink {
            id: m.id,
            campaign_id: m.campaign_id,
            channel: m.channel.parse().unwrap_or(Channel::Direct),
            code: m.code,
            site: m.site,
            ambassador_employee_id: m.ambassador_employee_id,
            visits: visits.unwrap_or(0),
            created_at: m.created_at,
        })
    }
}

/// What tells apart a campaign's links of one channel: the site, or the ambassador.
fn variant_of(site: Option<&str>, ambassador_employee_id: Option<i64>) -> String {
    match (site, ambassador_employee_id) {
        (_, Some(a)) => format!("ambassador:{a}"),
        (Some(s), None) => format!("site:{}", s.to_lowercase()),
        (None, None) => String::new(),
    }
}
