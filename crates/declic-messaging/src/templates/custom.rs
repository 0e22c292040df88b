//! Templates an organisation writes for its own messages, checked when they are
//! saved so that nothing fails when 20 000 mails are going out.
//!
//! A custom template is refused when a part does not compile (with line and column), uses
//! a variable the message does not have (even inside `{{#if}}`, which strict rendering
//! alone lets through), calls a helper other than `if`, `unless`, `each`, `with` and
//! `rank`, writes raw HTML with `{{{…}}}`, fails to render for the sample person in its
//! language, or leaves out a link the message exists to give
//! ([`MessageKind::required_links`]: the confirmation link, the unsubscribe link…).

use std::collections::BTreeSet;

use handlebars::template::{Parameter, Template, TemplateElement};
use handlebars::{Handlebars, Path, PathSeg};
use serde_json::Value;

use super::{Lang, MessageKind, Rendered, base_registries, sample_data_for};
use crate::oneline::one_line;

/// A message's three parts in one language, as the organisation wrote them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomTemplate {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Why a custom template is refused: the part (`subject`, `text` or `html`) and what
/// is wrong, in English, with the line when the parser gave one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CustomError {
    pub part: &'static str,
    pub message: String,
}

/// A checked custom template, compiled and ready to render.
#[derive(Debug)]
pub struct CompiledCustom {
    plain: Handlebars<'static>,
    html: Handlebars<'static>,
}

/// What a template of one kind may contain.
pub(crate) struct Rules {
    /// Why `{{{…}}}` is refused, when it is.
    pub(crate) raw: Option<&'static str>,
    /// The helpers it may call.
    pub(crate) helpers: &'static [&'static str],
    /// Whether it may include partials (`{{> greeting_fr}}`, the mail layout).
    pub(crate) partials: bool,
}

/// Deepest nesting of blocks (`{{#if}}` in `{{#each}}`…) a template may have.
const DEPTH_MAX: usize = 8;
/// Longest sources, in bytes: far above any real message, far below what could
/// slow a send down.
pub(crate) const SUBJECT_SOURCE_MAX: usize = 1_000;
pub(crate) const BODY_SOURCE_MAX: usize = 64 * 1024;

const HELPERS: &[&str] = &["if", "unless", "each", "with", "rank"];
const TEXT_RULES: Rules = Rules {
    raw: None,
    helpers: HELPERS,
    partials: true,
};
const HTML_RULES: Rules = Rules {
    raw: Some("{{{…}}} writes raw HTML: use {{…}}, which escapes"),
    helpers: HELPERS,
    partials: true,
};
/// Longest subject once rendered, in characters.
const SUBJECT_MAX: usize = 200;

impl CompiledCustom {
    /// Checks `t` for `kind` in `lang` and compiles it; every problem is listed.
    pub fn check(
        kind: MessageKind,
        lang: Lang,
        t: &CustomTemplate,
    ) -> Result<Self, Vec<CustomError>> {
        let sample = sample_data_for(kind, lang);
        let known = known_names(&sample);
        let mut errors = Vec::new();
        let parts: [(&'static str, &str); 3] = [
            ("subject", &t.subject),
            ("text", &t.text),
            ("html", &t.html),
        ];
        for (part, source) in parts {
            if source.trim().is_empty() {
                errors.push(CustomError {
                    part,
                    message: "must not be empty".into(),
                });
                continue;
            }
            let max = if part == "subject" {
                SUBJECT_SOURCE_MAX
            } else {
                BODY_SOURCE_MAX
            };
            if source.len() > max {
                errors.push(CustomError {
                    part,
                    message: format!("longer than {max} bytes"),
                });
                continue;
            }
            match Template::compile(source) {
                Err(e) => errors.push(CustomError {
                    part,
                    message: syntax_error(&e),
                }),
                Ok(tpl) => {
                    let mut problems = BTreeSet::new();
                    let rules = if part == "html" {
                        &HTML_RULES
                    } else {
                        &TEXT_RULES
                    };
                    walk(&tpl, rules, &known, &mut problems);
                    errors.extend(
                        problems
                            .into_iter()
                            .map(|message| CustomError { part, message }),
                    );
                }
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let (mut plain, mut html) = base_registries().map_err(|e| {
            vec![CustomError {
                part: "text",
                message: e.to_string(),
            }]
        })?;
        for (is_html, name, source) in [
            (false, "subject", &t.subject),
            (false, "text", &t.text),
            (true, "html", &t.html),
        ] {
            let registry = if is_html { &mut html } else { &mut plain };
            if let Err(e) = registry.register_template_string(name, source) {
                errors.push(CustomError {
                    part: part_name(name),
                    message: e.to_string(),
                });
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let compiled = CompiledCustom { plain, html };
        // Once with every value filled in, once with every optional one empty: a link
        // under `{{#if first_name}}` would be missing from some real mails.
        let links: Vec<&str> = kind.required_links().iter().map(|(n, _)| *n).collect();
        for data in [sample.clone(), sparse(&sample, &links)] {
            let r = compiled.render(&data).map_err(|e| vec![e])?;
            if r.subject.chars().count() > SUBJECT_MAX {
                errors.push(CustomError {
                    part: "subject",
                    message: format!("longer than {SUBJECT_MAX} characters once filled in"),
                });
            }
            // Links are personal (a page, a confirmation, an unsubscribe): a subject is
            // shown in notifications, lists and forwarded mails, so it holds none.
            if let Some(obj) = data.as_object() {
                for (name, value) in obj {
                    let Some(url) = value.as_str() else { continue };
                    if name.ends_with("_url")
                        && !url.is_empty()
                        && r.subject.contains(url)
                        && !errors
                            .iter()
                            .any(|e| e.part == "subject" && e.message.contains(name.as_str()))
                    {
                        errors.push(CustomError {
                            part: "subject",
                            message: format!(
                                "must not contain a link ({{{{{name}}}}}): subjects show in notifications and lists"
                            ),
                        });
                    }
                }
            }
            for &(name, what) in kind.required_links() {
                let link = sample[name].as_str().unwrap_or_default();
                // In the HTML, a link the reader can follow: in an `href`, not in a comment.
                let html = without_comments(&r.html);
                let in_html = html.contains(&format!("href=\"{}", handlebars::html_escape(link)));
                for (part, found) in [("text", r.text.contains(link)), ("html", in_html)] {
                    let message = if part == "html" {
                        format!("must contain {what} {{{{{name}}}}} as a link (href)")
                    } else {
                        format!("must contain {what} {{{{{name}}}}}")
                    };
                    if !found
                        && !errors
                            .iter()
                            .any(|e| e.part == part && e.message == message)
                    {
                        errors.push(CustomError { part, message });
                    }
                }
            }
            // Personal links (sign-in, confirmation, unsubscribe) open to whoever holds
            // them: in an image or a style they would go to another server unseen.
            let html = without_comments(&r.html);
            if let Value::Object(map) = &data {
                for (name, value) in map {
                    let Some(link) = value.as_str().filter(|v| !v.is_empty()) else {
                        continue;
                    };
                    let message = format!(
                        "{{{{{name}}}}} may only be a link's href or visible text: elsewhere in \
                         a tag (src, style…) the mail would send it to another server"
                    );
                    if name.ends_with("_url")
                        && misplaced(&html, &handlebars::html_escape(link))
                        && !errors.iter().any(|e| e.message == message)
                    {
                        errors.push(CustomError {
                            part: "html",
                            message,
                        });
                    }
                }
            }
            if !errors.is_empty() {
                return Err(errors);
            }
        }
        Ok(compiled)
    }

    /// Renders the message for one recipient.
    pub fn render(&self, data: &Value) -> Result<Rendered, CustomError> {
        // One context for the three parts (`render` would copy the data for each).
        let context = handlebars::Context::from(data.clone());
        let render = |registry: &Handlebars<'static>, part: &'static str| {
            registry
                .render_with_context(part, &context)
                .map_err(|e| CustomError {
                    part,
                    message: e.to_string(),
                })
        };
        Ok(Rendered {
            subject: one_line(&render(&self.plain, "subject")?),
            text: render(&self.plain, "text")?,
            html: render(&self.html, "html")?,
        })
    }
}

/// A parser error in one line: where, then what.
pub(crate) fn syntax_error(e: &handlebars::TemplateError) -> String {
    let what = match e.reason() {
        handlebars::TemplateErrorReason::InvalidSyntax(_) => {
            "invalid Handlebars syntax (an unclosed or misspelt {{…}} tag)".to_owned()
        }
        reason => reason.to_string(),
    };
    match e.pos() {
        Some((line, column)) => format!("line {line}, column {column}: {what}"),
        None => what,
    }
}

/// `sample` with every optional value emptied: texts blank, lists empty, flags off; the
/// `keep` names (the required links) stay.
pub(crate) fn sparse(sample: &Value, keep: &[&str]) -> Value {
    fn empty(v: &Value) -> Value {
        match v {
            Value::String(_) => Value::String(String::new()),
            Value::Bool(_) => Value::Bool(false),
            Value::Array(_) => Value::Array(Vec::new()),
            Value::Object(map) => {
                Value::Object(map.iter().map(|(k, v)| (k.clone(), empty(v))).collect())
            }
            other => other.clone(),
        }
    }
    match sample {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| {
                    let v = if keep.contains(&k.as_str()) {
                        v.clone()
                    } else {
                        empty(v)
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => empty(other),
    }
}

/// Whether `link` appears inside a tag other than as the start of an `href` value.
fn misplaced(html: &str, link: &str) -> bool {
    html.match_indices(link).any(|(i, _)| {
        let before = &html[..i];
        let in_tag = before.rfind('<') > before.rfind('>');
        in_tag && !before.ends_with("href=\"")
    })
}

/// HTML without its comments.
fn without_comments(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find("<!--") {
        out.push_str(&rest[..start]);
        rest = match rest[start..].find("-->") {
            Some(end) => &rest[start + end + 3..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

fn part_name(name: &str) -> &'static str {
    match name {
        "subject" => "subject",
        "html" => "html",
        _ => "text",
    }
}

/// Every name a template may use: the sample's keys, nested object paths (`mission.title`)
/// and the keys of list items (inside `{{#each}}`).
pub(crate) fn known_names(sample: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    fn add(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    let name = if prefix.is_empty() {
                        k.clone()
                    } else {
                        format!("{prefix}.{k}")
                    };
                    out.insert(name.clone());
                    add(v, &name, out);
                }
            }
            Value::Array(items) => {
                for item in items {
                    // Inside {{#each list}} an item's keys are used bare.
                    add(item, "", out);
                }
            }
            _ => {}
        }
    }
    add(sample, "", &mut out);
    out
}

/// Lists in `problems` what `t` uses that `rules` and the `known` names do not allow.
pub(crate) fn walk(
    t: &Template,
    rules: &Rules,
    known: &BTreeSet<String>,
    problems: &mut BTreeSet<String>,
) {
    walk_at(t, rules, known, problems, 0);
}

fn walk_at(
    t: &Template,
    rules: &Rules,
    known: &BTreeSet<String>,
    problems: &mut BTreeSet<String>,
    depth: usize,
) {
    if depth > DEPTH_MAX {
        problems.insert(format!("blocks nested more than {DEPTH_MAX} deep"));
        return;
    }
    for e in &t.elements {
        match e {
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => {}
            TemplateElement::HtmlExpression(h) | TemplateElement::Expression(h) => {
                if let (TemplateElement::HtmlExpression(_), Some(why)) = (e, rules.raw) {
                    problems.insert(why.to_owned());
                }
                check_call(
                    &h.name,
                    &h.params,
                    h.hash.values(),
                    false,
                    rules,
                    known,
                    problems,
                );
            }
            TemplateElement::HelperBlock(h) => {
                check_call(
                    &h.name,
                    &h.params,
                    h.hash.values(),
                    true,
                    rules,
                    known,
                    problems,
                );
                for inner in [&h.template, &h.inverse].into_iter().flatten() {
                    walk_at(inner, rules, known, problems, depth + 1);
                }
            }
            TemplateElement::PartialExpression(d) | TemplateElement::PartialBlock(d) => {
                if !rules.partials {
                    problems.insert("partials ({{> …}}) are not available here".to_owned());
                }
                for p in d.params.iter().chain(d.hash.values()) {
                    check_param(p, known, problems);
                }
                if let Some(inner) = &d.template {
                    walk_at(inner, rules, known, problems, depth + 1);
                }
            }
            TemplateElement::DecoratorExpression(_) | TemplateElement::DecoratorBlock(_) => {
                problems.insert("decorators ({{* …}}) are not allowed".to_owned());
            }
            _ => {
                problems.insert("a construct this editor does not support".to_owned());
            }
        }
    }
}

/// `{{name}}` is a variable; `{{name a b}}` or a block calls a helper.
fn check_call<'a>(
    name: &Parameter,
    params: &[Parameter],
    hash: impl Iterator<Item = &'a Parameter>,
    block: bool,
    rules: &Rules,
    known: &BTreeSet<String>,
    problems: &mut BTreeSet<String>,
) {
    let hash: Vec<&Parameter> = hash.collect();
    let is_call = block || !params.is_empty() || !hash.is_empty();
    if is_call {
        let helper = match name {
            Parameter::Name(n) => n.clone(),
            Parameter::Path(Path::Relative((_, raw)) | Path::Local((_, _, raw))) => raw.clone(),
            _ => String::new(),
        };
        if !rules.helpers.contains(&helper.as_str()) {
            let (last, first) = rules.helpers.split_last().unwrap_or((&"", &[]));
            problems.insert(format!(
                "unknown helper `{helper}`: use {} or {last}",
                first.join(", ")
            ));
        }
        for p in params.iter().chain(hash) {
            check_param(p, known, problems);
        }
    } else {
        check_param(name, known, problems);
    }
}

fn check_param(p: &Parameter, known: &BTreeSet<String>, problems: &mut BTreeSet<String>) {
    match p {
        Parameter::Literal(_) => {}
        Parameter::Subexpression(_) => {
            problems.insert("subexpressions ( … ) are not allowed".to_owned());
        }
        Parameter::Name(n) => check_name(n, known, problems),
        // @index, @first, @last; not an outer block's (`@../index`).
        Parameter::Path(Path::Local((level, _, raw))) => {
            if *level > 0 {
                problems.insert(format!("`{raw}`: `../` is not allowed"));
            }
        }
        Parameter::Path(Path::Relative((_, raw)))
            if raw.contains("..") || raw.contains("@root") =>
        {
            problems.insert(format!(
                "`{raw}`: `../` and `@root` are not allowed, use the variables as listed"
            ));
        }
        Parameter::Path(Path::Relative((segs, raw))) => {
            let named: Vec<&str> = segs
                .iter()
                .filter_map(|s| match s {
                    PathSeg::Named(n) => Some(n.as_str()),
                    _ => None,
                })
                .collect();
            if named.is_empty() {
                return; // `this`, `.`
            }
            let name = named.join(".");
            if !known.contains(&name) {
                problems.insert(format!("unknown variable `{raw}`"));
            }
        }
        _ => {
            problems.insert("a construct this editor does not support".to_owned());
        }
    }
}

fn check_name(n: &str, known: &BTreeSet<String>, problems: &mut BTreeSet<String>) {
    if !known.contains(n) && n != "this" {
        problems.insert(format!("unknown variable `{n}`"));
    }
}
