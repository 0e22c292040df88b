//! Post-mission evaluation, without I/O: the questionnaires (volunteers and
//! associations, French and English, with defaults), the check of a submitted answer
//! against its questionnaire, the figures of a set of answers, and SVG charts.
//!
//! Privacy is built into the figures: any breakdown of fewer than [`K_ANONYMITY`]
//! answers, and free text under [`TEXT_FLOOR`] answers, is withheld
//! ([`QuestionResult::withheld`]), whoever asks and whatever the format, so that nobody's
//! answer can be read off a small group. (Storage publishes a wave's answers in steps of
//! [`K_ANONYMITY`], so two reports never differ by one answer.)

pub mod answers;
pub mod charts;
pub mod questionnaire;
pub mod results;

pub use answers::{AnswerError, Answers, Value, parse_form};
pub use questionnaire::{
    Audience, Choice, Kind, Label, Question, Questionnaire, QuestionnaireError,
};
pub use results::{Distribution, QuestionResult, summarize};

/// The smallest number of answers a breakdown may show.
pub const K_ANONYMITY: usize = 5;

/// The smallest number of free-text answers shown: a comment tells more about its
/// author (style, details) than a score does.
pub const TEXT_FLOOR: usize = 10;

/// The smallest number of answers a question of this kind may show.
pub fn floor_for(kind: Kind) -> usize {
    if kind == Kind::Text {
        TEXT_FLOOR
    } else {
        K_ANONYMITY
    }
}

/// The three waves of evaluation after a mission.
pub const WAVES: [Wave; 3] = [Wave::Hot, Wave::ShortTerm, Wave::LongTerm];

/// A wave of evaluation: right after the mission, about a month later, about four
/// months later (their dates are the campaign calendar's evaluation steps).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Wave {
    Hot,
    ShortTerm,
    LongTerm,
}

impl Wave {
    /// 1, 2 or 3.
    pub fn number(self) -> i32 {
        match self {
            Self::Hot => 1,
            Self::ShortTerm => 2,
            Self::LongTerm => 3,
        }
    }

    /// The wave numbered 1, 2 or 3.
    pub fn from_number(n: i32) -> Option<Self> {
        WAVES.into_iter().find(|w| w.number() == n)
    }

    /// The calendar step kind that dates this wave (`evaluation_hot`, …).
    pub fn step_kind(self) -> &'static str {
        match self {
            Self::Hot => "evaluation_hot",
            Self::ShortTerm => "evaluation_short_term",
            Self::LongTerm => "evaluation_long_term",
        }
    }

    /// The wave a calendar step kind dates.
    pub fn from_step_kind(kind: &str) -> Option<Self> {
        WAVES.into_iter().find(|w| w.step_kind() == kind)
    }

    /// The wave's name for people.
    pub fn label(self, lang: &str) -> &'static str {
        match (self, lang) {
            (Self::Hot, "fr") => "à chaud",
            (Self::Hot, _) => "right after",
            (Self::ShortTerm, "fr") => "à un mois",
            (Self::ShortTerm, _) => "one month on",
            (Self::LongTerm, "fr") => "à quatre mois",
            (Self::LongTerm, _) => "four months on",
        }
    }
}
