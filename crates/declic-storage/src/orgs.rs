//! Organisations and the mail domains their employees use.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use serde::Serialize;
use utoipa::ToSchema;

use crate::entity::{organization, organization_domain, skill};
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// An organisation as the API shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Organization {
    pub id: i64,
    pub slug: String,
    pub name: String,
    /// `fr` or `en`: the language of pages and messages unless a person chose otherwise.
    pub default_language: String,
    /// Mail domains whose addresses belong to this organisation's employees.
    pub domains: Vec<String>,
    /// Who people write to about their personal data (a DPO's address, say), shown in
    /// the information notice; HR's team when absent.
    pub privacy_contact: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
}

/// What creating an organisation needs.
#[derive(Debug, Clone)]
pub struct NewOrganization {
    pub slug: String,
    pub name: String,
    pub domains: Vec<String>,
    pub default_language: String,
}

/// Checks a slug: 2–64 lowercase letters, digits and hyphens, not at either end.
pub fn validate_slug(slug: &str) -> Result<(), StorageError> {
    let ok = (2..=64).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(StorageError::invalid(
            "slug",
            "use 2 to 64 lowercase letters, digits and hyphens",
        ))
    }
}

/// Normalises and checks a mail domain such as `acme.example`.
pub fn normalize_domain(raw: &str) -> Result<String, StorageError> {
    let d = raw.trim().trim_start_matches('@').to_ascii_lowercase();
    let labels_ok = d.split('.').all(|l| {
        !l.is_empty()
            && l.len() <= 63
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    });
    if d.len() <= 253 && d.contains('.') && labels_ok {
        Ok(d)
    } else {
        Err(StorageError::invalid(
            "domains",
            format!("`{raw}` is not a mail domain"),
        ))
    }
}

/// Checks a language code: `fr` or `en`.
pub fn validate_language(field: &str, lang: &str) -> Result<(), StorageError> {
    if matches!(lang, "fr" | "en") {
        Ok(())
    } else {
        Err(StorageError::invalid(field, "use `fr` or `en`"))
    }
}

impl Store {
    /// Creates an organisation with its domains and the default skills list.
    pub async fn create_organization(
        &self,
        new: NewOrganization,
        actor: &Actor,
    ) -> Result<Organization, StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        validate_slug(&new.slug)?;
        validate_language("default_language", &new.default_language)?;
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(StorageError::invalid(
                "name",
                "give a name of 1 to 200 characters",
            ));
        }
        if new.domains.is_empty() {
            return Err(StorageError::invalid(
                "domains",
                "give at least one mail domain",
            ));
        }
        let mut domains = new
            .domains
            .iter()
            .map(|d| normalize_domain(d))
            .collect::<Result<Vec<_>, _>>()?;
        domains.sort();
        domains.dedup();

        let txn = self.write_txn().await?;
        let t = now();
        let org = organization::ActiveModel {
            slug: Set(new.slug.clone()),
            name: Set(name),
            default_language: Set(new.default_language.clone()),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(StorageError::on_unique(
            "slug",
            format!("an organisation with slug `{}` already exists", new.slug),
        ))?;
        claim_domains(&txn, OrgId(org.id), &domains).await?;
        let skills = declic_planning::default_skills()
            .into_iter()
            .map(|(kind, en, fr)| skill::ActiveModel {
                organization_id: Set(org.id),
                kind: Set(kind.as_str().to_owned()),
                label_en: Set(en.to_owned()),
                label_fr: Set(fr.to_owned()),
                ..Default::default()
            });
        skill::Entity::insert_many(skills)
            .exec_without_returning(&txn)
            .await?;
        audit::record(
            &txn,
            OrgId(org.id),
            actor,
            "organization.create",
            "organization",
            Some(org.id),
            serde_json::json!({"slug": org.slug, "domains": domains}),
        )
        .await?;
        txn.commit().await?;
        Ok(view(org, domains))
    }

    /// Finds an organisation by slug.
    pub async fn organization_by_slug(&self, slug: &str) -> Result<Organization, StorageError> {
        let org = organization::Entity::find()
            .filter(organization::Column::Slug.eq(slug))
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("organization"))?;
        let domains = self.domains(OrgId(org.id)).await?;
        Ok(view(org, domains))
    }

    /// Loads an organisation.
    pub async fn organization(&self, org: OrgId) -> Result<Organization, StorageError> {
        let model = organization::Entity::find_by_id(org.0)
            .one(self.db())
            .await?
            .ok_or(StorageError::NotFound("organization"))?;
        let domains = self.domains(org).await?;
        Ok(view(model, domains))
    }

    /// All organisations (for operators at the command line).
    pub async fn organizations(&self) -> Result<Vec<Organization>, StorageError> {
        let mut out = Vec::new();
        for m in organization::Entity::find()
            .order_by_asc(organization::Column::Slug)
            .all(self.db())
            .await?
        {
            let domains = self.domains(OrgId(m.id)).await?;
            out.push(view(m, domains));
        }
        Ok(out)
    }

    /// The organisation's mail domains, sorted.
    pub async fn domains(&self, org: OrgId) -> Result<Vec<String>, StorageError> {
        Ok(organization_domain::Entity::find()
            .filter(organization_domain::Column::OrganizationId.eq(org.0))
            .order_by_asc(organization_domain::Column::Domain)
            .all(self.db())
            .await?
            .into_iter()
            .map(|d| d.domain)
            .collect())
    }

    /// Changes the name, default language or domains of an organisation.
    pub async fn update_organization(
        &self,
        org: OrgId,
        name: Option<String>,
        default_language: Option<String>,
        domains: Option<Vec<String>>,
        privacy_contact: Option<String>,
        actor: &Actor,
    ) -> Result<Organization, StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        let txn = self.write_txn().await?;
        let model = organization::Entity::find_by_id(org.0)
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("organization"))?;
        let mut active: organization::ActiveModel = model.into();
        if let Some(name) = &name {
            let name = name.trim();
            if name.is_empty() || name.chars().count() > 200 {
                return Err(StorageError::invalid(
                    "name",
                    "give a name of 1 to 200 characters",
                ));
            }
            active.name = Set(name.to_owned());
        }
        if let Some(lang) = &default_language {
            validate_language("default_language", lang)?;
            active.default_language = Set(lang.clone());
        }
        if let Some(contact) = &privacy_contact {
            let contact = contact.trim();
            if contact.chars().count() > 300 || contact.chars().any(char::is_control) {
                return Err(StorageError::invalid(
                    "privacy_contact",
                    "give at most 300 characters on one line (an address, a name)",
                ));
            }
            // Empty: the notice names HR's team.
            active.privacy_contact = Set(Some(contact.to_owned()).filter(|c| !c.is_empty()));
        }
        active.updated_at = Set(now());
        active.update(&txn).await?;
        if let Some(domains) = &domains {
            if domains.is_empty() {
                return Err(StorageError::invalid(
                    "domains",
                    "give at least one mail domain",
                ));
            }
            let mut normalized = domains
                .iter()
                .map(|d| normalize_domain(d))
                .collect::<Result<Vec<_>, _>>()?;
            normalized.sort();
            normalized.dedup();
            let current: Vec<String> = organization_domain::Entity::find()
                .filter(organization_domain::Column::OrganizationId.eq(org.0))
                .all(&txn)
                .await?
                .into_iter()
                .map(|d| d.domain)
                .collect();
            // Whoever holds a domain decides who signs up with its addresses: adding
            // one is the operator's, who checks that it is this organisation's.
            if let Some(new) = normalized.iter().find(|d| !current.contains(d)) {
                return Err(StorageError::invalid(
                    "domains",
                    format!(
                        "`{new}` is not one of this organisation's domains: a domain is added by the \
                         service's operator, who checks that it is yours (`declic org domains --add`); \
                         here you may only remove domains"
                    ),
                ));
            }
            organization_domain::Entity::delete_many()
                .filter(organization_domain::Column::OrganizationId.eq(org.0))
                .filter(organization_domain::Column::Domain.is_not_in(normalized.clone()))
                .exec(&txn)
                .await?;
        }
        audit::record(&txn, org, actor, "organization.update", "organization", Some(org.0), serde_json::json!({"name": name, "default_language": default_language, "domains": domains})).await?;
        txn.commit().await?;
        self.organization(org).await
    }
}

impl Store {
    /// The operator adds or removes an organisation's mail domains (`declic org
    /// domains`). A domain belongs to one organisation in the whole deployment: one
    /// held by another answers a conflict naming it. At least one domain stays.
    pub async fn change_domains(
        &self,
        org: OrgId,
        add: &[String],
        remove: &[String],
        actor: &Actor,
    ) -> Result<Organization, StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        let add = add
            .iter()
            .map(|d| normalize_domain(d))
            .collect::<Result<Vec<_>, _>>()?;
        let remove = remove
            .iter()
            .map(|d| normalize_domain(d))
            .collect::<Result<Vec<_>, _>>()?;
        let txn = self.write_txn().await?;
        organization::Entity::find_by_id(org.0)
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("organization"))?;
        organization_domain::Entity::delete_many()
            .filter(organization_domain::Column::OrganizationId.eq(org.0))
            .filter(organization_domain::Column::Domain.is_in(remove.clone()))
            .exec(&txn)
            .await?;
        let current: Vec<String> = organization_domain::Entity::find()
            .filter(organization_domain::Column::OrganizationId.eq(org.0))
            .all(&txn)
            .await?
            .into_iter()
            .map(|d| d.domain)
            .collect();
        let mut new: Vec<String> = add.into_iter().filter(|d| !current.contains(d)).collect();
        new.sort();
        new.dedup();
        claim_domains(&txn, org, &new).await?;
        if current.is_empty() && new.is_empty() {
            return Err(StorageError::invalid(
                "domains",
                "an organisation keeps at least one mail domain",
            ));
        }
        audit::record(
            &txn,
            org,
            actor,
            "organization.domains",
            "organization",
            Some(org.0),
            serde_json::json!({"added": new, "removed": remove}),
        )
        .await?;
        txn.commit().await?;
        self.organization(org).await
    }
}

impl Store {
    /// Queues the mail that proves `org` receives mail at `domain` (already normalised),
    /// with an audit entry naming the domain (not the mailbox). A domain another
    /// organisation holds, or one `org` already has, is a conflict: nothing is sent.
    /// Answers whether the mail was queued (a repeat within its key's period is not).
    pub async fn queue_domain_proof(
        &self,
        org: OrgId,
        domain: &str,
        actor: &Actor,
        proof: crate::outbox::NewMessage,
        per_day: u64,
    ) -> Result<bool, StorageError> {
        let txn = self.write_txn().await?;
        let sent_today = crate::entity::message::Entity::find()
            .filter(crate::entity::message::Column::OrganizationId.eq(org.0))
            .filter(crate::entity::message::Column::Kind.eq(proof.kind))
            .filter(crate::entity::message::Column::CreatedAt.gt(now() - chrono::Duration::days(1)))
            .count(&txn)
            .await?;
        if sent_today >= per_day {
            return Err(StorageError::invalid(
                "domain",
                format!("at most {per_day} proof mails a day: try again tomorrow"),
            ));
        }
        if let Some(held) = organization_domain::Entity::find()
            .filter(overlapping(domain))
            .one(&txn)
            .await?
        {
            return Err(if held.organization_id == org.0 && held.domain == domain {
                StorageError::Conflict {
                    field: "domain",
                    message: format!("`{domain}` is already one of this organisation's domains"),
                }
            } else if held.organization_id == org.0 {
                StorageError::Conflict {
                    field: "domain",
                    message: format!(
                        "`{domain}` overlaps `{}`, already one of this organisation's domains",
                        held.domain
                    ),
                }
            } else {
                taken_by_another("domain", &held.domain)
            });
        }
        let queued = crate::outbox::queue(&txn, vec![proof]).await? > 0;
        if queued {
            audit::record(
                &txn,
                org,
                actor,
                "organization.domain_proof_sent",
                "organization",
                Some(org.0),
                serde_json::json!({"domain": domain}),
            )
            .await?;
        }
        txn.commit().await?;
        Ok(queued)
    }
}

/// Gives `domains` to `org`: each must be free in the whole deployment.
async fn claim_domains(
    txn: &sea_orm::DatabaseTransaction,
    org: OrgId,
    domains: &[String],
) -> Result<(), StorageError> {
    for d in domains {
        // Addresses match a domain and its subdomains, so a parent or a subdomain of
        // another organisation's domain would reach its people too.
        if let Some(taken) = organization_domain::Entity::find()
            .filter(overlapping(d))
            .filter(organization_domain::Column::OrganizationId.ne(org.0))
            .one(txn)
            .await?
        {
            return Err(taken_by_another("domains", &taken.domain));
        }
    }
    for d in domains {
        organization_domain::ActiveModel {
            organization_id: Set(org.0),
            domain: Set(d.clone()),
            ..Default::default()
        }
        .insert(txn)
        .await
        // Two organisations claiming it at once: the unique index keeps one.
        .map_err(StorageError::on_unique(
            "domains",
            taken_by_another("domains", d).to_string(),
        ))?;
    }
    Ok(())
}

/// Held domains equal to `domain`, a parent of it or a subdomain of it.
fn overlapping(domain: &str) -> sea_orm::Condition {
    let mut parents = Vec::new();
    let mut rest = domain;
    while let Some((_, parent)) = rest.split_once('.') {
        if parent.contains('.') {
            parents.push(parent.to_owned());
        }
        rest = parent;
    }
    sea_orm::Condition::any()
        .add(organization_domain::Column::Domain.eq(domain))
        .add(organization_domain::Column::Domain.is_in(parents))
        .add(organization_domain::Column::Domain.like(format!("%.{domain}")))
}

fn taken_by_another(field: &'static str, domain: &str) -> StorageError {
    StorageError::Conflict {
        field,
        message: format!("`{domain}` belongs to another organisation on this service"),
    }
}

fn view(m: organization::Model, domains: Vec<String>) -> Organization {
    Organization {
        id: m.id,
        slug: m.slug,
        name: m.name,
        default_language: m.default_language,
        domains,
        privacy_contact: m.privacy_contact,
        created_at: m.created_at,
    }
}
