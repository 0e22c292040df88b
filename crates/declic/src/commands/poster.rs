//! `declic poster campaign|flyers`: the same PDFs as the API, written to a file.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use declic_app::posters::{self as build, Printing};
use declic_config::Config;
use declic_messaging::Lang;
use declic_messaging::posters::{self, FlyerSize, PosterError, PosterSize};

use super::people::user_error;
use super::{open_store, org_id};
use crate::cli::PosterCommand;

pub async fn poster(config: &Config, cmd: PosterCommand) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    match cmd {
        PosterCommand::Campaign {
            org,
            campaign,
            site,
            size,
            lang,
            out,
        } => {
            let org = org_id(&store, &org).await?;
            let size = match size.to_ascii_lowercase().as_str() {
                "a4" => PosterSize::A4,
                "a3" => PosterSize::A3,
                other => anyhow::bail!("--size {other}: use a4 or a3"),
            };
            let print = printing(config, lang.as_deref())?;
            let spec = build::campaign_poster(&store, print, org, campaign, site.as_deref(), size)
                .await
                .map_err(user_error)?;
            let url = spec.qr_url.clone();
            let pdf = render(move || posters::render_poster(&spec)).await?;
            write(&out, &pdf)?;
            println!("wrote {} (QR code: {url})", out.display());
        }
        PosterCommand::Flyers {
            org,
            campaign,
            ambassador_email,
            photo,
            size,
            lang,
            out,
        } => {
            let org = org_id(&store, &org).await?;
            let size = match size.to_ascii_lowercase().as_str() {
                "a5" => FlyerSize::A5,
                "a6" => FlyerSize::A6,
                other => anyhow::bail!("--size {other}: use a5 or a6"),
            };
            let print = printing(config, lang.as_deref())?;
            let specs = match ambassador_email.as_deref() {
                Some(email) => {
                    let mut spec =
                        build::ambassador_flyer(&store, print, org, campaign, email, size)
                            .await
                            .map_err(user_error)?;
                    if let Some(path) = &photo {
                        let bytes = std::fs::read(path)
                            .with_context(|| format!("cannot read {}", path.display()))?;
                        spec.photo = Some(bytes);
                    }
                    vec![spec]
                }
                None => build::all_ambassador_flyers(&store, print, org, campaign, size)
                    .await
                    .map_err(user_error)?,
            };
            if specs.is_empty() {
                anyhow::bail!(
                    "campaign {campaign} has no ambassador link yet: name one with --ambassador-email"
                );
            }
            let count = specs.len();
            let pdf = render(move || posters::render_flyers(&specs)).await?;
            write(&out, &pdf)?;
            println!("wrote {} ({count} flyer(s))", out.display());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn printing<'a>(config: &'a Config, lang: Option<&str>) -> anyhow::Result<Printing<'a>> {
    let lang = match lang.map(str::to_ascii_lowercase).as_deref() {
        None => None,
        Some("fr") => Some(Lang::Fr),
        Some("en") => Some(Lang::En),
        Some(other) => anyhow::bail!("--lang {other}: use fr or en"),
    };
    Ok(Printing {
        public_url: &config.server.public_url,
        lang,
        create_links: true,
    })
}

async fn render(
    job: impl FnOnce() -> Result<Vec<u8>, PosterError> + Send + 'static,
) -> anyhow::Result<Vec<u8>> {
    Ok(tokio::task::spawn_blocking(job).await??)
}

fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))
}
