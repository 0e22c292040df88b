//! Why a single row was rejected, in English, French and as stable JSON.

use std::fmt;

use serde::ser::{Serialize, SerializeStruct, Serializer};

use crate::fields::{DETAIL_CONTROL_CHARS, DETAIL_TOO_LONG};

/// Why a data row was not turned into an [`crate::EmployeeRecord`].
///
/// Serialises as a flat JSON object whose `code` is [`RejectReason::code`], plus only the
/// keys the variant carries:
///
/// | variant | JSON |
/// |---|---|
/// | `Malformed(d)` | `{"code":"malformed","detail":d}` |
/// | `MissingField(f)` | `{"code":"missing_field","field":f}` |
/// | `InvalidEmail` | `{"code":"invalid_email"}` |
/// | `ForeignDomain` | `{"code":"foreign_domain"}` |
/// | `DuplicateInFile { first_line }` | `{"code":"duplicate_in_file","first_line":n}` |
/// | `InvalidManagerEmail` | `{"code":"invalid_manager_email"}` |
/// | `UnknownLanguage(l)` | `{"code":"unknown_language","detail":l}` |
/// | `InvalidField { field, detail }` | `{"code":"invalid_field","field":f,"detail":d}` |
///
/// Field names are the canonical column names: `email`, `first_name`, `last_name`,
/// `department`, `site`, `language`, `manager_email`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectReason {
    /// The row does not have as many fields as the header.
    Malformed(String),
    /// A required field (`email`, `first_name` or `last_name`) is empty.
    MissingField(&'static str),
    /// The email address is not syntactically valid.
    InvalidEmail,
    /// The email address is outside every allowed domain of the organisation.
    ForeignDomain,
    /// The same email address was already imported from an earlier line.
    DuplicateInFile {
        /// Line of the row that was kept.
        first_line: u64,
    },
    /// The manager email is present but not a valid address.
    InvalidManagerEmail,
    /// The language is neither French nor English (the value as written).
    UnknownLanguage(String),
    /// The person asked for their data to be erased (on that day, `YYYY-MM-DD`): the
    /// directory does not bring them back (they may still sign up themselves).
    ErasedOnRequest {
        /// The day of the erasure.
        on: String,
    },
    /// A text field is too long or holds control characters.
    InvalidField {
        /// Canonical column name.
        field: &'static str,
        /// What is wrong, in English.
        detail: String,
    },
}

impl RejectReason {
    /// Stable snake_case code, e.g. `"foreign_domain"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Malformed(_) => "malformed",
            Self::MissingField(_) => "missing_field",
            Self::InvalidEmail => "invalid_email",
            Self::ForeignDomain => "foreign_domain",
            Self::DuplicateInFile { .. } => "duplicate_in_file",
            Self::InvalidManagerEmail => "invalid_manager_email",
            Self::ErasedOnRequest { .. } => "erased_on_request",
            Self::UnknownLanguage(_) => "unknown_language",
            Self::InvalidField { .. } => "invalid_field",
        }
    }

    /// The reason as a French sentence, for HR users.
    pub fn message_fr(&self) -> String {
        match self {
            Self::Malformed(detail) => format!("ligne mal formée : {detail}"),
            Self::MissingField(field) => format!("le champ « {} » est vide", field_fr(field)),
            Self::InvalidEmail => "l'adresse e-mail n'est pas valide".to_owned(),
            Self::ForeignDomain => {
                "l'adresse e-mail n'appartient à aucun des domaines de l'organisation".to_owned()
            }
            Self::DuplicateInFile { first_line } => {
                format!("cette adresse e-mail figure déjà à la ligne {first_line}")
            }
            Self::InvalidManagerEmail => {
                "l'adresse e-mail du responsable n'est pas valide".to_owned()
            }
            Self::ErasedOnRequest { on } => format!(
                "cette personne a demandé l'effacement de ses données (effacées le {on}) : elle \
                 n'est pas réimportée"
            ),
            Self::UnknownLanguage(lang) => {
                format!("langue inconnue « {lang} » (attendu : français ou anglais)")
            }
            Self::InvalidField { field, detail } => {
                let field = field_fr(field);
                // The details we produce are known constants; translate those, and keep any
                // other text rather than lose it.
                match detail.as_str() {
                    DETAIL_TOO_LONG => format!("le champ « {field} » dépasse 200 caractères"),
                    DETAIL_CONTROL_CHARS => {
                        format!("le champ « {field} » contient des caractères de contrôle")
                    }
                    other => format!("le champ « {field} » n'est pas valide : {other}"),
                }
            }
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Malformed(detail) => write!(f, "malformed row: {detail}"),
            Self::MissingField(field) => write!(f, "the {} is empty", field_en(field)),
            Self::InvalidEmail => f.write_str("the email address is not valid"),
            Self::ForeignDomain => f.write_str(
                "the email address does not belong to one of the organisation's domains",
            ),
            Self::DuplicateInFile { first_line } => {
                write!(f, "this email address already appears on line {first_line}")
            }
            Self::InvalidManagerEmail => f.write_str("the manager email address is not valid"),
            Self::ErasedOnRequest { on } => write!(
                f,
                "this person asked for their data to be erased (erased on {on}): they are not \
                 imported again"
            ),
            Self::UnknownLanguage(lang) => {
                write!(
                    f,
                    "unknown language \"{lang}\" (expected French or English)"
                )
            }
            Self::InvalidField { field, detail } => write!(f, "the {} {detail}", field_en(field)),
        }
    }
}

impl Serialize for RejectReason {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (field, detail, first_line): (Option<&str>, Option<&str>, Option<u64>) = match self {
            Self::Malformed(d) | Self::UnknownLanguage(d) => (None, Some(d), None),
            Self::MissingField(f) => (Some(f), None, None),
            Self::DuplicateInFile { first_line } => (None, None, Some(*first_line)),
            Self::InvalidField { field, detail } => (Some(field), Some(detail), None),
            // The day of the erasure, as the detail.
            Self::ErasedOnRequest { on } => (None, Some(on), None),
            Self::InvalidEmail | Self::ForeignDomain | Self::InvalidManagerEmail => {
                (None, None, None)
            }
        };
        let len = 1
            + usize::from(field.is_some())
            + usize::from(detail.is_some())
            + usize::from(first_line.is_some());
        let mut st = s.serialize_struct("RejectReason", len)?;
        st.serialize_field("code", self.code())?;
        match field {
            Some(v) => st.serialize_field("field", v)?,
            None => st.skip_field("field")?,
        }
        match detail {
            Some(v) => st.serialize_field("detail", v)?,
            None => st.skip_field("detail")?,
        }
        match first_line {
            Some(v) => st.serialize_field("first_line", &v)?,
            None => st.skip_field("first_line")?,
        }
        st.end()
    }
}

/// English label of a canonical column name, for sentences.
fn field_en(field: &str) -> &str {
    match field {
        "email" => "email address",
        "first_name" => "first name",
        "last_name" => "last name",
        "manager_email" => "manager email address",
        other => other,
    }
}

/// French label of a canonical column name, for sentences.
pub(crate) fn field_fr(field: &str) -> &str {
    match field {
        "email" => "adresse e-mail",
        "first_name" => "prénom",
        "last_name" => "nom",
        "department" => "service",
        "site" => "site",
        "language" => "langue",
        "manager_email" => "e-mail du responsable",
        other => other,
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    // No JSON crate among the dependencies; the csv serialiser also writes struct keys as a
    // header, which is enough to pin the key names and skipped keys.
    fn as_csv(reason: &RejectReason) -> String {
        let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
        w.serialize(reason).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    }

    #[test]
    fn serialises_flat_with_only_present_keys() {
        assert_eq!(
            as_csv(&RejectReason::ForeignDomain),
            "code\nforeign_domain\n"
        );
        assert_eq!(
            as_csv(&RejectReason::DuplicateInFile { first_line: 3 }),
            "code,first_line\nduplicate_in_file,3\n"
        );
        assert_eq!(
            as_csv(&RejectReason::InvalidField {
                field: "first_name",
                detail: DETAIL_TOO_LONG.to_owned()
            }),
            "code,field,detail\ninvalid_field,first_name,is longer than 200 characters\n"
        );
        assert_eq!(
            as_csv(&RejectReason::UnknownLanguage("de".into())),
            "code,detail\nunknown_language,de\n"
        );
    }

    #[test]
    fn messages_read_well() {
        let r = RejectReason::MissingField("first_name");
        assert_eq!(r.to_string(), "the first name is empty");
        assert_eq!(r.message_fr(), "le champ « prénom » est vide");
        let r = RejectReason::InvalidField {
            field: "last_name",
            detail: DETAIL_CONTROL_CHARS.to_owned(),
        };
        assert_eq!(r.to_string(), "the last name contains control characters");
        assert_eq!(
            r.message_fr(),
            "le champ « nom » contient des caractères de contrôle"
        );
        assert_eq!(r.code(), "invalid_field");
    }
}
