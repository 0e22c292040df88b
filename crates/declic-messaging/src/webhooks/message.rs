//! What a webhook message says, the same for Slack and Teams, and why a payload cannot be built.

use reqwest::Url;

use super::labels::labels;
use super::template::PostMission;
use super::text;
use crate::templates::{Lang, MessageKind};

/// Longest title, in UTF-16 units: Slack's header block limit, kept for Teams too so that
/// both channels show the same title.
pub(crate) const TITLE_MAX: usize = 150;
/// Longest button label: Slack's limit for a button's text.
pub(crate) const BUTTON_MAX: usize = 75;
/// Longest link: Slack's limit for a button's URL. A link is never shortened.
pub(crate) const LINK_MAX: usize = 3000;

/// One announcement to a channel: a title, the key message and a button to the campaign,
/// and what a post template may add (the campaign, its deadline and missions, the step).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookMessage {
    /// Language of the post and of the labels Declic adds (the default button, the
    /// fallback text).
    pub lang: Lang,
    /// Short title, shown large; cut to 150 characters.
    pub title: String,
    /// The key message, already rendered from its template. Slack shows it as mrkdwn with
    /// `&`, `<` and `>` escaped; Teams as a wrapped text block.
    pub body: String,
    /// An optional small line under the message (dates, organiser).
    pub context: Option<String>,
    /// The campaign link tagged for this channel (the slack or teams link).
    pub link: String,
    /// The button's text; `None` gives "Découvrir les missions" / "See the missions".
    pub button_label: Option<String>,
    /// The campaign's own title (`title` may say "Reminder: …").
    pub campaign_title: String,
    /// The organisation's name.
    pub organization_name: String,
    /// The last day of sign-ups, written out, if there is one.
    pub deadline_text: Option<String>,
    /// The campaign's published missions.
    pub missions: Vec<PostMission>,
    /// The calendar step: announcement, reminder or last call.
    pub step: MessageKind,
}

impl WebhookMessage {
    /// A message with the default button label and no context line.
    pub fn new(
        lang: Lang,
        title: impl Into<String>,
        body: impl Into<String>,
        link: impl Into<String>,
    ) -> Self {
        let title = title.into();
        WebhookMessage {
            lang,
            campaign_title: title.clone(),
            title,
            body: body.into(),
            context: None,
            link: link.into(),
            button_label: None,
            organization_name: String::new(),
            deadline_text: None,
            missions: Vec::new(),
            step: MessageKind::CampaignAnnouncement,
        }
    }

    /// Names the organisation and the campaign's own title.
    pub fn with_campaign(
        mut self,
        organization_name: impl Into<String>,
        campaign_title: impl Into<String>,
    ) -> Self {
        self.organization_name = organization_name.into();
        self.campaign_title = campaign_title.into();
        self
    }

    /// The last day of sign-ups, written out.
    pub fn with_deadline(mut self, deadline_text: impl Into<String>) -> Self {
        self.deadline_text = Some(deadline_text.into());
        self
    }

    /// The campaign's missions.
    pub fn with_missions(mut self, missions: Vec<PostMission>) -> Self {
        self.missions = missions;
        self
    }

    /// The calendar step the post carries out.
    pub fn with_step(mut self, step: MessageKind) -> Self {
        self.step = step;
        self
    }

    /// Adds the small line under the message.
    pub fn with_context(mut self, context: impl Into<String>) -> Self {
        self.context = Some(context.into());
        self
    }

    /// Replaces the default button label.
    pub fn with_button_label(mut self, label: impl Into<String>) -> Self {
        self.button_label = Some(label.into());
        self
    }

    /// The button's text, within Slack's limit.
    pub(crate) fn button(&self) -> String {
        let label = self
            .button_label
            .as_deref()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .unwrap_or(labels(self.lang).button);
        text::within(label, BUTTON_MAX)
    }

    /// The title without surrounding blanks, within [`TITLE_MAX`].
    pub(crate) fn short_title(&self) -> String {
        text::within(self.title.trim(), TITLE_MAX)
    }

    /// The context line, if it has any text.
    pub(crate) fn context_text(&self) -> Option<&str> {
        self.context
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }

    /// The link, checked: absolute http(s) and short enough to be used whole.
    pub(crate) fn checked_link(&self) -> Result<&str, PayloadError> {
        let link = self.link.trim();
        let parsed = Url::parse(link).map_err(|e| PayloadError::InvalidLink(e.to_string()))?;
        if !matches!(parsed.scheme(), "https" | "http") {
            return Err(PayloadError::InvalidLink(format!(
                "scheme {} is not http or https",
                parsed.scheme()
            )));
        }
        let length = link.encode_utf16().count();
        if length > LINK_MAX {
            return Err(PayloadError::LinkTooLong {
                length,
                max: LINK_MAX,
            });
        }
        Ok(link)
    }
}

/// The message cannot become a valid payload; sending it again will not help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// The campaign link is not an absolute http(s) URL.
    #[error("the campaign link is not an absolute http(s) URL: {0}")]
    InvalidLink(String),
    /// The campaign link is longer than a button accepts; links are never shortened.
    #[error("the campaign link has {length} characters, more than the {max} a button accepts")]
    LinkTooLong {
        /// Its length in UTF-16 units.
        length: usize,
        /// The limit.
        max: usize,
    },
    /// The post template does not give a payload of the platform's shape (a built-in
    /// one never; an organisation's own only when its data breaks a limit).
    #[error("the post template cannot be used: {0}")]
    Template(String),
    /// Even with the message text left out, the Teams card is over Teams' size limit.
    #[error(
        "the Teams card is {bytes} bytes even without the message text, over the {limit}-byte \
         limit: shorten the title, the context line or the link"
    )]
    CardTooLarge {
        /// Size of the smallest card, serialized.
        bytes: usize,
        /// Teams' limit.
        limit: usize,
    },
}

impl PayloadError {
    /// A stable snake_case code, as in [`super::WebhookOutcome::Permanent`].
    pub fn code(&self) -> &'static str {
        match self {
            PayloadError::InvalidLink(_) => "invalid_link",
            PayloadError::LinkTooLong { .. } => "link_too_long",
            PayloadError::CardTooLarge { .. } => "card_too_large",
            PayloadError::Template(_) => "invalid_template",
        }
    }
}
