//! Ambassador flyer benchmark: 1 000 personalised A5 flyers (accented names, each its own
//! link and QR code), rendered on one thread, next to two baselines in the same run:
//! encoding the 1 000 QR codes alone, and krilla writing 1 000 pages that hold one
//! rectangle each (the PDF writer's own cost per page, without text or fonts).
//!
//! Run with `cargo bench -p declic --bench flyers`. Figures are medians of `BENCH_RUNS` runs
//! (default 5); peak memory is VmHWM, reset before each measurement through
//! `/proc/self/clear_refs`. `BENCH_FLYERS` (default 1 000) changes the count.
//!
//! Without `--bench` (e.g. `cargo test --benches`) the binary exits at once.

use std::hint::black_box;
use std::time::{Duration, Instant};

use anyhow::{Context, ensure};
use declic_messaging::Lang;
use declic_messaging::posters::{FlyerSize, FlyerSpec, render_flyers, short_link};

const FIRST: &[&str] = &[
    "Élodie",
    "François",
    "Hélène",
    "Zoé",
    "Jérôme",
    "Cécile",
    "Noël",
    "Loïc",
    "Gaëlle",
    "Benoît",
    "Agnès",
    "Maëlle",
    "Jean-Éric",
    "Marie-Hélène",
    "Bérénice",
    "Joël",
];
const LAST: &[&str] = &[
    "Lefèvre",
    "Dupré",
    "Bézier",
    "Mégane",
    "Château",
    "Fèvre",
    "Gérard",
    "Hervé",
    "Noël",
    "Péron",
    "Dąbrowski",
    "Ørsted",
];

fn main() -> anyhow::Result<()> {
    if !std::env::args().any(|a| a == "--bench") {
        println!("flyers bench: skipped (run it with `cargo bench -p declic --bench flyers`)");
        return Ok(());
    }
    let runs = env_or("BENCH_RUNS", 5)?;
    let n = env_or("BENCH_FLYERS", 1000)?;
    ensure!(
        runs > 0 && n > 0,
        "BENCH_RUNS and BENCH_FLYERS must be positive"
    );
    let specs = flyers(n);
    // Parse the bundled fonts and compile the labels once, outside the timings.
    render_flyers(&specs[..1]).context("warm-up")?;

    let mut rows = Vec::new();
    let mut batch_bytes = 0;
    rows.push(measure("flyers, one PDF of N pages", runs, || {
        batch_bytes = render_flyers(&specs)?.len();
        Ok(())
    })?);
    let mut single_bytes = 0;
    rows.push(measure("flyers, N one-page PDFs", runs, || {
        for spec in &specs {
            single_bytes = black_box(render_flyers(std::slice::from_ref(spec))?).len();
        }
        Ok(())
    })?);
    rows.push(measure("baseline: N QR codes encoded", runs, || {
        for spec in &specs {
            let code =
                qrcode::QrCode::with_error_correction_level(&spec.qr_url, qrcode::EcLevel::Q)?;
            black_box(code.to_colors());
        }
        Ok(())
    })?);
    rows.push(measure(
        "baseline: krilla, N one-rectangle pages",
        runs,
        || {
            black_box(rectangle_pages(n)?);
            Ok(())
        },
    )?);

    println!("flyers bench: {n} A5 flyers, {runs} run(s), one thread");
    println!(
        "PDF size: {:.1} MiB for the N-page file ({:.1} KiB per flyer), {:.1} KiB for a one-page file",
        batch_bytes as f64 / 1048576.0,
        batch_bytes as f64 / 1024.0 / n as f64,
        single_bytes as f64 / 1024.0
    );
    println!();
    println!("| what | median s (all N) | ms per flyer | × QR baseline | peak RSS MiB |");
    println!("|---|---:|---:|---:|---:|");
    let qr = rows[2].1;
    for (what, secs, peak) in &rows {
        println!(
            "| {what} | {secs:.3} | {:.3} | {:.1} | {} |",
            secs * 1000.0 / n as f64,
            secs / qr,
            peak.map_or("–".to_owned(), |k| format!("{:.0}", k as f64 / 1024.0)),
        );
    }
    Ok(())
}

/// Runs `job` `runs` times: the median duration and the peak RSS (KiB) over the runs.
fn measure(
    what: &'static str,
    runs: usize,
    mut job: impl FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<(&'static str, f64, Option<u64>)> {
    reset_peak_rss();
    let mut samples = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        job().with_context(|| what.to_owned())?;
        samples.push(start.elapsed());
    }
    eprintln!("  {what}: done");
    Ok((what, median(&samples), peak_rss_kib()))
}

fn flyers(n: usize) -> Vec<FlyerSpec> {
    (0..n)
        .map(|i| {
            let url = format!("https://declic.example.com/c/{}", code(i));
            FlyerSpec {
                ambassador_name: format!(
                    "{} {}",
                    FIRST[i % FIRST.len()],
                    LAST[(i / FIRST.len()) % LAST.len()]
                ),
                photo: None,
                link_text: short_link(&url),
                qr_url: url,
                campaign_title: "Printemps solidaire : vos compétences au service d'associations"
                    .into(),
                lang: if i.is_multiple_of(2) {
                    Lang::Fr
                } else {
                    Lang::En
                },
                size: FlyerSize::A5,
            }
        })
        .collect()
}

/// A distinct 12-character link code per flyer, from the links' alphabet.
fn code(i: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut x = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (0..12)
        .map(|_| {
            let c = ALPHABET[(x % ALPHABET.len() as u64) as usize];
            x /= ALPHABET.len() as u64;
            x ^= 0x2545_F491_4F6C_DD1D;
            char::from(c)
        })
        .collect()
}

fn rectangle_pages(n: usize) -> anyhow::Result<Vec<u8>> {
    use krilla::geom::{PathBuilder, Rect};
    use krilla::page::PageSettings;
    let mut doc = krilla::Document::new();
    for _ in 0..n {
        let settings = PageSettings::from_wh(419.5, 595.3).context("page size")?;
        let mut page = doc.start_page_with(settings);
        let mut surface = page.surface();
        let mut pb = PathBuilder::new();
        pb.push_rect(Rect::from_xywh(30.0, 30.0, 200.0, 20.0).context("rect")?);
        if let Some(path) = pb.finish() {
            surface.draw_path(&path);
        }
        surface.finish();
        page.finish();
    }
    doc.finish().map_err(|e| anyhow::anyhow!("{e:?}"))
}

fn median(samples: &[Duration]) -> f64 {
    let mut s: Vec<f64> = samples.iter().map(Duration::as_secs_f64).collect();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

/// Writing 5 to clear_refs resets the peak (Linux ≥ 4.0); ignored elsewhere.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident set size of this process since the last reset, in KiB.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

fn env_or(var: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(var) {
        Ok(v) => v
            .trim()
            .parse()
            .with_context(|| format!("{var}={v} is not a number")),
        Err(_) => Ok(default),
    }
}
