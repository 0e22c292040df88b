//! What a person types on a campaign's public sign-up form, checked without I/O: their
//! address and names, the missions they chose in order, and a colleague to invite. The
//! storage layer calls [`check`] before it opens a transaction; the fuzz target
//! `sign_up_form` feeds it decoded form bodies.

use crate::{email_in_domains, is_forbidden_char, normalize_email};

/// Longest first or last name, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The form's fields as posted (already URL-decoded).
#[derive(Debug, Clone, Default)]
pub struct SignUpInput<'a> {
    /// The person's work address.
    pub email: &'a str,
    /// Their first name.
    pub first_name: &'a str,
    /// Their last name.
    pub last_name: &'a str,
    /// Mission ids in the person's order of preference (empty entries are skipped).
    pub mission_ids: &'a [i64],
    /// A colleague's address, to invite as a duo (empty for none).
    pub duo_email: &'a str,
    /// The consent box was ticked.
    pub consent: bool,
}

/// A sign-up that passed every rule that needs no database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignUp {
    /// Normalised (trimmed, ASCII-lowercased) and in one of the organisation's domains.
    pub email: String,
    /// Inner runs of white space collapsed to one space.
    pub first_name: String,
    /// Inner runs of white space collapsed to one space.
    pub last_name: String,
    /// Without repeats, in the order given; each one offered by the campaign.
    pub mission_ids: Vec<i64>,
    /// A colleague's normalised address in the organisation's domains, never the person's.
    pub duo_email: Option<String>,
}

/// The first field found wrong, with what to do about it (English; pages translate by
/// field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    /// The form field.
    pub field: &'static str,
    /// What to do.
    pub message: &'static str,
}

const fn problem(field: &'static str, message: &'static str) -> FieldProblem {
    FieldProblem { field, message }
}

/// Reads the mission choice fields (`choice_1`, `choice_2`, …) in order: blank ones are
/// skipped, anything else must be a mission id.
pub fn parse_choices(raw: &[&str]) -> Result<Vec<i64>, FieldProblem> {
    let mut ids = Vec::new();
    for value in raw {
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let id = value
            .parse::<i64>()
            .map_err(|_| problem("mission_ids", "choose missions from the list"))?;
        ids.push(id);
    }
    Ok(ids)
}

/// A first or last name: 1 to 100 characters once white space is collapsed, without
/// control or text-direction characters (an override would show the name reversed in
/// every mail and page).
pub fn check_person_name(field: &'static str, value: &str) -> Result<String, FieldProblem> {
    let value = value.split_whitespace().collect::<Vec<_>>().join(" ");
    if value.is_empty() || value.chars().count() > MAX_NAME_CHARS {
        return Err(problem(field, "give 1 to 100 characters"));
    }
    if value.chars().any(is_forbidden_char) {
        return Err(problem(
            field,
            "remove the control or text-direction characters",
        ));
    }
    Ok(value)
}

/// Checks a sign-up against the organisation's mail `domains` and the missions the
/// campaign `offered`; the first problem found, in the form's order, is the answer.
pub fn check(
    input: &SignUpInput<'_>,
    domains: &[String],
    offered: &[i64],
) -> Result<SignUp, FieldProblem> {
    let email =
        normalize_email(input.email).ok_or(problem("email", "enter your work email address"))?;
    if !email_in_domains(&email, domains) {
        return Err(problem(
            "email",
            "use your work email address (one of your organisation's domains)",
        ));
    }
    let first_name = check_person_name("first_name", input.first_name)?;
    let last_name = check_person_name("last_name", input.last_name)?;
    if !input.consent {
        return Err(problem("consent", "please accept the terms to register"));
    }
    let mut mission_ids = Vec::new();
    for id in input.mission_ids {
        if !mission_ids.contains(id) {
            mission_ids.push(*id);
        }
    }
    if mission_ids.is_empty() {
        return Err(problem("mission_ids", "choose at least one mission"));
    }
    if mission_ids.iter().any(|id| !offered.contains(id)) {
        return Err(problem(
            "mission_ids",
            "this mission is not part of the campaign",
        ));
    }
    let duo_email = match input.duo_email.trim() {
        "" => None,
        raw => {
            let duo = normalize_email(raw)
                .filter(|d| email_in_domains(d, domains))
                .ok_or(problem(
                    "duo_email",
                    "give your colleague's work email address",
                ))?;
            if duo == email {
                return Err(problem("duo_email", "invite a colleague, not yourself"));
            }
            Some(duo)
        }
    };
    Ok(SignUp {
        email,
        first_name,
        last_name,
        mission_ids,
        duo_email,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn domains() -> Vec<String> {
        vec!["acme.fr".to_owned()]
    }

    fn valid() -> SignUpInput<'static> {
        SignUpInput {
            email: "  Alice.Martin@ACME.fr ",
            first_name: " Alice ",
            last_name: "Martin   Dupont",
            mission_ids: &[3, 1, 3],
            duo_email: "",
            consent: true,
        }
    }

    #[test]
    fn a_valid_form_is_normalised() {
        let s = check(&valid(), &domains(), &[1, 2, 3]).expect("valid");
        assert_eq!(s.email, "alice.martin@acme.fr");
        assert_eq!(s.first_name, "Alice");
        assert_eq!(s.last_name, "Martin Dupont");
        assert_eq!(s.mission_ids, vec![3, 1]);
        assert_eq!(s.duo_email, None);
    }

    #[test]
    fn each_rule_names_its_field() {
        let offered = [1, 2, 3];
        let cases: Vec<(SignUpInput<'static>, &str)> = vec![
            (
                SignUpInput {
                    email: "alice",
                    ..valid()
                },
                "email",
            ),
            (
                SignUpInput {
                    email: "alice@gmail.com",
                    ..valid()
                },
                "email",
            ),
            (
                SignUpInput {
                    first_name: "  ",
                    ..valid()
                },
                "first_name",
            ),
            (
                SignUpInput {
                    last_name: "Martin\u{202e}",
                    ..valid()
                },
                "last_name",
            ),
            (
                SignUpInput {
                    consent: false,
                    ..valid()
                },
                "consent",
            ),
            (
                SignUpInput {
                    mission_ids: &[],
                    ..valid()
                },
                "mission_ids",
            ),
            (
                SignUpInput {
                    mission_ids: &[9],
                    ..valid()
                },
                "mission_ids",
            ),
            (
                SignUpInput {
                    duo_email: "bob@gmail.com",
                    ..valid()
                },
                "duo_email",
            ),
            (
                SignUpInput {
                    duo_email: "ALICE.martin@acme.fr",
                    ..valid()
                },
                "duo_email",
            ),
        ];
        for (input, field) in cases {
            let err = check(&input, &domains(), &offered).expect_err(field);
            assert_eq!(err.field, field, "{input:?}");
        }
    }

    #[test]
    fn a_colleague_is_normalised() {
        let input = SignUpInput {
            duo_email: " Bob@Acme.FR",
            ..valid()
        };
        let s = check(&input, &domains(), &[1, 3]).expect("valid");
        assert_eq!(s.duo_email.as_deref(), Some("bob@acme.fr"));
    }

    #[test]
    fn names_are_bounded_in_characters_not_bytes() {
        let long = "é".repeat(MAX_NAME_CHARS);
        assert!(check_person_name("first_name", &long).is_ok());
        let longer = "é".repeat(MAX_NAME_CHARS + 1);
        assert!(check_person_name("first_name", &longer).is_err());
    }

    #[test]
    fn choices_skip_blanks_and_refuse_words() {
        assert_eq!(parse_choices(&["4", " ", " 7 ", ""]), Ok(vec![4, 7]));
        assert_eq!(
            parse_choices(&["4", "x"]).map_err(|p| p.field),
            Err("mission_ids")
        );
        assert_eq!(
            parse_choices(&["99999999999999999999"]).map_err(|p| p.field),
            Err("mission_ids")
        );
    }
}
