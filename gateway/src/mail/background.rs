//! The threads email work runs on: each its own single-threaded tokio runtime, at a low CPU
//! priority (`mail.worker_nice`, default nice 10, on Linux).
//!
//! Composing a booking email (template, QR-code PNG) and writing or sending it cost about
//! as much CPU as the booking request itself. On the request workers that work competed
//! with bookings exactly when a rush needs every cycle; here the kernel gives it the CPU
//! the bookings leave over, and the queues in front of it absorb the difference (they are
//! bounded: a full queue drops the notice, logged and counted). Outside a rush the cores are
//! idle and emails go out at once.

use std::future::Future;

/// Runs `work` to completion on a new thread named `name` at priority `nice`; the thread
/// ends with it (threads it starts, such as a blocking pool, inherit the priority). Failing to start the thread or its runtime is logged and the work is dropped
/// (no email is worth failing a server start or a request for).
pub fn spawn_low_priority<F>(name: &str, nice: u8, work: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let started = std::thread::Builder::new().name(name.to_owned()).spawn(move || {
        lower_priority(nice);
        match tokio::runtime::Builder::new_current_thread().enable_all().build() {
            Ok(runtime) => runtime.block_on(work),
            Err(error) => tracing::error!(%error, "mail runtime not started; emails are not sent"),
        }
    });
    if let Err(error) = started {
        tracing::error!(%error, thread = name, "mail thread not started; emails are not sent");
    }
}

/// Sets the calling thread's nice value (on Linux nice is per thread); 0 leaves it.
#[cfg(target_os = "linux")]
fn lower_priority(nice: u8) {
    if nice == 0 {
        return;
    }
    // SAFETY: setpriority takes plain integers; `who = 0` is the calling thread.
    let result = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, libc::c_int::from(nice.min(19))) };
    if result != 0 {
        tracing::warn!(error = %std::io::Error::last_os_error(), "mail thread priority not lowered");
    }
}

/// Elsewhere the thread keeps the default priority.
#[cfg(not(target_os = "linux"))]
fn lower_priority(_nice: u8) {}

#[cfg(test)]
mod tests {
    use super::spawn_low_priority;

    #[test]
    fn work_runs_on_a_niced_thread() {
        let (done, finished) = std::sync::mpsc::channel();
        spawn_low_priority("mail-test", 19, async move {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            let name = std::thread::current().name().map(str::to_owned);
            #[cfg(target_os = "linux")]
            // SAFETY: getpriority takes plain integers; `who = 0` is the calling thread.
            let nice = unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) };
            #[cfg(not(target_os = "linux"))]
            let nice = 19;
            let _ = done.send((name, nice));
        });
        let (name, nice) = finished.recv_timeout(std::time::Duration::from_secs(10)).expect("the work ran");
        assert_eq!(name.as_deref(), Some("mail-test"));
        assert_eq!(nice, 19, "the thread runs at the lowest priority");
    }
}
