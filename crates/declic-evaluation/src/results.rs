//! The figures of a set of answers to one questionnaire, question by question, with
//! the k-anonymity floor applied.

use serde::Serialize;

use crate::K_ANONYMITY;
use crate::answers::{Answers, Value};
use crate::questionnaire::{Kind, Label, Questionnaire};

/// How many answers gave one value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    /// `1`…`5`, `yes`/`no`, or a choice's value.
    pub value: String,
    pub label: Label,
    pub count: usize,
}

/// The results of one question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct QuestionResult {
    pub key: String,
    pub kind: Kind,
    pub label: Label,
    /// People asked (invitations of the wave).
    pub invited: usize,
    /// People who answered this question.
    pub answered: usize,
    /// `answered / invited`, when anyone was invited.
    pub response_rate: Option<f64>,
    /// Fewer than [`K_ANONYMITY`] answers: nothing below is given.
    pub withheld: bool,
    /// Scale questions: the mean answer.
    pub mean: Option<f64>,
    /// Yes/no questions: the share of yes.
    pub share_yes: Option<f64>,
    /// Scale, yes/no and choice questions: answers per value, in the question's order.
    pub distribution: Vec<Distribution>,
    /// Free-text questions: the texts, sorted (not in the order they came, which
    /// could tell who wrote them). For HR only.
    pub texts: Vec<String>,
}

/// The results of every question of `questionnaire` over `answers`, out of `invited`.
pub fn summarize(
    questionnaire: &Questionnaire,
    answers: &[Answers],
    invited: usize,
) -> Vec<QuestionResult> {
    questionnaire
        .questions
        .iter()
        .map(|q| {
            // Only answers of the question's current kind count (a question whose
            // kind or choices changed keeps old answers that no longer fit).
            let given: Vec<&Value> = answers
                .iter()
                .filter_map(|a| a.get(&q.key))
                .filter(|v| match (q.kind, v) {
                    (Kind::Scale, Value::Scale(n)) => (1..=5).contains(n),
                    (Kind::YesNo, Value::YesNo(_)) => true,
                    (Kind::Choice, Value::Text(t)) => q.choices.iter().any(|c| c.value == *t),
                    (Kind::Text, Value::Text(_)) => true,
                    _ => false,
                })
                .collect();
            let answered = given.len();
            let withheld = answered < crate::floor_for(q.kind);
            let mut r = QuestionResult {
                key: q.key.clone(),
                kind: q.kind,
                label: q.label.clone(),
                invited,
                answered,
                response_rate: (invited > 0).then(|| answered as f64 / invited as f64),
                withheld,
                mean: None,
                share_yes: None,
                distribution: vec![],
                texts: vec![],
            };
            if withheld {
                return r;
            }
            let count = |f: &dyn Fn(&Value) -> bool| given.iter().filter(|v| f(v)).count();
            match q.kind {
                Kind::Scale => {
                    let sum: i64 = given
                        .iter()
                        .filter_map(|v| match v {
                            Value::Scale(n) => Some(*n),
                            _ => None,
                        })
                        .sum();
                    r.mean = Some(sum as f64 / answered as f64);
                    r.distribution = (1..=5)
                        .map(|n| Distribution {
                            value: n.to_string(),
                            label: Label {
                                fr: n.to_string(),
                                en: n.to_string(),
                            },
                            count: count(&|v| *v == Value::Scale(n)),
                        })
                        .collect();
                }
                Kind::YesNo => {
                    let yes = count(&|v| *v == Value::YesNo(true));
                    r.share_yes = Some(yes as f64 / answered as f64);
                    r.distribution = vec![
                        Distribution {
                            value: "yes".into(),
                            label: Label {
                                fr: "Oui".into(),
                                en: "Yes".into(),
                            },
                            count: yes,
                        },
                        Distribution {
                            value: "no".into(),
                            label: Label {
                                fr: "Non".into(),
                                en: "No".into(),
                            },
                            count: answered - yes,
                        },
                    ];
                }
                Kind::Choice => {
                    r.distribution = q
                        .choices
                        .iter()
                        .map(|c| Distribution {
                            value: c.value.clone(),
                            label: c.label.clone(),
                            count: count(&|v| matches!(v, Value::Text(t) if *t == c.value)),
                        })
                        .collect();
                }
                Kind::Text => {
                    let mut texts: Vec<String> = given
                        .iter()
                        .filter_map(|v| match v {
                            Value::Text(t) => Some(t.clone()),
                            _ => None,
                        })
                        .collect();
                    texts.sort();
                    r.texts = texts;
                }
            }
            r
        })
        .collect()
}

/// Keeps, of each question, only the answers of groups that reach its floor
/// ([`crate::floor_for`]) on their own: combining groups (campaigns into a year) must not
/// let a withheld group be read by subtracting the shown ones from the total.
pub fn without_small_groups(
    questionnaire: &Questionnaire,
    groups: Vec<Vec<Answers>>,
) -> Vec<Answers> {
    let floor = |key: &str| {
        questionnaire
            .questions
            .iter()
            .find(|q| q.key == key)
            .map_or(K_ANONYMITY, |q| crate::floor_for(q.kind))
    };
    let mut out = Vec::new();
    for group in groups {
        let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
        for a in &group {
            for k in a.keys() {
                *counts.entry(k.clone()).or_default() += 1;
            }
        }
        for mut a in group {
            a.retain(|k, _| counts.get(k).copied().unwrap_or(0) >= floor(k));
            if !a.is_empty() {
                out.push(a);
            }
        }
    }
    out
}

/// `part / whole` when the whole is at least [`K_ANONYMITY`]; `None` otherwise.
pub fn share(part: usize, whole: usize) -> Option<f64> {
    (whole >= K_ANONYMITY).then(|| part as f64 / whole as f64)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::answers::parse_form;
    use crate::questionnaire::Audience;

    fn answer(q: &Questionnaire, pairs: &[(&str, &str)]) -> Answers {
        let form: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (format!("q_{k}"), (*v).to_owned()))
            .collect();
        parse_form(q, &form).unwrap()
    }

    #[test]
    fn known_answers_give_known_figures() {
        let q = Questionnaire::default_for(Audience::Volunteer);
        let sets = [
            ("5", "4", "yes", "b"),
            ("4", "4", "yes", "a"),
            ("3", "5", "no", ""),
            ("5", "3", "yes", "c"),
            ("4", "4", "no", ""),
            ("5", "5", "yes", ""),
        ];
        let answers: Vec<Answers> = sets
            .iter()
            .map(|(s, u, h, c)| {
                answer(
                    &q,
                    &[
                        ("satisfaction", s),
                        ("usefulness", u),
                        ("happier_at_work", h),
                        ("comment", c),
                    ],
                )
            })
            .collect();
        let r = summarize(&q, &answers, 8);
        let sat = &r[0];
        assert_eq!(sat.answered, 6);
        assert_eq!(sat.response_rate, Some(0.75));
        assert!(!sat.withheld);
        assert_eq!(sat.mean, Some(26.0 / 6.0));
        let counts: Vec<usize> = sat.distribution.iter().map(|d| d.count).collect();
        assert_eq!(counts, [0, 0, 1, 2, 3]);
        let happier = &r[2];
        assert_eq!(happier.share_yes, Some(4.0 / 6.0));
        assert_eq!(happier.distribution[1].count, 2);
        // Three comments only: fewer than ten, withheld.
        let comment = &r[6];
        assert_eq!(comment.answered, 3);
        assert!(comment.withheld);
        assert!(comment.texts.is_empty());
        // Nobody answered "recommend".
        assert!(r[4].withheld);
        assert_eq!(r[4].share_yes, None);
    }

    #[test]
    fn groups_under_the_floor_do_not_reach_a_total() {
        let q = Questionnaire::default_for(Audience::Volunteer);
        let group = |n: usize, sat: &str| -> Vec<Answers> {
            (0..n)
                .map(|_| answer(&q, &[("satisfaction", sat), ("usefulness", "3")]))
                .collect()
        };
        // Five in one campaign, one in another: the total is the five, so the one
        // cannot be read by subtracting.
        let kept = without_small_groups(&q, vec![group(5, "4"), group(1, "1")]);
        assert_eq!(kept.len(), 5);
        let r = summarize(&q, &kept, 6);
        assert_eq!(r[0].mean, Some(4.0));
    }

    #[test]
    fn answers_of_another_kind_do_not_count() {
        let mut q = Questionnaire::default_for(Audience::Volunteer);
        q.questions.push(crate::Question {
            key: "team".into(),
            kind: Kind::YesNo,
            label: Label {
                fr: "É".into(),
                en: "T".into(),
            },
            required: false,
            choices: vec![],
        });
        let mut answers: Vec<Answers> = (0..5)
            .map(|_| {
                answer(
                    &q,
                    &[("satisfaction", "4"), ("usefulness", "4"), ("team", "yes")],
                )
            })
            .collect();
        // An old answer from when "team" was a scale question.
        answers[0].insert("team".into(), Value::Scale(3));
        let r = summarize(&q, &answers, 5);
        let team = r.iter().find(|r| r.key == "team").unwrap();
        assert_eq!(team.answered, 4);
        assert!(team.withheld);
    }

    #[test]
    fn four_answers_show_nothing_five_show_everything() {
        let q = Questionnaire::default_for(Audience::Association);
        let mut answers: Vec<Answers> = (0..4)
            .map(|i| {
                answer(
                    &q,
                    &[
                        ("satisfaction", "4"),
                        ("usefulness", "4"),
                        ("recommendations", if i % 2 == 0 { "some" } else { "most" }),
                        ("what_changed", "x"),
                    ],
                )
            })
            .collect();
        for r in summarize(&q, &answers, 4) {
            assert!(r.withheld, "{}", r.key);
            assert!(r.mean.is_none() && r.distribution.is_empty() && r.texts.is_empty());
        }
        answers.push(answer(
            &q,
            &[
                ("satisfaction", "2"),
                ("usefulness", "1"),
                ("recommendations", "none"),
            ],
        ));
        let r = summarize(&q, &answers, 5);
        assert_eq!(r[0].mean, Some(18.0 / 5.0));
        let rec: Vec<(String, usize)> = r[2]
            .distribution
            .iter()
            .map(|d| (d.value.clone(), d.count))
            .collect();
        assert_eq!(
            rec,
            [("none".into(), 1), ("some".into(), 2), ("most".into(), 2)]
        );
        // Four texts: still withheld even though the wave has five answers.
        assert!(r[3].withheld);
        assert_eq!(share(3, 4), None);
        assert_eq!(share(3, 5), Some(0.6));
    }

    #[test]
    fn free_text_shows_from_ten_answers_scores_from_five() {
        let q = Questionnaire::default_for(Audience::Volunteer);
        let comments = |n: usize| -> Vec<Answers> {
            (0..n)
                .map(|i| {
                    let c = format!("comment {i}");
                    answer(
                        &q,
                        &[("satisfaction", "4"), ("usefulness", "4"), ("comment", &c)],
                    )
                })
                .collect()
        };
        let nine = summarize(&q, &comments(9), 9);
        let comment = nine.iter().find(|r| r.key == "comment").unwrap();
        assert!(comment.withheld && comment.texts.is_empty());
        assert!(!nine[0].withheld, "scores show from five");
        let ten = summarize(&q, &comments(10), 10);
        let comment = ten.iter().find(|r| r.key == "comment").unwrap();
        assert!(!comment.withheld);
        assert_eq!(comment.texts.len(), 10);
        // A campaign with seven comments does not bring them into a year's total,
        // though its scores count.
        let kept = without_small_groups(&q, vec![comments(7), comments(10)]);
        let year = summarize(&q, &kept, 17);
        let comment = year.iter().find(|r| r.key == "comment").unwrap();
        assert_eq!(comment.answered, 10);
        assert_eq!(year[0].answered, 17);
    }
}
