//! One person's answer to a questionnaire, checked against it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::questionnaire::{Kind, Questionnaire, TEXT_MAX};

/// The answer to one question.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// A scale answer, 1 to 5.
    Scale(i64),
    /// A yes/no answer.
    YesNo(bool),
    /// A choice's value, or free text (the question's kind tells which).
    Text(String),
}

/// The answers of one person, by question key; unanswered questions are absent.
pub type Answers = BTreeMap<String, Value>;

/// Why an answer was refused: the form field and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct AnswerError {
    pub field: String,
    pub message: String,
}

/// The form field of a question.
pub fn field(key: &str) -> String {
    format!("q_{key}")
}

/// Reads a submitted form (`q_<key>` fields; others are ignored). Every problem is
/// reported, each naming its field; nothing partial is returned.
pub fn parse_form(
    questionnaire: &Questionnaire,
    form: &[(String, String)],
) -> Result<Answers, Vec<AnswerError>> {
    let mut raw: BTreeMap<&str, &str> = BTreeMap::new();
    let mut errors = Vec::new();
    for (name, value) in form {
        let Some(key) = name.strip_prefix("q_") else {
            continue;
        };
        if questionnaire.question(key).is_none() {
            errors.push(AnswerError {
                field: name.clone(),
                message: "no such question".into(),
            });
            continue;
        }
        if raw.insert(key, value.as_str()).is_some() {
            errors.push(AnswerError {
                field: name.clone(),
                message: "answered twice".into(),
            });
        }
    }
    let mut answers = Answers::new();
    for q in &questionnaire.questions {
        let name = field(&q.key);
        let given = raw.get(q.key.as_str()).map(|v| v.trim()).unwrap_or("");
        if given.is_empty() {
            if q.required {
                errors.push(AnswerError {
                    field: name,
                    message: "this question needs an answer".into(),
                });
            }
            continue;
        }
        let value = match q.kind {
            Kind::Scale => match given.parse::<i64>() {
                Ok(n) if (1..=5).contains(&n) => Value::Scale(n),
                _ => {
                    errors.push(AnswerError {
                        field: name,
                        message: format!(
                            "give a whole number from 1 to 5, not \"{}\"",
                            clip(given)
                        ),
                    });
                    continue;
                }
            },
            Kind::YesNo => match given {
                "yes" => Value::YesNo(true),
                "no" => Value::YesNo(false),
                _ => {
                    errors.push(AnswerError {
                        field: name,
                        message: "answer yes or no".into(),
                    });
                    continue;
                }
            },
            Kind::Choice => {
                if q.choices.iter().any(|c| c.value == given) {
                    Value::Text(given.to_owned())
                } else {
                    let values: Vec<&str> = q.choices.iter().map(|c| c.value.as_str()).collect();
                    errors.push(AnswerError {
                        field: name,
                        message: format!("choose one of {}", values.join(", ")),
                    });
                    continue;
                }
            }
            Kind::Text => {
                if given.chars().count() > TEXT_MAX {
                    errors.push(AnswerError {
                        field: name,
                        message: format!("at most {TEXT_MAX} characters"),
                    });
                    continue;
                }
                Value::Text(given.to_owned())
            }
        };
        answers.insert(q.key.clone(), value);
    }
    if errors.is_empty() {
        Ok(answers)
    } else {
        Err(errors)
    }
}

/// The answers as form values, to fill a form again (the inverse of [`parse_form`]).
pub fn form_values(answers: &Answers) -> BTreeMap<String, String> {
    answers
        .iter()
        .map(|(k, v)| {
            let s = match v {
                Value::Scale(n) => n.to_string(),
                Value::YesNo(true) => "yes".into(),
                Value::YesNo(false) => "no".into(),
                Value::Text(t) => t.clone(),
            };
            (k.clone(), s)
        })
        .collect()
}

fn clip(s: &str) -> String {
    s.chars().take(20).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::questionnaire::Audience;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_complete_answer_is_read() {
        let q = Questionnaire::default_for(Audience::Volunteer);
        let a = parse_form(
            &q,
            &form(&[
                ("q_satisfaction", "5"),
                ("q_usefulness", " 4 "),
                ("q_happier_at_work", "yes"),
                ("q_ambassador", "no"),
                ("q_comment", "Super équipe"),
                ("csrf", "ignored"),
            ]),
        )
        .unwrap();
        assert_eq!(a["satisfaction"], Value::Scale(5));
        assert_eq!(a["usefulness"], Value::Scale(4));
        assert_eq!(a["happier_at_work"], Value::YesNo(true));
        assert_eq!(a["ambassador"], Value::YesNo(false));
        assert_eq!(a["comment"], Value::Text("Super équipe".into()));
        assert!(!a.contains_key("recommend"));
        let again = form_values(&a);
        assert_eq!(again["happier_at_work"], "yes");
    }

    #[test]
    fn every_problem_is_named() {
        let q = Questionnaire::default_for(Audience::Association);
        let errors = parse_form(
            &q,
            &form(&[
                ("q_satisfaction", "6"),
                ("q_recommendations", "all"),
                ("q_nope", "1"),
                ("q_what_changed", &"x".repeat(TEXT_MAX + 1)),
            ]),
        )
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "q_nope",
                "q_satisfaction",
                "q_usefulness",
                "q_recommendations",
                "q_what_changed"
            ]
        );
        assert!(errors[1].message.contains("1 to 5"));
        assert!(errors[2].message.contains("needs an answer"));
        assert!(errors[3].message.contains("none, some, most"));
    }

    #[test]
    fn stored_answers_round_trip_through_json() {
        let q = Questionnaire::default_for(Audience::Volunteer);
        let a = parse_form(
            &q,
            &form(&[
                ("q_satisfaction", "3"),
                ("q_usefulness", "2"),
                ("q_recommend", "yes"),
            ]),
        )
        .unwrap();
        let json = serde_json::to_string(&a).unwrap();
        assert_eq!(
            json,
            r#"{"recommend":true,"satisfaction":3,"usefulness":2}"#
        );
        let back: Answers = serde_json::from_str(&json).unwrap();
        assert_eq!(back, a);
    }
}
