//! The data a parsed directory file yields.

use serde::{Serialize, Serializer};

use crate::RejectReason;

/// One valid employee row, normalised and ready to be stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmployeeRecord {
    /// Physical 1-based line in the file where the row starts.
    pub line: u64,
    /// Lowercased, validated email address (unique within the file).
    pub email: String,
    /// First name, trimmed, whitespace-collapsed and NFC-normalised.
    pub first_name: String,
    /// Last name, trimmed, whitespace-collapsed and NFC-normalised.
    pub last_name: String,
    /// Department, if the column exists and the cell is not empty.
    pub department: Option<String>,
    /// Site or office, if the column exists and the cell is not empty.
    pub site: Option<String>,
    /// `"fr"` or `"en"`, if given.
    pub language: Option<String>,
    /// Lowercased, validated manager email, if given.
    pub manager_email: Option<String>,
}

/// A data row that was not imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedLine {
    /// Physical 1-based line in the file where the row starts.
    pub line: u64,
    /// The row's email (normalised when valid, else as typed), so people can find the row.
    pub email: Option<String>,
    /// Why the row was rejected.
    pub reason: RejectReason,
}

/// Outcome of parsing a whole directory file.
///
/// `records.len() + rejected.len() == total_rows`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedDirectory {
    /// Valid rows, in file order.
    pub records: Vec<EmployeeRecord>,
    /// Rejected rows, in file order.
    pub rejected: Vec<RejectedLine>,
    /// Field separator that was used (`b','`, `b';'` or `b'\t'` usually); serialised as a
    /// one-character string.
    #[serde(serialize_with = "separator_as_str")]
    pub separator: u8,
    /// Detected encoding: `"utf-8"`, `"windows-1252"`, `"utf-16le"` or `"utf-16be"`.
    pub encoding: &'static str,
    /// Header names (as written in the file) of the columns that were not used.
    pub ignored_columns: Vec<String>,
    /// Number of non-blank data rows after the header.
    pub total_rows: u64,
}

// A JSON number such as 59 would mean nothing to whoever reads the upload report.
fn separator_as_str<S: Serializer>(separator: &u8, s: S) -> Result<S::Ok, S::Error> {
    let mut buf = [0u8; 4];
    s.serialize_str(char::from(*separator).encode_utf8(&mut buf))
}
