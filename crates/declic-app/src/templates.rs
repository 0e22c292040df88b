//! An organisation's own wording: any mail an employee or an ambassador receives
//! (campaign messages, registration mails, evaluations…) and the Slack and Teams posts
//! (`slack_post`, `teams_post`), for all its campaigns or for one, in French and
//! English. A template is checked when it is saved (see
//! `declic_messaging::templates::CompiledCustom` and `declic_messaging::webhooks::PostTemplate`),
//! so nothing fails when the messages go out.

use declic_messaging::templates::{
    CompiledCustom, CustomError, CustomTemplate, Lang, MessageKind, sample_data_for,
};
use declic_messaging::webhooks::{PostTemplate, WebhookPlatform};
use declic_storage::message_templates::MessageTemplate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::App;
use crate::caller::{AppError, AppResult, Caller, FieldIssue};

/// A mail's three parts, or a post's JSON template; Handlebars.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateBody {
    /// A mail's subject: one line; `{{campaign_title}}` and the like are filled in.
    pub subject: Option<String>,
    /// A mail's plain-text body. It must keep the links the message exists to give
    /// (`{{confirm_url}}`, the unsubscribe link `{{manage_url}}`…).
    pub text: Option<String>,
    /// A mail's HTML body; every `{{value}}` is escaped, `{{{…}}}` is refused. The same
    /// links as the text.
    pub html: Option<String>,
    /// A Slack or Teams post: the JSON template (values JSON-escaped, `{{mrkdwn …}}` in
    /// Slack's mrkdwn texts); it must contain `{{campaign_url}}`.
    pub payload: Option<String>,
}

/// What a template is for: a mail, or a post to a channel.
#[derive(Clone, Copy)]
enum Target {
    Mail(MessageKind),
    Post(WebhookPlatform),
}

impl Target {
    fn name(self) -> &'static str {
        match self {
            Target::Mail(kind) => kind.as_str(),
            Target::Post(WebhookPlatform::Slack) => "slack_post",
            Target::Post(WebhookPlatform::Teams) => "teams_post",
        }
    }

    fn has_campaign(self) -> bool {
        match self {
            Target::Mail(kind) => kind.has_campaign(),
            Target::Post(_) => true,
        }
    }

    /// The names a template may use, from the sample it is checked with.
    fn variables(self, lang: Lang) -> Vec<String> {
        let sample = match self {
            Target::Mail(kind) => sample_data_for(kind, lang),
            Target::Post(platform) => PostTemplate::sample_data(platform, lang),
        };
        let mut names = Vec::new();
        fn add(v: &serde_json::Value, prefix: &str, names: &mut Vec<String>) {
            if let serde_json::Value::Object(map) = v {
                for (k, v) in map {
                    let name = format!("{prefix}{k}");
                    match v {
                        serde_json::Value::Array(items) => {
                            names.push(name.clone());
                            if let Some(first) = items.first() {
                                add(first, &format!("{name}[]."), names);
                            }
                        }
                        serde_json::Value::Object(_) => add(v, &format!("{name}."), names),
                        _ => names.push(name),
                    }
                }
            }
        }
        add(&sample, "", &mut names);
        names.sort();
        names
    }
}

fn parse(message: &str, lang: &str, campaign_id: Option<i64>) -> AppResult<(Target, Lang)> {
    let target = match message {
        "slack_post" => Target::Post(WebhookPlatform::Slack),
        "teams_post" => Target::Post(WebhookPlatform::Teams),
        _ => Target::Mail(
            MessageKind::from_name(message)
                .filter(|k| k.is_customizable())
                .ok_or_else(|| {
                    let names: Vec<&str> = MessageKind::ALL
                        .into_iter()
                        .filter(|k| k.is_customizable())
                        .map(MessageKind::as_str)
                        .chain(["slack_post", "teams_post"])
                        .collect();
                    AppError::field("message", format!("use one of {}", names.join(", ")))
                })?,
        ),
    };
    let lang = match lang {
        "fr" => Lang::Fr,
        "en" => Lang::En,
        _ => return Err(AppError::field("lang", "use fr or en")),
    };
    if campaign_id.is_some() && !target.has_campaign() {
        return Err(AppError::field(
            "campaign_id",
            "this message belongs to the organisation, not to a campaign: leave campaign_id out",
        ));
    }
    Ok((target, lang))
}

fn refused(errors: Vec<CustomError>) -> AppError {
    AppError::Invalid(
        errors
            .into_iter()
            .map(|e| FieldIssue {
                field: e.part.to_owned(),
                message: e.message,
            })
            .collect(),
    )
}

/// The parts a target takes, each present, the others absent.
fn parts(target: Target, b: TemplateBody) -> AppResult<CustomTemplate> {
    let mut errors = Vec::new();
    let mut take = |field: &str, value: Option<String>, wanted: bool| match (value, wanted) {
        (Some(v), true) => v,
        (None, true) => {
            errors.push(FieldIssue {
                field: field.to_owned(),
                message: "required".into(),
            });
            String::new()
        }
        (Some(_), false) => {
            errors.push(FieldIssue {
                field: field.to_owned(),
                message: match target {
                    Target::Mail(_) => "a mail has subject, text and html, not payload".into(),
                    Target::Post(_) => "a post has a payload only".into(),
                },
            });
            String::new()
        }
        (None, false) => String::new(),
    };
    let mail = matches!(target, Target::Mail(_));
    let t = CustomTemplate {
        subject: take("subject", b.subject, mail),
        text: take("text", b.text, mail),
        html: take("html", b.html, mail),
    };
    let payload = take("payload", b.payload, !mail);
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    Ok(match target {
        Target::Mail(_) => t,
        // A post's template is kept in the text column.
        Target::Post(_) => CustomTemplate {
            subject: String::new(),
            text: payload,
            html: String::new(),
        },
    })
}

/// The template in force for a message.
#[derive(Serialize, ToSchema)]
pub struct TemplateInForce {
    pub message: String,
    pub language: String,
    /// `campaign` (the campaign's own), `organization` or `builtin`.
    pub source: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// For `slack_post` and `teams_post`: the JSON template.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<String>,
    /// The variables the template may use (`missions[].title` inside `{{#each missions}}`).
    pub variables: Vec<String>,
    /// The links it must keep, for a mail.
    pub required: Vec<String>,
}

/// Saves a template after checking it against the message's variables and a sample
/// recipient (or post); a refused template changes nothing stored.
pub async fn save(
    app: &App,
    caller: &Caller,
    message: &str,
    lang: &str,
    campaign_id: Option<i64>,
    b: TemplateBody,
) -> AppResult<MessageTemplate> {
    caller.require_manage()?;
    let (target, l) = parse(message, lang, campaign_id)?;
    let custom = parts(target, b)?;
    match target {
        Target::Mail(kind) => CompiledCustom::check(kind, l, &custom).map(drop),
        Target::Post(platform) => PostTemplate::check(platform, l, &custom.text).map(drop),
    }
    .map_err(refused)?;
    let saved = app
        .store
        .save_message_template(
            caller.org(),
            campaign_id,
            target.name(),
            l.as_str(),
            &custom.subject,
            &custom.text,
            &custom.html,
            caller.actor(),
        )
        .await?;
    Ok(saved)
}

/// The template a message is sent with now (the campaign's own, the organisation's or
/// the built-in one), with the variables it may use: the starting point of a new one.
pub async fn show(
    app: &App,
    caller: &Caller,
    message: &str,
    lang: &str,
    campaign_id: Option<i64>,
) -> AppResult<TemplateInForce> {
    let (target, l) = parse(message, lang, campaign_id)?;
    app.store.check_campaign(caller.org(), campaign_id).await?;
    let stored = app
        .store
        .message_template_for(caller.org(), campaign_id, target.name(), l.as_str())
        .await?;
    let (source, subject, text, html, payload) = match (stored, target) {
        (Some(t), _) => (
            if t.campaign_id.is_some() {
                "campaign"
            } else {
                "organization"
            },
            t.subject,
            t.text,
            t.html,
            t.payload,
        ),
        (None, Target::Mail(kind)) => {
            let b = kind.builtin(l);
            ("builtin", b.subject, b.text, b.html, None)
        }
        (None, Target::Post(platform)) => (
            "builtin",
            String::new(),
            String::new(),
            String::new(),
            Some(PostTemplate::builtin_source(platform, l).to_owned()),
        ),
    };
    let required = match target {
        Target::Mail(kind) => kind
            .required_links()
            .iter()
            .map(|(name, _)| (*name).to_owned())
            .collect(),
        Target::Post(_) => vec!["campaign_url".to_owned()],
    };
    Ok(TemplateInForce {
        message: target.name().to_owned(),
        language: l.as_str().to_owned(),
        source: source.to_owned(),
        subject,
        text,
        html,
        payload,
        variables: target.variables(l),
        required,
    })
}

/// Removes a template: the message goes back to the built-in one (or to the
/// organisation's, for a campaign's own).
pub async fn delete(
    app: &App,
    caller: &Caller,
    message: &str,
    lang: &str,
    campaign_id: Option<i64>,
) -> AppResult<()> {
    caller.require_manage()?;
    let (target, l) = parse(message, lang, campaign_id)?;
    if app
        .store
        .delete_message_template(
            caller.org(),
            campaign_id,
            target.name(),
            l.as_str(),
            caller.actor(),
        )
        .await?
    {
        Ok(())
    } else {
        Err(AppError::NotFound("template"))
    }
}
