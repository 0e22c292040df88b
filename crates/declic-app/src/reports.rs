//! Impact reports of a campaign or a year: the funnel from reach to attendance, the
//! evaluation waves' results with the k-anonymity floor, the trends across campaigns;
//! as data, CSV, HTML (with charts) and PDF, in French or English.

use std::collections::HashMap;

use declic_evaluation::charts::{Bar, bar_chart, escape};
use declic_evaluation::results::share;
use declic_evaluation::{
    Audience, K_ANONYMITY, Kind, QuestionResult, TEXT_FLOOR, WAVES, Wave, floor_for,
};
use declic_storage::OrgId;
use declic_storage::evaluations::Funnel;
use serde::Serialize;
use utoipa::ToSchema;

use crate::App;
use crate::caller::{AppError, AppResult, Caller};

/// One wave's results from one audience.
#[derive(Debug, Serialize, ToSchema)]
pub struct WaveReport {
    pub wave: i32,
    pub audience: String,
    pub invited: i64,
    pub answered: usize,
    #[schema(value_type = Vec<Object>)]
    pub questions: Vec<QuestionResult>,
}

/// One campaign's key figures, for the trends across campaigns.
#[derive(Debug, Serialize, ToSchema)]
pub struct CampaignTrend {
    pub campaign_id: i64,
    pub title: String,
    pub registered: i64,
    pub attended: i64,
    /// Share of volunteers who answered the first wave.
    pub response_rate: Option<f64>,
    /// Share of yes to "happier at work", any wave; withheld under 5 answers.
    pub happier_at_work: Option<f64>,
    /// Share of yes to "volunteer in private life too"; withheld under 5 answers.
    pub volunteer_privately: Option<f64>,
}

/// The impact report of a campaign or a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct Report {
    pub title: String,
    pub k_anonymity: usize,
    /// Free-text answers are shown from this many.
    pub text_floor: usize,
    pub funnel: Funnel,
    /// Registrations credited to an ambassador, out of all registrations.
    pub ambassador_share: Option<f64>,
    pub waves: Vec<WaveReport>,
    pub campaigns: Vec<CampaignTrend>,
}

async fn build(
    state: &App,
    org: OrgId,
    title: String,
    campaigns: &[(i64, String)],
) -> AppResult<Report> {
    let ids: Vec<i64> = campaigns.iter().map(|(id, _)| *id).collect();
    let mut funnel = Funnel::default();
    let mut trends = Vec::new();
    let volunteer_q = state.store.questionnaire(org, Audience::Volunteer).await?;
    // Every answer of these campaigns, read once per wave and audience.
    let mut answers_of = HashMap::new();
    for w in WAVES {
        for a in Audience::ALL {
            answers_of.insert((w, a), state.store.survey_answers(org, &ids, w, a).await?);
        }
    }
    let no_answers = Vec::new();
    let answers_to = |w: Wave, a: Audience, id: i64| {
        answers_of
            .get(&(w, a))
            .and_then(|by_campaign| by_campaign.get(&id))
            .unwrap_or(&no_answers)
    };
    for (id, title) in campaigns {
        let f = state.store.campaign_funnel(org, *id).await?;
        // Each figure from one wave (the latest with five answers or more to the
        // question), never a sum over waves, where one person would count thrice.
        let mut figures: [Option<f64>; 2] = [None, None];
        for w in WAVES.iter().rev() {
            let answers = answers_to(*w, Audience::Volunteer, *id);
            for (slot, key) in figures
                .iter_mut()
                .zip(["happier_at_work", "volunteer_privately"])
            {
                if slot.is_some() {
                    continue;
                }
                let (mut yes, mut total) = (0, 0);
                for a in answers {
                    if let Some(declic_evaluation::Value::YesNo(b)) = a.get(key) {
                        total += 1;
                        yes += usize::from(*b);
                    }
                }
                *slot = share(yes, total);
            }
        }
        trends.push(CampaignTrend {
            campaign_id: *id,
            title: title.clone(),
            registered: f.registered,
            attended: f.attended,
            response_rate: (f.invited[0] > 0).then(|| f.answered[0] as f64 / f.invited[0] as f64),
            happier_at_work: figures[0],
            volunteer_privately: figures[1],
        });
        funnel.reached += f.reached;
        funnel.link_visits += f.link_visits;
        funnel.registered += f.registered;
        funnel.confirmed += f.confirmed;
        funnel.attended += f.attended;
        funnel.volunteered_again += f.volunteered_again;
        funnel.through_ambassadors += f.through_ambassadors;
        for i in 0..3 {
            funnel.invited[i] += f.invited[i];
            funnel.answered[i] += f.answered[i];
        }
        for (c, n) in f.channels {
            *funnel.channels.entry(c).or_default() += n;
        }
    }
    let association_q = state
        .store
        .questionnaire(org, Audience::Association)
        .await?;
    let mut waves = Vec::new();
    for w in WAVES {
        for (a, q) in [
            (Audience::Volunteer, &volunteer_q),
            (Audience::Association, &association_q),
        ] {
            // Campaign by campaign, so that a campaign's withheld group cannot be
            // read off a year's total.
            let groups: Vec<Vec<declic_evaluation::Answers>> =
                ids.iter().map(|id| answers_to(w, a, *id).clone()).collect();
            let answered = groups.iter().map(Vec::len).sum();
            let answers = declic_evaluation::results::without_small_groups(q, groups);
            let invited = state.store.survey_invited(org, &ids, w, a).await?;
            let questions =
                declic_evaluation::summarize(q, &answers, usize::try_from(invited).unwrap_or(0));
            waves.push(WaveReport {
                wave: w.number(),
                audience: a.as_str().to_owned(),
                invited,
                answered,
                questions,
            });
        }
    }
    let ambassador_share = (funnel.registered > 0)
        .then(|| funnel.through_ambassadors as f64 / funnel.registered as f64);
    Ok(Report {
        title,
        k_anonymity: K_ANONYMITY,
        text_floor: TEXT_FLOOR,
        funnel,
        ambassador_share,
        waves,
        campaigns: trends,
    })
}

/// The impact report of one campaign.
pub async fn campaign_report(app: &App, caller: &Caller, id: i64) -> AppResult<Report> {
    let c = app.store.campaign(caller.org(), id).await?;
    build(app, caller.org(), c.title.clone(), &[(c.id, c.title)]).await
}

/// The impact report of a year (`2026`): every campaign created that year, and the
/// trends from one to the next.
pub async fn year_report(app: &App, caller: &Caller, year: &str) -> AppResult<Report> {
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .ok_or_else(|| AppError::field("year", "a year such as 2026"))?;
    let campaigns: Vec<(i64, String)> = app
        .store
        .campaigns_of_year(caller.org(), year)
        .await?
        .into_iter()
        .map(|c| (c.id, c.title))
        .collect();
    build(app, caller.org(), year.to_string(), &campaigns).await
}

/// The report as a PDF (CPU work: off the async runtime).
pub async fn pdf(r: &Report, lang: &str) -> AppResult<Vec<u8>> {
    let lines = pdf_lines(r, lang);
    tokio::task::spawn_blocking(move || declic_messaging::posters::render_report(&lines))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(e.to_string()))
}

fn t(lang: &str, fr: &'static str, en: &'static str) -> &'static str {
    if lang == "fr" { fr } else { en }
}

/// A share as a percentage, or a dash when withheld.
pub fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_owned(), |v| format!("{:.0} %", v * 100.0))
}

/// The funnel's steps, in order, with their labels.
fn funnel_steps(f: &Funnel, lang: &str) -> Vec<(String, i64)> {
    let mut steps = vec![
        (
            t(
                lang,
                "Personnes touchées par mail",
                "People reached by mail",
            )
            .to_owned(),
            f.reached,
        ),
        (
            t(lang, "Visites des liens", "Link visits").to_owned(),
            f.link_visits,
        ),
        (t(lang, "Inscrits", "Registered").to_owned(), f.registered),
        (t(lang, "Confirmés", "Confirmed").to_owned(), f.confirmed),
        (t(lang, "Présents", "Attended").to_owned(), f.attended),
    ];
    for w in WAVES {
        let i = usize::try_from(w.number() - 1).unwrap_or(0);
        steps.push((
            format!("{} ({})", t(lang, "Réponses", "Answers"), w.label(lang)),
            f.answered[i],
        ));
    }
    steps.push((
        t(lang, "Réengagés", "Volunteered again").to_owned(),
        f.volunteered_again,
    ));
    steps
}

fn withheld_text(lang: &str, floor: usize) -> String {
    format!(
        "{} {floor} {}",
        t(lang, "moins de", "fewer than"),
        t(lang, "réponses : non montré", "answers: not shown")
    )
}

/// The privacy floors and publication steps, in one sentence.
fn floors_note(lang: &str) -> String {
    match lang {
        "en" => format!(
            "No result is shown for fewer than {K_ANONYMITY} answers ({TEXT_FLOOR} for comments); answers are added in groups of {K_ANONYMITY}."
        ),
        _ => format!(
            "Aucun résultat n’est montré pour moins de {K_ANONYMITY} réponses ({TEXT_FLOOR} pour les commentaires) ; les réponses sont ajoutées par groupes de {K_ANONYMITY}."
        ),
    }
}

/// What a question's result says in one line.
fn summary(r: &QuestionResult, lang: &str) -> String {
    if r.withheld {
        return withheld_text(lang, floor_for(r.kind));
    }
    match r.kind {
        Kind::Scale => format!(
            "{} {:.1} / 5",
            t(lang, "moyenne", "mean"),
            r.mean.unwrap_or_default()
        ),
        Kind::YesNo => format!("{} {}", pct(r.share_yes), t(lang, "de oui", "yes")),
        Kind::Choice => r
            .distribution
            .iter()
            .map(|d| format!("{} {}", d.label.get(lang), d.count))
            .collect::<Vec<_>>()
            .join(" · "),
        Kind::Text => format!(
            "{} {}",
            r.texts.len(),
            t(lang, "textes (RH seulement)", "texts (HR only)")
        ),
    }
}

fn audience_label(a: &str, lang: &str) -> &'static str {
    if a == "association" {
        t(lang, "associations", "associations")
    } else {
        t(lang, "bénévoles", "volunteers")
    }
}

/// The report as CSV.
pub fn csv(r: &Report, lang: &str) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "section",
        "wave",
        "audience",
        "item",
        "value",
        "answered",
        "response_rate",
    ]);
    // Every text cell is defused: a campaign title such as `=HYPERLINK(…)` must stay text
    // in a spreadsheet.
    use crate::registrations::csv_safe;
    for (label, n) in funnel_steps(&r.funnel, lang) {
        let _ = w.write_record(["funnel", "", "", &csv_safe(&label), &n.to_string(), "", ""]);
    }
    for (c, n) in &r.funnel.channels {
        let _ = w.write_record(["channel", "", "", &csv_safe(c), &n.to_string(), "", ""]);
    }
    let _ = w.write_record([
        "ambassadors",
        "",
        "",
        "share_of_registrations",
        &pct(r.ambassador_share),
        "",
        "",
    ]);
    for wave in &r.waves {
        for q in &wave.questions {
            if q.kind == Kind::Text {
                continue;
            }
            let values: Vec<(String, String)> = if q.withheld {
                vec![(q.key.clone(), withheld_text(lang, floor_for(q.kind)))]
            } else {
                let mut v: Vec<(String, String)> = q
                    .distribution
                    .iter()
                    .map(|d| (format!("{}={}", q.key, d.value), d.count.to_string()))
                    .collect();
                if let Some(m) = q.mean {
                    v.push((format!("{}:mean", q.key), format!("{m:.2}")));
                }
                if let Some(s) = q.share_yes {
                    v.push((format!("{}:share_yes", q.key), format!("{s:.3}")));
                }
                v
            };
            for (item, value) in values {
                let _ = w.write_record([
                    "question",
                    &wave.wave.to_string(),
                    &csv_safe(&wave.audience),
                    &csv_safe(&item),
                    &csv_safe(&value),
                    &q.answered.to_string(),
                    &q.response_rate
                        .map(|x| format!("{x:.3}"))
                        .unwrap_or_default(),
                ]);
            }
        }
    }
    for c in &r.campaigns {
        for (item, value) in [
            ("registered", c.registered.to_string()),
            ("attended", c.attended.to_string()),
            ("response_rate", pct(c.response_rate)),
            ("happier_at_work", pct(c.happier_at_work)),
            ("volunteer_privately", pct(c.volunteer_privately)),
        ] {
            let _ = w.write_record([
                "campaign",
                "",
                "",
                &csv_safe(&format!("{}:{item}", c.title)),
                &value,
                "",
                "",
            ]);
        }
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The report as an HTML page with its charts (every value escaped).
pub fn html(r: &Report, lang: &str) -> String {
    let mut s = String::new();
    let title = format!(
        "{} — {}",
        t(lang, "Rapport d’impact", "Impact report"),
        r.title
    );
    s.push_str(&format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{}</title><style>body{{font-family:sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#1f2328;line-height:1.5}}table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #d0d7de;padding:.3rem;text-align:left}}.muted{{color:#57606a}}blockquote{{border-left:3px solid #0b6e4f;margin:.5rem 0;padding-left:.75rem}}</style></head><body><main>",
        escape(&title)
    ));
    s.push_str(&format!("<h1>{}</h1>", escape(&title)));
    s.push_str(&format!("<p class=\"muted\">{}</p>", floors_note(lang)));
    let steps = funnel_steps(&r.funnel, lang);
    let bars: Vec<Bar> = steps
        .iter()
        .map(|(l, n)| Bar {
            label: l.clone(),
            value: *n as f64,
            text: n.to_string(),
        })
        .collect();
    s.push_str(&format!("<h2>{}</h2>", t(lang, "Entonnoir", "Funnel")));
    s.push_str(&bar_chart(
        t(
            lang,
            "De l’annonce au réengagement",
            "From announcement to volunteering again",
        ),
        &bars,
        "",
    ));
    let channels: Vec<Bar> = r
        .funnel
        .channels
        .iter()
        .map(|(c, n)| Bar {
            label: c.clone(),
            value: *n as f64,
            text: n.to_string(),
        })
        .collect();
    s.push_str(&format!("<h2>{}</h2>", t(lang, "Canaux", "Channels")));
    s.push_str(&bar_chart(
        t(lang, "Inscriptions par canal", "Registrations by channel"),
        &channels,
        t(lang, "Aucune inscription", "No registration"),
    ));
    s.push_str(&format!(
        "<p>{} : <strong>{}</strong></p>",
        t(
            lang,
            "Part des inscriptions venues d’un ambassadeur",
            "Share of registrations through an ambassador"
        ),
        pct(r.ambassador_share)
    ));
    // Waves over time: the response rate of each wave, volunteers.
    let rates: Vec<Bar> = r
        .waves
        .iter()
        .filter(|w| w.audience == "volunteer" && w.invited > 0)
        .map(|w| {
            let rate = w.answered as f64 / w.invited as f64;
            let wave = Wave::from_number(w.wave).unwrap_or(Wave::Hot);
            Bar {
                label: wave.label(lang).to_owned(),
                value: rate,
                text: format!("{:.0} % ({}/{})", rate * 100.0, w.answered, w.invited),
            }
        })
        .collect();
    s.push_str(&format!(
        "<h2>{}</h2>",
        t(lang, "Vagues d’évaluation", "Evaluation waves")
    ));
    s.push_str(&bar_chart(
        t(
            lang,
            "Taux de réponse des bénévoles par vague",
            "Volunteers' response rate by wave",
        ),
        &rates,
        t(lang, "Aucune vague envoyée", "No wave sent yet"),
    ));
    for w in &r.waves {
        if w.invited == 0 && w.answered == 0 {
            continue;
        }
        let wave = Wave::from_number(w.wave).unwrap_or(Wave::Hot);
        s.push_str(&format!(
            "<h3>{} {} — {} ({} / {})</h3><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            t(lang, "Vague", "Wave"),
            escape(wave.label(lang)),
            audience_label(&w.audience, lang),
            w.answered,
            w.invited,
            t(lang, "Question", "Question"),
            t(lang, "Réponses", "Answers"),
            t(lang, "Résultat", "Result"),
        ));
        for q in &w.questions {
            s.push_str(&format!(
                "<tr><td>{}</td><td>{} ({})</td><td>{}</td></tr>",
                escape(q.label.get(lang)),
                q.answered,
                pct(q.response_rate),
                escape(&summary(q, lang))
            ));
            if q.kind == Kind::Text && !q.withheld {
                s.push_str("<tr><td colspan=\"3\">");
                for text in &q.texts {
                    s.push_str(&format!("<blockquote>{}</blockquote>", escape(text)));
                }
                s.push_str("</td></tr>");
            }
        }
        s.push_str("</tbody></table>");
    }
    if r.campaigns.len() > 1 {
        s.push_str(&format!(
            "<h2>{}</h2>",
            t(lang, "D’une campagne à l’autre", "Across campaigns")
        ));
        let attended: Vec<Bar> = r
            .campaigns
            .iter()
            .map(|c| Bar {
                label: c.title.clone(),
                value: c.attended as f64,
                text: c.attended.to_string(),
            })
            .collect();
        s.push_str(&bar_chart(
            t(lang, "Présents par campagne", "Attendees by campaign"),
            &attended,
            "",
        ));
        s.push_str(&format!(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>",
            t(lang, "Campagne", "Campaign"),
            t(lang, "Inscrits", "Registered"),
            t(lang, "Taux de réponse", "Response rate"),
            t(lang, "Plus heureux au travail", "Happier at work"),
            t(lang, "Bénévolat privé", "Volunteer privately"),
        ));
        for c in &r.campaigns {
            s.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&c.title),
                c.registered,
                pct(c.response_rate),
                pct(c.happier_at_work),
                pct(c.volunteer_privately)
            ));
        }
        s.push_str("</tbody></table>");
    }
    s.push_str("</main></body></html>");
    s
}

fn pdf_lines(r: &Report, lang: &str) -> Vec<declic_messaging::posters::ReportLine> {
    use declic_messaging::posters::ReportLine as L;
    let mut out = vec![L::Title(format!(
        "{} — {}",
        t(lang, "Rapport d’impact", "Impact report"),
        r.title
    ))];
    out.push(L::Note(floors_note(lang)));
    out.push(L::Heading(t(lang, "Entonnoir", "Funnel").to_owned()));
    let steps = funnel_steps(&r.funnel, lang);
    let max = steps.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f32;
    for (label, n) in steps {
        out.push(L::Bar(label, n as f32 / max, n.to_string()));
    }
    out.push(L::Heading(t(lang, "Canaux", "Channels").to_owned()));
    let max = r
        .funnel
        .channels
        .values()
        .copied()
        .max()
        .unwrap_or(0)
        .max(1) as f32;
    for (c, n) in &r.funnel.channels {
        out.push(L::Bar(c.clone(), *n as f32 / max, n.to_string()));
    }
    out.push(L::Row(
        t(
            lang,
            "Part venue d’un ambassadeur",
            "Share through an ambassador",
        )
        .to_owned(),
        pct(r.ambassador_share),
    ));
    for w in &r.waves {
        if w.invited == 0 && w.answered == 0 {
            continue;
        }
        let wave = Wave::from_number(w.wave).unwrap_or(Wave::Hot);
        out.push(L::Heading(format!(
            "{} {} — {} ({} / {})",
            t(lang, "Vague", "Wave"),
            wave.label(lang),
            audience_label(&w.audience, lang),
            w.answered,
            w.invited
        )));
        for q in &w.questions {
            if q.kind == Kind::Text {
                continue;
            }
            out.push(L::Row(q.label.get(lang).to_owned(), summary(q, lang)));
        }
    }
    if r.campaigns.len() > 1 {
        out.push(L::Heading(
            t(lang, "D’une campagne à l’autre", "Across campaigns").to_owned(),
        ));
        for c in &r.campaigns {
            out.push(L::Row(
                c.title.clone(),
                format!(
                    "{} {} · {} {} · {} {}",
                    c.attended,
                    t(lang, "présents", "attended"),
                    pct(c.happier_at_work),
                    t(lang, "plus heureux", "happier"),
                    pct(c.response_rate),
                    t(lang, "de réponses", "answered")
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_campaign_title_stays_text_in_a_spreadsheet() {
        let r = Report {
            title: "=HYPERLINK(\"http://evil.example\")".into(),
            k_anonymity: K_ANONYMITY,
            text_floor: TEXT_FLOOR,
            funnel: Funnel::default(),
            ambassador_share: None,
            waves: Vec::new(),
            campaigns: vec![CampaignTrend {
                campaign_id: 1,
                title: "=HYPERLINK(\"http://evil.example\",\"x\")".into(),
                registered: 3,
                attended: 2,
                response_rate: None,
                happier_at_work: None,
                volunteer_privately: None,
            }],
        };
        let text = csv(&r, "en");
        let mut rows = csv::Reader::from_reader(text.as_bytes());
        let cells: Vec<String> = rows
            .records()
            .flat_map(|r| r.unwrap().iter().map(str::to_owned).collect::<Vec<_>>())
            .collect();
        assert!(
            cells.iter().all(|c| !c.starts_with(['=', '+', '-', '@'])),
            "{cells:?}"
        );
        assert!(
            cells.iter().any(|c| c.starts_with("'=HYPERLINK")),
            "{cells:?}"
        );
    }
}
