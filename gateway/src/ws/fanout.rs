//! The fan-out pool: the threads that run the connections' writer tasks (answers and live
//! seat-map changes), apart from the request workers and at a lower CPU priority.
//!
//! While a hot showtime sells out, every decision is written to each of thousands of open
//! seat maps. On the request runtime those writer tasks queued in front of the requests
//! themselves: a hold's handler, woken by its commit, waited behind the thousands of
//! writers that the previous change woke, and under the release-day rush the p99 of a hold
//! was ~5× its server-side time. Here the writers have their own tokio runtime whose
//! threads run at nice `websocket.fanout_nice`: the kernel lets a request worker run as soon
//! as it has work, and the seat maps take the CPU the decisions leave over (a writer that
//! waits longer finds more changes ready and writes them as one frame). The sockets stay
//! registered with the request runtime's I/O driver, which wakes these tasks.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::runtime::{Handle, Runtime};
use tokio::task::JoinHandle;

/// The writer threads; the runtime shuts down (without waiting) when the pool is dropped.
#[derive(Debug)]
pub struct FanoutPool {
    runtime: Option<Runtime>,
    /// `None`: the pool could not start; writers run on the caller's runtime.
    handle: Option<Handle>,
}

impl FanoutPool {
    /// Starts `threads` worker threads (0: one per CPU) at nice `nice` (0: the default
    /// priority).
    ///
    /// # Errors
    /// The runtime or its threads could not start.
    pub fn start(threads: usize, nice: u8) -> std::io::Result<Self> {
        let threads = if threads == 0 { std::thread::available_parallelism().map_or(1, usize::from) } else { threads };
        let next = AtomicUsize::new(0);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name_fn(move || format!("ws-fanout-{}", next.fetch_add(1, Ordering::Relaxed)))
            .on_thread_start(move || crate::priority::lower_thread_priority(nice))
            .enable_all()
            .build()?;
        let handle = runtime.handle().clone();
        Ok(Self { runtime: Some(runtime), handle: Some(handle) })
    }

    /// [`FanoutPool::start`], or, when the threads cannot start (logged), a pool that runs
    /// the writers on the runtime of whoever spawns them (slower under a rush, not wrong).
    #[must_use]
    pub fn start_or_inline(threads: usize, nice: u8) -> Self {
        Self::start(threads, nice).unwrap_or_else(|error| {
            tracing::error!(%error, "WebSocket fan-out threads not started; writers share the request workers");
            Self { runtime: None, handle: None }
        })
    }

    /// Runs `task` on the pool (inline pool: on the current runtime).
    pub fn spawn<F>(&self, task: F) -> JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        match &self.handle {
            Some(handle) => handle.spawn(task),
            None => tokio::spawn(task),
        }
    }
}

impl Drop for FanoutPool {
    fn drop(&mut self) {
        // Dropping a runtime blocks, which is not allowed inside another runtime (where the
        // last connection usually drops the pool); the writers are done by then.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::FanoutPool;

    #[tokio::test]
    async fn tasks_run_on_niced_fanout_threads_and_the_pool_drops_inside_a_runtime() {
        let pool = FanoutPool::start(2, 5).expect("pool");
        let (name, nice) = pool
            .spawn(async {
                let name = std::thread::current().name().map(str::to_owned).unwrap_or_default();
                (name, crate::priority::thread_nice())
            })
            .await
            .expect("the task ran");
        assert!(name.starts_with("ws-fanout-"), "{name}");
        if cfg!(target_os = "linux") {
            assert!(nice >= 5, "nice {nice}");
        }
        drop(pool);
    }

    #[tokio::test]
    async fn an_inline_pool_runs_tasks_on_the_current_runtime() {
        let pool = FanoutPool { runtime: None, handle: None };
        let name = pool.spawn(async { std::thread::current().name().map(str::to_owned) }).await.expect("ran");
        assert!(!name.unwrap_or_default().starts_with("ws-fanout-"));
    }
}
