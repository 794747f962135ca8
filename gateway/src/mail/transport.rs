//! Where messages go: `.eml` files in the outbox directory (the embedded default), or an
//! SMTP relay through lettre with an explicit timeout, STARTTLS or implicit TLS, and
//! credentials. A message that fails every attempt is written to `<outbox>/failed/`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::{MailSettings, MailTransport, SmtpTls};

/// A configured transport.
pub enum Transport {
    /// Write each message as a file.
    Outbox,
    /// Send through SMTP.
    Smtp(Box<AsyncSmtpTransport<Tokio1Executor>>),
}

impl Transport {
    /// The transport of the settings.
    ///
    /// # Errors
    /// An SMTP host lettre refuses, or bad TLS parameters.
    pub fn new(settings: &MailSettings) -> Result<Self, String> {
        if settings.transport == MailTransport::Outbox {
            return Ok(Transport::Outbox);
        }
        let host = settings.smtp_host.clone();
        let tls = |required: bool| -> Result<Tls, String> {
            let params = TlsParameters::new(host.clone()).map_err(|e| format!("smtp tls: {e}"))?;
            Ok(if required { Tls::Wrapper(params) } else { Tls::Required(params) })
        };
        let tls = match settings.smtp_tls {
            SmtpTls::Tls => tls(true)?,
            SmtpTls::Starttls => tls(false)?,
            SmtpTls::None => Tls::None,
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(settings.smtp_port)
            .tls(tls)
            .timeout(Some(Duration::from_millis(settings.smtp_timeout_ms)));
        if let (Some(user), Some(password)) = (&settings.smtp_username, &settings.smtp_password) {
            builder = builder.credentials(Credentials::new(user.clone(), password.expose().to_owned()));
        }
        Ok(Transport::Smtp(Box::new(builder.build())))
    }

    /// Sends one message (written to `outbox` for the outbox transport), under `timeout`.
    ///
    /// # Errors
    /// The I/O or SMTP error, or a timeout.
    pub async fn send(&self, message: &Message, outbox: &Path, name: &str, timeout: Duration) -> Result<(), String> {
        match self {
            Transport::Outbox => write_eml(outbox, name, &message.formatted()).await.map(|_| ()),
            Transport::Smtp(smtp) => match tokio::time::timeout(timeout, smtp.send(message.clone())).await {
                Ok(Ok(_)) => Ok(()),
                Ok(Err(e)) => Err(format!("smtp: {e}")),
                Err(_) => Err(format!("smtp: no answer within {} ms", timeout.as_millis())),
            },
        }
    }
}

/// Writes `bytes` to `<dir>/<name>.eml` (mode 0600: messages carry single-use links).
///
/// # Errors
/// The I/O error.
pub async fn write_eml(dir: &Path, name: &str, bytes: &[u8]) -> Result<PathBuf, String> {
    let dir = dir.to_path_buf();
    let path = dir.join(format!("{name}.eml"));
    let bytes = bytes.to_vec();
    let target = path.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let temporary = dir.join(format!(".{}.tmp", uuid::Uuid::now_v7()));
        std::io::Write::write_all(&mut options.open(&temporary)?, &bytes)?;
        // Renamed into place so a reader never sees a half-written message.
        std::fs::rename(&temporary, &target)
    })
    .await
    .map_err(|e| format!("outbox task: {e}"))?
    .map_err(|e| format!("outbox {}: {e}", path.display()))?;
    Ok(path)
}
