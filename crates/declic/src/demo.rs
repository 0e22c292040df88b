//! Demo data: a realistic organisation to explore the API with.

use chrono::{Datelike, Duration, NaiveTime, Utc, Weekday};
use declic_config::Config;
use declic_planning::{CampaignStatus, EligibilityCriteria, MissionFormat, WorkMode};
use declic_storage::admins::Role;
use declic_storage::associations::{AssociationChanges, Contact};
use declic_storage::campaigns::{Audience, CampaignChanges, default_steps};
use declic_storage::missions::MissionInput;
use declic_storage::orgs::NewOrganization;
use declic_storage::{Actor, OrgId, StorageError, Store};

const SLUG: &str = "demo";
const DOMAIN: &str = "demo.example";
const OWNER: &str = "hr@demo.example";

const FIRST: &[&str] = &[
    "Camille",
    "Léa",
    "Hugo",
    "Inès",
    "Lucas",
    "Chloé",
    "Gabriel",
    "Manon",
    "Louis",
    "Zoé",
    "Jules",
    "Élodie",
    "Nathan",
    "Sarah",
    "Théo",
    "Anaïs",
    "Rayan",
    "Clément",
    "Maëlle",
    "Yasmine",
    "Antoine",
    "Amélie",
    "Karim",
    "Héloïse",
    "Thomas",
    "Océane",
    "Mehdi",
    "Noémie",
    "Baptiste",
    "Aïcha",
];
const LAST: &[&str] = &[
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "N'Diaye",
];
const DEPARTMENTS: &[&str] = &[
    "Finance",
    "Marketing",
    "Informatique",
    "Ressources humaines",
    "Juridique",
    "Ventes",
    "Opérations",
    "Communication",
];
const SITES: &[&str] = &["Paris La Défense", "Lyon Part-Dieu", "Nantes", "Lille"];

/// What the demo seeding produced.
pub struct Demo {
    pub created: bool,
    pub owner_email: String,
    /// Only on first creation: the owner's password.
    pub password: Option<String>,
    pub token: String,
    pub employees: u64,
}

impl Demo {
    /// How to use the demo, for the terminal.
    pub fn instructions(&self, public_url: &str) -> String {
        let base = public_url.trim_end_matches('/');
        let mut s = String::new();
        s.push_str(if self.created {
            "Demo organisation `demo` created "
        } else {
            "Demo organisation `demo` already there "
        });
        s.push_str(&format!(
            "({} employees, 2 associations, 3 missions, 1 campaign).\n",
            self.employees
        ));
        s.push_str(&format!("  Owner: {}", self.owner_email));
        if let Some(p) = &self.password {
            s.push_str(&format!("  password: {p}"));
        }
        s.push('\n');
        s.push_str(&format!(
            "  HR console: open {base}/console and sign in with this address{}.\n",
            if self.password.is_some() {
                " and password"
            } else {
                " (forgot the password? \"Mot de passe oublié\" mails a link to the outbox)"
            }
        ));
        s.push_str(&format!(
            "  API: open {base}/api/docs, click Authorize and paste this API token:\n  {}\n",
            self.token
        ));
        s.push_str(&format!(
            "  Or: curl -H 'Authorization: Bearer {}' {base}/api/v1/campaigns\n",
            self.token
        ));
        s
    }
}

/// Seeds the demo organisation once; later calls only issue a fresh token.
pub async fn seed_demo(store: &Store, config: &Config) -> anyhow::Result<Demo> {
    let actor = Actor {
        label: "demo".into(),
        ..Actor::cli()
    };
    let (org, created, password) = match store.organization_by_slug(SLUG).await {
        Ok(o) => (OrgId(o.id), false, None),
        Err(StorageError::NotFound(_)) => {
            let o = store
                .create_organization(
                    NewOrganization {
                        slug: SLUG.into(),
                        name: "Demo Industries".into(),
                        domains: vec![DOMAIN.into()],
                        default_language: "fr".into(),
                    },
                    &actor,
                )
                .await?;
            let org = OrgId(o.id);
            let password = random_password();
            let hash =
                declic_storage::hash_password(&password).map_err(|e| anyhow::anyhow!("{e}"))?;
            store
                .create_admin(org, OWNER, Role::Owner, Some(hash), &actor)
                .await?;
            seed_content(store, org, &actor).await?;
            (org, true, Some(password))
        }
        Err(e) => return Err(e.into()),
    };
    let owner = store.admin_by_email(org, OWNER).await?;
    let (_, token) = store
        .create_api_token(
            org,
            owner.id,
            "demo",
            config.security.api_token_days,
            &actor,
        )
        .await?;
    let employees = store.audience_size(org, &[], &[]).await?;
    Ok(Demo {
        created,
        owner_email: OWNER.into(),
        password,
        token,
        employees,
    })
}

fn random_password() -> String {
    use rand::Rng;
    rand::rng()
        .sample_iter(rand::distr::Alphanumeric)
        .take(16)
        .map(char::from)
        .collect()
}

/// The demo directory as a semicolon CSV, as French Excel would write it.
pub fn demo_directory_csv(count: usize) -> String {
    let mut csv = String::from("Prénom;Nom;Email;Service;Site;Langue\n");
    for i in 0..count {
        let first = FIRST[i % FIRST.len()];
        let last = LAST[(i * 7 + i / FIRST.len()) % LAST.len()];
        let ascii: String = format!("{first}.{last}")
            .to_lowercase()
            .chars()
            .map(|c| match c {
                'é' | 'è' | 'ë' => 'e',
                'ï' | 'î' => 'i',
                'ç' => 'c',
                'ô' => 'o',
                '\'' => '-',
                other => other,
            })
            .collect();
        let lang = if i % 9 == 0 { "en" } else { "fr" };
        csv.push_str(&format!(
            "{first};{last};{ascii}.{i}@{DOMAIN};{};{};{lang}\n",
            DEPARTMENTS[i % DEPARTMENTS.len()],
            SITES[(i / 3) % SITES.len()]
        ));
    }
    csv
}

async fn seed_content(store: &Store, org: OrgId, actor: &Actor) -> anyhow::Result<()> {
    let parsed = declic_directory::parse_directory(
        demo_directory_csv(320).as_bytes(),
        &[DOMAIN.to_owned()],
    )?;
    store.import_employees(org, &parsed, false, actor).await?;

    let eligible = store
        .create_association(
            org,
            AssociationChanges {
                name: Some("Les Petits Déjeuners Solidaires".into()),
                description: Some(
                    "Breakfasts and social ties for isolated elderly people in Paris and Lyon."
                        .into(),
                ),
                contacts: Some(vec![Contact {
                    name: "Claire Fontaine".into(),
                    role: Some("Coordinatrice".into()),
                    email: Some("claire@petits-dej.example".into()),
                    phone: None,
                }]),
                eligibility: Some(EligibilityCriteria {
                    past_activity_feedback: true,
                    finances_documented: true,
                    two_people_available: true,
                }),
            },
            actor,
        )
        .await?;
    let pending = store
        .create_association(
            org,
            AssociationChanges {
                name: Some("Atelier Numérique Pour Tous".into()),
                description: Some(
                    "Digital inclusion workshops; its finances are still being documented.".into(),
                ),
                contacts: Some(vec![]),
                eligibility: Some(EligibilityCriteria {
                    past_activity_feedback: true,
                    finances_documented: false,
                    two_people_available: true,
                }),
            },
            actor,
        )
        .await?;

    let skills = store.skills(org).await?;
    let skill = |label: &str| {
        skills
            .iter()
            .filter(|s| s.label_en.eq_ignore_ascii_case(label))
            .map(|s| s.id)
            .collect::<Vec<_>>()
    };
    let mut day = Utc::now().date_naive() + Duration::days(45);
    while day.weekday() != Weekday::Thu {
        day += Duration::days(1);
    }
    let at = |d: chrono::NaiveDate, h: u32| {
        d.and_time(NaiveTime::from_hms_opt(h, 0, 0).unwrap_or_default())
    };
    let marathon = store
        .create_mission(
            org,
            MissionInput {
                association_id: eligible.id,
                title: "Marathon : stratégie de collecte de fonds".into(),
                description: "One day with the team to build next year's fundraising plan.".into(),
                format: MissionFormat::Marathon,
                work_mode: WorkMode::InPerson,
                place: Some("12 rue des Lilas, 75011 Paris".into()),
                online_link: None,
                starts_at: at(day, 9),
                ends_at: at(day, 18),
                time_zone: "Europe/Paris".into(),
                capacity: 8,
                language: "fr".into(),
                confidentiality_note:
                    "Donor names and figures shared during the day stay confidential.".into(),
                skill_ids: [skill("Fundraising"), skill("Finance"), skill("Teamwork")].concat(),
            },
            actor,
        )
        .await?;
    let mentoring = store
        .create_mission(
            org,
            MissionInput {
                association_id: eligible.id,
                title: "Mentoring: volunteer management tools".into(),
                description: "Six weeks, one hour a week, remote, to choose and set up a volunteer scheduling tool.".into(),
                format: MissionFormat::Mentoring,
                work_mode: WorkMode::Remote,
                place: None,
                online_link: Some("https://visio.example/petits-dej".into()),
                starts_at: at(day + Duration::days(7), 12),
                ends_at: at(day + Duration::days(49), 13),
                time_zone: "Europe/Paris".into(),
                capacity: 4,
                language: "en".into(),
                confidentiality_note: String::new(),
                skill_ids: [skill("IT"), skill("Listening")].concat(),
            },
            actor,
        )
        .await?;
    store
        .create_mission(
            org,
            MissionInput {
                association_id: pending.id,
                title: "Atelier : initiation au tableur pour bénévoles".into(),
                description: "Half-day workshop in Lyon (draft until the association's finances are documented).".into(),
                format: MissionFormat::Workshop,
                work_mode: WorkMode::Hybrid,
                place: Some("Lyon Part-Dieu".into()),
                online_link: None,
                starts_at: at(day + Duration::days(14), 14),
                ends_at: at(day + Duration::days(14), 17),
                time_zone: "Europe/Paris".into(),
                capacity: 12,
                language: "fr".into(),
                confidentiality_note: String::new(),
                skill_ids: skill("Pedagogy"),
            },
            actor,
        )
        .await?;
    store.publish_mission(org, marathon.id, actor).await?;
    store.publish_mission(org, mentoring.id, actor).await?;
    let campaign = store
        .create_campaign(
            org,
            CampaignChanges {
                title: Some("Printemps solidaire".into()),
                goal: Some(12),
                audience: Some(Audience {
                    departments: vec![],
                    sites: vec!["Paris La Défense".into(), "Lyon Part-Dieu".into()],
                }),
                registration_opens: Some(Some(day - Duration::days(21))),
                registration_closes: Some(Some(day - Duration::days(3))),
                key_message: Some(
                    "Une journée de vos compétences peut changer une année pour une association."
                        .into(),
                ),
                why_it_matters: Some(
                    "Isolated elderly people need the association to raise funds for next winter."
                        .into(),
                ),
                mission_ids: Some(vec![marathon.id, mentoring.id]),
                steps: Some(default_steps(day)),
            },
            actor,
        )
        .await?;
    store
        .transition_campaign(org, campaign.id, CampaignStatus::Scheduled, actor)
        .await?;
    Ok(())
}
