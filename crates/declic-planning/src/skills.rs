//! The skills volunteers can offer, and the list a new company starts with.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::language::Language;
use crate::parse::{ParseEnumError, parse_named};

/// Whether a skill comes from a volunteer's job or from who they are.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum SkillKind {
    /// A professional skill, e.g. finance or legal.
    Job,
    /// A personal skill, e.g. listening or creativity.
    Soft,
}

impl SkillKind {
    /// Every skill kind.
    pub const ALL: [SkillKind; 2] = [SkillKind::Job, SkillKind::Soft];

    /// The snake_case name, as serialised.
    pub fn as_str(&self) -> &'static str {
        match self {
            SkillKind::Job => "job",
            SkillKind::Soft => "soft",
        }
    }

    /// The human label in `lang`.
    pub fn label(self, lang: Language) -> &'static str {
        match self {
            SkillKind::Job => lang.pick("Compétence métier", "Job skill"),
            SkillKind::Soft => lang.pick("Savoir-être", "Soft skill"),
        }
    }
}

impl fmt::Display for SkillKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SkillKind {
    type Err = ParseEnumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_named("skill kind", s, &Self::ALL, Self::as_str)
    }
}

/// The starting skill list as (kind, English name, French name).
const DEFAULT_SKILLS: [(SkillKind, &str, &str); 20] = [
    (SkillKind::Job, "Finance", "Finance"),
    (SkillKind::Job, "Marketing", "Marketing"),
    (SkillKind::Job, "Communication", "Communication"),
    (SkillKind::Job, "Legal", "Juridique"),
    (SkillKind::Job, "IT", "Informatique"),
    (SkillKind::Job, "Human resources", "Ressources humaines"),
    (SkillKind::Job, "Strategy", "Stratégie"),
    (SkillKind::Job, "Project management", "Gestion de projet"),
    (SkillKind::Job, "Data", "Données"),
    (SkillKind::Job, "Design", "Design"),
    (SkillKind::Job, "Fundraising", "Collecte de fonds"),
    (SkillKind::Job, "Sales", "Commercial"),
    (SkillKind::Soft, "Listening", "Écoute"),
    (SkillKind::Soft, "Teamwork", "Travail en équipe"),
    (SkillKind::Soft, "Teaching", "Pédagogie"),
    (SkillKind::Soft, "Creativity", "Créativité"),
    (SkillKind::Soft, "Adaptability", "Adaptabilité"),
    (SkillKind::Soft, "Leadership", "Leadership"),
    (SkillKind::Soft, "Empathy", "Empathie"),
    (
        SkillKind::Soft,
        "Problem solving",
        "Résolution de problèmes",
    ),
];

/// The skills a new company starts with, as (kind, English name, French name); job skills first.
pub fn default_skills() -> Vec<(SkillKind, &'static str, &'static str)> {
    DEFAULT_SKILLS.to_vec()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn twelve_job_skills_then_eight_soft_skills() {
        let skills = default_skills();
        let kinds: Vec<SkillKind> = skills.iter().map(|(kind, _, _)| *kind).collect();
        assert_eq!(kinds.iter().filter(|k| **k == SkillKind::Job).count(), 12);
        assert_eq!(kinds.iter().filter(|k| **k == SkillKind::Soft).count(), 8);
        assert!(
            kinds.windows(2).all(|pair| pair[0] <= pair[1]),
            "job skills come first"
        );
    }

    #[test]
    fn names_are_unique_and_non_empty_in_both_languages() {
        let skills = default_skills();
        let english: HashSet<&str> = skills.iter().map(|(_, en, _)| *en).collect();
        let french: HashSet<&str> = skills.iter().map(|(_, _, fr)| *fr).collect();
        assert_eq!(english.len(), skills.len());
        assert_eq!(french.len(), skills.len());
        assert!(
            skills
                .iter()
                .all(|(_, en, fr)| !en.is_empty() && !fr.is_empty())
        );
        assert!(skills.contains(&(SkillKind::Job, "Legal", "Juridique")));
        assert!(skills.contains(&(SkillKind::Soft, "Teaching", "Pédagogie")));
    }

    #[test]
    fn skill_kinds_parse_and_have_labels() {
        for kind in SkillKind::ALL {
            assert_eq!(kind.as_str().parse(), Ok(kind));
            assert_eq!(kind.to_string(), kind.as_str());
        }
        assert_eq!(SkillKind::Soft.label(Language::Fr), "Savoir-être");
        assert!("hard".parse::<SkillKind>().is_err());
    }
}
