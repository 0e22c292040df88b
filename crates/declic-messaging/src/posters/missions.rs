//! The poster's list of missions: as many as fit, then "and N more" with the link.

use serde_json::json;

use super::fonts::Faces;
use super::layout::{Block, LINE_HEIGHT, SizeRange, fit, missions_that_fit, wrap};
use super::{PosterError, PosterMission, PosterSpec, label};

/// The missions listed on a poster and the line that names the others.
pub(super) struct MissionList {
    /// Title and details blocks of the missions that fit.
    pub(super) shown: Vec<(Block, Block)>,
    /// "and N more…", when some are left out.
    pub(super) more: Option<Block>,
}

/// The missions that fit in `room`, then the line that names the others, if any.
pub(super) fn fit_list(
    faces: &Faces,
    spec: &PosterSpec,
    s: f32,
    width: f32,
    room: f32,
) -> Result<MissionList, PosterError> {
    let total = spec.missions.len();
    let mut missions: Vec<(Block, Block)> = spec
        .missions
        .iter()
        .map(|m| mission_blocks(faces, m, s, width - INDENT * s))
        .collect();
    let heights: Vec<f32> = missions.iter().map(mission_height(s)).collect();
    let one_more = more_line(faces, spec, s, width, 1)?;
    let mut shown = missions_that_fit(&heights, room, one_more.height());
    let mut more = None;
    // The "and N more" line varies with N: step back until it fits too.
    while shown < total {
        let line = more_line(faces, spec, s, width, shown)?;
        let used: f32 = heights[..shown].iter().sum();
        if shown == 0 || used + line.height() <= room {
            more = Some(line);
            break;
        }
        shown -= 1;
    }
    missions.truncate(shown);
    Ok(MissionList {
        shown: missions,
        more,
    })
}

/// Left indent of mission texts (room for the bullet), at A4 scale.
pub(super) const INDENT: f32 = 16.0;

/// "and N more missions: see LINK" when `shown` are listed; "See the missions at LINK" when none.
pub(super) fn more_line(
    faces: &Faces,
    spec: &PosterSpec,
    s: f32,
    width: f32,
    shown: usize,
) -> Result<Block, PosterError> {
    let bold = &faces.bold;
    let count = spec.missions.len().saturating_sub(shown);
    let key = match (shown, count) {
        (0, _) => "only_link",
        (_, 1) => "more_one",
        _ => "more_many",
    };
    let link = bold.printable(&spec.link_text);
    let text = label(spec.lang, key, &json!({"count": count, "link": link}))?;
    let size = 12.0 * s;
    Ok(Block {
        lines: wrap(bold, &bold.printable(&text), size, width),
        size,
    })
}

/// A mission's height on the page, gaps included.
pub(super) fn mission_height(s: f32) -> impl Fn(&(Block, Block)) -> f32 {
    move |(t, d)| t.height() + 2.0 * s + d.height() + 10.0 * s
}

/// A mission's title (shrunk to three lines when it can) and its details line.
fn mission_blocks(faces: &Faces, m: &PosterMission, s: f32, width: f32) -> (Block, Block) {
    let (bold, regular) = (&faces.bold, &faces.regular);
    let title = bold.printable(&m.title);
    let range = SizeRange {
        max: 14.0 * s,
        min: 10.0 * s,
    };
    let title = fit(bold, &title, range, width, 3.0 * range.max * LINE_HEIGHT).unwrap_or(Block {
        lines: wrap(bold, &title, range.min, width),
        size: range.min,
    });
    let parts = [&m.format, &m.dates, &m.place];
    let details: Vec<String> = parts
        .iter()
        .map(|p| regular.printable(p))
        .filter(|p| !p.is_empty())
        .collect();
    let size = 10.5 * s;
    let details = Block {
        lines: wrap(regular, &details.join(" · "), size, width),
        size,
    };
    (title, details)
}
