//! Model-based test of seats and waitlists: random sequences of events (sign-ups,
//! cancellations by the person and by HR, claims, declines, lapsed offers, capacity
//! changes) run against the real HTTP service, and after every step the mission's
//! seats, offers and waitlist are compared with a small reference model written from
//! the rules. Seeds are printed; `SEAT_MODEL_SEED=<n>` replays one, and
//! `SEAT_MODEL_RUNS` / `SEAT_MODEL_STEPS` make a run longer (bounded by default so
//! CI stays quick).

use std::collections::VecDeque;

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::registration::{Live, confirm_from_mail, live_campaign, register};
use crate::seats::{mission_at, set_offer_deadline};
use crate::support::{TestApp, json};

/// The rules, for one mission with one choice per person.
#[derive(Debug, Default)]
struct Model {
    capacity: usize,
    seated: Vec<usize>,
    offered: Vec<usize>,
    waiting: VecDeque<usize>,
}

impl Model {
    fn held(&self) -> usize {
        self.seated.len() + self.offered.len()
    }

    /// Free seats go to the front of the waitlist, in order.
    fn offer_free_seats(&mut self) {
        while self.held() < self.capacity {
            let Some(p) = self.waiting.pop_front() else {
                break;
            };
            self.offered.push(p);
        }
    }

    fn join(&mut self, p: usize) {
        if self.held() < self.capacity && self.waiting.is_empty() {
            self.seated.push(p);
        } else {
            self.waiting.push_back(p);
        }
    }

    /// Gone from the mission, wherever they were; a seat held is passed on.
    fn leave(&mut self, p: usize) {
        self.seated.retain(|x| *x != p);
        self.offered.retain(|x| *x != p);
        self.waiting.retain(|x| *x != p);
        self.offer_free_seats();
    }

    fn claim(&mut self, p: usize) {
        self.offered.retain(|x| *x != p);
        self.seated.push(p);
    }

    fn lapse(&mut self) {
        self.offered.clear();
        self.offer_free_seats();
    }

    /// Refused (`false`) below the seats held.
    fn set_capacity(&mut self, c: usize) -> bool {
        if c < self.held() {
            return false;
        }
        self.capacity = c;
        self.offer_free_seats();
        true
    }
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Join,
    Cancel,
    HrCancel,
    Claim,
    Decline,
    Lapse,
    Capacity,
}

struct Person {
    email: String,
    page: String,
    choice_id: i64,
}

fn email(i: usize) -> String {
    format!("m{i}@acme.example")
}

/// Statuses as the API shows them: (seated, offered, waitlist in order).
async fn actual(app: &TestApp, live: &Live) -> (Vec<String>, Vec<String>, Vec<String>) {
    let rows = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    let mut seated = Vec::new();
    let mut offered = Vec::new();
    let mut waiting: Vec<(u64, String)> = Vec::new();
    for r in rows.as_array().unwrap() {
        let c = &r["choices"][0];
        let who = r["email"].as_str().unwrap().to_owned();
        match c["status"].as_str().unwrap() {
            "seated" => seated.push(who),
            "offered" => offered.push(who),
            "waitlisted" => waiting.push((c["position"].as_u64().unwrap(), who)),
            _ => {}
        }
    }
    waiting.sort();
    let positions: Vec<u64> = waiting.iter().map(|(p, _)| *p).collect();
    assert_eq!(
        positions,
        (1..=waiting.len() as u64).collect::<Vec<_>>(),
        "waitlist positions run 1..n"
    );
    seated.sort();
    offered.sort();
    (
        seated,
        offered,
        waiting.into_iter().map(|(_, w)| w).collect(),
    )
}

fn expected(model: &Model) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut seated: Vec<String> = model.seated.iter().map(|p| email(*p)).collect();
    let mut offered: Vec<String> = model.offered.iter().map(|p| email(*p)).collect();
    seated.sort();
    offered.sort();
    (
        seated,
        offered,
        model.waiting.iter().map(|p| email(*p)).collect(),
    )
}

async fn post_page(app: &TestApp, page: &str, action: &str, mission: i64) -> u16 {
    app.client
        .post(format!("{}/{action}", page.split('?').next().unwrap()))
        .form(&[("mission_id", mission.to_string())])
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn run(seed: u64, steps: usize) {
    let mut rng = StdRng::seed_from_u64(seed);
    let app = TestApp::spawn().await;
    let capacity = rng.random_range(1..=3);
    let live = live_campaign(&app, capacity as i64, "Atelier").await;
    let mut model = Model {
        capacity,
        ..Model::default()
    };
    let mut people: Vec<Person> = Vec::new();
    let mission = format!("/api/v1/missions/{}", live.mission_id);
    for step in 0..steps {
        let event = match rng.random_range(0..10) {
            0..=2 => Event::Join,
            3 => Event::Cancel,
            4 => Event::HrCancel,
            5 | 6 => Event::Claim,
            7 => Event::Decline,
            8 => Event::Lapse,
            _ => Event::Capacity,
        };
        let in_mission: Vec<usize> = model
            .seated
            .iter()
            .chain(&model.offered)
            .chain(&model.waiting)
            .copied()
            .collect();
        let pick = |rng: &mut StdRng, from: &[usize]| -> Option<usize> {
            (!from.is_empty()).then(|| from[rng.random_range(0..from.len())])
        };
        let what = format!("seed {seed} step {step}: {event:?}");
        match event {
            Event::Join => {
                let p = people.len();
                let res = register(&app, &live.link, &email(p), "M", live.mission_id).await;
                assert_eq!(res.status(), 200, "{what}");
                let page = confirm_from_mail(&app, &email(p)).await;
                let rows = json(
                    app.get(
                        &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
                        &live.token,
                    )
                    .await,
                    200,
                )
                .await;
                let choice_id = rows
                    .as_array()
                    .unwrap()
                    .iter()
                    .find(|r| r["email"] == email(p))
                    .unwrap()["choices"][0]["choice_id"]
                    .as_i64()
                    .unwrap();
                people.push(Person {
                    email: email(p),
                    page,
                    choice_id,
                });
                model.join(p);
            }
            Event::Cancel => {
                let Some(p) = pick(&mut rng, &in_mission) else {
                    continue;
                };
                let status = post_page(&app, &people[p].page, "cancel", live.mission_id).await;
                assert_eq!(status, 200, "{what} ({})", people[p].email);
                model.leave(p);
            }
            Event::HrCancel => {
                let Some(p) = pick(&mut rng, &in_mission) else {
                    continue;
                };
                let res = app
                    .post(
                        &format!("/api/v1/registration-choices/{}/move", people[p].choice_id),
                        &live.token,
                        json!({"action": "cancel", "reason": "model"}),
                    )
                    .await;
                assert_eq!(res.status(), 204, "{what} ({})", people[p].email);
                model.leave(p);
            }
            Event::Claim | Event::Decline => {
                let offered = model.offered.clone();
                let Some(p) = pick(&mut rng, &offered) else {
                    continue;
                };
                let action = if matches!(event, Event::Claim) {
                    "claim"
                } else {
                    "decline"
                };
                let status = post_page(&app, &people[p].page, action, live.mission_id).await;
                assert_eq!(status, 200, "{what} ({})", people[p].email);
                if matches!(event, Event::Claim) {
                    model.claim(p);
                } else {
                    model.leave(p);
                }
            }
            Event::Lapse => {
                set_offer_deadline(&app, Utc::now() - Duration::minutes(1)).await;
                declic_app::jobs::pass_lapsed_offers(&app.state)
                    .await
                    .unwrap();
                model.lapse();
            }
            Event::Capacity => {
                let c = rng.random_range(1..=4);
                let res = app
                    .put(
                        &mission,
                        &live.token,
                        mission_at(&live, c as i64, 30, 9, "Atelier"),
                    )
                    .await;
                let accepted = model.set_capacity(c);
                assert_eq!(
                    res.status().as_u16(),
                    if accepted { 200 } else { 422 },
                    "{what} to {c} with {} held",
                    model.held()
                );
            }
        }
        assert_eq!(
            actual(&app, &live).await,
            expected(&model),
            "{what}: (seated, offered, waitlist) differ from the model"
        );
    }
}

#[tokio::test]
async fn seats_follow_the_reference_model() {
    let env = |k: &str| std::env::var(k).ok().and_then(|v| v.parse::<u64>().ok());
    let steps = env("SEAT_MODEL_STEPS").unwrap_or(40) as usize;
    let seeds: Vec<u64> = match env("SEAT_MODEL_SEED") {
        Some(s) => vec![s],
        None => {
            let base = Utc::now().timestamp_micros().unsigned_abs();
            (0..env("SEAT_MODEL_RUNS").unwrap_or(5))
                .map(|i| base.wrapping_add(i))
                .collect()
        }
    };
    for seed in seeds {
        eprintln!("seat model: seed {seed}, {steps} steps (SEAT_MODEL_SEED={seed} replays it)");
        run(seed, steps).await;
    }
}
