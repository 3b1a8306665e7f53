//! `relais`: the server and the operator's commands.
#![forbid(unsafe_code)]

mod config;

use clap::{Args, Parser, Subcommand};
use config::{redact_url, Overrides, Settings};
use relais::{Application, Parts};
use relais_present::Lang;
use relais_service::{Principal, ServiceConfig, ServiceError, Services, Store, SystemClock};
use relais_web::WebConfig;
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

#[derive(Parser)]
#[command(
    name = "relais",
    version,
    about = "relais — desk software for digital help requests / logiciel d'accueil des demandes d'aide numérique"
)]
struct Cli {
    /// Configuration file (TOML). Default: ./relais.toml when present.
    #[arg(long, global = true, env = "RELAIS_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone, Default)]
struct DbArg {
    /// Database URL: sqlite://FILE or postgres://USER@HOST/DB.
    #[arg(long)]
    database: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        #[command(flatten)]
        db: DbArg,
        /// Load the demo data first and do not require a second factor.
        #[arg(long)]
        demo: bool,
    },
    /// Create or update the database schema, then build the statistics
    /// roll-ups it left to build.
    Migrate {
        #[command(flatten)]
        db: DbArg,
    },
    /// Load the demo data (idempotent).
    #[cfg(feature = "demo")]
    Demo {
        #[command(flatten)]
        db: DbArg,
    },
    /// Manage structures.
    Structure {
        #[command(subcommand)]
        command: StructureCommand,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The audit journal.
    Journal {
        #[command(subcommand)]
        command: JournalCommand,
    },
    /// Data keys that encrypt notes, intervention texts, signatures and scans.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Generate a realistic dataset for benchmarks: structures gen-1 …
    /// gen-S, each with agent@gen-N.test (password printed). Needs the
    /// data key, like serve.
    #[cfg(feature = "demo")]
    Gen {
        /// A named size: departement or national (the flags below then
        /// only change the seed).
        #[arg(long)]
        size: Option<String>,
        #[arg(long)]
        structures: Option<u32>,
        #[arg(long)]
        persons: Option<u64>,
        #[arg(long)]
        requests: Option<u64>,
        /// The random seed: the same seed gives the same dataset.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        db: DbArg,
    },
    /// Import reference data.
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Write a structure's monthly activity report as PDF.
    Report {
        /// The structure's slug.
        #[arg(long)]
        structure: String,
        /// The month, YYYY-MM.
        #[arg(long)]
        month: String,
        /// Where to write the PDF.
        #[arg(long)]
        out: std::path::PathBuf,
        /// The report's language: fr (default) or en.
        #[arg(long, default_value = "fr")]
        lang: String,
        #[command(flatten)]
        db: DbArg,
    },
    /// Apply the retention periods now: anonymise the files past their
    /// period, remove expired sessions and spent codes (the server does it
    /// daily).
    Purge {
        /// Only list what would be anonymised; change nothing.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Print a new random data key (64 hexadecimal characters).
    Generate,
    /// Re-encrypt everything under the current key (RELAIS_DATA_KEY); the
    /// old key must be given in RELAIS_PREVIOUS_DATA_KEYS until this has run.
    Rotate {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum StructureCommand {
    /// Create a structure.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        slug: String,
        /// ccas, conseil_departemental, france_services, association or other.
        #[arg(long)]
        kind: String,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account in a structure (or add an existing one to it).
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Slug of the structure.
        #[arg(long)]
        structure: String,
        /// agent, mediator, supervisor or admin.
        #[arg(long)]
        role: String,
        /// Read the password from standard input (first line).
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArg,
    },
    /// Print a one-time password-reset link for an account, whatever its
    /// structures (valid 72 hours).
    ResetLink {
        #[arg(long)]
        email: String,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a personal API token; prints the token alone on stdout.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "cli")]
        label: String,
        /// Slug of the structure (default: the account's first one).
        #[arg(long)]
        structure: Option<String>,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Import places people can be referred to; a second import of the
    /// same file changes nothing.
    Places {
        /// lmn (lieux de médiation numérique: CSV per the Table Schema, or
        /// the JSON arrays of the real exports), data-inclusion (JSON, v1
        /// structures and services, or v0) or france-services (the national
        /// list of sites, CSV).
        #[arg(long)]
        format: String,
        /// The file to import.
        file: std::path::PathBuf,
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Subcommand)]
enum JournalCommand {
    /// Check the hash chains; exit 0 when intact, 1 naming the first broken entry.
    Verify {
        /// An anchor written by `relais journal anchor` (or the server's
        /// daily anchor): also fail when a chain is missing or behind it.
        #[arg(long)]
        anchor: Option<PathBuf>,
        #[command(flatten)]
        db: DbArg,
    },
    /// Write the chains' current heads, authenticated with a key derived
    /// from the data key, to keep outside the database.
    Anchor {
        /// The file to write (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        db: DbArg,
    },
}

/// How a command ends: 2 for bad usage or configuration, 1 for a failed
/// operation.
enum Failure {
    Usage(String),
    Failed(String),
}

type CmdResult = Result<(), Failure>;

fn operator_lang() -> Lang {
    let lang = std::env::var("LC_ALL")
        .ok()
        .filter(|v| !v.is_empty())
        .or_else(|| std::env::var("LANG").ok())
        .unwrap_or_default();
    if lang.starts_with("fr") {
        Lang::Fr
    } else {
        Lang::En
    }
}

fn service_failure(e: ServiceError) -> Failure {
    let lang = operator_lang();
    match e {
        ServiceError::Invalid(errs) => Failure::Usage(
            errs.iter()
                .map(|f| {
                    format!(
                        "--{}: {}",
                        f.field.replace('_', "-"),
                        lang.field_error(f.code)
                    )
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        ServiceError::Conflict(f) => Failure::Failed(format!(
            "--{}: {}",
            f.field.replace('_', "-"),
            lang.field_error(f.code)
        )),
        ServiceError::Store(e) => Failure::Failed(format!("database error: {e}")),
        other => Failure::Failed(other.to_string()),
    }
}

fn settings(
    cli_config: Option<&PathBuf>,
    listen: Option<String>,
    db: &DbArg,
) -> Result<Settings, Failure> {
    Settings::load(
        cli_config.map(|p| p.as_path()),
        &Overrides {
            listen,
            database_url: db.database.clone(),
        },
    )
    .map_err(Failure::Usage)
}

/// Opens the store with the configured data keys and checks that they
/// open what the database holds. Without a key, only demonstration mode
/// runs (on the well-known demonstration key).
async fn open_sealed_store(s: &Settings, demo_allowed: bool) -> Result<Store, Failure> {
    let vault = s.vault(demo_allowed).map_err(Failure::Usage)?;
    if vault.is_demo() {
        tracing::warn!(
            "no data key configured: using the demonstration key, which protects nothing"
        );
    }
    let store = open_store(s).await?.with_vault(vault);
    services(store.clone(), s, demo_allowed)
        .check_data_keys()
        .await
        .map_err(|e| match e {
            ServiceError::Store(e @ relais_service::StoreError::UnknownKeys(_)) => {
                Failure::Usage(e.to_string())
            }
            other => Failure::Failed(format!("database error: {other}")),
        })?;
    Ok(store)
}

async fn open_store(s: &Settings) -> Result<Store, Failure> {
    let store = Store::connect(&s.database_url).await.map_err(|e| {
        Failure::Usage(format!(
            "cannot open the database {}: {e}",
            redact_url(&s.database_url)
        ))
    })?;
    store
        .migrate()
        .await
        .map_err(|e| Failure::Usage(format!("{e}")))?;
    Ok(store)
}

/// The parts of the application, from the settings.
fn parts(store: Store, s: &Settings, demo: bool) -> Parts {
    // Commands that did not load keys still use the configured one.
    let store = if store.vault().is_demo() {
        match s.vault(true) {
            Ok(v) => store.with_vault(v),
            Err(_) => store,
        }
    } else {
        store
    };
    use relais_service::notify::{FileNotifier, LogNotifier, Notifier};
    let notifier: Arc<dyn Notifier> = if let Some(path) = s.notifier.strip_prefix("file:") {
        Arc::new(FileNotifier::new(path))
    } else {
        // An SMTP URL was validated when the settings were loaded.
        match s.smtp_notifier() {
            Ok(n) => Arc::new(n),
            Err(_) => Arc::new(LogNotifier),
        }
    };
    Parts {
        store,
        clock: Arc::new(SystemClock),
        config: ServiceConfig {
            require_totp: s.require_totp && !demo,
            session_idle: s.session_idle(),
            session_absolute: chrono::Duration::hours(s.session_absolute_hours),
            public_url: s.public_url(),
            // Reminder e-mails go out through a real channel only.
            reminder_emails: s.notifier != "log",
            ..ServiceConfig::default()
        },
        notifier,
    }
}

fn services(store: Store, s: &Settings, demo: bool) -> Services {
    parts(store, s, demo).services()
}

/// Runs one use case of a command on the database of the settings (with
/// the data keys checked when `sealed`), then closes it.
async fn with_services<T, F, Fut>(s: &Settings, sealed: bool, use_case: F) -> Result<T, Failure>
where
    F: FnOnce(Services) -> Fut,
    Fut: std::future::Future<Output = Result<T, ServiceError>>,
{
    let store = if sealed {
        open_sealed_store(s, false).await?
    } else {
        open_store(s).await?
    };
    let r = use_case(services(store.clone(), s, false))
        .await
        .map_err(service_failure);
    store.close().await;
    r
}

/// The folder of the daily anchor, which must exist.
fn anchor_dir(s: &Settings) -> Result<Option<PathBuf>, Failure> {
    if s.journal_anchor_dir.is_empty() {
        return Ok(None);
    }
    let dir = PathBuf::from(&s.journal_anchor_dir);
    if !dir.is_dir() {
        return Err(Failure::Usage(format!(
            "journal_anchor_dir {} is not a folder",
            dir.display()
        )));
    }
    Ok(Some(dir))
}

/// `--demo` goes only into an empty or demonstration database; checked
/// before the keys are recorded or anything else is written.
#[cfg(feature = "demo")]
async fn claim_demo_database(s: &Settings) -> CmdResult {
    let store = open_store(s).await?;
    let r = services(store.clone(), s, true)
        .claim_demo_database()
        .await
        .map_err(service_failure);
    store.close().await;
    r
}

async fn serve(s: Settings, demo: bool) -> CmdResult {
    relais_service::catalog::Catalog::shipped()
        .map_err(|e| Failure::Usage(format!("invalid procedures catalogue: {e}")))?;
    let anchor_dir = anchor_dir(&s)?;
    #[cfg(not(feature = "demo"))]
    if demo {
        return Err(Failure::Usage(
            "this relais is built without the demo".into(),
        ));
    }
    #[cfg(feature = "demo")]
    if demo {
        claim_demo_database(&s).await?;
    }
    let store = open_sealed_store(&s, demo).await?;
    refresh_planner(&store).await;
    let addr = s.listen_addr();
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| Failure::Usage(format!("cannot listen on {addr}: {e}")))?;
    let app = Application::build(
        listener,
        parts(store.clone(), &s, demo),
        WebConfig {
            tls: s.tls,
            login_attempts_per_ip: s.login_attempts_per_ip,
            ..WebConfig::default()
        },
    );
    #[cfg(feature = "demo")]
    if demo {
        app.services()
            .ensure_demo()
            .await
            .map_err(service_failure)?;
        tracing::info!("demo data ready: sign in as agent@demoville.test");
    }
    tokio::spawn(housekeeping(app.services().clone(), anchor_dir));
    tokio::spawn(stats_rollups(app.services().clone()));
    tracing::info!(
        "relais listening on http://{} ({:?} database)",
        app.local_addr().map(|a| a.to_string()).unwrap_or_default(),
        store.backend()
    );
    app.run(shutdown_signal())
        .await
        .map_err(|e| Failure::Failed(format!("server error: {e}")))?;
    store.close().await;
    Ok(())
}

/// The statistics roll-ups: stale days before today are rebuilt at start,
/// then every minute (figures never wait for it: a stale day is counted
/// from the desk's rows until it is rebuilt).
async fn stats_rollups(services: Services) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tick.tick().await;
        let started = std::time::Instant::now();
        match services.rebuild_stats(usize::MAX).await {
            Ok(0) => {}
            Ok(days) => tracing::info!(
                days,
                ms = started.elapsed().as_millis() as u64,
                "statistics roll-ups rebuilt"
            ),
            Err(e) => tracing::warn!(error = %e, "statistics roll-up job failed"),
        }
    }
}

/// The server's background jobs: the retention job ten minutes after the
/// start and then once a day; reminders, the daily anchor and housekeeping at start and
/// every ten minutes.
async fn housekeeping(services: Services, anchor_dir: Option<PathBuf>) {
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(600));
    // The retention job reads every structure's files: its first run waits
    // for the second tick (ten minutes), so that a start stays light.
    let mut last_retention: Option<std::time::Instant> = None;
    let mut first = true;
    loop {
        tick.tick().await;
        let first_tick = std::mem::take(&mut first);
        if !first_tick && last_retention.is_none_or(|t| t.elapsed().as_secs() >= 24 * 3600) {
            last_retention = Some(std::time::Instant::now());
            match services.run_retention(false).await {
                Ok(r) => tracing::info!(
                    anonymised = r.anonymised.len(),
                    sessions_and_links = r.sessions_and_links_removed,
                    spent_codes = r.spent_codes_cleared,
                    "retention job"
                ),
                Err(e) => tracing::warn!(error = %e, "retention job failed"),
            }
        }
        // Reminders: due follow-ups become notifications (once each);
        // e-mails that failed are retried with back-off.
        match services.run_reminders().await {
            Ok(r) if r.created + r.emailed + r.email_failures > 0 => tracing::info!(
                created = r.created,
                emailed = r.emailed,
                email_failures = r.email_failures,
                "reminder job"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "reminder job failed"),
        }
        if let Some(dir) = &anchor_dir {
            match write_daily_anchor(&services, dir).await {
                Ok(true) => tracing::info!("daily journal anchor written"),
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "daily journal anchor failed"),
            }
        }
        match services.housekeeping().await {
            Ok(n) if n > 0 => tracing::info!(removed = n, "housekeeping"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "housekeeping failed"),
        }
    }
}

/// `relais journal verify [--anchor FILE]`.
async fn verify_journal(s: &Settings, anchor: Option<&std::path::Path>) -> CmdResult {
    let anchor = match anchor {
        None => None,
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
            Some(
                relais_service::JournalAnchor::parse(&text)
                    .map_err(|e| Failure::Usage(format!("{}: {e}", path.display())))?,
            )
        }
    };
    let store = open_store(s).await?;
    let r = services(store.clone(), s, false)
        .verify_journal_with(anchor.as_ref())
        .await
        .map_err(service_failure);
    store.close().await;
    let report = r?;
    if let Some(why) = report.anchor_refused {
        return Err(Failure::Failed(format!("anchor refused: {why}")));
    }
    match report.broken {
        None => {
            match &anchor {
                Some(a) => println!(
                    "journal intact: {} entries in {} chains; {} chains at or past the anchor of {}",
                    report.entries, report.chains, report.anchored_chains, a.created_at
                ),
                None => println!(
                    "journal intact: {} entries in {} chains",
                    report.entries, report.chains
                ),
            }
            Ok(())
        }
        Some(b) => Err(Failure::Failed(format!("journal BROKEN: {b}"))),
    }
}

/// Writes today's anchor (`journal-anchor-YYYY-MM-DD.json`, UTC date) into
/// `dir` unless it is there: written to a temporary file, then linked
/// under its name, so that with several servers on one folder the first
/// one wins and no reader sees half a file.
async fn write_daily_anchor(services: &Services, dir: &std::path::Path) -> Result<bool, String> {
    let name = format!(
        "journal-anchor-{}.json",
        chrono::Utc::now().format("%Y-%m-%d")
    );
    let path = dir.join(&name);
    if path.exists() {
        return Ok(false);
    }
    let anchor = services.journal_anchor().await.map_err(|e| e.to_string())?;
    let tmp = dir.join(format!(".{name}.{}", uuid::Uuid::now_v7().simple()));
    std::fs::write(&tmp, anchor.to_json()).map_err(|e| e.to_string())?;
    let linked = std::fs::hard_link(&tmp, &path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(e.to_string()),
    }
}

/// Resolves on Ctrl-C or SIGTERM (what service managers send).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    tracing::info!("shutting down");
}

fn read_password_stdin() -> Result<String, Failure> {
    let mut buf = String::new();
    std::io::stdin()
        .read_to_string(&mut buf)
        .map_err(|e| Failure::Usage(format!("cannot read the password from stdin: {e}")))?;
    let pw = buf.lines().next().unwrap_or_default().to_owned();
    if pw.is_empty() {
        return Err(Failure::Usage("no password on standard input".into()));
    }
    Ok(pw)
}

/// One function per command; each reads its settings.
async fn run(cli: Cli) -> CmdResult {
    let cfg = cli.config.as_ref();
    let load = |db: &DbArg| settings(cfg, None, db);
    match cli.command {
        Command::Serve { listen, db, demo } => serve(settings(cfg, listen, &db)?, demo).await,
        Command::Migrate { db } => migrate(&load(&db)?).await,
        #[cfg(feature = "demo")]
        Command::Demo { db } => demo(&load(&db)?).await,
        Command::Structure {
            command:
                StructureCommand::Add {
                    name,
                    slug,
                    kind,
                    db,
                },
        } => structure_add(&load(&db)?, name, slug, kind).await,
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    name,
                    structure,
                    role,
                    password_stdin: _,
                    db,
                },
        } => user_add(&load(&db)?, email, name, structure, role).await,
        Command::User {
            command: UserCommand::ResetLink { email, db },
        } => user_reset_link(&load(&db)?, email).await,
        Command::Token {
            command:
                TokenCommand::Create {
                    email,
                    label,
                    structure,
                    db,
                },
        } => token_create(&load(&db)?, email, label, structure).await,
        Command::Keys {
            command: KeysCommand::Generate,
        } => keys_generate(),
        Command::Keys {
            command: KeysCommand::Rotate { db },
        } => keys_rotate(&load(&db)?).await,
        #[cfg(feature = "demo")]
        Command::Gen {
            size,
            structures,
            persons,
            requests,
            seed,
            db,
        } => {
            let spec = gen_spec(size.as_deref(), structures, persons, requests, seed)?;
            gen(&load(&db)?, spec).await
        }
        Command::Import {
            command: ImportCommand::Places { format, file, db },
        } => import_places(cfg, &db, &format, &file).await,
        Command::Report {
            structure,
            month,
            out,
            lang,
            db,
        } => {
            let lang =
                Lang::parse(&lang).ok_or_else(|| Failure::Usage("--lang: fr or en".into()))?;
            report(&load(&db)?, &structure, &month, &out, lang).await
        }
        Command::Purge { dry_run, db } => purge(&load(&db)?, dry_run).await,
        Command::Journal {
            command: JournalCommand::Verify { anchor, db },
        } => verify_journal(&load(&db)?, anchor.as_deref()).await,
        Command::Journal {
            command: JournalCommand::Anchor { out, db },
        } => journal_anchor(&load(&db)?, out).await,
    }
}

/// `relais migrate`.
async fn migrate(s: &Settings) -> CmdResult {
    let store = open_store(s).await?;
    // The statistics roll-ups a migration asked to (re)build, now rather
    // than in the server's background.
    let built = build_rollups(&services(store.clone(), s, false), &store).await;
    store.close().await;
    let (days, seconds) = built?;
    eprintln!("database {} is up to date", redact_url(&s.database_url));
    if days > 0 {
        eprintln!("statistics roll-ups: {days} structure-days built in {seconds:.1} s");
    }
    Ok(())
}

/// Builds the statistics roll-ups of every stale day before today, then
/// the planner statistics of what was filled (so that the server's start
/// does not compute them); returns the days built and the seconds taken.
async fn build_rollups(svc: &Services, store: &Store) -> Result<(usize, f64), Failure> {
    let started = std::time::Instant::now();
    let days = svc
        .rebuild_stats(usize::MAX)
        .await
        .map_err(service_failure)?;
    if days > 0 {
        refresh_planner(store).await;
    }
    Ok((days, started.elapsed().as_secs_f64()))
}

/// Refreshes SQLite's planner statistics where they are missing or stale;
/// a failure only slows queries down, so it is logged.
async fn refresh_planner(store: &Store) {
    if let Err(e) = store.optimize().await {
        tracing::warn!(error = %e, "the planner statistics could not be refreshed");
    }
}

/// `relais demo`.
#[cfg(feature = "demo")]
async fn demo(s: &Settings) -> CmdResult {
    claim_demo_database(s).await?;
    let store = open_sealed_store(s, true).await?;
    let n = services(store.clone(), s, true)
        .ensure_demo()
        .await
        .map_err(service_failure)?;
    store.close().await;
    eprintln!("demo data ready ({n} new records)");
    Ok(())
}

/// `relais structure add`.
async fn structure_add(s: &Settings, name: String, slug: String, kind: String) -> CmdResult {
    let v = with_services(s, false, |svc| async move {
        svc.cli_add_structure(&name, &slug, &kind).await
    })
    .await?;
    println!("{}", v.id);
    eprintln!("structure {} created", v.slug);
    Ok(())
}

/// `relais user add --password-stdin`.
async fn user_add(
    s: &Settings,
    email: String,
    name: String,
    structure: String,
    role: String,
) -> CmdResult {
    let password = read_password_stdin()?;
    let slug = structure.clone();
    let id = with_services(s, false, |svc| async move {
        svc.cli_add_user(&email, &name, &slug, &role, &password)
            .await
    })
    .await?;
    println!("{id}");
    eprintln!("account ready in {structure}");
    Ok(())
}

/// `relais user reset-link`.
async fn user_reset_link(s: &Settings, email: String) -> CmdResult {
    let link = with_services(
        s,
        false,
        |svc| async move { svc.cli_reset_link(&email).await },
    )
    .await?;
    println!("{link}");
    Ok(())
}

/// `relais token create`.
async fn token_create(
    s: &Settings,
    email: String,
    label: String,
    structure: Option<String>,
) -> CmdResult {
    let token = with_services(s, false, |svc| async move {
        svc.cli_create_token(&email, &label, structure.as_deref())
            .await
    })
    .await?;
    println!("{token}");
    Ok(())
}

/// `relais keys generate`.
fn keys_generate() -> CmdResult {
    println!("{}", relais_service::generate_key_hex());
    Ok(())
}

/// `relais keys rotate`.
async fn keys_rotate(s: &Settings) -> CmdResult {
    let n = with_services(s, true, |svc| async move { svc.rotate_data_keys().await }).await?;
    println!(
        "{n} values re-encrypted under data key {}; previous keys may now be removed",
        s.vault(false)
            .map(|v| v.current_id().to_owned())
            .unwrap_or_default()
    );
    Ok(())
}

/// The size of `relais gen`'s dataset, from its flags.
#[cfg(feature = "demo")]
fn gen_spec(
    size: Option<&str>,
    structures: Option<u32>,
    persons: Option<u64>,
    requests: Option<u64>,
    seed: u64,
) -> Result<relais_service::GenSpec, Failure> {
    match (size, structures, persons, requests) {
        (Some("departement"), ..) => Ok(relais_service::GenSpec::departement(seed)),
        (Some("national"), ..) => Ok(relais_service::GenSpec::national(seed)),
        (Some(other), ..) => Err(Failure::Usage(format!(
            "--size: departement or national, not {other:?}"
        ))),
        (None, Some(st), Some(p), Some(r)) => Ok(relais_service::GenSpec::custom(st, p, r, seed)),
        _ => Err(Failure::Usage(
            "give --size departement|national, or --structures, --persons and --requests".into(),
        )),
    }
}

/// `relais gen`: a progress bar on the terminal, a line per tenth
/// elsewhere, then what was generated.
/// The page cache of `relais gen`'s SQLite writer, in MiB.
#[cfg(feature = "demo")]
const GEN_CACHE_MIB: u32 = 1024;

#[cfg(feature = "demo")]
async fn gen(s: &Settings, spec: relais_service::GenSpec) -> CmdResult {
    let store = open_sealed_store(s, false).await?;
    // A generated national dataset is tens of gigabytes of random-keyed
    // indexes: with SQLite's usual cache, most inserts would read pages
    // back from the file.
    store
        .widen_write_cache(GEN_CACHE_MIB)
        .await
        .map_err(|e| Failure::Failed(format!("database error: {e}")))?;
    let svc = services(store.clone(), s, false);
    let started = std::time::Instant::now();
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let last_tenth = std::sync::atomic::AtomicU64::new(u64::MAX);
    let r = svc
        .generate(&spec, |done, total| {
            let pct = (done * 100).checked_div(total).unwrap_or(100);
            let bar: String = (0..40)
                .map(|i| if i * 100 / 40 < pct { '#' } else { '.' })
                .collect();
            if tty {
                eprint!(
                    "\r[{bar}] {pct:3}% {done}/{total} requests, {:.0} s",
                    started.elapsed().as_secs_f64()
                );
            } else if last_tenth.swap(pct / 10, std::sync::atomic::Ordering::Relaxed) != pct / 10 {
                eprintln!("[{bar}] {pct:3}% {done}/{total} requests");
            }
        })
        .await
        .map_err(service_failure);
    if tty {
        eprintln!();
    }
    let generated_in = started.elapsed().as_secs_f64();
    // The statistics roll-ups of the generated days, so that the server
    // starts with them built.
    let built = match &r {
        Ok(_) => build_rollups(&svc, &store).await,
        Err(_) => Ok((0, 0.0)),
    };
    store.close().await;
    let r = r?;
    let (days, rolled) = built?;
    println!(
        "generated {} structures, {} agents, {} persons, {} requests, {} interventions, \
         {} mandates, {} follow-ups, {} journal entries in {:.1} s",
        r.structures,
        r.agents,
        r.persons,
        r.requests,
        r.interventions,
        r.mandates,
        r.follow_ups,
        r.journal_entries,
        generated_in
    );
    println!("statistics roll-ups: {days} structure-days built in {rolled:.1} s");
    println!(
        "accounts: agent@gen-1.test … agent@gen-{}.test (agent2…agent{} too; the last is \
         the supervisor) and admin@gen.test, password {}",
        r.structures,
        relais_service::AGENTS_PER_STRUCTURE,
        relais_service::GEN_PASSWORD
    );
    if let Some(p) = r.sample_person {
        println!(
            "sample_person={p} sample_requests={} sample_last_name={}",
            r.sample_person_requests, r.sample_last_name
        );
    }
    Ok(())
}

/// `relais import places`: the whole file is checked first (before the
/// settings are read), for a message that names what was expected.
async fn import_places(
    cfg: Option<&PathBuf>,
    db: &DbArg,
    format: &str,
    file: &std::path::Path,
) -> CmdResult {
    let Some(format) = relais_service::places::Format::parse(format) else {
        return Err(Failure::Usage(format!(
            "--format: lmn, data-inclusion or france-services, not {format:?}"
        )));
    };
    let bytes = read_with_progress(file)?;
    let parsed = relais_service::places::import::parse(format, &bytes, chrono::Utc::now())
        .map_err(|e| Failure::Usage(format!("{}: {e}", file.display())))?;
    drop(bytes);
    let s = settings(cfg, None, db)?;
    let store = open_store(&s).await?;
    eprintln!("saving…");
    let r = services(store.clone(), &s, false)
        .save_import(Principal::Operator, format, parsed)
        .await
        .map_err(service_failure);
    store.close().await;
    for line in report_lines(&r?) {
        println!("{line}");
    }
    Ok(())
}

/// `relais report`: the monthly activity report as PDF, written by the
/// presentation crate (no web layer involved).
async fn report(
    s: &Settings,
    structure: &str,
    month: &str,
    out: &std::path::Path,
    lang: Lang,
) -> CmdResult {
    let pdf = with_services(s, false, |svc| async move {
        relais_present::stats::monthly_report_pdf(&svc, Principal::Operator, structure, month, lang)
            .await
    })
    .await?;
    std::fs::write(out, &pdf)
        .map_err(|e| Failure::Failed(format!("cannot write {}: {e}", out.display())))?;
    eprintln!(
        "monthly report of {structure} for {month} written to {} ({} bytes)",
        out.display(),
        pdf.len()
    );
    Ok(())
}

/// `relais purge [--dry-run]`.
async fn purge(s: &Settings, dry_run: bool) -> CmdResult {
    let report = with_services(
        s,
        true,
        |svc| async move { svc.run_retention(dry_run).await },
    )
    .await?;
    for (slug, item) in &report.anonymised {
        // Ids only: names stay out of terminals and logs.
        println!(
            "{}\t{slug}\tperson {}\tlast activity {}\tdue {}",
            if dry_run {
                "would anonymise"
            } else {
                "anonymised"
            },
            item.person_id,
            item.last_activity,
            item.due_on
        );
    }
    eprintln!(
        "{} file(s) {}; {} expired sessions or links removed; {} spent codes cleared",
        report.anonymised.len(),
        if dry_run {
            "to anonymise (dry run, nothing changed)"
        } else {
            "anonymised"
        },
        report.sessions_and_links_removed,
        report.spent_codes_cleared
    );
    Ok(())
}

/// `relais journal anchor [--out FILE]`.
async fn journal_anchor(s: &Settings, out: Option<PathBuf>) -> CmdResult {
    let anchor = with_services(s, false, |svc| async move { svc.journal_anchor().await }).await?;
    match out {
        None => print!("{}", anchor.to_json()),
        Some(path) => {
            std::fs::write(&path, anchor.to_json())
                .map_err(|e| Failure::Failed(format!("cannot write {}: {e}", path.display())))?;
            eprintln!(
                "anchor of {} chains written to {}",
                anchor.heads.len(),
                path.display()
            );
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter = std::env::var("RELAIS_LOG").unwrap_or_else(|_| "info".into());
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_new(filter)
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("relais: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(m)) => {
            eprintln!("relais: {m}");
            ExitCode::from(2)
        }
        Err(Failure::Failed(m)) => {
            eprintln!("relais: {m}");
            ExitCode::from(1)
        }
    }
}

/// Reads a file, showing its progress on the terminal (standard error)
/// for files over a megabyte.
fn read_with_progress(path: &std::path::Path) -> Result<Vec<u8>, Failure> {
    use std::io::{IsTerminal, Read};
    let fail = |e: std::io::Error| Failure::Usage(format!("cannot read {}: {e}", path.display()));
    let mut f = std::fs::File::open(path).map_err(fail)?;
    let total = f.metadata().map(|m| m.len()).unwrap_or(0);
    let show = std::io::stderr().is_terminal() && total > 1 << 20;
    let mut bytes = Vec::with_capacity(total as usize);
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf).map_err(fail)?;
        if n == 0 {
            break;
        }
        bytes.extend_from_slice(&buf[..n]);
        if show {
            let done = bytes.len() as u64 * 40 / total.max(1);
            eprint!(
                "\rreading [{}{}] {:>3} %",
                "#".repeat(done as usize),
                " ".repeat(40usize.saturating_sub(done as usize)),
                bytes.len() as u64 * 100 / total.max(1)
            );
        }
    }
    if show {
        eprintln!();
    }
    Ok(bytes)
}

/// An import's report as lines a person can read: the rejected rows (50
/// at most), what was read on purpose, then the counts.
fn report_lines(r: &relais_service::places::ImportReport) -> Vec<String> {
    let mut out = Vec::new();
    for x in r.rejected.iter().take(50) {
        out.push(format!(
            "rejected\t{} {}\t{}\t{}",
            x.unit, x.line, x.field, x.reason
        ));
    }
    if r.rejected.len() > 50 {
        out.push(format!("rejected\t… and {} more", r.rejected.len() - 50));
    }
    let n = &r.notes;
    for (count, what) in [
        (n.insee_completed, "INSEE codes taken from the postcode"),
        (
            n.placeholder_dates,
            "placeholder dates (1970-01-01) read as unknown",
        ),
        (
            n.placeholder_pivots,
            "placeholder pivots (00000000000000) read as no SIRET",
        ),
        (
            n.unread_hours,
            "opening hours kept as written (beyond the syntax relais reads)",
        ),
        (
            n.placeholder_coordinates,
            "placeholder coordinates (0, 0) read as unknown",
        ),
    ] {
        if count > 0 {
            out.push(format!("note\t{count} {what}"));
        }
    }
    for (term, count) in n.unknown_terms.iter().take(20) {
        out.push(format!(
            "note\tunknown term, ignored in {count} rows: {term}"
        ));
    }
    if n.unknown_terms.len() > 20 {
        out.push(format!(
            "note\t… and {} other unknown terms",
            n.unknown_terms.len() - 20
        ));
    }
    let s = r.services.unwrap_or_default();
    if r.services.is_some() {
        out.push(format!(
            "places: {} new, {} updated, {} unchanged",
            r.new, r.updated, r.unchanged
        ));
        out.push(format!(
            "services: {} new, {} updated, {} unchanged",
            s.new, s.updated, s.unchanged
        ));
    }
    out.push(format!(
        "{} rows: {} new, {} updated, {} unchanged, {} rejected; {} with an INSEE code \
         missing from the official list of communes",
        r.rows,
        r.new + s.new,
        r.updated + s.updated,
        r.unchanged + s.unchanged,
        r.rejected.len(),
        n.unknown_insee
    ));
    out
}
