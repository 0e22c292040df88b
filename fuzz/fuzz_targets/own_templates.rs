//! An organisation's own wording: mail templates (subject, text, HTML) for every message
//! kind and Slack/Teams post templates. Any text is checked into a list of problems or a
//! template that renders, never a panic.
#![no_main]

use declic_messaging::Lang;
use declic_messaging::templates::{CompiledCustom, CustomTemplate, MessageKind};
use declic_messaging::webhooks::{PostTemplate, WebhookPlatform};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let lang = if selector & 1 == 0 {
        Lang::Fr
    } else {
        Lang::En
    };
    match selector >> 1 & 3 {
        0 => {
            let mut parts = text.splitn(3, '\u{1e}');
            let template = CustomTemplate {
                subject: parts.next().unwrap_or_default().to_owned(),
                text: parts.next().unwrap_or_default().to_owned(),
                html: parts.next().unwrap_or_default().to_owned(),
            };
            let kind = MessageKind::ALL[usize::from(selector >> 3) % MessageKind::ALL.len()];
            if let Err(problems) = CompiledCustom::check(kind, lang, &template) {
                assert!(!problems.is_empty());
            }
        }
        1 => {
            if let Err(problems) = PostTemplate::check(WebhookPlatform::Slack, lang, &text) {
                assert!(!problems.is_empty());
            }
        }
        _ => {
            if let Err(problems) = PostTemplate::check(WebhookPlatform::Teams, lang, &text) {
                assert!(!problems.is_empty());
            }
        }
    }
});
