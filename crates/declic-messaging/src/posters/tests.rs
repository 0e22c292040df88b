//! Rendering rules: every input gives a PDF or a clear error, and layouts fit the page.
#![expect(clippy::unwrap_used, reason = "tests")]

use super::layout::Measure;
use super::*;

fn mission(i: usize) -> PosterMission {
    PosterMission {
        title: format!("Mission {i} : stratégie numérique pour une épicerie solidaire"),
        format: "Marathon de compétences".into(),
        dates: "jeudi 5 juin 2031, 09:00–17:30 (Europe/Paris)".into(),
        place: "12 rue des Lilas, Paris".into(),
    }
}

fn poster(missions: usize) -> PosterSpec {
    PosterSpec {
        title: "Printemps solidaire".into(),
        key_message: "Vos compétences comptent.\nUne journée suffit.".into(),
        missions: (1..=missions).map(mission).collect(),
        deadline: Some("vendredi 30 mai 2031".into()),
        qr_url: "https://declic.example.com/c/abcdefghjkmn".into(),
        link_text: "declic.example.com/c/abcdefghjkmn".into(),
        logo: None,
        lang: Lang::Fr,
        size: PosterSize::A4,
    }
}

fn flyer(name: &str) -> FlyerSpec {
    FlyerSpec {
        ambassador_name: name.into(),
        photo: None,
        qr_url: "https://declic.example.com/c/pqrstuvwxyz2".into(),
        link_text: "declic.example.com/c/pqrstuvwxyz2".into(),
        campaign_title: "Printemps solidaire".into(),
        lang: Lang::En,
        size: FlyerSize::A6,
    }
}

fn is_pdf(bytes: &[u8]) -> bool {
    bytes.starts_with(b"%PDF-") && bytes.trim_ascii_end().ends_with(b"%%EOF")
}

/// Page objects: `/Type/Page` not followed by `s` (that is the page tree).
fn pages(bytes: &[u8]) -> usize {
    bytes
        .windows(11)
        .filter(|w| w.starts_with(b"/Type/Page") && w[10] != b's')
        .count()
}

/// The body layout of `spec` on its page, as `poster::draw` measures it.
fn body(spec: &PosterSpec, height: f32) -> poster::Body {
    let s = if spec.size == PosterSize::A3 {
        std::f32::consts::SQRT_2
    } else {
        1.0
    };
    poster::Body::layout(fonts::faces().unwrap(), spec, s, 515.0 * s, height * s).unwrap()
}

#[test]
fn posters_render_in_both_sizes_and_languages() {
    for size in [PosterSize::A4, PosterSize::A3] {
        for lang in [Lang::Fr, Lang::En] {
            let spec = PosterSpec {
                size,
                lang,
                ..poster(3)
            };
            let pdf = render_poster(&spec).unwrap();
            assert!(is_pdf(&pdf));
            assert_eq!(pages(&pdf), 1);
        }
    }
    let sites: Vec<PosterSpec> = (0..5).map(|_| poster(2)).collect();
    assert_eq!(pages(&render_posters(&sites).unwrap()), 5);
}

#[test]
fn forty_missions_show_what_fits_then_and_n_more() {
    let spec = poster(40);
    let b = body(&spec, 480.0);
    let shown = b.missions.len();
    assert!((3..40).contains(&shown), "{shown}");
    let more = b.more.unwrap().lines.join(" ");
    assert_eq!(
        more,
        format!(
            "et {} autres missions : voir declic.example.com/c/abcdefghjkmn",
            40 - shown
        )
    );
    // A3 has room for more of them.
    let a3 = body(
        &PosterSpec {
            size: PosterSize::A3,
            ..poster(40)
        },
        480.0,
    );
    assert!(a3.missions.len() >= shown);
    // One left out says "1 more", in the poster's language.
    let en = PosterSpec {
        lang: Lang::En,
        ..poster(shown + 1)
    };
    let more = body(&en, 480.0).more.unwrap().lines.join(" ");
    assert!(more.starts_with("and 1 more mission: see"), "{more}");
    // All fit: no line.
    assert!(body(&poster(2), 480.0).more.is_none());
    assert!(is_pdf(&render_poster(&spec).unwrap()));
}

#[test]
fn long_titles_shrink_and_stay_whole() {
    let title = "Grande campagne de mécénat de compétences — édition d'été ".repeat(6);
    let title = title.trim().to_owned();
    assert!(title.chars().count() >= 290);
    let spec = PosterSpec {
        title: title.clone(),
        ..poster(40)
    };
    let b = body(&spec, 480.0);
    assert!(b.title.size < 46.0);
    assert_eq!(b.title.lines.join(" "), title);
    assert!(
        b.title
            .lines
            .iter()
            .all(|l| fonts::faces().unwrap().bold.width(l, b.title.size) <= 515.0)
    );
    assert!(b.more.is_some(), "the missions give way, with the link");
    assert!(is_pdf(&render_poster(&spec).unwrap()));
    // A title that cannot fit even in small print is refused, naming the field.
    let huge = PosterSpec {
        title: "mot ".repeat(5000),
        ..poster(1)
    };
    let err = render_poster(&huge).unwrap_err();
    assert_eq!(err.field(), Some("title"));
}

#[test]
fn hostile_texts_render() {
    let spec = PosterSpec {
        title: "🎉 Solidarité \u{202E}اهلا\u{202C} שלום ✨ Ελπίδα Łódź Ærø".into(),
        key_message: "\0\u{7}\r\n\t<script>&amp;\u{FEFF}".into(),
        missions: vec![PosterMission {
            title: "x".repeat(300),
            format: String::new(),
            dates: "👩\u{200D}💻".into(),
            place: "مكتب".into(),
        }],
        deadline: None,
        logo: None,
        ..poster(0)
    };
    assert!(is_pdf(&render_poster(&spec).unwrap()));
    let names = [
        "Zoé Lefèvre",
        "Ægir Ørsted-Łukasz",
        "محمد علي",
        "李小龙",
        "🦄",
        "",
        &"é".repeat(200),
    ];
    let flyers: Vec<FlyerSpec> = names.iter().map(|n| flyer(n)).collect();
    let pdf = render_flyers(&flyers).unwrap();
    assert!(is_pdf(&pdf));
    assert_eq!(pages(&pdf), names.len());
}

#[test]
fn corrupt_logos_and_photos_are_clear_errors() {
    let spec = PosterSpec {
        logo: Some(b"\x89PNG\r\n\x1a\ngarbage".to_vec()),
        ..poster(1)
    };
    let err = render_poster(&spec).unwrap_err();
    assert!(matches!(err, PosterError::Logo(_)), "{err}");
    assert_eq!(err.field(), Some("logo"));
    let f = FlyerSpec {
        photo: Some(b"<svg".to_vec()),
        ..flyer("Zoé")
    };
    let err = render_flyers(&[f]).unwrap_err();
    assert!(err.to_string().starts_with("photo of Zoé: "), "{err}");
    assert!(check_image(b"GIF89a").is_err());
}

#[test]
fn svg_logos_draw() {
    let svg = br##"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><rect width="120" height="40" fill="#0b6e4f"/><text x="10" y="28" font-size="20">Acm&#233;</text></svg>"##;
    assert_eq!(check_image(svg), Ok(ImageFormat::Svg));
    let spec = PosterSpec {
        logo: Some(svg.to_vec()),
        ..poster(1)
    };
    assert!(is_pdf(&render_poster(&spec).unwrap()));
}

#[test]
fn nothing_to_print_is_an_error() {
    assert!(matches!(render_flyers(&[]), Err(PosterError::Empty(_))));
    assert!(matches!(render_posters(&[]), Err(PosterError::Empty(_))));
}

#[test]
fn links_and_file_names_read_well() {
    assert_eq!(
        short_link("https://www.declic.example.com/c/abc/"),
        "declic.example.com/c/abc"
    );
    assert_eq!(
        short_link("http://localhost:8080/c/x"),
        "localhost:8080/c/x"
    );
    assert_eq!(
        file_name("poster", "Île-de-France / Siège"),
        "poster-ile-de-france-siege.pdf"
    );
    assert_eq!(file_name("poster", "🏢"), "poster.pdf");
}

#[test]
fn zip_keeps_every_file() {
    let files = vec![
        ("poster-lyon.pdf".to_owned(), b"one".to_vec()),
        ("poster-lyon.pdf".to_owned(), b"two".to_vec()),
    ];
    let bytes = zip_files(&files).unwrap();
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let names: Vec<&str> = archive.file_names().collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"poster-lyon.pdf") && names.contains(&"poster-lyon-2.pdf"));
}

#[test]
fn qr_codes_print_at_least_3_cm_wide() {
    // The code itself, without its quiet zone, for links up to 100 characters.
    for len in [40, 70, 100] {
        let url = format!("https://d.example/c/{}", "x".repeat(len - 20));
        let modules = qr::Qr::encode(&url).unwrap().modules() as f32;
        let code = |side: f32| side * modules / (modules + 2.0 * qr::QUIET_ZONE as f32) / PT_PER_MM;
        assert!(
            code(poster::QR_SIDE) >= 30.0,
            "A4 poster, {len}: {} mm",
            code(poster::QR_SIDE)
        );
        let a6 = flyer::QR_SIDE * std::f32::consts::FRAC_1_SQRT_2;
        assert!(code(a6) >= 30.0, "A6 flyer, {len}: {} mm", code(a6));
    }
}
