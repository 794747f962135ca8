//! CPU priority of the background threads (email, WebSocket fan-out): on Linux nice is per
//! thread, so a thread can give way to the request workers without touching the process.

/// Sets the calling thread's nice value (0..=19; 0 leaves it as it is). A failure is
/// logged: the thread then runs at the default priority, which is slower under load but
/// not wrong.
#[cfg(target_os = "linux")]
pub fn lower_thread_priority(nice: u8) {
    if nice == 0 {
        return;
    }
    // SAFETY: setpriority takes plain integers; `who = 0` is the calling thread.
    let result = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, libc::c_int::from(nice.min(19))) };
    if result != 0 {
        tracing::warn!(error = %std::io::Error::last_os_error(), "thread priority not lowered");
    }
}

/// Elsewhere the thread keeps the default priority.
#[cfg(not(target_os = "linux"))]
pub fn lower_thread_priority(_nice: u8) {}

/// The calling thread's nice value (Linux; elsewhere 0).
#[must_use]
pub fn thread_nice() -> i32 {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: plain integer arguments; `who = 0` is the calling thread, which exists, so
        // the call cannot fail (and -1 is a valid nice value).
        unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
    }
    #[cfg(not(target_os = "linux"))]
    {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_lowers_only_its_own_priority() {
        let before = thread_nice();
        let niced = std::thread::spawn(|| {
            lower_thread_priority(7);
            thread_nice()
        })
        .join()
        .expect("the thread ran");
        #[cfg(target_os = "linux")]
        assert_eq!(niced, 7.max(before), "the spawned thread is niced");
        assert_eq!(thread_nice(), before, "the calling thread is not");
    }
}
