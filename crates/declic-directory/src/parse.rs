//! The parser proper: header, then one validated record or rejection per data row.

use std::collections::HashMap;

use csv::StringRecord;

use crate::decode::{decode, sniff};
use crate::email::{email_in_domains, normalize_email};
use crate::fields::{clean_text, normalize_language};
use crate::header::{Column, ColumnMap};
use crate::lines::LineCounter;
use crate::{EmployeeRecord, FileError, ParsedDirectory, RejectReason, RejectedLine};

/// Largest accepted file: ten times a 100 000-employee export, and still cheap in memory.
pub const MAX_FILE_BYTES: usize = 100 * 1024 * 1024;

/// Rows between two progress reports: often enough for a progress bar, rarely enough to
/// cost nothing.
const PROGRESS_EVERY: u64 = 2048;

/// Parses a directory file, see [`parse_with_progress`].
pub fn parse_directory(
    bytes: &[u8],
    allowed_domains: &[String],
) -> Result<ParsedDirectory, FileError> {
    parse_with_progress(bytes, allowed_domains, &mut |_, _| {})
}

/// Parses a directory file, reporting progress as `(bytes_read, total_bytes)`.
///
/// Both numbers are in bytes of the input (after transcoding, positions are scaled back),
/// so `total_bytes == bytes.len()`; the last call is always `(total, total)`. Only
/// file-level problems are errors; bad rows end up in [`ParsedDirectory::rejected`].
/// A file with a header and no data rows is not an error: it yields no records.
pub fn parse_with_progress(
    bytes: &[u8],
    allowed_domains: &[String],
    on_progress: &mut dyn FnMut(u64, u64),
) -> Result<ParsedDirectory, FileError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FileError::TooLarge {
            limit: MAX_FILE_BYTES,
        });
    }
    let total = bytes.len() as u64;
    on_progress(0, total);
    let decoded = decode(bytes);
    let text: &str = &decoded.text;
    let layout = sniff(text);
    let mut rows = Rows {
        reader: csv::ReaderBuilder::new()
            .has_headers(false)
            // Field counts are checked per row, so one short row is a rejection rather
            // than the end of the import.
            .flexible(true)
            .delimiter(layout.separator)
            .from_reader(text.as_bytes().get(layout.body_start..).unwrap_or_default()),
        lines: LineCounter::new(text.as_bytes()),
        base: layout.body_start,
    };
    let mut record = StringRecord::new();

    let columns = loop {
        match rows.next(&mut record)? {
            None => return Err(FileError::Empty),
            Some(_) if is_blank(&record) => {}
            Some(_) => break ColumnMap::from_header(record.iter())?,
        }
    };
    let mut out = ParsedDirectory {
        records: Vec::new(),
        rejected: Vec::new(),
        separator: layout.separator,
        encoding: decoded.encoding,
        ignored_columns: columns.ignored.clone(),
        total_rows: 0,
    };
    // Only imported rows are remembered, so every `first_line` points at a kept record.
    let mut seen: HashMap<String, u64> = HashMap::new();
    while let Some(line) = rows.next(&mut record)? {
        if is_blank(&record) {
            continue;
        }
        out.total_rows += 1;
        match check_row(&record, &columns, line, allowed_domains, &seen) {
            Ok(employee) => {
                seen.insert(employee.email.clone(), line);
                out.records.push(employee);
            }
            Err(rejected) => out.rejected.push(rejected),
        }
        if out.total_rows.is_multiple_of(PROGRESS_EVERY) {
            let read = rows.base as u64 + rows.reader.position().byte();
            on_progress(scale(read, text.len() as u64, total), total);
        }
    }
    on_progress(total, total);
    Ok(out)
}

/// Maps a position in the decoded text back onto the input's size.
fn scale(pos: u64, text_len: u64, total: u64) -> u64 {
    if text_len == 0 {
        return total;
    }
    let scaled = u128::from(pos.min(text_len)) * u128::from(total) / u128::from(text_len);
    u64::try_from(scaled).unwrap_or(total)
}

/// The CSV reader plus what turns its positions into physical lines.
struct Rows<'a> {
    reader: csv::Reader<&'a [u8]>,
    lines: LineCounter<'a>,
    /// Offset of the reader's input within the whole text.
    base: usize,
}

impl Rows<'_> {
    /// Reads the next record into `record`, returning the line it starts on.
    fn next(&mut self, record: &mut StringRecord) -> Result<Option<u64>, FileError> {
        let start = self.reader.position().byte();
        match self.reader.read_record(record) {
            Ok(false) => Ok(None),
            Ok(true) => Ok(Some(self.line_at(start))),
            // Cannot happen on text that is already valid UTF-8 with a flexible reader,
            // but a reader error must still not become a panic.
            Err(err) => {
                let pos = err.position().map_or(start, |p| p.byte());
                Err(FileError::Csv {
                    line: self.line_at(pos),
                    message: err.to_string(),
                })
            }
        }
    }

    fn line_at(&mut self, pos: u64) -> u64 {
        let pos = usize::try_from(pos).unwrap_or(usize::MAX);
        self.lines.record_line(self.base.saturating_add(pos))
    }
}

/// Whether every cell of the record is blank (also covers Excel's `;;;;` rows).
fn is_blank(record: &StringRecord) -> bool {
    record.iter().all(|f| f.trim().is_empty())
}

/// Validates one data row.
fn check_row(
    record: &StringRecord,
    columns: &ColumnMap,
    line: u64,
    domains: &[String],
    seen: &HashMap<String, u64>,
) -> Result<EmployeeRecord, RejectedLine> {
    let cell = |col: Column| columns.get(col).and_then(|i| record.get(i)).unwrap_or("");
    let raw_email = cell(Column::Email).trim();
    let email = normalize_email(raw_email);
    let reject = |reason: RejectReason| RejectedLine {
        line,
        email: email
            .clone()
            .or_else(|| (!raw_email.is_empty()).then(|| raw_email.to_owned())),
        reason,
    };

    if record.len() != columns.width {
        let detail = format!("expected {} fields, found {}", columns.width, record.len());
        return Err(reject(RejectReason::Malformed(detail)));
    }
    if raw_email.is_empty() {
        return Err(reject(RejectReason::MissingField(Column::Email.name())));
    }
    let Some(email) = email.as_deref() else {
        return Err(reject(RejectReason::InvalidEmail));
    };
    if !email_in_domains(email, domains) {
        return Err(reject(RejectReason::ForeignDomain));
    }
    if let Some(&first_line) = seen.get(email) {
        return Err(reject(RejectReason::DuplicateInFile { first_line }));
    }

    let text = |col: Column| -> Result<Option<String>, RejectedLine> {
        clean_text(cell(col)).map_err(|detail| {
            reject(RejectReason::InvalidField {
                field: col.name(),
                detail: detail.to_owned(),
            })
        })
    };
    let required = |col: Column| -> Result<String, RejectedLine> {
        text(col)?.ok_or_else(|| reject(RejectReason::MissingField(col.name())))
    };
    let first_name = required(Column::FirstName)?;
    let last_name = required(Column::LastName)?;
    let department = text(Column::Department)?;
    let site = text(Column::Site)?;
    let raw_language = cell(Column::Language);
    let language = normalize_language(raw_language).map_err(|()| {
        reject(RejectReason::UnknownLanguage(
            raw_language.trim().to_owned(),
        ))
    })?;
    let raw_manager = cell(Column::ManagerEmail).trim();
    let manager_email = match raw_manager {
        "" => None,
        raw => Some(normalize_email(raw).ok_or_else(|| reject(RejectReason::InvalidManagerEmail))?),
    };

    Ok(EmployeeRecord {
        line,
        email: email.to_owned(),
        first_name,
        last_name,
        department,
        site,
        language: language.map(str::to_owned),
        manager_email,
    })
}
