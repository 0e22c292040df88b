//! `declic dispatch preview|send|pause|resume|cancel|status`: the operator's view of
//! the delivery queue, the same operations as the API.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use declic_app::{App, AppCtx};
use declic_config::Config;
use declic_messaging::Lang;
use declic_storage::dispatches::{Dispatch, DispatchAction, delivery_status, status};
use declic_storage::{Actor, OrgId, Store};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::people::user_error;
use super::{open_store, org_id};
use crate::cli::DispatchCommand;

pub async fn dispatch(config: Config, cmd: DispatchCommand) -> anyhow::Result<ExitCode> {
    let store = open_store(&config).await?;
    match cmd {
        DispatchCommand::Preview {
            org,
            campaign,
            step,
            channel,
            email,
            lang,
        } => {
            let org = org_id(&store, &org).await?;
            let employee = match email {
                Some(e) => Some(
                    store
                        .employee_by_email(org, &e)
                        .await
                        .map_err(|_| anyhow::anyhow!("--email {e}: no such employee"))?
                        .id,
                ),
                None => None,
            };
            let lang = match lang.as_deref() {
                None => None,
                Some("fr") => Some(Lang::Fr),
                Some("en") => Some(Lang::En),
                Some(other) => anyhow::bail!("--lang {other}: use fr or en"),
            };
            let state = app(store, config)?;
            let p = declic_app::delivery_worker::preview(
                &state, org, campaign, &step, &channel, employee, lang,
            )
            .await
            .map_err(user_error)?;
            println!(
                "message: {} ({}), audience now: {}",
                p.message, p.language, p.audience
            );
            println!("subject: {}\n", p.subject);
            println!("{}", p.text);
            Ok(ExitCode::SUCCESS)
        }
        DispatchCommand::Send {
            org,
            campaign,
            step,
            channel,
            wait,
        } => {
            let org = org_id(&store, &org).await?;
            let d = store
                .dispatch_step_now(org, campaign, &channel, &step, &Actor::cli())
                .await
                .map_err(user_error)?;
            println!(
                "dispatch {} queued: {} {} to {} recipients",
                d.id, step, d.channel, d.total
            );
            if !wait {
                println!(
                    "the running service sends it; follow it with `declic dispatch status --org ... {} --watch`",
                    d.id
                );
                return Ok(ExitCode::SUCCESS);
            }
            send_until_done(app(store, config)?, org, d.id).await
        }
        DispatchCommand::Pause { org, id } => action(&store, &org, id, DispatchAction::Pause).await,
        DispatchCommand::Resume { org, id, wait } => {
            let code = action(&store, &org, id, DispatchAction::Resume).await?;
            if !wait {
                return Ok(code);
            }
            let org = org_id(&store, &org).await?;
            send_until_done(app(store, config)?, org, id).await
        }
        DispatchCommand::Cancel { org, id } => {
            action(&store, &org, id, DispatchAction::Cancel).await
        }
        DispatchCommand::Status { org, id, watch } => {
            let org = org_id(&store, &org).await?;
            let Some(id) = id else {
                let list = store.dispatches_of(org, None).await?;
                if list.is_empty() {
                    println!("no dispatch yet");
                }
                for d in list {
                    println!("{}", line(&d));
                }
                return Ok(ExitCode::SUCCESS);
            };
            let d = store.dispatch(org, id).await.map_err(user_error)?;
            if !watch {
                println!("{}", line(&d));
                return Ok(ExitCode::SUCCESS);
            }
            let bar = bar(&d);
            loop {
                let d = store.dispatch(org, id).await?;
                show(&bar, &d);
                if d.status != status::SENDING && d.status != status::PAUSED {
                    return finish(&bar, &d);
                }
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }
}

/// Runs the delivery worker in this process until the dispatch is over.
async fn send_until_done(state: AppCtx, org: OrgId, id: i64) -> anyhow::Result<ExitCode> {
    let first = state.store.dispatch(org, id).await.map_err(user_error)?;
    let bar = bar(&first);
    loop {
        // Half a second of batches between two looks at the counts.
        let tried = declic_app::delivery_worker::deliver_for(&state, Duration::from_millis(500))
            .await
            .map_err(user_error)?;
        let now = state.store.dispatch(org, id).await?;
        show(&bar, &now);
        if now.status != status::SENDING {
            return finish(&bar, &now);
        }
        if tried == 0 {
            // Only retries are left: wait for their time.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

fn app(store: Store, config: Config) -> anyhow::Result<AppCtx> {
    Ok(AppCtx::new(
        App::new(store, config).map_err(|e| anyhow::anyhow!("mail settings: {e}"))?,
    ))
}

async fn action(
    store: &Store,
    org: &str,
    id: i64,
    action: DispatchAction,
) -> anyhow::Result<ExitCode> {
    let org: OrgId = org_id(store, org).await?;
    let d = store
        .dispatch_action(org, id, action, &Actor::cli())
        .await
        .map_err(user_error)?;
    println!("{}", line(&d));
    Ok(ExitCode::SUCCESS)
}

fn count(d: &Dispatch, state: &str) -> i64 {
    d.counts.get(state).copied().unwrap_or(0)
}

/// `dispatch 12 (campaign 3, reminder, mail): sending, 4200/5000 done: sent 4190 · failed 10 · …`
fn line(d: &Dispatch) -> String {
    let counts: Vec<String> = delivery_status::ALL
        .iter()
        .map(|s| format!("{s} {}", count(d, s)))
        .collect();
    format!(
        "dispatch {} (campaign {}, {}, {}): {}, {}/{} done: {}",
        d.id,
        d.campaign_id,
        d.step_kind.as_deref().unwrap_or("announcement"),
        d.channel,
        d.status,
        done(d),
        d.total,
        counts.join(" · ")
    )
}

fn done(d: &Dispatch) -> i64 {
    count(d, delivery_status::SENT)
        + count(d, delivery_status::FAILED)
        + count(d, delivery_status::CANCELLED)
}

/// A bar on a terminal; plain lines otherwise (pipes, CI).
fn bar(d: &Dispatch) -> ProgressBar {
    let total = u64::try_from(d.total).unwrap_or(0);
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} [{bar:30}] {msg} {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

fn show(bar: &ProgressBar, d: &Dispatch) {
    bar.set_position(u64::try_from(done(d)).unwrap_or(0));
    bar.set_message(format!(
        "sent {} · retrying {} · failed {}",
        count(d, delivery_status::SENT),
        count(d, delivery_status::RETRYING),
        count(d, delivery_status::FAILED)
    ));
}

fn finish(bar: &ProgressBar, d: &Dispatch) -> anyhow::Result<ExitCode> {
    bar.finish_and_clear();
    println!("{}", line(d));
    // A dispatch with failures exits 2 so that scripts notice; see `status` for why.
    Ok(if count(d, delivery_status::FAILED) > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
