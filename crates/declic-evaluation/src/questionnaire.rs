//! Questionnaires: what volunteers and associations are asked after a mission.
//! Each organisation may word its own; [`Questionnaire::default_for`] gives the
//! defaults, in French and English. A few question keys carry a meaning the report
//! and the rest of Declic rely on (see [`WELL_KNOWN`]); the check keeps their kind.

use serde::{Deserialize, Serialize};

/// Who answers a questionnaire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Audience {
    /// The employees who took part in the mission.
    Volunteer,
    /// The association's contacts.
    Association,
}

impl Audience {
    pub const ALL: [Audience; 2] = [Audience::Volunteer, Audience::Association];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Volunteer => "volunteer",
            Self::Association => "association",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.as_str() == s)
    }
}

/// A text in French and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Label {
    pub fr: String,
    pub en: String,
}

impl Label {
    fn new(fr: &str, en: &str) -> Self {
        Self {
            fr: fr.to_owned(),
            en: en.to_owned(),
        }
    }

    /// The text in `lang` (`fr`, else English).
    pub fn get(&self, lang: &str) -> &str {
        if lang == "fr" { &self.fr } else { &self.en }
    }
}

/// The kind of answer a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// 1 (not at all) to 5 (completely).
    Scale,
    /// Yes or no.
    YesNo,
    /// One of the question's choices.
    Choice,
    /// Free text, at most [`TEXT_MAX`] characters; shown to HR only.
    Text,
}

/// One of a choice question's options.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    pub value: String,
    pub label: Label,
}

/// One question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Stable identifier (`a-z`, `0-9`, `_`), used in forms, results and exports.
    pub key: String,
    pub kind: Kind,
    pub label: Label,
    /// Whether an answer must give it.
    #[serde(default)]
    pub required: bool,
    /// The options of a choice question, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub choices: Vec<Choice>,
}

/// A questionnaire, and whether its answers are kept without the person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Questionnaire {
    /// Answers stored without who gave them: they cannot be changed afterwards
    /// (nothing ties them to the person any more) and cannot feed the ambassador
    /// opt-in.
    #[serde(default)]
    pub anonymous: bool,
    pub questions: Vec<Question>,
}

/// The longest free-text answer, in characters.
pub const TEXT_MAX: usize = 2_000;
/// The most questions a questionnaire may have.
pub const QUESTIONS_MAX: usize = 30;

/// Question keys with a meaning elsewhere, and the kind they must keep.
pub const WELL_KNOWN: [(&str, Kind); 7] = [
    ("satisfaction", Kind::Scale),
    ("usefulness", Kind::Scale),
    ("happier_at_work", Kind::YesNo),
    ("volunteer_privately", Kind::YesNo),
    ("recommend", Kind::YesNo),
    ("ambassador", Kind::YesNo),
    ("recommendations", Kind::Choice),
];

/// Why a questionnaire was refused: the field, in JSON-pointer-like form, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct QuestionnaireError {
    pub field: String,
    pub message: String,
}

fn refuse(field: impl Into<String>, message: impl Into<String>) -> QuestionnaireError {
    QuestionnaireError {
        field: field.into(),
        message: message.into(),
    }
}

fn q(key: &str, kind: Kind, fr: &str, en: &str, required: bool) -> Question {
    Question {
        key: key.to_owned(),
        kind,
        label: Label::new(fr, en),
        required,
        choices: vec![],
    }
}

impl Questionnaire {
    /// The questionnaire Declic asks when the organisation wrote none.
    pub fn default_for(audience: Audience) -> Self {
        let questions = match audience {
            Audience::Volunteer => vec![
                q(
                    "satisfaction",
                    Kind::Scale,
                    "Dans l'ensemble, êtes-vous satisfait·e de cette mission ?",
                    "Overall, how satisfied are you with this mission?",
                    true,
                ),
                q(
                    "usefulness",
                    Kind::Scale,
                    "Votre contribution a-t-elle été utile à l'association ?",
                    "How useful was your contribution to the association?",
                    true,
                ),
                q(
                    "happier_at_work",
                    Kind::YesNo,
                    "Je me sens plus heureux·se au travail depuis cette mission.",
                    "I feel happier at work since this mission.",
                    false,
                ),
                q(
                    "volunteer_privately",
                    Kind::YesNo,
                    "J'ai envie de m'engager bénévolement dans ma vie privée aussi.",
                    "I want to volunteer in my private life too.",
                    false,
                ),
                q(
                    "recommend",
                    Kind::YesNo,
                    "Je recommanderais cette expérience à un·e collègue.",
                    "I would recommend it to a colleague.",
                    false,
                ),
                q(
                    "ambassador",
                    Kind::YesNo,
                    "J'aimerais devenir ambassadeur·rice et en parler autour de moi.",
                    "I'd like to be an ambassador and tell colleagues about it.",
                    false,
                ),
                q(
                    "comment",
                    Kind::Text,
                    "Un mot sur la mission, ce qui a marché, ce qui serait à changer ?",
                    "A word about the mission: what worked, what should change?",
                    false,
                ),
            ],
            Audience::Association => vec![
                q(
                    "satisfaction",
                    Kind::Scale,
                    "Dans l'ensemble, êtes-vous satisfait·e de cette mission ?",
                    "Overall, how satisfied are you with this mission?",
                    true,
                ),
                q(
                    "usefulness",
                    Kind::Scale,
                    "La mission a-t-elle été utile à votre association ?",
                    "How useful was the mission to your association?",
                    true,
                ),
                Question {
                    choices: vec![
                        Choice {
                            value: "none".into(),
                            label: Label::new("Aucune", "None"),
                        },
                        Choice {
                            value: "some".into(),
                            label: Label::new("Certaines", "Some"),
                        },
                        Choice {
                            value: "most".into(),
                            label: Label::new("La plupart", "Most"),
                        },
                    ],
                    ..q(
                        "recommendations",
                        Kind::Choice,
                        "Les recommandations des bénévoles ont-elles été mises en place ?",
                        "Have the volunteers' recommendations been put in place?",
                        false,
                    )
                },
                q(
                    "what_changed",
                    Kind::Text,
                    "Qu'est-ce qui a changé pour votre association ?",
                    "What changed for your association?",
                    false,
                ),
            ],
        };
        Self {
            anonymous: false,
            questions,
        }
    }

    /// Checks a questionnaire an organisation wrote.
    pub fn check(&self) -> Result<(), QuestionnaireError> {
        if self.questions.is_empty() {
            return Err(refuse("questions", "ask at least one question"));
        }
        if self.questions.len() > QUESTIONS_MAX {
            return Err(refuse(
                "questions",
                format!("at most {QUESTIONS_MAX} questions"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for (i, question) in self.questions.iter().enumerate() {
            let at = |f: &str| format!("questions[{i}].{f}");
            let key = &question.key;
            if key.is_empty()
                || key.len() > 40
                || !key
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            {
                return Err(refuse(
                    at("key"),
                    "use 1 to 40 characters among a-z, 0-9 and _",
                ));
            }
            if !seen.insert(key.as_str()) {
                return Err(refuse(at("key"), format!("\"{key}\" is used twice")));
            }
            if let Some((_, kind)) = WELL_KNOWN.iter().find(|(k, _)| k == key)
                && *kind != question.kind
            {
                return Err(refuse(
                    at("kind"),
                    format!("\"{key}\" feeds the impact report and must stay a {kind:?} question"),
                ));
            }
            for (lang, text) in [("fr", &question.label.fr), ("en", &question.label.en)] {
                if text.trim().is_empty() || text.chars().count() > 300 {
                    return Err(refuse(
                        at(&format!("label.{lang}")),
                        "give a wording of 1 to 300 characters",
                    ));
                }
            }
            match question.kind {
                Kind::Choice => {
                    if !(2..=10).contains(&question.choices.len()) {
                        return Err(refuse(at("choices"), "give 2 to 10 choices"));
                    }
                    let mut values = std::collections::HashSet::new();
                    for (j, c) in question.choices.iter().enumerate() {
                        let at = |f: &str| format!("questions[{i}].choices[{j}].{f}");
                        if c.value.is_empty()
                            || c.value.len() > 40
                            || !c
                                .value
                                .bytes()
                                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                        {
                            return Err(refuse(
                                at("value"),
                                "use 1 to 40 characters among a-z, 0-9 and _",
                            ));
                        }
                        if !values.insert(c.value.as_str()) {
                            return Err(refuse(at("value"), "used twice"));
                        }
                        for (lang, text) in [("fr", &c.label.fr), ("en", &c.label.en)] {
                            if text.trim().is_empty() || text.chars().count() > 100 {
                                return Err(refuse(
                                    at(&format!("label.{lang}")),
                                    "give a wording of 1 to 100 characters",
                                ));
                            }
                        }
                    }
                }
                _ if !question.choices.is_empty() => {
                    return Err(refuse(at("choices"), "only a choice question has choices"));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The question with this key.
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|q| q.key == key)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_pass_their_own_check() {
        for a in Audience::ALL {
            Questionnaire::default_for(a).check().unwrap();
        }
    }

    #[test]
    fn a_bad_questionnaire_is_refused_naming_the_field() {
        let mut q = Questionnaire::default_for(Audience::Volunteer);
        q.questions[1].key = "satisfaction".into();
        assert_eq!(q.check().unwrap_err().field, "questions[1].key");

        let mut q = Questionnaire::default_for(Audience::Volunteer);
        q.questions[2].kind = Kind::Scale;
        assert_eq!(q.check().unwrap_err().field, "questions[2].kind");

        let mut q = Questionnaire::default_for(Audience::Association);
        q.questions[2].choices.truncate(1);
        assert_eq!(q.check().unwrap_err().field, "questions[2].choices");

        let mut q = Questionnaire::default_for(Audience::Volunteer);
        q.questions[0].label.en = " ".into();
        assert_eq!(q.check().unwrap_err().field, "questions[0].label.en");

        let q = Questionnaire {
            anonymous: false,
            questions: vec![],
        };
        assert_eq!(q.check().unwrap_err().field, "questions");
    }
}
