//! The directory import's parser: any bytes give records or a file error, never a panic;
//! every accepted record has a normalised address in an allowed domain and the physical
//! line it starts on.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let domains = vec!["acme.fr".to_owned(), "acme-group.com".to_owned()];
    let Ok(parsed) = declic_directory::parse_directory(data, &domains) else {
        return;
    };
    // A record starts on a line the file has (CR, LF or CRLF end a line).
    let lines = data.iter().filter(|&&b| b == b'\n' || b == b'\r').count() as u64 + 2;
    for record in &parsed.records {
        assert_eq!(
            declic_directory::normalize_email(&record.email).as_deref(),
            Some(record.email.as_str()),
            "an accepted address is already normalised"
        );
        assert!(declic_directory::email_in_domains(&record.email, &domains));
        assert!(
            record.line >= 1 && record.line <= lines,
            "line {}",
            record.line
        );
    }
    for rejected in &parsed.rejected {
        assert!(
            rejected.line >= 1 && rejected.line <= lines,
            "line {}",
            rejected.line
        );
    }
});
