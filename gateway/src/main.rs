//! The `boxoffice` binary: `serve`, `backup`, `migrate` and `admin create`. Thin: it parses the command
//! line, loads configuration, installs telemetry and hands over to the library.

use std::path::PathBuf;

use anyhow::Context;
use boxoffice_gateway::config::{Overrides, Settings};
use boxoffice_gateway::startup::{Application, shutdown_signal};
use boxoffice_gateway::store::Store;
use boxoffice_gateway::{demo, telemetry};
use clap::{Parser, Subcommand};

/// mimalloc instead of the system allocator: the request path allocates small short-lived
/// buffers on every thread, and glibc's malloc/free were ~10 % of the server's CPU under
/// the booking bench (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// boxoffice: a cinema booking platform (HTTP API, booking engine, embedded storage).
#[derive(Debug, Parser)]
#[command(
    name = "boxoffice",
    version,
    after_help = "Settings are layered: defaults, then the TOML file, then BOXOFFICE_<SECTION>__<KEY> \
                  environment variables, then flags. Every key is in docs/configuration.md. Logs: RUST_LOG."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the HTTP server until SIGINT or SIGTERM.
    Serve {
        /// Seed demo films, auditoriums, a week of showtimes and a demo customer when the
        /// catalog is empty, and print the demo customer's token.
        #[arg(long)]
        demo: bool,
        /// Configuration file (TOML). Default: ./boxoffice.toml if it exists.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Listen address, e.g. 127.0.0.1:8080 (overrides server.bind).
        #[arg(long, value_name = "ADDR")]
        bind: Option<String>,
        /// Data directory: the database becomes DIR/boxoffice.db (overrides storage.url).
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
        /// PEM certificate chain: serve HTTPS (with --tls-key; overrides tls.cert_file).
        #[arg(long, value_name = "FILE", requires = "tls_key")]
        tls_cert: Option<PathBuf>,
        /// PEM private key of --tls-cert (overrides tls.key_file).
        #[arg(long, value_name = "FILE", requires = "tls_cert")]
        tls_key: Option<PathBuf>,
        /// Also listen for plain HTTP on ADDR and redirect it to HTTPS (tls.redirect_http_bind).
        #[arg(long, value_name = "ADDR", requires = "tls_cert")]
        redirect_http: Option<String>,
    },
    /// Manage accounts without a running server.
    Admin {
        #[command(subcommand)]
        command: boxoffice_gateway::accounts::bootstrap::AdminCommand,
    },
    /// Write a consistent copy of the database to DEST; safe while a server is running.
    Backup {
        /// Destination file of the copy.
        #[arg(value_name = "DEST")]
        dest: PathBuf,
        /// Configuration file (TOML). Default: ./boxoffice.toml if it exists.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Data directory of the database to copy (overrides storage.url).
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
    },
    /// Create the database if needed and apply pending schema migrations.
    Migrate {
        /// Configuration file (TOML). Default: ./boxoffice.toml if it exists.
        #[arg(long, value_name = "FILE")]
        config: Option<PathBuf>,
        /// Data directory of the database (overrides storage.url).
        #[arg(long, value_name = "DIR")]
        data_dir: Option<PathBuf>,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    telemetry::init();
    let runtime =
        || tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("cannot build the tokio runtime");
    let system = actix_rt::System::with_tokio_rt(runtime);
    match cli.command {
        Command::Serve { demo, config, bind, data_dir, tls_cert, tls_key, redirect_http } => {
            let mut settings = Settings::load(config.as_deref(), &Overrides { bind, data_dir })?;
            if tls_cert.is_some() {
                (settings.tls.cert_file, settings.tls.key_file) = (tls_cert, tls_key);
            }
            settings.tls.redirect_http_bind = redirect_http.or(settings.tls.redirect_http_bind);
            settings.validate()?;
            system.block_on(serve(settings, demo))
        }
        Command::Admin { command } => {
            system.block_on(boxoffice_gateway::accounts::bootstrap::run(command)).map_err(anyhow::Error::msg)
        }
        Command::Backup { dest, config, data_dir } => {
            let settings = Settings::load(config.as_deref(), &Overrides { bind: None, data_dir })?;
            system.block_on(backup(settings, dest))
        }
        Command::Migrate { config, data_dir } => {
            let settings = Settings::load(config.as_deref(), &Overrides { bind: None, data_dir })?;
            system.block_on(migrate(settings))
        }
    }
}

async fn serve(settings: Settings, seed_demo: bool) -> anyhow::Result<()> {
    let data_dir = settings.storage.location()?.data_dir();
    let app = Application::build(settings).await.context("start-up failed")?;
    if seed_demo {
        let report = demo::seed(app.state(), &data_dir).await.map_err(|e| anyhow::anyhow!("demo data: {e}"))?;
        if report.seeded {
            println!(
                "demo data: {} films, {} auditoriums, {} showtimes",
                report.films, report.auditoriums, report.showtimes
            );
        } else {
            println!("demo data: catalog not empty, nothing seeded");
        }
        match &report.customer_token {
            Some(token) => println!("demo customer token: {token}  (also in {})", report.token_file.display()),
            None => println!("demo customer token: not found ({} is missing)", report.token_file.display()),
        }
        println!("demo sign-ins for the web site and /admin: in {}", report.logins_file.display());
    }
    let scheme = if app.tls_enabled() { "https" } else { "http" };
    println!("boxoffice listening on {scheme}://{}", app.address());
    println!("admin token: in {}", app.admin_token_source());
    app.run_until_stopped(shutdown_signal()).await?;
    Ok(())
}

async fn backup(settings: Settings, dest: PathBuf) -> anyhow::Result<()> {
    // A backup copies a database; it never creates one (a mistyped --data-dir would
    // otherwise "succeed" with an empty copy).
    if let Ok(boxoffice_gateway::config::StorageLocation::Sqlite(path)) = settings.storage.location()
        && !path.is_file()
    {
        anyhow::bail!("no database at {}: check --data-dir or storage.url", path.display());
    }
    let store = Store::open(&settings.storage).await?;
    store.storage().backup(&dest).await.with_context(|| format!("backup to {}", dest.display()))?;
    store.close().await;
    println!("backup written to {}", dest.display());
    Ok(())
}

async fn migrate(settings: Settings) -> anyhow::Result<()> {
    let store = Store::open(&settings.storage).await?;
    store.storage().ping().await.context("storage ping after migration")?;
    store.close().await;
    println!("schema ok: version {} at {}", store.schema_version(), settings.storage.url);
    Ok(())
}
