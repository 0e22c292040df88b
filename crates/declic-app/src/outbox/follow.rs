//! Which messages follow which change: what a use case hands the store so that the
//! messages are queued in the change's own transaction. Each function reads only
//! the change's outcome (and seals the links it carries).

use chrono::{DateTime, Utc};
use declic_messaging::MessageKind;
use declic_storage::ambassadors::Ambassador;
use declic_storage::hash_token;
use declic_storage::missions::MissionUpdate;
use declic_storage::outbox::{NewMessage, Recipient};
use declic_storage::registrations::{
    ChangeOutcome, ConfirmOutcome, Offer, RegisterOutcome, choice,
};
use serde_json::{Value, json};

use crate::App;
use crate::signer::Signer;
use declic_messaging::Lang;

fn message(
    kind: MessageKind,
    to: Recipient,
    params: Value,
    expires_at: Option<DateTime<Utc>>,
    key: String,
) -> NewMessage {
    NewMessage {
        kind: kind.as_str(),
        to,
        params,
        expires_at,
        key: format!("{}:{key}", kind.as_str()),
    }
}

/// A link's token, sealed under the server's key: the outbox never holds a usable link.
fn sealed(signer: &Signer, token: &str) -> Value {
    signer.seal(token).map_or(Value::Null, Value::from)
}

/// A moment that makes a key unique to one change (events that may happen again).
fn at() -> i64 {
    Utc::now().timestamp_micros()
}

/// A new sign-up: the confirmation link (a named colleague is invited once the
/// inviter confirms: see [`after_confirm`]).
pub fn after_sign_up(
    state: &App,
    confirm_valid: chrono::Duration,
) -> impl FnOnce(&RegisterOutcome) -> Vec<NewMessage> + Send + use<> {
    let signer = state.signer.clone();
    move |o| {
        let Some(token) = &o.confirm_token else {
            return Vec::new();
        };
        vec![confirm_link(
            &signer,
            o.registration.id,
            token,
            confirm_valid,
        )]
    }
}

/// A new confirmation link for a pending registration.
pub fn after_renewal(
    state: &App,
    confirm_valid: chrono::Duration,
) -> impl FnOnce(i64, &str) -> Vec<NewMessage> + Send + use<> {
    let signer = state.signer.clone();
    move |registration_id, token| vec![confirm_link(&signer, registration_id, token, confirm_valid)]
}

fn confirm_link(
    signer: &Signer,
    registration_id: i64,
    token: &str,
    valid: chrono::Duration,
) -> NewMessage {
    message(
        MessageKind::ConfirmRegistration,
        Recipient::Registration(registration_id),
        json!({"token": sealed(signer, token)}),
        Some(Utc::now() + valid),
        format!("{registration_id}:{}", hash_token(token)),
    )
}

/// A confirmation: the seat (with its calendar invitation) or the waitlist place,
/// and a word to the duo partner whose mission was full.
pub fn after_confirm(o: &ConfirmOutcome) -> Vec<NewMessage> {
    if !o.newly_confirmed {
        return Vec::new();
    }
    let id = o.registration_id;
    let mut out = Vec::new();
    if let Some(seat) = o.choices.iter().find(|c| c.status == choice::SEATED) {
        out.push(message(
            MessageKind::SeatConfirmed,
            Recipient::Registration(id),
            json!({"mission_id": seat.mission_id}),
            None,
            format!("{id}:{}:{}", seat.mission_id, at()),
        ));
    } else if let Some(w) = o.choices.iter().find(|c| c.status == choice::WAITLISTED) {
        out.push(message(
            MessageKind::Waitlisted,
            Recipient::Registration(id),
            json!({"mission_id": w.mission_id, "position": w.position.unwrap_or(1)}),
            None,
            format!("{id}:{}:{}", w.mission_id, at()),
        ));
    }
    // The colleague's invitation leaves once the inviter has confirmed (invented
    // sign-ups never confirm), once per colleague and campaign whoever invites.
    let reg = &o.registration;
    if let (Some(invitee), Some(code), Some(first)) = (
        reg.duo_invitee_email.as_deref(),
        o.link_code.as_deref(),
        reg.choices.first(),
    ) {
        out.push(message(
            MessageKind::DuoInvitation,
            Recipient::DuoInvitee(id),
            json!({"link_code": code, "mission_id": first.mission_id}),
            None,
            format!(
                "duo:{}:{}",
                reg.campaign_id,
                hash_token(&invitee.to_lowercase())
            ),
        ));
    }
    if let Some(notice) = &o.duo_notice {
        out.push(message(
            MessageKind::DuoPartnerWaitlisted,
            Recipient::Registration(notice.partner_registration_id),
            json!({"mission_id": notice.mission_id, "partner_registration_id": id}),
            None,
            format!(
                "{}:{id}:{}",
                notice.partner_registration_id, notice.mission_id
            ),
        ));
    }
    out
}

/// A change from the person's own page: a calendar cancellation for every seat
/// given up, the new seat with its invitation, and the offers it freed.
pub fn after_change(o: &ChangeOutcome) -> Vec<NewMessage> {
    seat_changes(o, false)
}

/// An organiser's move of someone's place: the person is told of a seat withdrawn
/// (with a calendar cancellation), of a waitlist place or offer cancelled, or of a
/// seat given; the freed seat is offered on.
pub fn after_organiser_change(o: &ChangeOutcome) -> Vec<NewMessage> {
    seat_changes(o, true)
}

/// What a change of someone's places says to them and to the next in line.
fn seat_changes(o: &ChangeOutcome, by_organiser: bool) -> Vec<NewMessage> {
    let id = o.registration_id;
    let t = at();
    let ack = |m: &i64, calendar: bool| {
        message(
            MessageKind::CancellationAck,
            Recipient::Registration(id),
            json!({"mission_id": m, "by_organiser": by_organiser, "calendar": calendar}),
            None,
            format!("{id}:{m}:{t}"),
        )
    };
    let mut out: Vec<NewMessage> = o.given_up_seats.iter().map(|m| ack(m, true)).collect();
    // Only HR's cancellation of a place that was no seat is told: a person who
    // cancels their own waitlist place is on the page that did it.
    if by_organiser {
        out.extend(o.cancelled_missions.iter().map(|m| ack(m, false)));
    }
    if let Some(m) = o.seated_mission {
        out.push(message(
            MessageKind::SeatConfirmed,
            Recipient::Registration(id),
            json!({"mission_id": m}),
            None,
            format!("{id}:{m}:{t}"),
        ));
    }
    out.extend(offers(&o.offers));
    out
}

/// HR changed a mission: everyone holding a seat or an offer is told what changed
/// (a seat with the updated invitation), and new seats are offered on.
pub fn mission_updated(u: &MissionUpdate) -> Vec<NewMessage> {
    let m = u.mission_id;
    let mut out: Vec<NewMessage> = u
        .told
        .iter()
        .map(|(id, seated)| {
            message(
                MessageKind::MissionChanged,
                Recipient::Registration(*id),
                json!({"mission_id": m, "seated": seated, "changes": u.changes}),
                None,
                format!("{id}:{m}:changed:{}", u.version),
            )
        })
        .collect();
    out.extend(offers(&u.offers));
    out
}

/// Seats offered from the waitlist, each until its claim deadline.
pub fn offers(offers: &[Offer]) -> Vec<NewMessage> {
    offers
        .iter()
        .map(|o| {
            message(
                MessageKind::SeatOffered,
                Recipient::Registration(o.registration_id),
                json!({"mission_id": o.mission_id}),
                Some(o.expires_at),
                format!(
                    "{}:{}:{}",
                    o.registration_id,
                    o.mission_id,
                    o.expires_at.timestamp_micros()
                ),
            )
        })
        .collect()
}

/// The day before the mission: once per seat, whichever instance fires first.
pub fn mission_reminders(due: &[(i64, i64)]) -> Vec<NewMessage> {
    due.iter()
        .map(|(registration, mission)| {
            message(
                MessageKind::MissionReminder,
                Recipient::Registration(*registration),
                json!({"mission_id": mission}),
                None,
                format!("{registration}:{mission}"),
            )
        })
        .collect()
}

/// HR's invitation to become an ambassador: once per ambassador, ever.
pub fn ambassador_invited(a: &Ambassador) -> Vec<NewMessage> {
    vec![message(
        MessageKind::AmbassadorInvitation,
        Recipient::Ambassador(a.id),
        json!({}),
        None,
        a.id.to_string(),
    )]
}

/// The single-use link that opens an ambassador's page.
pub fn ambassador_link(
    state: &App,
) -> impl FnOnce(&str, &Ambassador, DateTime<Utc>) -> Vec<NewMessage> + Send + use<> {
    let signer = state.signer.clone();
    move |token, a, expires| {
        vec![message(
            MessageKind::AmbassadorSignIn,
            Recipient::Ambassador(a.id),
            json!({"token": sealed(&signer, token)}),
            Some(expires),
            hash_token(token),
        )]
    }
}

/// The single-use link to choose a new console password, in the language of the
/// page that asked for it.
pub fn password_reset(
    state: &App,
    admin_id: i64,
    lang: Lang,
) -> impl FnOnce(&str, DateTime<Utc>) -> Vec<NewMessage> + Send + use<> {
    let signer = state.signer.clone();
    move |token, expires| {
        vec![message(
            MessageKind::AdminPasswordReset,
            Recipient::Admin {
                admin_id,
                language: lang.as_str(),
            },
            json!({"token": sealed(&signer, token)}),
            Some(expires),
            hash_token(token),
        )]
    }
}

/// The link that proves `org` receives mail at `domain`, to `address` of that domain:
/// at most one a domain, address and hour.
pub fn domain_proof(
    state: &App,
    org: declic_storage::OrgId,
    domain: &str,
    address: &str,
    lang: Lang,
    token: &str,
    expires: DateTime<Utc>,
) -> NewMessage {
    let hour = Utc::now().timestamp() / 3600;
    message(
        MessageKind::DomainProof,
        Recipient::Address {
            organization_id: org.0,
            address: address.to_owned(),
            language: lang.as_str(),
        },
        json!({"token": sealed(&state.signer, token), "domain": domain}),
        Some(expires),
        format!("{}:{domain}:{}:{hour}", org.0, hash_token(address)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(messages: &[NewMessage]) -> Vec<(&'static str, Recipient)> {
        messages.iter().map(|m| (m.kind, m.to.clone())).collect()
    }

    #[test]
    fn a_change_sends_a_cancellation_per_seat_given_up_the_new_seat_and_the_offers() {
        let deadline = Utc::now();
        let change = ChangeOutcome {
            registration_id: 7,
            given_up_seats: vec![1, 2],
            seated_mission: Some(3),
            cancelled_missions: vec![1],
            offers: vec![Offer {
                registration_id: 9,
                mission_id: 1,
                expires_at: deadline,
            }],
        };
        let out = after_change(&change);
        assert_eq!(
            kinds(&out),
            vec![
                ("cancellation_ack", Recipient::Registration(7)),
                ("cancellation_ack", Recipient::Registration(7)),
                ("seat_confirmed", Recipient::Registration(7)),
                ("seat_offered", Recipient::Registration(9)),
            ]
        );
        assert_eq!(
            out[3].expires_at,
            Some(deadline),
            "an offer lapses with its claim window"
        );
        assert!(out[..3].iter().all(|m| m.expires_at.is_none()));
        let keys: std::collections::HashSet<&str> = out.iter().map(|m| m.key.as_str()).collect();
        assert_eq!(keys.len(), 4, "one key per message");
    }

    #[test]
    fn nothing_changed_sends_nothing() {
        assert!(after_change(&ChangeOutcome::default()).is_empty());
        assert!(offers(&[]).is_empty());
    }

    #[test]
    fn a_reminder_or_an_offer_queued_twice_has_the_same_key() {
        let first = mission_reminders(&[(4, 5)]);
        let again = mission_reminders(&[(4, 5)]);
        assert_eq!(
            first[0].key, again[0].key,
            "two instances firing queue one reminder"
        );
        let o = Offer {
            registration_id: 1,
            mission_id: 2,
            expires_at: Utc::now(),
        };
        assert_eq!(offers(std::slice::from_ref(&o))[0].key, offers(&[o])[0].key);
    }
}
