//! Model-based test of seats and waitlists: random sequences of events (sign-ups,
//! cancellations by the person and by HR, claims, declines, lapsed offers, capacity
//! changes, duos who sign up together and wait together, and bursts of these sent at
//! the same instant) run against the real HTTP service, and after every step the
//! mission's seats, offers and waitlist, and what each person was told, are compared
//! with a small reference model written from the rules. A burst is accepted when
//! some order of its events explains both the state and the mail (linearisability).
//!
//! Seeds are printed; `SEAT_MODEL_SEED=<n>` replays one, `SEAT_MODEL_RANDOM=1` draws
//! new ones instead of the fixed defaults, and `SEAT_MODEL_RUNS` / `SEAT_MODEL_STEPS`
//! make a run longer (bounded by default so CI stays quick).

use std::collections::{HashMap, VecDeque};

use chrono::{Duration, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;

use crate::registration::{Live, confirm_from_mail, live_campaign, register};
use crate::seats::{mission_at, set_offer_deadline};
use crate::support::{TestApp, json};

/// What a person was told, counted by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Told {
    /// Calendar invitations (METHOD:REQUEST): one each time they get a seat.
    invitations: u32,
    /// Calendar cancellations (METHOD:CANCEL): one each time they lose a seat.
    cancellations: u32,
    /// "A seat is free" mails: one each time a seat is offered to them.
    offers: u32,
}

/// The rules, for one mission with one choice per person.
#[derive(Debug, Default, Clone)]
struct Model {
    capacity: usize,
    seated: Vec<usize>,
    offered: Vec<usize>,
    waiting: VecDeque<usize>,
    /// A duo waiting together: each names the other.
    waits_with: HashMap<usize, usize>,
    told: HashMap<usize, Told>,
}

impl Model {
    fn held(&self) -> usize {
        self.seated.len() + self.offered.len()
    }

    /// Free seats go to the front of the waitlist, in order; a duo waiting together
    /// takes two at once or keeps its place while a single seat goes to the next one.
    fn offer_free_seats(&mut self) {
        let mut free = self.capacity.saturating_sub(self.held());
        let mut chosen: Vec<usize> = Vec::new();
        let mut passed: Vec<usize> = Vec::new();
        for &p in &self.waiting {
            if free == 0 {
                break;
            }
            if chosen.contains(&p) || passed.contains(&p) {
                continue;
            }
            match self
                .waits_with
                .get(&p)
                .copied()
                .filter(|q| self.waiting.contains(q))
            {
                Some(q) if free >= 2 => {
                    chosen.extend([p, q]);
                    free -= 2;
                }
                Some(q) => passed.extend([p, q]),
                None => {
                    chosen.push(p);
                    free -= 1;
                }
            }
        }
        self.waiting.retain(|p| !chosen.contains(p));
        self.offered.extend(chosen);
    }

    /// A free seat goes to a newcomer only when nobody waiting could take it (a duo
    /// waiting for two seats lets a single one go).
    fn join(&mut self, p: usize) {
        if self.held() < self.capacity {
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

    /// The seated inviter gives up the seat to wait with the colleague: the pair
    /// takes the head of the waitlist.
    fn wait_together(&mut self, inviter: usize, colleague: usize) {
        self.seated.retain(|x| *x != inviter);
        self.waiting.retain(|x| *x != colleague);
        self.waiting.push_front(colleague);
        self.waiting.push_front(inviter);
        self.waits_with.insert(inviter, colleague);
        self.waits_with.insert(colleague, inviter);
        self.offer_free_seats();
    }

    /// Applies one change and counts what it tells each person: a seat gained is an
    /// invitation, a seat lost a cancellation, an offer made an offer mail.
    fn step(&mut self, change: impl FnOnce(&mut Self)) {
        let (seated, offered) = (self.seated.clone(), self.offered.clone());
        change(self);
        for p in &self.seated {
            if !seated.contains(p) {
                self.told.entry(*p).or_default().invitations += 1;
            }
        }
        for p in &seated {
            if !self.seated.contains(p) {
                self.told.entry(*p).or_default().cancellations += 1;
            }
        }
        for p in &self.offered {
            if !offered.contains(p) {
                self.told.entry(*p).or_default().offers += 1;
            }
        }
    }

    fn in_mission(&self) -> Vec<usize> {
        self.seated
            .iter()
            .chain(&self.offered)
            .chain(&self.waiting)
            .copied()
            .collect()
    }

    fn apply(&mut self, op: &Op) {
        match *op {
            Op::Confirm(p) => self.step(|m| m.join(p)),
            Op::Cancel(p) | Op::HrCancel(p) | Op::Decline(p) => self.step(|m| m.leave(p)),
            Op::Claim(p) => self.step(|m| m.claim(p)),
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Event {
    Join,
    DuoJoin,
    WaitTogether,
    Cancel,
    HrCancel,
    Claim,
    Decline,
    Lapse,
    Capacity,
    Burst,
}

/// One event of a burst, each on a different person.
#[derive(Debug, Clone, Copy)]
enum Op {
    Confirm(usize),
    Cancel(usize),
    HrCancel(usize),
    Claim(usize),
    Decline(usize),
}

impl Op {
    fn person(&self) -> usize {
        match *self {
            Op::Confirm(p) | Op::Cancel(p) | Op::HrCancel(p) | Op::Claim(p) | Op::Decline(p) => p,
        }
    }
}

#[derive(Default)]
struct Person {
    email: String,
    page: String,
    choice_id: i64,
    /// The colleague this person invited, once both confirmed.
    colleague: Option<usize>,
}

fn email(i: usize) -> String {
    format!("m{i}@acme.example")
}

type State = (Vec<String>, Vec<String>, Vec<String>);

/// Statuses as the API shows them: (seated, offered, waitlist in order).
async fn actual(app: &TestApp, live: &Live) -> State {
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

fn expected(model: &Model) -> State {
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

/// What each of the `n` people was told, from the mails they got.
async fn told(app: &TestApp, n: usize) -> Vec<Told> {
    let mails = app.mails().await;
    (0..n)
        .map(|p| {
            let to = email(p);
            let mut t = Told::default();
            for m in mails.iter().filter(|m| m.to == to) {
                match m.calendar.as_deref() {
                    Some(c) if c.contains("METHOD:REQUEST") => t.invitations += 1,
                    Some(c) if c.contains("METHOD:CANCEL") => t.cancellations += 1,
                    _ => {}
                }
                if m.subject.starts_with("Une place s") {
                    t.offers += 1;
                }
            }
            t
        })
        .collect()
}

fn told_by(model: &Model, n: usize) -> Vec<Told> {
    (0..n)
        .map(|p| model.told.get(&p).copied().unwrap_or_default())
        .collect()
}

fn post_page(app: &TestApp, page: &str, action: &str, mission: i64) -> reqwest::RequestBuilder {
    app.client
        .post(format!("{}/{action}", page.split('?').next().unwrap()))
        .form(&[("mission_id", mission.to_string())])
}

/// The confirmation link of a pending sign-up, its page opened.
async fn confirm_link(app: &TestApp, to: &str) -> String {
    let mail = app
        .mails_to(to)
        .await
        .into_iter()
        .find(|m| m.link(&format!("{}/r/", app.base)).is_some())
        .unwrap();
    let url = mail.link(&format!("{}/r/", app.base)).unwrap();
    assert_eq!(app.client.get(&url).send().await.unwrap().status(), 200);
    url
}

async fn choice_id(app: &TestApp, live: &Live, to: &str) -> i64 {
    let rows = json(
        app.get(
            &format!("/api/v1/campaigns/{}/registrations", live.campaign_id),
            &live.token,
        )
        .await,
        200,
    )
    .await;
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["email"] == to)
        .unwrap()["choices"][0]["choice_id"]
        .as_i64()
        .unwrap()
}

/// Signs a new person up and confirms; with `colleague`, names them as a duo.
async fn join(app: &TestApp, live: &Live, p: usize, colleague: Option<usize>) -> Person {
    let mission = live.mission_id.to_string();
    let mut form = vec![
        ("email", email(p)),
        ("first_name", "M".to_owned()),
        ("last_name", "Model".to_owned()),
        ("choice_1", mission),
        ("consent", "yes".to_owned()),
    ];
    if let Some(c) = colleague {
        form.push(("duo_email", email(c)));
    }
    let res = app
        .client
        .post(format!("{}/register", live.link))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = confirm_from_mail(app, &email(p)).await;
    Person {
        email: email(p),
        page,
        choice_id: choice_id(app, live, &email(p)).await,
        colleague,
    }
}

/// The colleague accepts the duo invitation and confirms.
async fn join_as_colleague(app: &TestApp, live: &Live, p: usize) -> Person {
    let invite = app
        .mails_to(&email(p))
        .await
        .into_iter()
        .find_map(|m| m.link(&format!("{}/c/", app.base)))
        .expect("the colleague is invited once the inviter confirmed");
    let duo = invite
        .split("duo=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let res = app
        .client
        .post(format!("{}/register", live.link))
        .form(&[
            ("email", email(p)),
            ("first_name", "M".to_owned()),
            ("last_name", "Model".to_owned()),
            ("choice_1", live.mission_id.to_string()),
            ("consent", "yes".to_owned()),
            ("duo", duo),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let page = confirm_from_mail(app, &email(p)).await;
    Person {
        email: email(p),
        page,
        choice_id: choice_id(app, live, &email(p)).await,
        colleague: None,
    }
}

fn permutations(ops: &[Op]) -> Vec<Vec<Op>> {
    if ops.len() <= 1 {
        return vec![ops.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..ops.len() {
        let mut rest = ops.to_vec();
        let first = rest.remove(i);
        for mut tail in permutations(&rest) {
            tail.insert(0, first);
            out.push(tail);
        }
    }
    out
}

/// Two or three events on different people, sent at the same instant.
async fn burst(
    app: &TestApp,
    live: &Live,
    rng: &mut StdRng,
    model: &mut Model,
    people: &mut Vec<Person>,
    what: &str,
) {
    let mut ops: Vec<Op> = Vec::new();
    for p in model.in_mission() {
        ops.push(if rng.random_bool(0.5) {
            Op::Cancel(p)
        } else {
            Op::HrCancel(p)
        });
    }
    for &p in &model.offered {
        ops.push(if rng.random_bool(0.7) {
            Op::Claim(p)
        } else {
            Op::Decline(p)
        });
    }
    ops.shuffle(rng);
    // At most one event per person.
    let mut distinct: Vec<Op> = Vec::new();
    for op in ops {
        if distinct.iter().all(|c| c.person() != op.person()) {
            distinct.push(op);
        }
    }
    let k = rng.random_range(2..=3);
    distinct.truncate(k - 1);
    // Newcomers confirming at the same instant (signed up beforehand), at least one
    // when the mission has nobody to act yet.
    let newcomers = (k - distinct.len()).min(if distinct.is_empty() {
        k
    } else {
        rng.random_range(0..=1)
    });
    let mut chosen: Vec<Op> = Vec::new();
    let mut confirm_urls = HashMap::new();
    for _ in 0..newcomers.max(1) {
        let p = people.len();
        assert_eq!(
            register(app, &live.link, &email(p), "M", live.mission_id)
                .await
                .status(),
            200
        );
        confirm_urls.insert(p, confirm_link(app, &email(p)).await);
        people.push(Person {
            email: email(p),
            ..Person::default()
        });
        chosen.push(Op::Confirm(p));
    }
    chosen.extend(distinct);
    let mut set = tokio::task::JoinSet::new();
    for (i, op) in chosen.iter().enumerate() {
        let req = match *op {
            Op::Confirm(p) => app.client.post(&confirm_urls[&p]),
            Op::Cancel(p) => post_page(app, &people[p].page, "cancel", live.mission_id),
            Op::Claim(p) => post_page(app, &people[p].page, "claim", live.mission_id),
            Op::Decline(p) => post_page(app, &people[p].page, "decline", live.mission_id),
            Op::HrCancel(p) => app
                .client
                .post(app.url(&format!(
                    "/api/v1/registration-choices/{}/move",
                    people[p].choice_id
                )))
                .bearer_auth(&live.token)
                .json(&json!({"action": "cancel", "reason": "model"})),
        };
        set.spawn(async move { (i, req.send().await.unwrap()) });
    }
    let mut answers = set.join_all().await;
    answers.sort_by_key(|(i, _)| *i);
    for (i, res) in answers {
        let want: u16 = match chosen[i] {
            Op::Confirm(_) => 303,
            Op::HrCancel(_) => 204,
            _ => 200,
        };
        assert_eq!(res.status().as_u16(), want, "{what}: {:?}", chosen[i]);
        if let Op::Confirm(p) = chosen[i] {
            people[p].page = res.headers()["location"].to_str().unwrap().to_owned();
        }
    }
    for op in &chosen {
        if let Op::Confirm(p) = *op {
            people[p].choice_id = choice_id(app, live, &email(p)).await;
        }
    }
    let state = actual(app, live).await;
    let mails = told(app, people.len()).await;
    let orders = permutations(&chosen);
    let explained = orders.iter().find_map(|order| {
        let mut m = model.clone();
        for op in order {
            m.apply(op);
        }
        (expected(&m) == state && told_by(&m, people.len()) == mails).then_some(m)
    });
    match explained {
        Some(m) => *model = m,
        None => panic!(
            "{what}: no order of {chosen:?} explains (seated, offered, waitlist) {state:?} \
             with what people were told {mails:?}; the model before: {model:?}"
        ),
    }
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
        let event = match rng.random_range(0..14) {
            0..=2 => Event::Join,
            3 => Event::DuoJoin,
            4 => Event::WaitTogether,
            5 => Event::Cancel,
            6 => Event::HrCancel,
            7 | 8 => Event::Claim,
            9 => Event::Decline,
            10 => Event::Lapse,
            11 => Event::Capacity,
            _ => Event::Burst,
        };
        let in_mission = model.in_mission();
        let pick = |rng: &mut StdRng, from: &[usize]| -> Option<usize> {
            (!from.is_empty()).then(|| from[rng.random_range(0..from.len())])
        };
        let what = format!("seed {seed} step {step}: {event:?}");
        if std::env::var("SEAT_MODEL_TRACE").is_ok() {
            eprintln!("{what}; model before: {model:?}");
        }
        match event {
            Event::Join => {
                let p = people.len();
                people.push(join(&app, &live, p, None).await);
                model.step(|m| m.join(p));
            }
            Event::DuoJoin => {
                let (p, c) = (people.len(), people.len() + 1);
                people.push(join(&app, &live, p, Some(c)).await);
                model.step(|m| m.join(p));
                people.push(join_as_colleague(&app, &live, c).await);
                model.step(|m| m.join(c));
            }
            Event::WaitTogether => {
                let pairs: Vec<usize> = (0..people.len())
                    .filter(|p| {
                        model.seated.contains(p)
                            && people[*p]
                                .colleague
                                .is_some_and(|c| model.waiting.contains(&c))
                    })
                    .collect();
                let Some(p) = pick(&mut rng, &pairs) else {
                    continue;
                };
                let Some(c) = people[p].colleague else {
                    continue;
                };
                let status = post_page(&app, &people[p].page, "wait-with-partner", live.mission_id)
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert_eq!(status, 200, "{what} ({})", people[p].email);
                model.step(|m| m.wait_together(p, c));
            }
            Event::Cancel => {
                let Some(p) = pick(&mut rng, &in_mission) else {
                    continue;
                };
                let status = post_page(&app, &people[p].page, "cancel", live.mission_id)
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert_eq!(status, 200, "{what} ({})", people[p].email);
                model.step(|m| m.leave(p));
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
                model.step(|m| m.leave(p));
            }
            Event::Claim | Event::Decline => {
                let offered = model.offered.clone();
                let Some(p) = pick(&mut rng, &offered) else {
                    continue;
                };
                let claim = matches!(event, Event::Claim);
                let action = if claim { "claim" } else { "decline" };
                let status = post_page(&app, &people[p].page, action, live.mission_id)
                    .send()
                    .await
                    .unwrap()
                    .status();
                assert_eq!(status, 200, "{what} ({})", people[p].email);
                if claim {
                    model.step(|m| m.claim(p));
                } else {
                    model.step(|m| m.leave(p));
                }
            }
            Event::Lapse => {
                set_offer_deadline(&app, Utc::now() - Duration::minutes(1)).await;
                declic_app::jobs::pass_lapsed_offers(&app.state)
                    .await
                    .unwrap();
                model.step(Model::lapse);
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
                let mut accepted = false;
                model.step(|m| accepted = m.set_capacity(c));
                assert_eq!(
                    res.status().as_u16(),
                    if accepted { 200 } else { 422 },
                    "{what} to {c} with {} held",
                    model.held()
                );
            }
            Event::Burst => {
                burst(&app, &live, &mut rng, &mut model, &mut people, &what).await;
            }
        }
        assert_eq!(
            actual(&app, &live).await,
            expected(&model),
            "{what}: (seated, offered, waitlist) differ from the model"
        );
        assert_eq!(
            told(&app, people.len()).await,
            told_by(&model, people.len()),
            "{what}: what people were told (invitations, cancellations, offers, by person) \
             differs from the model"
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
            // Fixed seeds by default, so CI is reproducible; `SEAT_MODEL_RANDOM=1`
            // explores new ones (a failure prints its seed: add it to the regressions).
            let base = if std::env::var("SEAT_MODEL_RANDOM").is_ok() {
                Utc::now().timestamp_micros().unsigned_abs()
            } else {
                20_261_206
            };
            (0..env("SEAT_MODEL_RUNS").unwrap_or(8))
                .map(|i| base.wrapping_add(i))
                .collect()
        }
    };
    for seed in seeds {
        eprintln!("seat model: seed {seed}, {steps} steps (SEAT_MODEL_SEED={seed} replays it)");
        run(seed, steps).await;
    }
}

/// Found by the model: a duo waiting together for two seats on a one-seat mission; the
/// inviter cancels, and the partner, alone now, must be offered the free seat.
#[tokio::test]
async fn a_duo_partner_left_alone_is_offered_the_single_free_seat() {
    run(1_796_567_827_152_479, 6).await;
}
