//! File-level errors: the file as a whole cannot be read as a directory.

/// Why a whole file was refused (as opposed to single rows, see [`crate::RejectReason`]).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// The file holds no header line at all.
    #[error("the file is empty")]
    Empty,
    /// A required column has no recognisable header.
    #[error("required column \"{column}\" is missing (columns found: {})", found.join(", "))]
    MissingColumn {
        /// Canonical column name: `email`, `first_name` or `last_name`.
        column: &'static str,
        /// Header names found in the file, as written.
        found: Vec<String>,
    },
    /// Two headers map to the same column (say "Email" and "Courriel").
    #[error("column \"{column}\" appears more than once in the header")]
    DuplicateColumn {
        /// Canonical column name.
        column: &'static str,
    },
    /// The file exceeds [`crate::MAX_FILE_BYTES`].
    #[error("the file is larger than {limit} bytes")]
    TooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The CSV reader failed on a line.
    #[error("line {line}: {message}")]
    Csv {
        /// Physical 1-based line where the failing record starts.
        line: u64,
        /// The reader's message.
        message: String,
    },
}

impl FileError {
    /// Stable snake_case code for APIs and logs, e.g. `"missing_column"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty => "empty",
            Self::MissingColumn { .. } => "missing_column",
            Self::DuplicateColumn { .. } => "duplicate_column",
            Self::TooLarge { .. } => "too_large",
            Self::Csv { .. } => "csv",
        }
    }

    /// The message in French, for HR users.
    pub fn message_fr(&self) -> String {
        match self {
            Self::Empty => "le fichier est vide".to_owned(),
            Self::MissingColumn { column, found } => format!(
                "colonne obligatoire « {} » introuvable (colonnes trouvées : {})",
                crate::reason::field_fr(column),
                found.join(", ")
            ),
            Self::DuplicateColumn { column } => format!(
                "la colonne « {} » apparaît plusieurs fois dans l'en-tête",
                crate::reason::field_fr(column)
            ),
            Self::TooLarge { limit } => {
                format!("le fichier dépasse la taille maximale de {limit} octets")
            }
            Self::Csv { line, message } => format!("ligne {line} : {message}"),
        }
    }
}
