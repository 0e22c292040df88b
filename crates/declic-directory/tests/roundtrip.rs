//! Property tests: tables written with the csv crate parse back to exactly what was written.
#![expect(clippy::unwrap_used, reason = "tests")]

use declic_directory::{EmployeeRecord, ParsedDirectory, parse_directory};
use proptest::prelude::*;

const DOMAINS: [&str; 4] = [
    "acme.fr",
    "Paris.ACME.fr",
    "acme-group.com",
    "rh.acme-group.com",
];
const LANGUAGES: [(&str, Option<&str>); 8] = [
    ("", None),
    ("fr", Some("fr")),
    ("FR", Some("fr")),
    ("fr-FR", Some("fr")),
    ("français", Some("fr")),
    ("English", Some("en")),
    ("en-GB", Some("en")),
    ("anglais", Some("en")),
];
/// Header spellings per column, in the parser's column order.
const ALIASES: [&[&str]; 7] = [
    &[
        "Email",
        "E-mail",
        "courriel",
        "Adresse e-mail",
        "EMAIL_ADDRESS",
    ],
    &["First name", "firstname", "Prénom", "prenom"],
    &["Last name", "Surname", "Nom", "Nom de famille"],
    &["Department", "Service", "Département", "direction"],
    &["Site", "Location", "Établissement", "Ville"],
    &["Language", "Langue", "locale"],
    &["Manager email", "Responsable", "N+1", "Email du manager"],
];

fn allowed() -> Vec<String> {
    vec!["acme.fr".into(), "acme-group.com".into()]
}

/// Names with accents, quotes, separators, line breaks and the odd non-Windows-1252 letter.
fn name() -> impl Strategy<Value = String> {
    let first = prop::sample::select(vec!['A', 'z', 'É', 'ç', 'Œ', 'ł', '\'', '"']);
    let rest = prop::collection::vec(
        prop::sample::select(vec![
            'a', 'b', 'Z', 'é', 'è', 'à', 'ï', 'ô', 'ÿ', 'œ', 'Ç', 'ß', ' ', ' ', '-', '\'', '"',
            ',', ';', '\t', '\n', '\u{a0}', 'ő',
        ]),
        0..16,
    );
    (first, rest).prop_map(|(f, r)| std::iter::once(f).chain(r).collect())
}

/// What the parser must turn a written name into.
fn cleaned(name: &str) -> String {
    name.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[derive(Debug, Clone)]
enum Defect {
    None,
    Foreign,
    NoFirstName,
    BadLanguage,
    /// Reuses, in upper case, the email of an earlier kept row.
    Duplicate,
    ExtraField,
}

#[derive(Debug, Clone)]
struct Row {
    local: String,
    domain: usize,
    upper: bool,
    first: String,
    last: String,
    department: Option<String>,
    site: Option<String>,
    language: usize,
    manager: Option<usize>,
    blank_before: bool,
    defect: Defect,
}

fn row() -> impl Strategy<Value = Row> {
    let defect = prop_oneof![
        12 => Just(Defect::None),
        1 => Just(Defect::Foreign),
        1 => Just(Defect::NoFirstName),
        1 => Just(Defect::BadLanguage),
        1 => Just(Defect::Duplicate),
        1 => Just(Defect::ExtraField),
    ];
    (
        (
            "[a-z]([a-z0-9_+-]{0,6}\\.)?[a-z0-9]{1,4}",
            0..DOMAINS.len(),
            any::<bool>(),
        ),
        (
            name(),
            name(),
            prop::option::of(name()),
            prop::option::of(name()),
        ),
        (
            0..LANGUAGES.len(),
            prop::option::of(0..DOMAINS.len()),
            prop::bool::weighted(0.1),
        ),
        defect,
    )
        .prop_map(
            |((local, domain, upper), (first, last, department, site), rest, defect)| {
                let (language, manager, blank_before) = rest;
                let local = local
                    .replace("..", ".")
                    .replace(".-", "-")
                    .replace("._", "_");
                Row {
                    local,
                    domain,
                    upper,
                    first,
                    last,
                    department,
                    site,
                    language,
                    manager,
                    blank_before,
                    defect,
                }
            },
        )
}

#[derive(Debug, Clone)]
struct Table {
    order: Vec<usize>,
    aliases: Vec<usize>,
    extra_column: bool,
    separator: u8,
    crlf: bool,
    encoding: usize,
    rows: Vec<Row>,
}

fn table() -> impl Strategy<Value = Table> {
    (
        Just((0..7).collect::<Vec<usize>>()).prop_shuffle(),
        prop::collection::vec(0..4usize, 7),
        any::<bool>(),
        prop::sample::select(vec![b',', b';', b'\t']),
        any::<bool>(),
        0..4usize,
        prop::collection::vec(row(), 0..25),
    )
        .prop_map(
            |(order, aliases, extra_column, separator, crlf, encoding, rows)| Table {
                order,
                aliases,
                extra_column,
                separator,
                crlf,
                encoding,
                rows,
            },
        )
}

/// The file's text, plus the records and (line, code) rejections it must parse into.
fn render(t: &Table) -> (String, Vec<EmployeeRecord>, Vec<(u64, &'static str)>) {
    let terminator = if t.crlf {
        csv::Terminator::CRLF
    } else {
        csv::Terminator::Any(b'\n')
    };
    let write = |fields: &[String]| {
        let mut w = csv::WriterBuilder::new()
            .delimiter(t.separator)
            .terminator(terminator)
            .from_writer(Vec::new());
        w.write_record(fields).unwrap();
        String::from_utf8(w.into_inner().unwrap()).unwrap()
    };
    let mut header: Vec<String> = t
        .order
        .iter()
        .map(|&c| ALIASES[c][t.aliases[c] % ALIASES[c].len()].to_owned())
        .collect();
    if t.extra_column {
        header.insert(header.len() / 2, "Matricule".into());
    }
    let mut text = write(&header);
    let (mut records, mut rejections) = (Vec::<EmployeeRecord>::new(), Vec::new());
    for (i, row) in t.rows.iter().enumerate() {
        if row.blank_before {
            text.push_str(if t.crlf { "\r\n" } else { "\n" });
        }
        let line = 1 + text.matches('\n').count() as u64;
        let domain = match row.defect {
            Defect::Foreign => "acme.com",
            _ => DOMAINS[row.domain],
        };
        let mut email = format!("{}.{i}@{domain}", row.local);
        if let (Defect::Duplicate, Some(kept)) = (&row.defect, records.first()) {
            email = kept.email.clone();
        }
        let email = if row.upper {
            email.to_uppercase()
        } else {
            email
        };
        let manager = row.manager.map(|d| format!("Boss.{i}@{}", DOMAINS[d]));
        let language = match row.defect {
            Defect::BadLanguage => "deutsch",
            _ => LANGUAGES[row.language].0,
        };
        let first = match row.defect {
            Defect::NoFirstName => " \n ".to_owned(),
            _ => row.first.clone(),
        };
        let cells = [
            email.clone(),
            first,
            row.last.clone(),
            row.department.clone().unwrap_or_default(),
            row.site.clone().unwrap_or_default(),
            language.to_owned(),
            manager.clone().unwrap_or_default(),
        ];
        let mut fields: Vec<String> = t.order.iter().map(|&c| cells[c].clone()).collect();
        if t.extra_column {
            fields.insert(fields.len() / 2, format!("{i:05}"));
        }
        if let Defect::ExtraField = row.defect {
            fields.push("x".into());
        }
        text.push_str(&write(&fields));

        let code = match row.defect {
            Defect::Foreign => "foreign_domain",
            Defect::NoFirstName => "missing_field",
            Defect::BadLanguage => "unknown_language",
            Defect::Duplicate if !records.is_empty() => "duplicate_in_file",
            Defect::ExtraField => "malformed",
            Defect::None | Defect::Duplicate => "",
        };
        if code.is_empty() {
            records.push(EmployeeRecord {
                line,
                email: email.to_lowercase(),
                first_name: cleaned(&row.first),
                last_name: cleaned(&row.last),
                department: row.department.as_deref().map(cleaned),
                site: row.site.as_deref().map(cleaned),
                language: LANGUAGES[row.language].1.map(str::to_owned),
                manager_email: manager.map(|m| m.to_lowercase()),
            });
        } else {
            rejections.push((line, code));
        }
    }
    (text, records, rejections)
}

/// Encodes as the table asks, falling back to UTF-8 where Windows-1252 cannot hold the text
/// (or would be read back as UTF-8); returns the bytes and the encoding the parser must see.
fn encode(text: &str, choice: usize) -> (Vec<u8>, &'static str) {
    match choice {
        1 => ([&b"\xEF\xBB\xBF"[..], text.as_bytes()].concat(), "utf-8"),
        2 => {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
            if unmappable || std::str::from_utf8(&bytes).is_ok() {
                (text.as_bytes().to_vec(), "utf-8")
            } else {
                (bytes.into_owned(), "windows-1252")
            }
        }
        3 => {
            let bytes = "\u{feff}".chars().chain(text.chars()).collect::<String>();
            (
                bytes.encode_utf16().flat_map(u16::to_le_bytes).collect(),
                "utf-16le",
            )
        }
        _ => (text.as_bytes().to_vec(), "utf-8"),
    }
}

fn check_counts(parsed: &ParsedDirectory) {
    assert_eq!(
        parsed.records.len() + parsed.rejected.len(),
        parsed.total_rows as usize
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn written_tables_parse_back_exactly(t in table()) {
        let (text, records, rejections) = render(&t);
        let (bytes, encoding) = encode(&text, t.encoding);
        let parsed = parse_directory(&bytes, &allowed()).unwrap();
        prop_assert_eq!(parsed.encoding, encoding);
        prop_assert_eq!(parsed.separator, t.separator);
        prop_assert_eq!(&parsed.records, &records);
        let got: Vec<_> = parsed.rejected.iter().map(|r| (r.line, r.reason.code())).collect();
        prop_assert_eq!(got, rejections);
        prop_assert_eq!(parsed.total_rows, t.rows.len() as u64);
        prop_assert_eq!(parsed.ignored_columns.len(), usize::from(t.extra_column));
        check_counts(&parsed);
        prop_assert_eq!(parse_directory(&bytes, &allowed()).unwrap(), parsed);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(parsed) = parse_directory(&bytes, &allowed()) {
            check_counts(&parsed);
        }
    }

    #[test]
    fn garbage_rows_under_a_valid_header_never_panic(
        body in "[a-zA-Zé@.,;\t\n\r\" \u{0}\u{feff}-]{0,300}",
        sep in prop::sample::select(vec![",", ";", "\t"]),
    ) {
        let text = format!("email{sep}prénom{sep}nom{sep}langue{sep}n+1\n{body}");
        let parsed = parse_directory(text.as_bytes(), &allowed()).unwrap();
        check_counts(&parsed);
        let lines: Vec<u64> = parsed.records.iter().map(|r| r.line)
            .chain(parsed.rejected.iter().map(|r| r.line)).collect();
        prop_assert!(lines.iter().all(|l| *l >= 2), "{:?}", lines);
    }
}
