//! `boxoffice admin create`: the first admin account, created straight in the store (no
//! server needed). Its email counts as verified: the operator typed it.

use boxoffice_storage::{Account, AccountId, Accounts, Language, Role, Timestamp};

use super::validate;
use crate::config::Settings;
use crate::security::passwords::{Passwords, check_policy};

/// What the command line gives.
#[derive(Clone, Debug)]
pub struct NewAdmin {
    /// Email (also the login).
    pub email: String,
    /// Username; default: the email's local part.
    pub username: Option<String>,
    /// Given name; default `Admin`.
    pub first_name: Option<String>,
    /// Family name; default empty.
    pub last_name: Option<String>,
    /// The password (from an environment variable or a prompt).
    pub password: String,
}

/// Creates an admin account.
///
/// # Errors
/// A message naming the invalid field, a taken email or username, or a storage failure.
pub async fn create_admin(accounts: &dyn Accounts, settings: &Settings, input: NewAdmin) -> Result<Account, String> {
    // "field: detail", once (some details already start with their field).
    let problem = |e: crate::error::ApiError| {
        let p = e.problem();
        let field = p.extensions.get("field").and_then(|f| f.as_str()).unwrap_or("");
        if field.is_empty() || p.detail.starts_with(field) { p.detail } else { format!("{field}: {}", p.detail) }
    };
    let email = validate::email("email", &input.email).map_err(problem)?;
    let local = email.split('@').next().unwrap_or("admin").to_owned();
    let username = match input.username.as_deref() {
        Some(given) => validate::username(given).map_err(problem)?,
        None => validate::username(&local).map_err(|e| {
            format!(
                "the username taken from the email ({local:?}) does not do: {}; give one with --username",
                problem(e)
            )
        })?,
    };
    let first_name = validate::name("first_name", input.first_name.as_deref().unwrap_or("Admin")).map_err(problem)?;
    let last_name = match input.last_name.as_deref().map(str::trim).filter(|n| !n.is_empty()) {
        Some(name) => validate::name("last_name", name).map_err(problem)?,
        None => String::new(),
    };
    check_policy("password", &input.password, &[&local, &username]).map_err(problem)?;
    let passwords = Passwords::new(&settings.accounts)?;
    let hash = passwords.hash(input.password).await.map_err(problem)?;
    let now = Timestamp::now();
    let account = Account {
        id: AccountId::new(),
        role: Role::Admin,
        email: Some(email),
        email_verified_at: Some(now),
        pending_email: None,
        username,
        first_name,
        last_name,
        phone: None,
        birth_date: None,
        language: Language::En,
        password_hash: Some(hash),
        totp: None,
        active: true,
        created_at: now,
        updated_at: now,
    };
    accounts.insert_account(&account).await.map_err(|e| e.to_string())?;
    Ok(account)
}

/// `boxoffice admin ...`.
#[derive(Debug, clap::Subcommand)]
pub enum AdminCommand {
    /// Create an admin account (the first one, or another), straight in the database.
    Create {
        /// The admin's email (the login).
        #[arg(long)]
        email: String,
        /// Username (default: the email's local part).
        #[arg(long)]
        username: Option<String>,
        /// Given name (default: Admin).
        #[arg(long)]
        first_name: Option<String>,
        /// Family name.
        #[arg(long)]
        last_name: Option<String>,
        /// Read the password from this environment variable instead of a prompt (or of
        /// one line of standard input when it is not a terminal).
        #[arg(long, value_name = "VAR")]
        password_env: Option<String>,
        /// Configuration file (TOML). Default: ./boxoffice.toml if it exists.
        #[arg(long, value_name = "FILE")]
        config: Option<std::path::PathBuf>,
        /// Data directory of the database (overrides storage.url).
        #[arg(long, value_name = "DIR")]
        data_dir: Option<std::path::PathBuf>,
    },
}

fn read_password(env: Option<&str>) -> Result<String, String> {
    use std::io::IsTerminal;
    if let Some(var) = env {
        return std::env::var(var).map_err(|_| format!("environment variable {var} is not set"));
    }
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ").map_err(|e| format!("password prompt: {e}"))?;
        let again = rpassword::prompt_password("Again: ").map_err(|e| format!("password prompt: {e}"))?;
        if first != again {
            return Err("the two passwords differ".into());
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| format!("reading the password from stdin: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// Runs an admin command.
///
/// # Errors
/// A message for the operator.
pub async fn run(command: AdminCommand) -> Result<(), String> {
    let AdminCommand::Create { email, username, first_name, last_name, password_env, config, data_dir } = command;
    let overrides = crate::config::Overrides { bind: None, data_dir };
    let settings = Settings::load(config.as_deref(), &overrides).map_err(|e| e.to_string())?;
    let password = read_password(password_env.as_deref())?;
    let store = crate::store::Store::open(&settings.storage).await.map_err(|e| e.to_string())?;
    let input = NewAdmin { email, username, first_name, last_name, password };
    let created = create_admin(store.accounts().as_ref(), &settings, input).await;
    store.close().await;
    let account = created?;
    println!("admin created: {} ({}), id {}", account.username, account.email.unwrap_or_default(), account.id);
    Ok(())
}
