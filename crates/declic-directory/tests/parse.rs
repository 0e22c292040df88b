//! Scenario tests of `parse_directory` on files shaped like real HR exports.
#![expect(clippy::unwrap_used, reason = "tests")]

use declic_directory::{
    EmployeeRecord, FileError, MAX_FILE_BYTES, ParsedDirectory, RejectReason, parse_directory,
    parse_with_progress,
};

fn domains() -> Vec<String> {
    vec!["acme.fr".to_owned(), "acme-group.com".to_owned()]
}

fn parse(text: &str) -> ParsedDirectory {
    parse_directory(text.as_bytes(), &domains()).unwrap()
}

fn employee(line: u64, email: &str, first: &str, last: &str) -> EmployeeRecord {
    EmployeeRecord {
        line,
        email: email.into(),
        first_name: first.into(),
        last_name: last.into(),
        department: None,
        site: None,
        language: None,
        manager_email: None,
    }
}

/// (line, code) of every rejection, the shape most assertions want.
fn rejections(parsed: &ParsedDirectory) -> Vec<(u64, RejectReason)> {
    parsed
        .rejected
        .iter()
        .map(|r| (r.line, r.reason.clone()))
        .collect()
}

fn every_reason_file(eol: &str) -> String {
    let long = "x".repeat(201);
    [
        "Email,First name,Last name,Department,Site,Language,Manager email",
        "alice@acme.fr,Alice,Martin,\"R&D",
        "Lab\",Paris,fr-FR,Boss@Acme.fr",
        "bob@other.com,Bob,Durand,,,,",
        "not-an-email,Carl,Faure,,,,",
        "ALICE@ACME.FR,Alice,Bis,,,,",
        "dan@acme.fr,  ,Petit,,,,",
        "eve@acme.fr,Eve",
        "fay@acme.fr,Fay,Blanc,,,,not a mail",
        "gus@acme.fr,Gus,Noir,,,klingon,",
        "hal@acme.fr,Hal\u{7},Vert,,,,",
        &format!("ian@acme.fr,Ian,{long},,,,"),
        ",Jo,Bleu,,,,",
        "",
        ",,,,,,",
        "kim@tokyo.acme.fr,\"Kim \"\"KK\"\"\",Lee,,,EN-gb,",
    ]
    .join(eol)
}

#[test]
fn every_rejection_reason_with_physical_lines() {
    for eol in ["\n", "\r\n", "\r"] {
        let parsed = parse(&every_reason_file(eol));
        let mut alice = employee(2, "alice@acme.fr", "Alice", "Martin");
        alice.department = Some("R&D Lab".into());
        alice.site = Some("Paris".into());
        alice.language = Some("fr".into());
        alice.manager_email = Some("boss@acme.fr".into());
        let mut kim = employee(16, "kim@tokyo.acme.fr", "Kim \"KK\"", "Lee");
        kim.language = Some("en".into());
        assert_eq!(parsed.records, vec![alice, kim], "eol {eol:?}");
        let invalid = |field, detail: &str| RejectReason::InvalidField {
            field,
            detail: detail.into(),
        };
        assert_eq!(
            rejections(&parsed),
            vec![
                (4, RejectReason::ForeignDomain),
                (5, RejectReason::InvalidEmail),
                (6, RejectReason::DuplicateInFile { first_line: 2 }),
                (7, RejectReason::MissingField("first_name")),
                (
                    8,
                    RejectReason::Malformed("expected 7 fields, found 2".into())
                ),
                (9, RejectReason::InvalidManagerEmail),
                (10, RejectReason::UnknownLanguage("klingon".into())),
                (11, invalid("first_name", "contains control characters")),
                (12, invalid("last_name", "is longer than 200 characters")),
                (13, RejectReason::MissingField("email")),
            ],
            "eol {eol:?}"
        );
        assert_eq!(parsed.total_rows, 12);
        assert_eq!(parsed.separator, b',');
        assert_eq!(parsed.encoding, "utf-8");
        assert!(parsed.ignored_columns.is_empty());
    }
}

#[test]
fn rejected_lines_keep_the_email_for_context() {
    let parsed = parse(&every_reason_file("\n"));
    let emails: Vec<_> = parsed.rejected.iter().map(|r| r.email.as_deref()).collect();
    assert_eq!(emails[0], Some("bob@other.com"));
    assert_eq!(emails[1], Some("not-an-email"));
    assert_eq!(emails[2], Some("alice@acme.fr"));
    assert_eq!(emails[9], None);
}

#[test]
fn french_excel_windows_1252_semicolons() {
    let text = "Prénom;Nom;Département;Site;Langue;Email\r\n\
                Élodie;Lefèvre;Ressources humaines;Lyon;Français;Elodie.Lefevre@acme.fr\r\n\
                François;Nœud;Achats;Établissement de Nîmes;;francois@acme.fr\r\n";
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
    assert!(!unmappable);
    let parsed = parse_directory(&bytes, &domains()).unwrap();
    assert_eq!(parsed.encoding, "windows-1252");
    assert_eq!(parsed.separator, b';');
    let mut elodie = employee(2, "elodie.lefevre@acme.fr", "Élodie", "Lefèvre");
    elodie.department = Some("Ressources humaines".into());
    elodie.site = Some("Lyon".into());
    elodie.language = Some("fr".into());
    let mut francois = employee(3, "francois@acme.fr", "François", "Nœud");
    francois.department = Some("Achats".into());
    francois.site = Some("Établissement de Nîmes".into());
    assert_eq!(parsed.records, vec![elodie, francois]);
    assert!(parsed.rejected.is_empty());
}

#[test]
fn utf8_bom_and_excel_sep_line() {
    let parsed = parse("\u{feff}E-mail;Prénom;Nom\nana@acme.fr;Ana;Lopes\n");
    assert_eq!((parsed.encoding, parsed.separator), ("utf-8", b';'));
    assert_eq!(
        parsed.records,
        vec![employee(2, "ana@acme.fr", "Ana", "Lopes")]
    );

    let parsed = parse("sep=;\r\nemail;prenom;nom\r\nana@acme.fr;Ana;Lopes, Jr\r\n");
    assert_eq!(
        parsed.records,
        vec![employee(3, "ana@acme.fr", "Ana", "Lopes, Jr")]
    );
}

#[test]
fn tab_separated_utf16_unicode_text() {
    let text = "\u{feff}Email address\tGiven name\tSurname\tOffice\r\nzoé@acme.fr\tZoé\tMüller\tBerlin\r\n";
    let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let mut zoe = employee(2, "zoé@acme.fr", "Zoé", "Müller");
    zoe.site = Some("Berlin".into());
    for (bytes, encoding) in [(le, "utf-16le"), (be, "utf-16be")] {
        let parsed = parse_directory(&bytes, &domains()).unwrap();
        assert_eq!((parsed.encoding, parsed.separator), (encoding, b'\t'));
        assert_eq!(parsed.records, vec![zoe.clone()]);
    }
    let parsed = parse(&text.replace(',', ""));
    assert_eq!(parsed.separator, b'\t');
    assert_eq!(parsed.records, vec![zoe]);
}

#[test]
fn duplicates_are_case_insensitive_and_point_at_the_kept_row() {
    let parsed = parse(
        "email,prenom,nom\n\
         sam@acme.fr,,Missing\n\
         Sam@Acme.FR,Sam,Kept\n\
         SAM@acme.fr,Sam,Again\n",
    );
    assert_eq!(
        parsed.records,
        vec![employee(3, "sam@acme.fr", "Sam", "Kept")]
    );
    assert_eq!(
        rejections(&parsed),
        vec![
            (2, RejectReason::MissingField("first_name")),
            (4, RejectReason::DuplicateInFile { first_line: 3 }),
        ]
    );
}

#[test]
fn subdomains_accepted_lookalikes_refused() {
    let parsed = parse(
        "email,prenom,nom\n\
         a@acme.fr,A,A\n\
         b@lyon.ACME.fr,B,B\n\
         c@acme-group.com,C,C\n\
         d@evilacme.fr,D,D\n\
         e@acme.fr.evil.com,E,E\n",
    );
    let kept: Vec<_> = parsed.records.iter().map(|r| r.email.as_str()).collect();
    assert_eq!(kept, ["a@acme.fr", "b@lyon.acme.fr", "c@acme-group.com"]);
    assert_eq!(
        rejections(&parsed),
        vec![
            (5, RejectReason::ForeignDomain),
            (6, RejectReason::ForeignDomain)
        ]
    );
}

#[test]
fn unknown_columns_are_reported_not_used() {
    let parsed = parse("Matricule,Email,Prénom,Nom,,Poste\n42,a@acme.fr,A,B,,Dev\n");
    assert_eq!(parsed.ignored_columns, ["Matricule", "Poste"]);
    assert_eq!(parsed.records, vec![employee(2, "a@acme.fr", "A", "B")]);
}

#[test]
fn file_level_errors() {
    let d = domains();
    for empty in ["", "\n\r\n", "\u{feff}", " ;; \n"] {
        assert_eq!(
            parse_directory(empty.as_bytes(), &d),
            Err(FileError::Empty),
            "{empty:?}"
        );
    }
    assert_eq!(
        parse_directory(b"Email;Nom;Service\n", &d),
        Err(FileError::MissingColumn {
            column: "first_name",
            found: vec!["Email".into(), "Nom".into(), "Service".into()]
        })
    );
    assert_eq!(
        parse_directory(b"Email,Courriel,Prenom,Nom\n", &d),
        Err(FileError::DuplicateColumn { column: "email" })
    );
    let huge = vec![b'a'; MAX_FILE_BYTES + 1];
    assert_eq!(
        parse_directory(&huge, &d),
        Err(FileError::TooLarge {
            limit: MAX_FILE_BYTES
        })
    );
    let err = parse_directory(b"Email,Nom\n", &d).unwrap_err();
    assert_eq!(err.code(), "missing_column");
    assert!(
        err.message_fr().contains("« prénom »"),
        "{}",
        err.message_fr()
    );
}

#[test]
fn header_only_file_has_no_records() {
    let parsed = parse("email,first name,last name\r\n\r\n");
    assert_eq!((parsed.total_rows, parsed.records.len()), (0, 0));
}

#[test]
fn reparsing_is_deterministic() {
    let text = every_reason_file("\r\n");
    assert_eq!(parse(&text), parse(&text));
}

#[test]
fn progress_is_monotonic_and_ends_at_total() {
    let mut text = String::from("email;prénom;nom\n");
    for i in 0..5000 {
        text.push_str(&format!("user{i}@acme.fr;Zoé;Dupont\n"));
    }
    let (bytes, _, _) = encoding_rs::WINDOWS_1252.encode(&text);
    let mut calls = Vec::new();
    let parsed = parse_with_progress(&bytes, &domains(), &mut |read, total| {
        calls.push((read, total))
    })
    .unwrap();
    assert_eq!(parsed.records.len(), 5000);
    let total = bytes.len() as u64;
    assert!(calls.len() >= 3, "{calls:?}");
    assert_eq!(calls.first(), Some(&(0, total)));
    assert_eq!(calls.last(), Some(&(total, total)));
    assert!(
        calls
            .windows(2)
            .all(|w| w[0].0 <= w[1].0 && w[1].0 <= total),
        "{calls:?}"
    );
}

#[test]
fn hundred_thousand_rows() {
    let mut text = String::from("Email;Prénom;Nom;Département;Site;Langue;Email du manager\n");
    for i in 0..100_000 {
        text.push_str(&format!(
            "prenom.nom{i}@acme.fr;Jean-Éric;Dupont de la Fontaine;Ressources humaines;Paris La Défense;fr-FR;manager{}@acme.fr\n",
            i / 10
        ));
    }
    let started = std::time::Instant::now();
    let parsed = parse(&text);
    let elapsed = started.elapsed();
    assert_eq!(parsed.records.len(), 100_000);
    assert_eq!(parsed.records[99_999].line, 100_001);
    eprintln!("{} bytes parsed in {elapsed:?}", text.len());
}
