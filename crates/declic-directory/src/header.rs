//! Recognising the header line: which file column holds which employee field.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::FileError;

/// The employee fields a directory file can provide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    Email,
    FirstName,
    LastName,
    Department,
    Site,
    Language,
    ManagerEmail,
}

impl Column {
    /// Required columns, in the order missing ones are reported.
    const REQUIRED: [Column; 3] = [Column::Email, Column::FirstName, Column::LastName];

    /// Canonical snake_case name, used in errors and rejection reasons.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Column::Email => "email",
            Column::FirstName => "first_name",
            Column::LastName => "last_name",
            Column::Department => "department",
            Column::Site => "site",
            Column::Language => "language",
            Column::ManagerEmail => "manager_email",
        }
    }

    /// Recognises a header already passed through [`normalize_header`].
    fn from_key(key: &str) -> Option<Column> {
        Some(match key {
            "email"
            | "mail"
            | "courriel"
            | "adresseemail"
            | "adressemail"
            | "emailaddress"
            | "mailaddress"
            | "adressecourriel"
            | "adresseelectronique"
            | "workemail"
            | "emailprofessionnel" => Column::Email,
            "firstname" | "givenname" | "prenom" => Column::FirstName,
            "lastname" | "surname" | "familyname" | "nom" | "nomdefamille" => Column::LastName,
            "department" | "dept" | "service" | "departement" | "direction" => Column::Department,
            "site" | "location" | "office" | "lieu" | "etablissement" | "ville" => Column::Site,
            "language" | "lang" | "locale" | "langue" => Column::Language,
            "manageremail"
            | "manager"
            | "managermail"
            | "emailmanager"
            | "emaildumanager"
            | "responsable"
            | "emailresponsable"
            | "emailduresponsable"
            | "courrielresponsable"
            | "courrielduresponsable"
            | "n1"
            | "emailn1" => Column::ManagerEmail,
            _ => return None,
        })
    }
}

/// Folds a header name to a comparison key: accents removed, lowercased, and everything
/// but letters and digits dropped ("Adresse e-mail" → "adresseemail", "N+1" → "n1").
pub fn normalize_header(h: &str) -> String {
    h.nfd()
        .filter(|c| !is_combining_mark(*c) && c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Where each employee field sits in a data record.
#[derive(Debug)]
pub(crate) struct ColumnMap {
    index: [Option<usize>; 7],
    /// Number of fields in the header, which every data row must match.
    pub(crate) width: usize,
    /// Header names of the columns that map to no field.
    pub(crate) ignored: Vec<String>,
}

impl ColumnMap {
    /// Maps a header record, refusing duplicates and missing required columns.
    pub(crate) fn from_header<'a>(
        header: impl IntoIterator<Item = &'a str>,
    ) -> Result<Self, FileError> {
        let mut map = ColumnMap {
            index: [None; 7],
            width: 0,
            ignored: Vec::new(),
        };
        let mut found = Vec::new();
        for (i, raw) in header.into_iter().enumerate() {
            map.width = i + 1;
            let name = raw.trim();
            if !name.is_empty() {
                found.push(name.to_owned());
            }
            match Column::from_key(&normalize_header(name)) {
                Some(col) if map.index[col as usize].is_some() => {
                    return Err(FileError::DuplicateColumn { column: col.name() });
                }
                Some(col) => map.index[col as usize] = Some(i),
                None if !name.is_empty() => map.ignored.push(name.to_owned()),
                None => {}
            }
        }
        if let Some(col) = Column::REQUIRED
            .into_iter()
            .find(|c| map.index[*c as usize].is_none())
        {
            return Err(FileError::MissingColumn {
                column: col.name(),
                found,
            });
        }
        Ok(map)
    }

    /// Index of `col` in a record, if the file has that column.
    pub(crate) fn get(&self, col: Column) -> Option<usize> {
        self.index[col as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_headers() {
        assert_eq!(normalize_header(" Adresse E-mail "), "adresseemail");
        assert_eq!(normalize_header("Prénom"), "prenom");
        assert_eq!(normalize_header("ÉTABLISSEMENT"), "etablissement");
        assert_eq!(normalize_header("first_name"), "firstname");
        assert_eq!(normalize_header("N+1"), "n1");
        assert_eq!(normalize_header("\u{feff}Email"), "email");
    }

    #[test]
    fn recognises_aliases() {
        let cases = [
            ("E-mail", Column::Email),
            ("Courriel", Column::Email),
            ("Email address", Column::Email),
            ("Given Name", Column::FirstName),
            ("prenom", Column::FirstName),
            ("Nom de famille", Column::LastName),
            ("Surname", Column::LastName),
            ("Département", Column::Department),
            ("Direction", Column::Department),
            ("Établissement", Column::Site),
            ("Office", Column::Site),
            ("Locale", Column::Language),
            ("Email du manager", Column::ManagerEmail),
            ("N+1", Column::ManagerEmail),
            ("Responsable", Column::ManagerEmail),
        ];
        for (header, col) in cases {
            assert_eq!(
                Column::from_key(&normalize_header(header)),
                Some(col),
                "{header}"
            );
        }
        assert_eq!(Column::from_key(&normalize_header("Matricule")), None);
    }

    #[test]
    fn header_errors() {
        let err = ColumnMap::from_header(["Email", "Prénom", "Matricule"]).err();
        assert_eq!(
            err,
            Some(FileError::MissingColumn {
                column: "last_name",
                found: vec!["Email".into(), "Prénom".into(), "Matricule".into()],
            })
        );
        let err = ColumnMap::from_header(["Email", "Courriel", "Prénom", "Nom"]).err();
        assert_eq!(err, Some(FileError::DuplicateColumn { column: "email" }));
    }

    #[test]
    fn maps_columns_and_ignored() {
        let map = ColumnMap::from_header(["ID", "Nom", "Prénom", "", "E-mail"]);
        let map = map.ok();
        assert_eq!(map.as_ref().map(|m| m.get(Column::Email)), Some(Some(4)));
        assert_eq!(map.as_ref().map(|m| m.get(Column::Site)), Some(None));
        assert_eq!(map.as_ref().map(|m| m.width), Some(5));
        assert_eq!(map.map(|m| m.ignored), Some(vec!["ID".to_owned()]));
    }
}
