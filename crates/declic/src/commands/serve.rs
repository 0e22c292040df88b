//! `declic serve`.

use std::process::ExitCode;

use anyhow::Context;
use declic_app::{App, AppCtx};
use declic_config::Config;
use declic_http::AppState;

use super::open_store;
use crate::cli::ServeArgs;

const DEFAULT_PUBLIC_URL: &str = "http://127.0.0.1:8080";

pub async fn serve(mut config: Config, args: ServeArgs) -> anyhow::Result<ExitCode> {
    if let Some(bind) = args.bind {
        config.server.bind = bind;
    }
    let store = open_store(&config).await?;
    let listener = tokio::net::TcpListener::bind(&config.server.bind)
        .await
        .with_context(|| format!("cannot listen on {}", config.server.bind))?;
    let addr = listener.local_addr()?;
    // Links printed and mailed must point where the server really listens when
    // the operator only changed the bind address.
    if config.server.public_url == DEFAULT_PUBLIC_URL {
        config.server.public_url = format!("http://{addr}");
    }
    if args.demo {
        let demo = crate::seed_demo(&store, &config).await?;
        say(&demo.instructions(&config.server.public_url));
    }
    if !config.server.public_url.starts_with("https://")
        && config.mail.transport == declic_config::MailTransport::Smtp
    {
        // Mails still carry List-Unsubscribe with a link, but mail clients offer their
        // one-click button (RFC 8058) only for an https address.
        tracing::warn!(
            public_url = %config.server.public_url,
            "the public URL is not https: mail clients will not offer one-click unsubscribe"
        );
    }
    let app =
        AppCtx::new(App::new(store, config).map_err(|e| anyhow::anyhow!("mail settings: {e}"))?);
    let scheduler = crate::start_scheduler(app.clone()).await?;
    // A person's own messages leave as soon as a request queues them.
    let lane = declic_app::outbox::lane::start(app.clone());
    let state = AppState::from_ctx(app);
    let grace = std::time::Duration::from_secs(state.config.server.shutdown_grace_secs);
    // Tests and scripts read this line to find a port chosen with --bind …:0.
    say(&format!(
        "declic listening on http://{addr}\nAPI docs: http://{addr}/api/docs\n"
    ));
    tracing::info!(%addr, "listening");
    declic_http::serve(listener, state, shutdown_signal()).await?;
    scheduler.stop().await;
    lane.stop(grace).await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}

/// Prints for the operator. A server must not die because whoever started it
/// stopped reading its output (a closed pipe makes `println!` panic).
fn say(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
