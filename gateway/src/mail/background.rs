//! The threads email work runs on: each its own single-threaded tokio runtime, at a low CPU
//! priority (`mail.worker_nice`, default nice 10, on Linux).
//!
//! Composing a booking email (template, QR-code PNG) and writing or sending it cost about
//! as much CPU as the booking request itself. On the request workers that work competed
//! with bookings exactly when a rush needs every cycle; here the kernel gives it the CPU
//! the bookings leave over, and the durable notice outbox in front of it absorbs the
//! difference (it grows during a rush and drains after it). Outside a rush the cores are
//! idle and emails go out at once.

use std::future::Future;

/// Runs `work` to completion on a new thread named `name` at priority `nice`; the thread
/// ends with it. The threads of its runtime's blocking pool (storage reads, file writes)
/// inherit the priority and are named `<name>-io`, so that `top -H`, `perf` and `bench
/// --server-pid` tell them from the request workers' pool (Linux keeps 15 bytes of a
/// thread's name, so `name` should have at most 12). Failing to start the thread or its
/// runtime is logged and the work is dropped (no email is worth failing a server start or
/// a request for).
pub fn spawn_low_priority<F>(name: &str, nice: u8, work: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    let io_threads = format!("{name}-io");
    let started = std::thread::Builder::new().name(name.to_owned()).spawn(move || {
        crate::priority::lower_thread_priority(nice);
        match tokio::runtime::Builder::new_current_thread().enable_all().thread_name(io_threads).build() {
            Ok(runtime) => runtime.block_on(work),
            Err(error) => tracing::error!(%error, "mail runtime not started; emails are not sent"),
        }
    });
    if let Err(error) = started {
        tracing::error!(%error, thread = name, "mail thread not started; emails are not sent");
    }
}

#[cfg(test)]
mod tests {
    use super::spawn_low_priority;

    #[test]
    fn work_runs_on_a_niced_thread() {
        let (done, finished) = std::sync::mpsc::channel();
        let nice = || if cfg!(target_os = "linux") { crate::priority::thread_nice() } else { 19 };
        let here = move || (std::thread::current().name().map(str::to_owned), nice());
        spawn_low_priority("mail-test", 19, async move {
            tokio::time::sleep(std::time::Duration::from_millis(1)).await;
            let blocking = tokio::task::spawn_blocking(here).await.ok();
            let _ = done.send((here(), blocking));
        });
        let ((name, nice), blocking) = finished.recv_timeout(std::time::Duration::from_secs(10)).expect("the work ran");
        assert_eq!(name.as_deref(), Some("mail-test"));
        assert_eq!(nice, 19, "the thread runs at the lowest priority");
        let (io_name, io_nice) = blocking.expect("the blocking pool ran the task");
        assert_eq!(io_name.as_deref(), Some("mail-test-io"), "its blocking pool is named after it");
        assert_eq!(io_nice, 19, "and inherits its priority");
    }
}
