//! The registration flow end to end with mail over real SMTP to a real server process.

use crate::registration::{live_campaign, register};
use crate::support::mail::ics_prop;
use crate::support::{TestApp, smtp};

#[tokio::test]
async fn register_confirm_and_seat_through_a_real_smtp_server() {
    let dir = tempfile::tempdir().unwrap();
    let Some(server) = smtp::start(dir.path()) else {
        return;
    };
    let port = server.port;
    let app = TestApp::spawn_with(|c| {
        smtp::send_to(c, port);
        c.mail.from = "Déclic RH <rh@acme.example>".into();
    })
    .await;
    let live = live_campaign(&app, 5, "Marathon").await;
    let res = register(
        &app,
        &live.link,
        "noel@acme.example",
        "Noël",
        live.mission_id,
    )
    .await;
    assert_eq!(res.status(), 200);

    let mails = server.wait_for(1).await;
    assert_eq!(mails.len(), 1, "the confirmation request went through SMTP");
    assert_eq!(mails[0].to, "noel@acme.example");
    assert!(
        mails[0].raw.contains("Message-ID: <") && mails[0].raw.contains("@declic.localhost>"),
        "our own Message-ID domain"
    );
    assert!(
        !mails[0].html.is_empty() && !mails[0].text.is_empty(),
        "text and HTML parts"
    );
    let url = mails[0].link(&format!("{}/r/", app.base)).unwrap();
    let res = app.client.post(&url).send().await.unwrap();
    assert_eq!(res.status(), 303);

    let mails = server.wait_for(2).await;
    let seat = mails
        .iter()
        .find(|m| m.calendar.is_some())
        .expect("seat confirmation with invitation");
    let ics = seat.calendar.as_deref().unwrap();
    assert_eq!(ics_prop(ics, "METHOD").as_deref(), Some("REQUEST"));
    assert!(
        ics_prop(ics, "ORGANIZER")
            .unwrap()
            .contains("rh@acme.example")
    );
    assert!(app.mails().await.is_empty(), "nothing went to the outbox");
}
