//! Partner associations and their eligibility.

use chrono::{DateTime, Utc};
use declic_planning::{EligibilityAssessment, EligibilityCriteria};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::entity::association;
use crate::{Actor, OrgId, StorageError, Store, audit, now};

/// A person to talk to at the association.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub name: String,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// An association as the API shows it, with its eligibility verdict.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Association {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub contacts: Vec<Contact>,
    pub eligibility: EligibilityCriteria,
    pub assessment: EligibilityAssessment,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Fields to create or change an association; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct AssociationChanges {
    pub name: Option<String>,
    pub description: Option<String>,
    pub contacts: Option<Vec<Contact>>,
    pub eligibility: Option<EligibilityCriteria>,
}

fn check_name(name: &str) -> Result<String, StorageError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 200 {
        return Err(StorageError::invalid(
            "name",
            "give a name of 1 to 200 characters",
        ));
    }
    Ok(name.to_owned())
}

fn check_contacts(contacts: &[Contact]) -> Result<String, StorageError> {
    if contacts.len() > 20 {
        return Err(StorageError::invalid("contacts", "at most 20 contacts"));
    }
    for (i, c) in contacts.iter().enumerate() {
        if c.name.trim().is_empty() {
            return Err(StorageError::invalid(
                format!("contacts[{i}].name"),
                "a contact needs a name",
            ));
        }
        if let Some(e) = &c.email
            && declic_directory::normalize_email(e).is_none()
        {
            return Err(StorageError::invalid(
                format!("contacts[{i}].email"),
                "not an email address",
            ));
        }
    }
    serde_json::to_string(contacts).map_err(|e| StorageError::invalid("contacts", e.to_string()))
}

impl Store {
    /// Creates an association; `name` is required.
    pub async fn create_association(
        &self,
        org: OrgId,
        new: AssociationChanges,
        actor: &Actor,
    ) -> Result<Association, StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        let name = check_name(new.name.as_deref().unwrap_or_default())?;
        let contacts = check_contacts(new.contacts.as_deref().unwrap_or_default())?;
        let elig = new.eligibility.unwrap_or_default();
        let t = now();
        let txn = self.write_txn().await?;
        let m = association::ActiveModel {
            organization_id: Set(org.0),
            name: Set(name.clone()),
            description: Set(new.description.unwrap_or_default()),
            contacts: Set(contacts),
            past_activity_feedback: Set(elig.past_activity_feedback),
            finances_documented: Set(elig.finances_documented),
            two_people_available: Set(elig.two_people_available),
            created_at: Set(t),
            updated_at: Set(t),
            ..Default::default()
        }
        .insert(&txn)
        .await
        .map_err(StorageError::on_unique(
            "name",
            format!("an association named `{name}` already exists"),
        ))?;
        audit::record(
            &txn,
            org,
            actor,
            "association.create",
            "association",
            Some(m.id),
            serde_json::json!({"name": name}),
        )
        .await?;
        txn.commit().await?;
        Ok(view(m))
    }

    /// Changes an association.
    pub async fn update_association(
        &self,
        org: OrgId,
        id: i64,
        ch: AssociationChanges,
        actor: &Actor,
    ) -> Result<Association, StorageError> {
        let _invalidate = self.caches().invalidate_on_exit();
        let txn = self.write_txn().await?;
        let cur = association::Entity::find_by_id(id)
            .filter(association::Column::OrganizationId.eq(org.0))
            .one(&txn)
            .await?
            .ok_or(StorageError::NotFound("association"))?;
        let mut a: association::ActiveModel = cur.into();
        if let Some(n) = &ch.name {
            a.name = Set(check_name(n)?);
        }
        if let Some(d) = ch.description {
            a.description = Set(d);
        }
        if let Some(c) = &ch.contacts {
            a.contacts = Set(check_contacts(c)?);
        }
        if let Some(e) = &ch.eligibility {
            a.past_activity_feedback = Set(e.past_activity_feedback);
            a.finances_documented = Set(e.finances_documented);
            a.two_people_available = Set(e.two_people_available);
        }
        a.updated_at = Set(now());
        let m = a.update(&txn).await.map_err(StorageError::on_unique(
            "name",
            "another association has this name",
        ))?;
        audit::record(
            &txn,
            org,
            actor,
            "association.update",
            "association",
            Some(id),
            serde_json::json!({"eligibility": ch.eligibility}),
        )
        .await?;
        txn.commit().await?;
        Ok(view(m))
    }

    /// One association.
    pub async fn association(&self, org: OrgId, id: i64) -> Result<Association, StorageError> {
        association::Entity::find_by_id(id)
            .filter(association::Column::OrganizationId.eq(org.0))
            .one(self.db())
            .await?
            .map(view)
            .ok_or(StorageError::NotFound("association"))
    }

    /// Associations by id, all of which must belong to the organisation.
    pub async fn associations_by_ids(
        &self,
        org: OrgId,
        ids: &[i64],
    ) -> Result<Vec<Association>, StorageError> {
        Ok(association::Entity::find()
            .filter(association::Column::OrganizationId.eq(org.0))
            .filter(association::Column::Id.is_in(ids.to_vec()))
            .all(self.db())
            .await?
            .into_iter()
            .map(view)
            .collect())
    }

    /// All associations of the organisation, by name.
    pub async fn associations(&self, org: OrgId) -> Result<Vec<Association>, StorageError> {
        Ok(association::Entity::find()
            .filter(association::Column::OrganizationId.eq(org.0))
            .order_by_asc(association::Column::Name)
            .all(self.db())
            .await?
            .into_iter()
            .map(view)
            .collect())
    }
}

pub(crate) fn criteria(m: &association::Model) -> EligibilityCriteria {
    EligibilityCriteria {
        past_activity_feedback: m.past_activity_feedback,
        finances_documented: m.finances_documented,
        two_people_available: m.two_people_available,
    }
}

fn view(m: association::Model) -> Association {
    let eligibility = criteria(&m);
    Association {
        id: m.id,
        assessment: eligibility.assess(),
        eligibility,
        contacts: serde_json::from_str(&m.contacts).unwrap_or_default(),
        name: m.name,
        description: m.description,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}
