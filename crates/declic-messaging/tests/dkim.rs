//! DKIM signing: a real RSA key from openssl, the signature checked by dkimpy (Debian's
//! python3-dkim) against the published public key, the List-Unsubscribe headers covered,
//! and a message altered after signing refused. With `DECLIC_TEST_SMTP=1` (CI) missing
//! tools fail the test; otherwise it is skipped with a notice.
#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use std::process::Command;

use declic_messaging::{DkimSettings, Mailer, OutgoingMail, TransportSettings};

fn tools() -> bool {
    let ok = Command::new("/usr/bin/python3")
        .args(["-c", "import dkim"])
        .status()
        .is_ok_and(|s| s.success())
        && Command::new("openssl")
            .arg("version")
            .status()
            .is_ok_and(|s| s.success());
    if !ok {
        assert!(
            std::env::var("DECLIC_TEST_SMTP").map_or(true, |v| v != "1"),
            "DECLIC_TEST_SMTP=1 but python3-dkim or openssl is missing"
        );
        eprintln!("notice: DKIM test skipped (install python3-dkim and openssl)");
    }
    ok
}

/// True when dkimpy verifies `raw` with `public_der_b64` published for the selector.
fn verify(raw: &[u8], public_der_b64: &str, dir: &std::path::Path) -> bool {
    verify_with(raw, "rsa", public_der_b64, dir)
}

/// [`verify`] for a key type (`rsa`, `ed25519`).
fn verify_with(raw: &[u8], k: &str, public_der_b64: &str, dir: &std::path::Path) -> bool {
    let file = dir.join("check.eml");
    std::fs::write(&file, raw).unwrap();
    let script = format!(
        "import dkim,sys\n\
         rec=b'v=DKIM1; k={k}; p={public_der_b64}'\n\
         msg=open(sys.argv[1],'rb').read()\n\
         ok=dkim.verify(msg, dnsfunc=lambda name, timeout=5: rec if name==b'mail2026._domainkey.acme.example.' else None)\n\
         print('OK' if ok else 'FAIL')\n"
    );
    let out = Command::new("/usr/bin/python3")
        .args(["-c", &script])
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.trim() == "OK"
}

#[tokio::test]
async fn mail_is_signed_over_the_unsubscribe_headers_and_verifies() {
    if !tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("dkim.pem");
    let made = Command::new("openssl")
        .args(["genrsa", "-traditional", "-out"])
        .arg(&key)
        .arg("2048")
        .output()
        .unwrap();
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let der = Command::new("openssl")
        .args(["rsa", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .unwrap();
    use base64::Engine;
    let public = base64::engine::general_purpose::STANDARD.encode(&der.stdout);

    let outbox = tmp.path().join("outbox");
    let mut settings = common::settings(TransportSettings::Outbox {
        dir: outbox.clone(),
    });
    settings.dkim = Some(DkimSettings {
        domain: "acme.example".into(),
        selector: "mail2026".into(),
        private_key: std::fs::read_to_string(&key).unwrap(),
    });
    assert!(
        !format!("{settings:?}").contains("PRIVATE KEY"),
        "the key is never printed"
    );
    let mailer = Mailer::new(settings).unwrap();
    let mail = OutgoingMail {
        to: "elodie@example.org".into(),
        to_name: Some("Élodie".into()),
        subject: "Semaine de l'engagement".into(),
        text: "Bonjour Élodie,\n\nDes missions vous attendent.\n".into(),
        html: "<p>Bonjour Élodie,</p><p>Des missions vous attendent.</p>".into(),
        attachments: vec![],
        list_unsubscribe: Some(common::UNSUBSCRIBE.into()),
    };
    let id = mailer.send(&mail).await.unwrap();
    let raw = std::fs::read(outbox.join(format!("{id}.eml"))).unwrap();
    let text = String::from_utf8_lossy(&raw);
    let sig = text
        .split("\r\n")
        .skip_while(|l| !l.starts_with("DKIM-Signature:"))
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("");
    assert!(
        sig.contains("d=acme.example") && sig.contains("s=mail2026"),
        "{sig}"
    );
    let h = sig.to_ascii_lowercase();
    assert!(
        h.contains("list-unsubscribe") && h.contains("list-unsubscribe-post"),
        "the unsubscribe headers are signed: {sig}"
    );
    assert!(
        verify(&raw, &public, tmp.path()),
        "dkimpy verifies the signature"
    );

    // A relay rewriting the unsubscribe link breaks the signature.
    let forged = text.replace(
        common::UNSUBSCRIBE,
        "https://evil.example/unsubscribe/Zk3mR8",
    );
    assert_ne!(forged, text);
    assert!(!verify(forged.as_bytes(), &public, tmp.path()));

    // A key that is not one is refused at start-up.
    let mut bad = common::settings(TransportSettings::Outbox { dir: outbox });
    bad.dkim = Some(DkimSettings {
        domain: "acme.example".into(),
        selector: "mail2026".into(),
        private_key: "not a key".into(),
    });
    let err = Mailer::new(bad).unwrap_err().to_string();
    assert!(err.contains("mail.dkim.private_key_file"), "{err}");
}

/// Ed25519 signing (RFC 8463), the option that leaves the `rsa` crate's timing
/// weakness (RUSTSEC-2023-0071) unused: signed here, verified by dkimpy.
#[tokio::test]
async fn an_ed25519_key_signs_and_verifies() {
    if !tools() {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let key = tmp.path().join("ed.pem");
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    };
    ok(Command::new("openssl")
        .args(["genpkey", "-algorithm", "ed25519", "-out"])
        .arg(&key)
        .output()
        .unwrap());
    let private_der = ok(Command::new("openssl")
        .args(["pkey", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .unwrap());
    let public_der = ok(Command::new("openssl")
        .args(["pkey", "-pubout", "-outform", "DER", "-in"])
        .arg(&key)
        .output()
        .unwrap());
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    // The raw 32-byte seed and public key are the last bytes of their DER forms.
    let seed = b64(&private_der[private_der.len() - 32..]);
    let public = b64(&public_der[public_der.len() - 32..]);
    let outbox = tmp.path().join("outbox");
    let mut settings = common::settings(TransportSettings::Outbox {
        dir: outbox.clone(),
    });
    settings.dkim = Some(DkimSettings {
        domain: "acme.example".into(),
        selector: "mail2026".into(),
        private_key: seed,
    });
    let mailer = Mailer::new(settings).unwrap();
    let id = mailer
        .send(&OutgoingMail {
            to: "elodie@example.org".into(),
            to_name: None,
            subject: "Semaine de l'engagement".into(),
            text: "Bonjour,\n".into(),
            html: "<p>Bonjour,</p>".into(),
            attachments: vec![],
            list_unsubscribe: Some(common::UNSUBSCRIBE.into()),
        })
        .await
        .unwrap();
    let raw = std::fs::read(outbox.join(format!("{id}.eml"))).unwrap();
    assert!(String::from_utf8_lossy(&raw).contains("a=ed25519-sha256"));
    assert!(
        verify_with(&raw, "ed25519", &public, tmp.path()),
        "dkimpy verifies it"
    );
}
