//! Command-line arguments. These commands are a stable contract: scripts depend on them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Declic: recruit colleagues into skills-based volunteering.
#[derive(Debug, Parser)]
#[command(name = "declic", version, about)]
pub struct Cli {
    /// An extra configuration file (TOML), applied over config/default.toml.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server.
    Serve(ServeArgs),
    /// Apply pending database migrations.
    Migrate,
    /// Seed a demo organisation and print how to sign in.
    Demo,
    /// Inspect the configuration.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Manage organisations.
    #[command(subcommand)]
    Org(OrgCommand),
    /// Manage admin accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Manage API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Import data.
    #[command(subcommand)]
    Import(ImportCommand),
    /// An employee's personal data: export, erase, deactivate.
    #[command(subcommand)]
    Employee(EmployeeCommand),
    /// Print campaign posters and ambassador flyers to PDF files.
    #[command(subcommand)]
    Poster(PosterCommand),
    /// Send a campaign's messages and follow them.
    #[command(subcommand)]
    Dispatch(DispatchCommand),
    /// Apply how long data is kept (`[retention]`).
    #[command(subcommand)]
    Retention(RetentionCommand),
}

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Remove what is older than its retention period, and print what went, per table
    /// (the running server does it every 10 minutes).
    Run {
        /// Change nothing; print what would go.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on, e.g. 127.0.0.1:8080 (port 0 picks a free port).
    #[arg(long, value_name = "ADDR")]
    pub bind: Option<String>,
    /// Seed a demo organisation first and print how to use it.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the effective configuration with secrets redacted.
    Show,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organisation.
    Create {
        #[arg(long)]
        slug: String,
        #[arg(long)]
        name: String,
        /// A mail domain of its employees; repeat for several.
        #[arg(long = "domain", required = true)]
        domains: Vec<String>,
        /// fr or en.
        #[arg(long, default_value = "fr")]
        language: String,
    },
    /// Add or remove an organisation's mail domains. A domain belongs to one
    /// organisation on the whole service: check that it is theirs before adding it.
    Domains {
        #[arg(long)]
        org: String,
        /// A domain to add; repeat for several.
        #[arg(long = "add")]
        add: Vec<String>,
        /// A domain to remove; repeat for several.
        #[arg(long = "remove")]
        remove: Vec<String>,
    },
    /// List organisations.
    List,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin. The password is read from standard input when it is piped;
    /// otherwise (or with --sign-in-link) a one-time sign-in link is printed.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        /// owner, campaign_manager or viewer.
        #[arg(long, default_value = "campaign_manager")]
        role: String,
        /// Print a one-time sign-in link instead of reading a password.
        #[arg(long)]
        sign_in_link: bool,
    },
    /// List an organisation's admins.
    List {
        #[arg(long)]
        org: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for an admin; prints the token alone on the last line.
    Create {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days of validity (0 = until revoked); default from configuration.
        #[arg(long)]
        days: Option<u32>,
    },
    /// Revoke an API token by id.
    Revoke {
        #[arg(long)]
        org: String,
        #[arg(long)]
        id: i64,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import employees from a CSV export (comma or semicolon, UTF-8 or Windows-1252).
    /// Exit status: 0 all rows imported, 2 some rows rejected, 1 the file could not be used.
    Employees {
        #[arg(long)]
        org: String,
        file: PathBuf,
        /// Report what would change without writing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum EmployeeCommand {
    /// Print everything held about a person as JSON.
    Export {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
    },
    /// Erase a person's data (names and addresses removed, aggregates kept).
    Erase {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
    },
    /// Let the directory import again someone erased at their request (they came back).
    AllowAgain {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
    },
    /// Mark an employee as having left the company.
    Deactivate {
        #[arg(long)]
        org: String,
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PosterCommand {
    /// A campaign poster whose QR code opens the poster's tagged link (per site with --site).
    Campaign {
        #[arg(long)]
        org: String,
        #[arg(long)]
        campaign: i64,
        /// The site the poster hangs in: its own link, so sign-ups are counted per site.
        #[arg(long)]
        site: Option<String>,
        /// a4 or a3.
        #[arg(long, default_value = "a4")]
        size: String,
        /// fr or en; default: the organisation's language.
        #[arg(long)]
        lang: Option<String>,
        /// The PDF file to write.
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
    /// Ambassador flyers: one ambassador's, or every ambassador link's (one page each).
    Flyers {
        #[arg(long)]
        org: String,
        #[arg(long)]
        campaign: i64,
        /// One ambassador by work email (their link is created on first use).
        #[arg(long)]
        ambassador_email: Option<String>,
        /// A portrait (PNG, JPEG or SVG) for the flyer; only with --ambassador-email.
        #[arg(long, value_name = "FILE", requires = "ambassador_email")]
        photo: Option<PathBuf>,
        /// a5 or a6.
        #[arg(long, default_value = "a5")]
        size: String,
        /// fr or en; default: the organisation's language.
        #[arg(long)]
        lang: Option<String>,
        /// The PDF file to write.
        #[arg(long, value_name = "FILE.pdf")]
        out: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum DispatchCommand {
    /// Show a step's message as a recipient (or a sample person) would get it.
    Preview {
        #[arg(long)]
        org: String,
        #[arg(long)]
        campaign: i64,
        /// launch, reminder or last_call.
        #[arg(long, default_value = "launch")]
        step: String,
        /// mail, slack or teams.
        #[arg(long, default_value = "mail")]
        channel: String,
        /// The recipient, by work email; default: a sample person.
        #[arg(long)]
        email: Option<String>,
        /// fr or en; default: the recipient's language.
        #[arg(long)]
        lang: Option<String>,
    },
    /// Freeze a step's audience and queue its messages; the running service sends
    /// them (or this command, with --wait).
    Send {
        #[arg(long)]
        org: String,
        #[arg(long)]
        campaign: i64,
        /// launch, reminder or last_call (the two last leave out the registered).
        #[arg(long, default_value = "launch")]
        step: String,
        /// mail, slack or teams.
        #[arg(long, default_value = "mail")]
        channel: String,
        /// Send from this process until the dispatch is finished, with a progress bar.
        #[arg(long)]
        wait: bool,
    },
    /// Stop sending a dispatch for now.
    Pause {
        #[arg(long)]
        org: String,
        id: i64,
    },
    /// Go on sending a paused dispatch.
    Resume {
        #[arg(long)]
        org: String,
        id: i64,
        /// Send from this process until the dispatch is finished, with a progress bar.
        #[arg(long)]
        wait: bool,
    },
    /// Stop a dispatch for good: what is not sent yet is cancelled.
    Cancel {
        #[arg(long)]
        org: String,
        id: i64,
    },
    /// Counts per state of a dispatch, or the organisation's dispatches.
    Status {
        #[arg(long)]
        org: String,
        /// A dispatch; without it, the latest dispatches are listed.
        id: Option<i64>,
        /// Follow the dispatch with a progress bar until it is over.
        #[arg(long, requires = "id")]
        watch: bool,
    },
}
