//! The few words of a webhook message that Declic writes itself, in French and English.
//!
//! A few short strings (the rest of a post is its template, `templates/webhooks/`): constants read more simply than a TOML file and a loader, and the
//! compiler checks that both languages have each of them.

use crate::templates::Lang;

/// Labels of one language.
pub(crate) struct Labels {
    /// The button, when the caller gives none.
    pub(crate) button: &'static str,
    /// Before the campaign's title in the calendar's reminder post.
    pub(crate) reminder: &'static str,
    /// Before the campaign's title in the last call's post.
    pub(crate) last_call: &'static str,
}

const FR: Labels = Labels {
    button: "Découvrir les missions",
    reminder: "Rappel : ",
    last_call: "Dernier appel : ",
};

const EN: Labels = Labels {
    button: "See the missions",
    reminder: "Reminder: ",
    last_call: "Last call: ",
};

/// A post's title for the calendar step it carries out: the campaign's title, after
/// "Reminder:" or "Last call:" for those steps, so the channel sees they are not the launch.
pub fn step_title(kind: crate::templates::MessageKind, lang: Lang, title: &str) -> String {
    use crate::templates::MessageKind;
    let prefix = match kind {
        MessageKind::CampaignReminder => labels(lang).reminder,
        MessageKind::CampaignLastCall => labels(lang).last_call,
        _ => "",
    };
    format!("{prefix}{title}")
}

/// The labels in `lang`.
pub(crate) fn labels(lang: Lang) -> &'static Labels {
    match lang {
        Lang::Fr => &FR,
        Lang::En => &EN,
    }
}

#[cfg(test)]
mod tests {
    use super::step_title;
    use crate::templates::{Lang, MessageKind};

    #[test]
    fn reminder_and_last_call_posts_say_so() {
        assert_eq!(
            step_title(MessageKind::CampaignAnnouncement, Lang::Fr, "Printemps"),
            "Printemps"
        );
        assert_eq!(
            step_title(MessageKind::CampaignReminder, Lang::Fr, "Printemps"),
            "Rappel : Printemps"
        );
        assert_eq!(
            step_title(MessageKind::CampaignLastCall, Lang::En, "Spring"),
            "Last call: Spring"
        );
    }
}
