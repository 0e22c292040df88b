//! Whether an association can host volunteers, by the field's three eligibility criteria.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The three facts HR teams check before proposing an association to colleagues.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
pub struct EligibilityCriteria {
    /// Feedback on the association's past activities is available.
    pub past_activity_feedback: bool,
    /// The association's finances are documented (accounts, budget).
    pub finances_documented: bool,
    /// The association can make two people available to work with the volunteers.
    pub two_people_available: bool,
}

/// Which eligibility criterion is not met.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum EligibilityReasonCode {
    /// No feedback on past activities.
    NoPastActivityFeedback,
    /// Finances are not documented.
    FinancesNotDocumented,
    /// Fewer than two people can work with the volunteers.
    TwoPeopleNotAvailable,
}

impl EligibilityReasonCode {
    /// The snake_case name, as serialised.
    pub fn as_str(&self) -> &'static str {
        match self {
            EligibilityReasonCode::NoPastActivityFeedback => "no_past_activity_feedback",
            EligibilityReasonCode::FinancesNotDocumented => "finances_not_documented",
            EligibilityReasonCode::TwoPeopleNotAvailable => "two_people_not_available",
        }
    }

    /// The explanation in English.
    pub fn message_en(&self) -> &'static str {
        match self {
            EligibilityReasonCode::NoPastActivityFeedback => {
                "No feedback on the association's past activities is available."
            }
            EligibilityReasonCode::FinancesNotDocumented => {
                "The association's finances are not documented (annual accounts or budget)."
            }
            EligibilityReasonCode::TwoPeopleNotAvailable => {
                "The association cannot make two people available to work with the volunteers."
            }
        }
    }

    /// The explanation in French.
    pub fn message_fr(&self) -> &'static str {
        match self {
            EligibilityReasonCode::NoPastActivityFeedback => {
                "Aucun retour sur les activités passées de l'association n'est disponible."
            }
            EligibilityReasonCode::FinancesNotDocumented => {
                "Les finances de l'association ne sont pas documentées (comptes annuels ou budget)."
            }
            EligibilityReasonCode::TwoPeopleNotAvailable => {
                "L'association ne peut pas mobiliser deux personnes pour travailler avec les \
                 bénévoles."
            }
        }
    }
}

impl fmt::Display for EligibilityReasonCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One unmet criterion, explained in English and French.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EligibilityReason {
    /// Which criterion is not met.
    pub code: EligibilityReasonCode,
    /// Explanation in English.
    pub message_en: String,
    /// Explanation in French.
    pub message_fr: String,
}

impl From<EligibilityReasonCode> for EligibilityReason {
    fn from(code: EligibilityReasonCode) -> Self {
        Self {
            code,
            message_en: code.message_en().to_owned(),
            message_fr: code.message_fr().to_owned(),
        }
    }
}

/// The outcome of checking an association against the criteria.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EligibilityAssessment {
    /// True when every criterion is met.
    pub eligible: bool,
    /// The unmet criteria, in the order the criteria are listed.
    pub missing: Vec<EligibilityReason>,
}

impl EligibilityCriteria {
    /// Checks every criterion and lists the unmet ones.
    pub fn assess(&self) -> EligibilityAssessment {
        let checks = [
            (
                self.past_activity_feedback,
                EligibilityReasonCode::NoPastActivityFeedback,
            ),
            (
                self.finances_documented,
                EligibilityReasonCode::FinancesNotDocumented,
            ),
            (
                self.two_people_available,
                EligibilityReasonCode::TwoPeopleNotAvailable,
            ),
        ];
        let missing: Vec<EligibilityReason> = checks
            .into_iter()
            .filter(|(met, _)| !met)
            .map(|(_, code)| EligibilityReason::from(code))
            .collect();
        EligibilityAssessment {
            eligible: missing.is_empty(),
            missing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(assessment: &EligibilityAssessment) -> Vec<EligibilityReasonCode> {
        assessment
            .missing
            .iter()
            .map(|reason| reason.code)
            .collect()
    }

    #[test]
    fn all_criteria_met_is_eligible() {
        let criteria = EligibilityCriteria {
            past_activity_feedback: true,
            finances_documented: true,
            two_people_available: true,
        };
        let assessment = criteria.assess();
        assert!(assessment.eligible);
        assert!(assessment.missing.is_empty());
    }

    #[test]
    fn default_meets_nothing_and_lists_all_three_in_order() {
        let assessment = EligibilityCriteria::default().assess();
        assert!(!assessment.eligible);
        assert_eq!(
            codes(&assessment),
            [
                EligibilityReasonCode::NoPastActivityFeedback,
                EligibilityReasonCode::FinancesNotDocumented,
                EligibilityReasonCode::TwoPeopleNotAvailable,
            ]
        );
    }

    #[test]
    fn each_missing_criterion_is_reported_alone() {
        let cases = [
            (
                EligibilityCriteria {
                    past_activity_feedback: false,
                    ..all_met()
                },
                EligibilityReasonCode::NoPastActivityFeedback,
            ),
            (
                EligibilityCriteria {
                    finances_documented: false,
                    ..all_met()
                },
                EligibilityReasonCode::FinancesNotDocumented,
            ),
            (
                EligibilityCriteria {
                    two_people_available: false,
                    ..all_met()
                },
                EligibilityReasonCode::TwoPeopleNotAvailable,
            ),
        ];
        for (criteria, code) in cases {
            let assessment = criteria.assess();
            assert!(!assessment.eligible);
            assert_eq!(codes(&assessment), [code]);
        }
    }

    #[test]
    fn reasons_carry_both_messages() {
        let assessment = EligibilityCriteria {
            past_activity_feedback: false,
            ..all_met()
        }
        .assess();
        let reason = &assessment.missing[0];
        assert_eq!(
            reason.message_en,
            "No feedback on the association's past activities is available."
        );
        assert_eq!(
            reason.message_fr,
            "Aucun retour sur les activités passées de l'association n'est disponible."
        );
        assert_eq!(reason.code.to_string(), "no_past_activity_feedback");
    }

    fn all_met() -> EligibilityCriteria {
        EligibilityCriteria {
            past_activity_feedback: true,
            finances_documented: true,
            two_people_available: true,
        }
    }
}
