//! Employee directory files: reads HRIS and Excel CSV exports of employees into validated
//! records, with a per-line report of the rows that were rejected and why.
//!
//! This crate is pure: it takes the file's bytes and the organisation's allowed email
//! domains, and returns data. Storing the employees and talking to users belong to the
//! callers (`declic import employees` and the upload endpoint).
//!
//! What the parser copes with, because that is what HR teams actually export:
//! - encodings: UTF-8 (with or without BOM), Windows-1252 (French Excel "CSV"), UTF-16 LE/BE
//!   (Excel "Unicode text"); bytes that are valid UTF-8 are read as UTF-8, anything else
//!   without a BOM as Windows-1252;
//! - separators: comma, semicolon or tab, sniffed from the header line, or set by an Excel
//!   `sep=;` first line;
//! - headers in English or French, matched ignoring case, accents, spaces and punctuation
//!   (see [`normalize_header`]); unknown columns are listed in
//!   [`ParsedDirectory::ignored_columns`].
//!
//! Every problem carries the physical 1-based line where its record starts, even when
//! earlier quoted fields span several lines.

mod decode;
mod email;
mod error;
mod fields;
mod header;
mod lines;
mod parse;
mod reason;
mod record;
pub mod sign_up;

pub use email::{email_in_domains, normalize_email};
pub use error::FileError;
pub use fields::is_forbidden as is_forbidden_char;
pub use header::normalize_header;
pub use parse::{MAX_FILE_BYTES, parse_directory, parse_with_progress};
pub use reason::RejectReason;
pub use record::{EmployeeRecord, ParsedDirectory, RejectedLine};
