//! Custom campaign templates are refused when saved, not when the mail goes out.
#![expect(clippy::unwrap_used, reason = "tests")]

use declic_messaging::templates::{
    CompiledCustom, CustomTemplate, Lang, MessageKind, sample_data_for,
};

fn good() -> CustomTemplate {
    CustomTemplate {
        subject: "{{campaign_title}} : on compte sur vous".into(),
        text: "{{> greeting_fr}}\n\n{{key_message}}\n{{#each missions}}- {{title}} ({{association_name}})\n{{/each}}{{#if deadline_text}}Avant le {{deadline_text}}.{{/if}}\n{{campaign_url}}\n\nSe désabonner : {{manage_url}}\n".into(),
        html: "<p>{{key_message}}</p>{{#each missions}}<p>{{rank @index}}. {{title}}</p>{{/each}}{{> button url=campaign_url label=\"Go\"}}<a href=\"{{manage_url}}\">Se désabonner</a>".into(),
    }
}

fn problems(t: &CustomTemplate) -> Vec<String> {
    match CompiledCustom::check(MessageKind::CampaignReminder, Lang::Fr, t) {
        Ok(_) => vec![],
        Err(e) => e
            .into_iter()
            .map(|e| format!("{}: {}", e.part, e.message))
            .collect(),
    }
}

#[test]
fn a_good_template_renders_with_escaping_in_html_only() {
    let c = CompiledCustom::check(MessageKind::CampaignReminder, Lang::Fr, &good()).unwrap();
    let mut data = sample_data_for(MessageKind::CampaignReminder, Lang::Fr);
    data["key_message"] = "<b>Venez</b> & partagez".into();
    let r = c.render(&data).unwrap();
    assert!(r.text.contains("<b>Venez</b> & partagez"));
    assert!(r.html.contains("&lt;b&gt;Venez&lt;/b&gt; &amp; partagez"));
    assert!(r.html.contains("1. Revoir le plan"));
    assert!(r.subject.starts_with("Semaine de l"));
}

#[test]
fn unknown_variables_are_refused_even_in_conditions() {
    let mut t = good();
    t.text = t.text.replace(
        "{{key_message}}",
        "{{#if salary}}{{salary}}{{/if}}{{mission.titel}}",
    );
    let p = problems(&t);
    assert!(
        p.contains(&"text: unknown variable `salary`".to_owned()),
        "{p:?}"
    );
    assert!(
        p.contains(&"text: unknown variable `mission.titel`".to_owned()),
        "{p:?}"
    );
}

#[test]
fn syntax_errors_name_the_line() {
    let mut t = good();
    t.html = "<p>ok</p>\n{{#if key_message}}<p>open".into();
    let p = problems(&t);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].starts_with("html: ") && p[0].contains('2'), "{p:?}");
}

#[test]
fn raw_html_helpers_and_a_missing_unsubscribe_link_are_refused() {
    let mut t = good();
    t.html = t.html.replace("{{key_message}}", "{{{key_message}}}");
    assert!(
        problems(&t)
            .iter()
            .any(|p| p.starts_with("html: {{{…}}} writes raw HTML"))
    );
    let mut t = good();
    t.text = t.text.replace("{{key_message}}", "{{lookup missions 0}}");
    assert!(
        problems(&t)
            .iter()
            .any(|p| p.contains("unknown helper `lookup`")),
        "{:?}",
        problems(&t)
    );
    let mut t = good();
    t.text = t.text.replace("{{manage_url}}", "");
    assert_eq!(
        problems(&t),
        vec!["text: must contain the unsubscribe link {{manage_url}}".to_owned()]
    );
    let mut t = good();
    t.subject = "  ".into();
    assert_eq!(problems(&t), vec!["subject: must not be empty".to_owned()]);
    let mut t = good();
    t.subject = "x".repeat(201);
    assert!(problems(&t)[0].starts_with("subject: longer than 200"));
}

#[test]
fn a_template_that_cannot_render_for_the_sample_is_refused() {
    // `title` exists inside missions, not at the top: strict rendering catches it.
    let mut t = good();
    t.text = t.text.replace("{{key_message}}", "{{title}}");
    assert!(!problems(&t).is_empty());
}

#[test]
fn every_built_in_message_passes_the_check_and_keeps_its_links() {
    for kind in MessageKind::ALL {
        for lang in Lang::ALL {
            let builtin = kind.builtin(lang);
            assert!(
                CompiledCustom::check(kind, lang, &builtin).is_ok(),
                "{kind:?} {lang:?}"
            );
            // Without the link the message exists to give, it is refused, naming it.
            for &(name, _) in kind.required_links() {
                let mut t = builtin.clone();
                let gone = format!("{{{{{name}}}}}");
                t.text = t.text.replace(&gone, "");
                t.html = t.html.replace(&gone, "");
                // The shared footer and layout also write the page link.
                t.text = t
                    .text
                    .replace("{{> footer_fr}}", "")
                    .replace("{{> footer_en}}", "");
                t.html = t
                    .html
                    .replace("{{#> layout_fr}}", "")
                    .replace("{{/layout_fr}}", "")
                    .replace("{{#> layout_en}}", "")
                    .replace("{{/layout_en}}", "");
                let Err(problems) = CompiledCustom::check(kind, lang, &t) else {
                    panic!("{kind:?} {lang:?} accepted without {name}");
                };
                assert!(
                    problems.iter().any(|p| p.message.contains(&gone)),
                    "{kind:?} {lang:?}: {problems:?}"
                );
            }
        }
    }
}

#[test]
fn a_required_link_hidden_in_a_branch_or_a_comment_is_refused() {
    let kind = MessageKind::ConfirmRegistration;
    let good = CustomTemplate {
        subject: "Confirmez".into(),
        text: "{{confirm_url}}".into(),
        html: "<a href=\"{{confirm_url}}\">Confirmer</a>".into(),
    };
    assert!(CompiledCustom::check(kind, Lang::Fr, &good).is_ok());
    let message = |t: &CustomTemplate| match CompiledCustom::check(kind, Lang::Fr, t) {
        Ok(_) => String::new(),
        Err(e) => format!("{e:?}"),
    };
    // Only for people who came through a colleague's link.
    let mut t = good.clone();
    t.text = "{{#if ambassador_first_name}}{{confirm_url}}{{/if}}".into();
    assert!(
        message(&t).contains("the confirmation link"),
        "{}",
        message(&t)
    );
    // Present, but nobody can click it.
    let mut t = good.clone();
    t.html = "<p>Confirmez</p><!-- <a href=\"{{confirm_url}}\">x</a> -->".into();
    assert!(message(&t).contains("as a link (href)"), "{}", message(&t));
    let mut t = good.clone();
    t.html = "<p>{{confirm_url}}</p>".into();
    assert!(message(&t).contains("as a link (href)"), "{}", message(&t));
    // Outer scopes and deep nesting are refused.
    let mut t = good.clone();
    t.text = "{{#each missions}}{{../confirm_url}}{{/each}}{{confirm_url}}".into();
    assert!(message(&t).contains("`../`"), "{}", message(&t));
    let mut t = good;
    t.text = format!(
        "{}{}{{{{confirm_url}}}}",
        "{{#if first_name}}".repeat(12),
        "{{/if}}".repeat(12)
    );
    assert!(message(&t).contains("nested"), "{}", message(&t));
}

#[test]
fn a_personal_link_may_not_leave_through_an_image_or_a_style() {
    let kind = MessageKind::AmbassadorSignIn;
    let mut t = kind.builtin(Lang::Fr);
    for html in [
        "<img src=\"https://tracker.example/p.gif?u={{sign_in_url}}\"><a href=\"{{sign_in_url}}\">x</a>{{manage_url}}",
        "<p style=\"background:url({{sign_in_url}})\"><a href=\"{{sign_in_url}}\">x</a></p>",
        "<a href=\"https://tracker.example/?u={{sign_in_url}}\">x</a><a href=\"{{sign_in_url}}\">y</a>",
    ] {
        t.html = html.into();
        let Err(problems) = CompiledCustom::check(kind, Lang::Fr, &t) else {
            panic!("accepted: {html}");
        };
        assert!(
            problems
                .iter()
                .any(|p| p.part == "html" && p.message.starts_with("{{sign_in_url}} may only be")),
            "{problems:?}"
        );
    }
    // Shown as text, or as the link itself: fine.
    t.html = "<p>{{sign_in_url}}</p><a href=\"{{sign_in_url}}\">x</a>".into();
    assert!(CompiledCustom::check(kind, Lang::Fr, &t).is_ok());
}

#[test]
fn a_subject_holds_no_personal_link() {
    for subject in [
        "{{campaign_title}} {{manage_url}}",
        "Inscrivez-vous : {{campaign_url}}",
    ] {
        let mut t = good();
        t.subject = subject.into();
        let p = problems(&t);
        assert!(
            p.iter()
                .any(|p| p.starts_with("subject: must not contain a link")),
            "{subject}: {p:?}"
        );
    }
    // A personal confirmation link likewise, in a registration mail.
    let mut t = MessageKind::ConfirmRegistration.builtin(Lang::En);
    t.subject = "Confirm: {{confirm_url}}".into();
    let e = CompiledCustom::check(MessageKind::ConfirmRegistration, Lang::En, &t).unwrap_err();
    assert!(e.iter().any(|e| e.part == "subject"), "{e:?}");
}
