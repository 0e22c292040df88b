//! Slack and Teams posts as JSON templates: `templates/webhooks/{slack,teams}.{fr,en}.json.hbs`,
//! compiled in, and an organisation's own, checked when saved like its mail wording.
//!
//! Every `{{value}}` is written JSON-escaped, so a quote or a line break in a campaign's
//! title cannot break the payload; `{{{…}}}` is refused. In Slack templates,
//! `{{mrkdwn value}}` also escapes `&`, `<` and `>` (so `<!channel>` in a key message
//! stays text, never a mention) and cuts the text to a section's 3 000 characters. A comma
//! before `]` or `}` is dropped, so that optional blocks (`{{#if …}}`) can each end with
//! one. The rendered payload must be JSON of the platform's shape (Block Kit within
//! Slack's limits; one Adaptive Card in a Workflows message); a Teams card over 28 KB has
//! its key message shortened until it fits, never its link.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use handlebars::template::Template;
use handlebars::{Handlebars, handlebars_helper};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::message::TITLE_MAX;
use super::message::{PayloadError, WebhookMessage};
use super::sender::WebhookPlatform;
use super::slack::TEXT_MAX;
use super::teams::{CARD_MAX_BYTES, size};
use super::text::{first_chars, slack_escape_within, within};
use crate::templates::{
    BODY_SOURCE_MAX, CustomError, Lang, MessageKind, Rules, known_names, sample_mission,
    syntax_error, walk,
};

/// A mission as a post lists it (no confidentiality note: a channel is not the volunteer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostMission {
    pub title: String,
    pub association_name: String,
    pub dates_text: String,
    pub place_text: String,
    pub format_text: String,
}

/// A compiled post template of one platform.
#[derive(Debug)]
pub struct PostTemplate {
    platform: WebhookPlatform,
    registry: Handlebars<'static>,
}

const NAME: &str = "post";
/// Slack's limit on a message's blocks.
const BLOCKS_MAX: usize = 50;
/// Slack's limit on a header's text.
const HEADER_MAX: usize = 150;
/// Slack's limit on a button's text.
const BUTTON_MAX: usize = 75;
/// Missions a post lists at most (Slack takes 50 blocks; a channel, a short list).
pub const MISSIONS_MAX: usize = 10;
/// A value that must stay text: Slack would read it as a mention of the whole channel.
const MENTION: &str = "<!here>";

// Paths are relative to this file: crates/declic-messaging/src/webhooks/.
macro_rules! post_file {
    ($name:literal) => {
        include_str!(concat!("../../../../templates/webhooks/", $name))
    };
}

/// The built-in sources: Slack then Teams, each French then English.
const SOURCES: [[&str; 2]; 2] = [
    [
        post_file!("slack.fr.json.hbs"),
        post_file!("slack.en.json.hbs"),
    ],
    [
        post_file!("teams.fr.json.hbs"),
        post_file!("teams.en.json.hbs"),
    ],
];

static BUILTIN: LazyLock<Result<[[PostTemplate; 2]; 2], String>> = LazyLock::new(|| {
    let compile = |platform, lang: Lang| {
        PostTemplate::compile(platform, SOURCES[index(platform)][lang_index(lang)]).map_err(|e| {
            format!(
                "built-in {} post ({}): {e}",
                platform.as_str(),
                lang.as_str()
            )
        })
    };
    Ok([
        [
            compile(WebhookPlatform::Slack, Lang::Fr)?,
            compile(WebhookPlatform::Slack, Lang::En)?,
        ],
        [
            compile(WebhookPlatform::Teams, Lang::Fr)?,
            compile(WebhookPlatform::Teams, Lang::En)?,
        ],
    ])
});

handlebars_helper!(mrkdwn: |text: str| slack_escape_within(text, TEXT_MAX));
// Ranks in lists are shown from 1; `@index` counts from 0.
handlebars_helper!(rank: |index: u64| index + 1);

impl PostTemplate {
    /// The built-in template of `platform` in `lang`.
    pub fn builtin(platform: WebhookPlatform, lang: Lang) -> Result<&'static Self, PayloadError> {
        match &*BUILTIN {
            Ok(all) => Ok(&all[index(platform)][lang_index(lang)]),
            Err(e) => Err(PayloadError::Template(e.clone())),
        }
    }

    /// The built-in source of `platform` in `lang`: the starting point of an
    /// organisation's own (it passes [`PostTemplate::check`] as it is).
    pub fn builtin_source(platform: WebhookPlatform, lang: Lang) -> &'static str {
        SOURCES[index(platform)][lang_index(lang)]
    }

    /// The data a post template is checked with: what it may use, by example.
    pub fn sample_data(platform: WebhookPlatform, lang: Lang) -> Value {
        let m = WebhookMessage::sample(lang, platform);
        data(&m, &m.link, &m.body)
    }

    /// Which platform the template posts to.
    pub fn platform(&self) -> WebhookPlatform {
        self.platform
    }

    fn compile(platform: WebhookPlatform, source: &str) -> Result<Self, handlebars::TemplateError> {
        let mut registry = Handlebars::new();
        registry.set_strict_mode(true);
        registry.register_escape_fn(json_escape);
        registry.register_helper("rank", Box::new(rank));
        if platform == WebhookPlatform::Slack {
            registry.register_helper("mrkdwn", Box::new(mrkdwn));
        }
        registry.register_template_string(NAME, source)?;
        Ok(PostTemplate { platform, registry })
    }

    /// Checks an organisation's template of `platform` in `lang` and compiles it; every
    /// problem is listed (part `payload`). Refused: a syntax error (with its line), an
    /// unknown variable or helper, `{{{…}}}`, a result that is not JSON of the platform's
    /// shape for the sample post, a post without the campaign link, and (Slack) a value
    /// written into mrkdwn text without `{{mrkdwn …}}`.
    pub fn check(
        platform: WebhookPlatform,
        lang: Lang,
        source: &str,
    ) -> Result<Self, Vec<CustomError>> {
        let fail = |message: String| {
            vec![CustomError {
                part: "payload",
                message,
            }]
        };
        if source.trim().is_empty() {
            return Err(fail("must not be empty".into()));
        }
        if source.len() > BODY_SOURCE_MAX {
            return Err(fail(format!("longer than {BODY_SOURCE_MAX} bytes")));
        }
        let parsed = Template::compile(source).map_err(|e| fail(syntax_error(&e)))?;
        let sample = WebhookMessage::sample(lang, platform);
        let rules = Rules {
            raw: Some("{{{…}}} writes the value unescaped and can break the JSON: use {{…}}"),
            helpers: match platform {
                WebhookPlatform::Slack => &["if", "unless", "each", "with", "rank", "mrkdwn"],
                WebhookPlatform::Teams => &["if", "unless", "each", "with", "rank"],
            },
            partials: false,
        };
        let mut problems = BTreeSet::new();
        walk(
            &parsed,
            &rules,
            &known_names(&data(&sample, "", "")),
            &mut problems,
        );
        if !problems.is_empty() {
            return Err(problems
                .into_iter()
                .map(|message| CustomError {
                    part: "payload",
                    message,
                })
                .collect());
        }
        let compiled = Self::compile(platform, source).map_err(|e| fail(e.to_string()))?;
        // Every step, with every part filled in, with every optional part empty, with many
        // missions, and with values made to break JSON or ping a channel: a branch
        // (`{{#if last_call}}`) must not hide a mistake until the day it is taken.
        for step in [
            MessageKind::CampaignAnnouncement,
            MessageKind::CampaignReminder,
            MessageKind::CampaignLastCall,
        ] {
            let full = sample.clone().with_step(step);
            let mut sparse = full.clone();
            sparse.body.clear();
            sparse.context = None;
            sparse.deadline_text = None;
            sparse.missions.clear();
            sparse.organization_name.clear();
            let mut crowded = full.clone();
            crowded.missions = (0..MISSIONS_MAX)
                .map(|i| full.missions[i % full.missions.len().max(1)].clone())
                .collect();
            let hostile = full.hostile();
            for variant in [&hostile, &full, &sparse, &crowded] {
                let rendered = compiled.render(variant).map_err(|e| fail(e.to_string()))?;
                if platform == WebhookPlatform::Slack
                    && not_plain_texts(&rendered)
                        .iter()
                        .any(|t| t.contains(MENTION))
                {
                    return Err(fail(
                        "a value in mrkdwn text (a section, a context, the fallback `text`, an \
                         attachment) must be written {{mrkdwn …}}: Slack would read `<!here>` \
                         in it as a mention"
                            .into(),
                    ));
                }
                let link = variant.link.as_str();
                if !urls(&rendered).contains(&link) {
                    return Err(fail(
                        "must contain the campaign link {{campaign_url}} as a `url` (a button, \
                         an Action.OpenUrl), whatever the step and the data"
                            .into(),
                    ));
                }
            }
        }
        Ok(compiled)
    }

    /// The payload of `message`, checked; a Teams card is fitted under 28 KB.
    pub fn render(&self, message: &WebhookMessage) -> Result<Value, PayloadError> {
        let link = message.checked_link()?;
        let body = message.body.trim();
        let full = self.render_with(message, link, body)?;
        if self.platform == WebhookPlatform::Slack {
            check_slack(&full)?;
            return Ok(full);
        }
        check_teams(&full)?;
        if size(&full) <= CARD_MAX_BYTES {
            return Ok(full);
        }
        let bare = self.render_with(message, link, "")?;
        let bytes = size(&bare);
        if bytes > CARD_MAX_BYTES {
            return Err(PayloadError::CardTooLarge {
                bytes,
                limit: CARD_MAX_BYTES,
            });
        }
        // Each character takes at least one byte, which bounds the search; the size grows
        // with the number of characters kept, so a binary search finds the longest that fits.
        let chars = body.chars().count();
        let (mut fits, mut over) = (0, chars.min(CARD_MAX_BYTES - bytes) + 1);
        let mut best = bare;
        while over - fits > 1 {
            let mid = fits + (over - fits) / 2;
            let card = self.render_with(message, link, &first_chars(body, mid))?;
            if size(&card) <= CARD_MAX_BYTES {
                fits = mid;
                best = card;
            } else {
                over = mid;
            }
        }
        Ok(best)
    }

    fn render_with(
        &self,
        message: &WebhookMessage,
        link: &str,
        body: &str,
    ) -> Result<Value, PayloadError> {
        let text = self
            .registry
            .render(NAME, &data(message, link, body))
            .map_err(|e| PayloadError::Template(e.to_string()))?;
        serde_json::from_str(&drop_trailing_commas(&text)).map_err(|e| {
            PayloadError::Template(format!("the template does not give valid JSON: {e}"))
        })
    }
}

/// What a post template may use.
fn data(m: &WebhookMessage, link: &str, body: &str) -> Value {
    json!({
        "title": m.short_title(),
        "campaign_title": within(m.campaign_title.trim(), TITLE_MAX),
        "organization_name": m.organization_name,
        "key_message": body,
        "context": m.context_text().unwrap_or_default(),
        "deadline_text": m.deadline_text.as_deref().unwrap_or_default(),
        "campaign_url": link,
        "button_label": m.button(),
        "missions": &m.missions[..m.missions.len().min(MISSIONS_MAX)],
        "reminder": m.step == MessageKind::CampaignReminder,
        "last_call": m.step == MessageKind::CampaignLastCall,
    })
}

impl WebhookMessage {
    /// The sample post a template is checked with: a reminder with every part filled in.
    pub fn sample(lang: Lang, platform: WebhookPlatform) -> Self {
        let missions = [0, 1]
            .into_iter()
            .filter_map(|i| serde_json::from_value(sample_mission(lang, i)).ok())
            .collect();
        let (title, body, context, deadline) = match lang {
            Lang::Fr => (
                "Semaine de l'engagement 2025",
                "Deux heures de vos compétences peuvent changer l’année d’une association.",
                "Inscriptions jusqu’au vendredi 21 mars 2025",
                "vendredi 21 mars 2025",
            ),
            Lang::En => (
                "Engagement Week 2025",
                "Two hours of your skills can change a charity's year.",
                "Sign up by Friday 21 March 2025",
                "Friday 21 March 2025",
            ),
        };
        let step = MessageKind::CampaignReminder;
        WebhookMessage::new(
            lang,
            super::step_title(step, lang, title),
            body,
            format!(
                "https://declic.example.org/c/k3m9x2pq7ar4?utm_source={}&lang={}",
                platform.as_str(),
                lang.as_str()
            ),
        )
        .with_context(context)
        .with_campaign("Groupe Hélios", title)
        .with_deadline(deadline)
        .with_missions(missions)
        .with_step(step)
    }

    /// The same post with every text made of what breaks JSON or pings a channel.
    fn hostile(&self) -> Self {
        let bad = format!("\"q\" \\ {MENTION} & <x>\nline\u{1}");
        let mut m = self.clone();
        for text in [
            &mut m.title,
            &mut m.body,
            &mut m.campaign_title,
            &mut m.organization_name,
        ] {
            text.push_str(&bad);
        }
        m.context = Some(bad.clone());
        m.deadline_text = Some(bad.clone());
        m.button_label = Some("b\"\\".into());
        for mission in &mut m.missions {
            for text in [
                &mut mission.title,
                &mut mission.association_name,
                &mut mission.dates_text,
                &mut mission.place_text,
                &mut mission.format_text,
            ] {
                text.push_str(&bad);
            }
        }
        m
    }
}

/// A JSON string's escaping of a value (without the quotes).
fn json_escape(text: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` without the commas that directly precede (blanks aside) a `]` or a `}`,
/// strings left as they are.
fn drop_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == ',' {
            let next = text[i + 1..].trim_start().chars().next();
            if matches!(next, Some(']' | '}')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// Every `url` of a JSON value (buttons, Action.OpenUrl, links).
fn urls(v: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    fn add<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| add(i, out)),
            Value::Object(map) => {
                if let Some(url) = map.get("url").and_then(Value::as_str) {
                    out.push(url);
                }
                map.values().for_each(|i| add(i, out));
            }
            _ => {}
        }
    }
    add(v, &mut out);
    out
}

/// Every string Slack may read as mrkdwn: all but the texts of `plain_text` objects.
fn not_plain_texts(v: &Value) -> Vec<&str> {
    let mut out = Vec::new();
    fn add<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
        match v {
            Value::String(s) => out.push(s),
            Value::Array(items) => items.iter().for_each(|i| add(i, out)),
            Value::Object(map) if map.get("type").and_then(Value::as_str) == Some("plain_text") => {
            }
            Value::Object(map) => map.values().for_each(|i| add(i, out)),
            _ => {}
        }
    }
    add(v, &mut out);
    out
}

fn invalid(message: impl Into<String>) -> PayloadError {
    PayloadError::Template(message.into())
}

fn units(v: &Value) -> usize {
    v.as_str().map_or(0, |s| s.encode_utf16().count())
}

/// A Block Kit message within Slack's limits.
fn check_slack(p: &Value) -> Result<(), PayloadError> {
    let Some(map) = p.as_object() else {
        return Err(invalid("a Slack message is a JSON object"));
    };
    let blocks = match map.get("blocks") {
        None => &Vec::new(),
        Some(Value::Array(b)) => b,
        Some(_) => return Err(invalid("`blocks` must be a list")),
    };
    if blocks.len() > BLOCKS_MAX {
        return Err(invalid(format!(
            "Slack takes at most {BLOCKS_MAX} blocks, not {}",
            blocks.len()
        )));
    }
    let text = map.get("text").and_then(Value::as_str).unwrap_or_default();
    if blocks.is_empty() && text.trim().is_empty() {
        return Err(invalid("a Slack message needs `text` or `blocks`"));
    }
    for (i, block) in blocks.iter().enumerate() {
        let n = i + 1;
        let Some(kind) = block.get("type").and_then(Value::as_str) else {
            return Err(invalid(format!("block {n} has no `type`")));
        };
        let limit = match kind {
            "header" => Some(HEADER_MAX),
            "section" => Some(TEXT_MAX),
            _ => None,
        };
        if let Some(limit) = limit
            && units(&block["text"]["text"]) > limit
        {
            return Err(invalid(format!(
                "block {n} ({kind}): Slack limits its text to {limit} characters"
            )));
        }
        for element in block
            .get("elements")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if element["type"] == "button" && units(&element["text"]["text"]) > BUTTON_MAX {
                return Err(invalid(format!(
                    "block {n}: Slack limits a button's text to {BUTTON_MAX} characters"
                )));
            }
        }
    }
    Ok(())
}

/// A Workflows message carrying one Adaptive Card.
fn check_teams(p: &Value) -> Result<(), PayloadError> {
    if p["type"] != "message" {
        return Err(invalid("a Teams post is {\"type\": \"message\", …}"));
    }
    let card = match p["attachments"].as_array().map(Vec::as_slice) {
        Some([a]) if a["contentType"] == "application/vnd.microsoft.card.adaptive" => &a["content"],
        _ => {
            return Err(invalid(
                "a Teams post has one attachment of contentType \
                 application/vnd.microsoft.card.adaptive",
            ));
        }
    };
    if card["type"] != "AdaptiveCard"
        || !card["version"]
            .as_str()
            .is_some_and(|v| v.starts_with("1."))
    {
        return Err(invalid(
            "the attachment's content is an Adaptive Card: {\"type\": \"AdaptiveCard\", \"version\": \"1.4\", …}",
        ));
    }
    Ok(())
}

fn index(platform: WebhookPlatform) -> usize {
    match platform {
        WebhookPlatform::Slack => 0,
        WebhookPlatform::Teams => 1,
    }
}

fn lang_index(lang: Lang) -> usize {
    match lang {
        Lang::Fr => 0,
        Lang::En => 1,
    }
}

#[cfg(test)]
mod tests {
    #![expect(clippy::unwrap_used, reason = "tests")]

    use super::{PostTemplate, drop_trailing_commas, json_escape};
    use crate::templates::Lang;
    use crate::webhooks::{WebhookMessage, WebhookPlatform};

    fn problems(platform: WebhookPlatform, source: &str) -> Vec<String> {
        match PostTemplate::check(platform, Lang::Fr, source) {
            Ok(_) => vec![],
            Err(e) => e.into_iter().map(|e| e.message).collect(),
        }
    }

    #[test]
    fn escaping_and_commas() {
        assert_eq!(json_escape("a\"b\\c\nd\u{1}"), "a\\\"b\\\\c\\nd\\u0001");
        assert_eq!(
            drop_trailing_commas(r#"{"a": [1, 2, ], "b": "x, ]", }"#),
            r#"{"a": [1, 2 ], "b": "x, ]" }"#
        );
        assert_eq!(drop_trailing_commas(r#"["\",]",]"#), r#"["\",]"]"#);
    }

    #[test]
    fn the_built_in_templates_pass_their_own_check() {
        for platform in [WebhookPlatform::Slack, WebhookPlatform::Teams] {
            for lang in Lang::ALL {
                let source = PostTemplate::builtin_source(platform, lang);
                assert!(
                    PostTemplate::check(platform, lang, source).is_ok(),
                    "{platform:?} {lang:?}"
                );
            }
        }
    }

    #[test]
    fn an_own_template_lists_missions_and_says_which_step() {
        let source = r#"{"text": "{{#if reminder}}Rappel{{/if}} {{mrkdwn campaign_title}} {{mrkdwn campaign_url}}",
            "blocks": [{{#each missions}}{"type": "section", "text": {"type": "mrkdwn", "text": "{{rank @index}}. *{{mrkdwn title}}*, {{mrkdwn association_name}}"}},{{/each}}
              {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Go"}, "url": "{{campaign_url}}"}]}]}"#;
        let t = PostTemplate::check(WebhookPlatform::Slack, Lang::Fr, source).unwrap();
        let p = t
            .render(&WebhookMessage::sample(Lang::Fr, WebhookPlatform::Slack))
            .unwrap();
        assert!(p["text"].as_str().unwrap().starts_with("Rappel Semaine"));
        assert_eq!(p["blocks"].as_array().unwrap().len(), 3);
        assert!(
            p["blocks"][1]["text"]["text"]
                .as_str()
                .unwrap()
                .starts_with("2. *")
        );
        assert!(p["text"].as_str().unwrap().contains("&amp;lang=fr"));
    }

    #[test]
    fn bad_templates_are_refused_with_the_reason() {
        let slack = WebhookPlatform::Slack;
        let p = problems(slack, r#"{"text": "{{salary}} {{mrkdwn campaign_url}}"}"#);
        assert_eq!(p, ["unknown variable `salary`"]);
        let p = problems(
            slack,
            r#"{"text": "{{{key_message}}} {{mrkdwn campaign_url}}"}"#,
        );
        assert!(p[0].contains("break the JSON"), "{p:?}");
        let p = problems(slack, r#"{"text": "{{mrkdwn campaign_url}}" "blocks": []}"#);
        assert!(
            p[0].contains("valid JSON") && p[0].contains("line 1"),
            "{p:?}"
        );
        let p = problems(slack, r#"{"text": "{{mrkdwn key_message}}"}"#);
        assert!(p[0].contains("campaign link"), "{p:?}");
        let p = problems(
            slack,
            r#"{"text": "{{key_message}} {{mrkdwn campaign_url}}"}"#,
        );
        assert!(p[0].contains("{{mrkdwn …}}"), "{p:?}");
        let p = problems(
            slack,
            r#"{"text": "{{mrkdwn campaign_url}}", "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "{{key_message}}{{key_message}}{{key_message}}"}}]}"#,
        );
        assert!(p[0].contains("150"), "{p:?}");
        // Mistakes hidden in a branch of one step are found all the same.
        let button = r#"{"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Go"}, "url": "{{campaign_url}}"}]}"#;
        let p = problems(
            slack,
            &format!(
                r#"{{"text": "{{{{#if last_call}}}}{{{{key_message}}}}{{{{/if}}}}", "blocks": [{button}]}}"#
            ),
        );
        assert!(p[0].contains("{{mrkdwn …}}"), "{p:?}");
        let p = problems(
            slack,
            &format!(
                r#"{{"text": "x", "blocks": [{{{{#unless last_call}}}}{button}{{{{/unless}}}}]}}"#
            ),
        );
        assert!(p[0].contains("whatever the step"), "{p:?}");
        let p = problems(
            slack,
            &format!(
                r#"{{"text": "x", "attachments": [{{"text": "{{{{key_message}}}}"}}], "blocks": [{button}]}}"#
            ),
        );
        assert!(p[0].contains("{{mrkdwn …}}"), "{p:?}");
        let p = problems(
            slack,
            &format!(r#"{{"text": "{{{{> greeting_fr}}}}", "blocks": [{button}]}}"#),
        );
        assert!(p[0].contains("partials"), "{p:?}");
        let p = problems(
            slack,
            &format!(
                r#"{{"text": "{{{{#each missions}}}}{{{{../campaign_title}}}}{{{{/each}}}}", "blocks": [{button}]}}"#
            ),
        );
        assert!(p[0].contains("`../`"), "{p:?}");
        let deep = "{{#if title}}".repeat(20) + &"{{/if}}".repeat(20);
        let p = problems(
            slack,
            &format!(r#"{{"text": "{deep}", "blocks": [{button}]}}"#),
        );
        assert!(p[0].contains("nested"), "{p:?}");
        let p = problems(slack, &" ".repeat(70_000));
        assert!(p[0].contains("empty"), "{p:?}");
        let p = problems(slack, &format!("{}{{}}", " ".repeat(70_000)));
        assert!(p[0].contains("longer than"), "{p:?}");
        let p = problems(slack, "{\"text\": \"{{#if title}}\"}");
        assert!(p[0].contains("line 1"), "{p:?}");
        let teams = WebhookPlatform::Teams;
        let p = problems(
            teams,
            r#"{"type": "message", "text": "{{mrkdwn campaign_url}}"}"#,
        );
        assert!(p[0].contains("unknown helper `mrkdwn`"), "{p:?}");
        let p = problems(teams, r#"{"type": "message", "text": "{{campaign_url}}"}"#);
        assert!(p[0].contains("one attachment"), "{p:?}");
    }
}
