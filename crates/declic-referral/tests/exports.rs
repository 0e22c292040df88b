//! Exports: hostile labels stay inert in every format, erased people and ids never leak.

#![expect(clippy::unwrap_used, reason = "tests")]

mod common;

use common::{edge, graph};
use declic_referral::{CampaignId, Edge, MAX_SVG_NODES, PersonFacts, PersonId, ReferralGraph};
use std::cell::RefCell;
use std::collections::HashMap;

const HOSTILE: [&str; 9] = [
    "<script>alert(1)</script>",
    "say \"hi\" & 'bye'",
    "back\\slash \\N",
    "two\nlines\r\n",
    "=cmd|' /C calc'!A0",
    "+33 6",
    "-1",
    "@SUM(A1)",
    "tab\tand ]]> end",
];

/// Ids far from any pseudonym number, so a leak would be visible.
fn id(i: usize) -> i64 {
    987_654_000 + i as i64
}

/// A chain through every hostile label: person i refers person i+1.
fn hostile_graph() -> (ReferralGraph, HashMap<PersonId, String>) {
    let edges: Vec<Edge> = (0..HOSTILE.len() - 1)
        .map(|i| edge(1, id(i), id(i + 1), i as i64))
        .collect();
    let labels = (0..HOSTILE.len())
        .map(|i| (PersonId(id(i)), HOSTILE[i].to_string()))
        .collect();
    (graph(&edges), labels)
}

fn no_id_leaks(text: &str) {
    assert!(!text.contains("987654"), "an id leaked:\n{text}");
}

#[test]
fn graphml_is_well_formed_and_round_trips_labels() {
    let (g, labels) = hostile_graph();
    let xml = g.to_graphml(None, |p| labels.get(&p).cloned());
    no_id_leaks(&xml);
    assert!(!xml.contains("<script>"));
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let shown: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("data") && n.attribute("key") == Some("label"))
        .map(|n| n.text().unwrap_or(""))
        .collect();
    assert_eq!(
        shown,
        HOSTILE.to_vec(),
        "escaping is lossless for printable text"
    );
    let edges = doc.descendants().filter(|n| n.has_tag_name("edge")).count();
    assert_eq!(edges, HOSTILE.len() - 1);
}

#[test]
fn svg_is_well_formed_with_escaped_text() {
    let (g, labels) = hostile_graph();
    let svg = g.to_svg(CampaignId(1), |p| labels.get(&p).cloned());
    no_id_leaks(&svg);
    assert!(!svg.contains("<script>"));
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let circles = doc
        .descendants()
        .filter(|n| n.has_tag_name("circle"))
        .count();
    let lines = doc.descendants().filter(|n| n.has_tag_name("line")).count();
    assert_eq!((circles, lines), (HOSTILE.len(), HOSTILE.len() - 1));
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("title"))
        .filter_map(|n| n.text())
        .collect();
    assert!(titles.contains(&"<script>alert(1)</script>"));
    assert_eq!(
        svg,
        g.to_svg(CampaignId(1), |p| labels.get(&p).cloned()),
        "deterministic"
    );
}

/// Unquotes a DOT string body: the inverse of the exporter's escaping.
fn dot_unescape(body: &str) -> String {
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => panic!("dangling backslash in {body:?}"),
            }
        } else {
            assert_ne!(c, '"', "unescaped quote in {body:?}");
            out.push(c);
        }
    }
    out
}

#[test]
fn dot_quotes_and_escapes_every_label() {
    let (g, labels) = hostile_graph();
    let dot = g.to_dot(None, |p| labels.get(&p).cloned());
    no_id_leaks(&dot);
    let lines: Vec<&str> = dot.lines().collect();
    assert_eq!(
        lines.len(),
        2 + HOSTILE.len() + HOSTILE.len() - 1,
        "no label broke a line"
    );
    assert_eq!(
        (lines[0], *lines.last().unwrap()),
        ("digraph referrals {", "}")
    );
    for (i, line) in lines[1..=HOSTILE.len()].iter().enumerate() {
        let body = line
            .strip_prefix(&format!("  \"person-{}\" [label=\"", i + 1))
            .and_then(|rest| rest.strip_suffix("\"];"))
            .unwrap_or_else(|| panic!("unexpected node line {line:?}"));
        let expected: String = HOSTILE[i]
            .chars()
            .filter(|&c| c == '\n' || !c.is_control())
            .collect();
        assert_eq!(dot_unescape(body), expected);
    }
    for line in &lines[HOSTILE.len() + 1..lines.len() - 1] {
        assert!(
            line.starts_with("  \"person-")
                && line.contains("\" -> \"person-")
                && line.ends_with("];")
        );
    }
}

/// Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF rows).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => assert_eq!(chars.next(), Some('\n')),
            (false, '\n') => panic!("bare line feed outside quotes"),
            (false, c) => field.push(c),
        }
        if !quoted && c == '\r' {
            row.push(std::mem::take(&mut field));
            rows.push(std::mem::take(&mut row));
        }
    }
    assert!(
        !quoted && field.is_empty() && row.is_empty(),
        "unterminated CSV"
    );
    rows
}

#[test]
fn csv_quotes_labels_and_defuses_formulas() {
    let (g, labels) = hostile_graph();
    let csv = g.to_csv(None, |p| labels.get(&p).cloned());
    no_id_leaks(&csv);
    let rows = parse_csv(&csv);
    assert_eq!(
        rows[0],
        vec!["campaign", "referrer", "referee", "confirmed_at"]
    );
    assert_eq!(rows.len(), HOSTILE.len());
    for (i, row) in rows[1..].iter().enumerate() {
        assert_eq!(row.len(), 4);
        assert_eq!((row[0].as_str(), row[3].clone()), ("1", i.to_string()));
        for (cell, label) in [(&row[1], HOSTILE[i]), (&row[2], HOSTILE[i + 1])] {
            let risky = label.starts_with(['=', '+', '-', '@']);
            let expected = if risky {
                format!("'{label}")
            } else {
                label.to_string()
            };
            assert_eq!(cell, &expected);
        }
    }
}

#[test]
fn json_round_trips_labels_and_uses_keys() {
    let (g, labels) = hostile_graph();
    let json = g.to_json(None, |p| labels.get(&p).cloned());
    no_id_leaks(&json);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    let nodes = value["nodes"].as_array().unwrap();
    let shown: Vec<&str> = nodes.iter().map(|n| n["label"].as_str().unwrap()).collect();
    assert_eq!(shown, HOSTILE.to_vec());
    assert_eq!(value["edges"][0]["referrer"], "person-1");
    assert_eq!(value["edges"][0]["referee"], "person-2");
    assert_eq!(value["edges"][0]["campaign"], 1);
}

#[test]
fn erased_people_show_a_pseudonym_and_are_never_asked_about() {
    let edges = [
        edge(1, id(1), id(2), 1),
        edge(1, id(2), id(3), 2),
        edge(2, id(3), id(4), 3),
    ];
    let people = [PersonFacts {
        erased: true,
        ..PersonFacts::new(PersonId(id(2)))
    }];
    let g = ReferralGraph::new(&edges, &people).unwrap();
    let asked = RefCell::new(Vec::new());
    let labels = |p: PersonId| {
        asked.borrow_mut().push(p);
        Some(format!("Name{}", p.0 % 10))
    };
    let outputs = [
        g.to_json(None, labels),
        g.to_csv(None, labels),
        g.to_graphml(None, labels),
        g.to_dot(None, labels),
        g.to_svg(CampaignId(1), labels),
    ];
    for text in &outputs {
        no_id_leaks(text);
        assert!(
            text.contains("person-2"),
            "the erased node keeps its place:\n{text}"
        );
        assert!(!text.contains("Name2"));
        assert!(text.contains("Name1") && text.contains("Name3"));
    }
    assert!(
        !asked.borrow().contains(&PersonId(id(2))),
        "the label closure never sees an erased id"
    );
    // Without a label, people show their pseudonym too.
    let bare = g.to_json(Some(CampaignId(2)), |_| None);
    assert!(bare.contains("\"label\":\"person-3\"") && !bare.contains("person-1"));
}

#[test]
fn pseudonyms_are_stable_as_history_grows() {
    let before = graph(&[edge(1, 50, 40, 1), edge(1, 40, 30, 2)]);
    let after = graph(&[edge(1, 50, 40, 1), edge(1, 40, 30, 2), edge(2, 10, 50, 3)]);
    let label = |p: PersonId| Some(format!("L{}", p.0));
    let keys = |g: &ReferralGraph| {
        let v: serde_json::Value = serde_json::from_str(&g.to_json(None, label)).unwrap();
        v["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| (n["key"].to_string(), n["label"].to_string()))
            .collect::<Vec<_>>()
    };
    let (old, new) = (keys(&before), keys(&after));
    assert_eq!(old[..], new[..old.len()], "older people keep their number");
    assert_eq!(new.len(), 4);
}

#[test]
fn large_campaigns_draw_the_top_and_say_how_many_more() {
    // One ambassador brings 100, each of whom brings 5: 601 people.
    let mut edges: Vec<Edge> = (1..=100).map(|i| edge(1, 0, i, i)).collect();
    edges.extend(
        (1..=100).flat_map(|i| (0..5).map(move |k| edge(1, i, 1_000 + i * 10 + k, 500 + i))),
    );
    let g = graph(&edges);
    let svg = g.to_svg(CampaignId(1), |_| None);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("circle"))
            .count(),
        MAX_SVG_NODES
    );
    assert!(svg.contains("+101 more"));
    // Every line joins two drawn people: the top keeps ancestors with their recruits.
    assert_eq!(
        doc.descendants().filter(|n| n.has_tag_name("line")).count(),
        MAX_SVG_NODES - 1
    );
    let empty = g.to_svg(CampaignId(7), |_| None);
    assert!(roxmltree::Document::parse(&empty).is_ok() && empty.contains("No referral"));
}

mod arbitrary_labels {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn any_label_keeps_every_format_well_formed(labels in prop::collection::vec(any::<String>(), 3)) {
            let g = graph(&[edge(1, id(0), id(1), 1), edge(1, id(1), id(2), 2)]);
            let label = |p: PersonId| labels.get((p.0 - id(0)) as usize).cloned();
            let xml = g.to_graphml(None, label);
            prop_assert!(roxmltree::Document::parse(&xml).is_ok(), "{}", xml);
            let svg = g.to_svg(CampaignId(1), label);
            prop_assert!(roxmltree::Document::parse(&svg).is_ok(), "{}", svg);
            let dot = g.to_dot(None, label);
            prop_assert_eq!(dot.lines().count(), 2 + 3 + 2);
            for line in dot.lines().skip(1).take(3) {
                let body = line.split_once("[label=\"").map(|(_, rest)| rest).unwrap_or("");
                let body = body.strip_suffix("\"];").unwrap_or_else(|| panic!("{line:?}"));
                dot_unescape(body);
            }
            let rows = parse_csv(&g.to_csv(None, label));
            prop_assert_eq!(rows.len(), 3);
            prop_assert!(rows.iter().all(|r| r.len() == 4));
            for cell in rows[1..].iter().flat_map(|r| [&r[1], &r[2]]) {
                prop_assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "{:?}", cell);
            }
            let json: serde_json::Value = serde_json::from_str(&g.to_json(None, label)).unwrap();
            prop_assert_eq!(json["nodes"].as_array().map(Vec::len), Some(3));
        }
    }
}
