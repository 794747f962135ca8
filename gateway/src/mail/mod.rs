//! Outgoing email. Handlers never wait for it: [`Mailer::send`] puts a message on a
//! bounded queue (a full queue drops the message, logged and counted) and one task, on a
//! low-priority thread of its own ([`background`]), sends them in order through the configured [`transport`]: `.eml` files in
//! `<data dir>/outbox/` by default, or SMTP. Failed sends are retried with backoff, then
//! kept in `<outbox>/failed/`.
//!
//! | module | what it holds |
//! | --- | --- |
//! | [`background`] | the low-priority thread email work runs on |
//! | [`templates`] | French and English templates, rendering |
//! | [`messages`] | building each kind of message |
//! | [`notify`] | booking emails, gathered from storage after the engine answered |
//! | [`transport`] | outbox files and SMTP |

pub mod background;
pub mod messages;
pub mod notify;
pub mod templates;
pub mod transport;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::Message;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, oneshot};

use self::transport::{Transport, write_eml};
use crate::config::MailSettings;

/// A message ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// Which template it came from (logs, file names).
    pub kind: &'static str,
    /// The message.
    pub message: Message,
}

enum Job {
    /// A message, and who to tell once it was handled (sent, or kept in `failed/`).
    Send(Box<Outgoing>, Option<oneshot::Sender<()>>),
    Flush(oneshot::Sender<()>),
}

/// Handle to the mail queue; cheap to clone. The sending task stops when every handle is
/// dropped, after sending what is queued.
#[derive(Clone)]
pub struct Mailer {
    queue: mpsc::Sender<Job>,
    outbox: Arc<PathBuf>,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("outbox", &self.outbox).finish_non_exhaustive()
    }
}

impl Mailer {
    /// Starts the sending task.
    ///
    /// # Errors
    /// A transport that cannot be built from the settings.
    pub fn start(settings: &MailSettings, outbox: PathBuf) -> Result<Self, String> {
        let transport = Transport::new(settings)?;
        let (queue, receiver) = mpsc::channel(settings.queue_capacity.max(1));
        let worker = Worker {
            transport,
            outbox: outbox.clone(),
            timeout: Duration::from_millis(settings.smtp_timeout_ms),
            attempts_max: settings.send_attempts_max.max(1),
        };
        background::spawn_low_priority("mail-sender", settings.worker_nice, worker.run(receiver));
        Ok(Self { queue, outbox: Arc::new(outbox) })
    }

    /// Where the outbox transport writes (and failed messages are kept).
    #[must_use]
    pub fn outbox(&self) -> &std::path::Path {
        &self.outbox
    }

    /// Queues a message without waiting; a full queue drops it (logged, counted).
    pub fn send(&self, outgoing: Outgoing) {
        let kind = outgoing.kind;
        match self.queue.try_send(Job::Send(Box::new(outgoing), None)) {
            Ok(()) => metrics::counter!("boxoffice_mail_queued_total", "kind" => kind).increment(1),
            Err(TrySendError::Full(_)) => {
                metrics::counter!("boxoffice_mail_dropped_total", "kind" => kind).increment(1);
                tracing::error!(kind, "mail queue full; message dropped");
            }
            Err(TrySendError::Closed(_)) => tracing::warn!(kind, "mailer stopped; message dropped"),
        }
    }

    /// Queues a message, waiting for room in the queue, and resolves once it was handled:
    /// sent, or kept in `<outbox>/failed/` after its last attempt. `false` if the mailer
    /// stopped first. For senders that must know, such as the booking-notice outbox, which
    /// forgets a notice only after its email was handled.
    pub async fn deliver(&self, outgoing: Outgoing) -> bool {
        let kind = outgoing.kind;
        let (done, handled) = oneshot::channel();
        if self.queue.send(Job::Send(Box::new(outgoing), Some(done))).await.is_err() {
            return false;
        }
        metrics::counter!("boxoffice_mail_queued_total", "kind" => kind).increment(1);
        handled.await.is_ok()
    }

    /// Waits (at most `within`) until every message queued before this call was handled;
    /// used at shutdown.
    pub async fn flush(&self, within: Duration) {
        let (done, wait) = oneshot::channel();
        let flushed = async {
            if self.queue.send(Job::Flush(done)).await.is_ok() {
                let _ = wait.await;
            }
        };
        if tokio::time::timeout(within, flushed).await.is_err() {
            tracing::warn!("mail queue not flushed in time; unsent messages are lost");
        }
    }
}

struct Worker {
    transport: Transport,
    outbox: PathBuf,
    timeout: Duration,
    attempts_max: u32,
}

impl Worker {
    async fn run(self, mut queue: mpsc::Receiver<Job>) {
        while let Some(job) = queue.recv().await {
            match job {
                Job::Send(outgoing, done) => {
                    self.deliver(*outgoing).await;
                    if let Some(done) = done {
                        let _ = done.send(());
                    }
                }
                Job::Flush(done) => {
                    let _ = done.send(());
                }
            }
        }
    }

    async fn deliver(&self, outgoing: Outgoing) {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
        let name = format!("{stamp}-{}-{}", outgoing.kind, uuid::Uuid::now_v7().simple());
        let to = outgoing.message.envelope().to().iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
        for attempt in 1..=self.attempts_max {
            match self.transport.send(&outgoing.message, &self.outbox, &name, self.timeout).await {
                Ok(()) => {
                    metrics::counter!("boxoffice_mail_sent_total", "kind" => outgoing.kind).increment(1);
                    let file =
                        matches!(self.transport, Transport::Outbox).then(|| self.outbox.join(format!("{name}.eml")));
                    tracing::info!(kind = outgoing.kind, %to, file = ?file, "email sent");
                    return;
                }
                Err(error) if attempt < self.attempts_max => {
                    tracing::warn!(kind = outgoing.kind, attempt, %error, "email not sent; retrying");
                    tokio::time::sleep(Duration::from_millis(500 * 2u64.pow(attempt))).await;
                }
                Err(error) => {
                    metrics::counter!("boxoffice_mail_failed_total", "kind" => outgoing.kind).increment(1);
                    let kept = write_eml(&self.outbox.join("failed"), &name, &outgoing.message.formatted()).await;
                    tracing::error!(kind = outgoing.kind, %error, kept = ?kept, "email not sent; kept in the outbox");
                }
            }
        }
    }
}
