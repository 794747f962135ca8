//! CPU time of a process, and of each of its threads by name, from Linux's `/proc`
//! (`/proc/<pid>/stat`, `/proc/<pid>/task/<tid>/stat` and `schedstat`). Elsewhere every
//! reading is `None`.
//!
//! The per-thread figures say which of a server's threads a phase's CPU went to (the
//! request workers, the storage writer, the email threads, …) and how long each waited,
//! runnable, for a CPU, without a profiler.

use std::collections::{BTreeMap, HashMap};

/// Clock ticks per second of `utime` and `stime` (`USER_HZ`, 100 on every Linux ABI).
const TICKS_PER_SECOND: f64 = 100.0;

/// The name and the user + system CPU seconds in one `stat` line.
fn parse(stat: &str) -> Option<(String, f64)> {
    // The name sits between the first '(' and the last ')', and may hold spaces and ')'.
    let (open, close) = (stat.find('(')?, stat.rfind(')')?);
    let name = stat.get(open + 1..close)?.to_owned();
    // After the name: state is field 3, utime field 14, stime field 15.
    let mut fields = stat.get(close + 1..)?.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some((name, (user + system) as f64 / TICKS_PER_SECOND))
}

/// User + system CPU seconds a process has used so far; `None` if it cannot be read.
#[must_use]
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse(&stat).map(|(_, seconds)| seconds)
}

/// Seconds of run-queue wait in a `schedstat` line (its second field, in nanoseconds).
fn parse_waiting(schedstat: &str) -> Option<f64> {
    let nanoseconds: u64 = schedstat.split_whitespace().nth(1)?.parse().ok()?;
    Some(nanoseconds as f64 / 1e9)
}

/// One thread at one moment.
#[derive(Clone, Debug, PartialEq)]
struct ThreadTime {
    name: String,
    /// User + system CPU seconds.
    cpu: f64,
    /// Seconds spent runnable but waiting for a CPU (0 where `schedstat` is missing).
    waiting: f64,
}

/// What threads of one name used over an interval, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ThreadUse {
    /// CPU time.
    pub cpu: f64,
    /// Time runnable but waiting for a CPU.
    pub waiting: f64,
}

impl std::ops::AddAssign for ThreadUse {
    fn add_assign(&mut self, more: Self) {
        self.cpu += more.cpu;
        self.waiting += more.waiting;
    }
}

/// Every live thread of a process at one moment, by thread id.
#[derive(Clone, Debug, Default)]
pub struct ThreadTimes(HashMap<u32, ThreadTime>);

impl ThreadTimes {
    /// Reads every thread of `pid`; `None` if the process's task list cannot be read.
    /// A thread that ends while it is read is skipped.
    #[must_use]
    pub fn read(pid: u32) -> Option<Self> {
        let tasks = std::fs::read_dir(format!("/proc/{pid}/task")).ok()?;
        let threads = tasks
            .filter_map(Result::ok)
            .filter_map(|task| {
                let tid = task.file_name().to_str()?.parse().ok()?;
                let stat = std::fs::read_to_string(task.path().join("stat")).ok()?;
                let (name, cpu) = parse(&stat)?;
                let schedstat = std::fs::read_to_string(task.path().join("schedstat")).ok();
                let waiting = schedstat.as_deref().and_then(parse_waiting).unwrap_or(0.0);
                Some((tid, ThreadTime { name, cpu, waiting }))
            })
            .collect();
        Some(Self(threads))
    }

    /// What was used since `earlier`, summed by thread name. A thread started in between
    /// counts from zero; one that ended in between is missing (its time left `/proc` with
    /// it), so the sum can fall short of the process's total.
    #[must_use]
    pub fn since(&self, earlier: &Self) -> BTreeMap<String, ThreadUse> {
        let mut by_name = BTreeMap::new();
        for (tid, now) in &self.0 {
            let before = earlier.0.get(tid).filter(|was| was.name == now.name);
            let (cpu, waiting) = before.map_or((0.0, 0.0), |was| (was.cpu, was.waiting));
            let used = ThreadUse { cpu: (now.cpu - cpu).max(0.0), waiting: (now.waiting - waiting).max(0.0) };
            *by_name.entry(now.name.clone()).or_default() += used;
        }
        by_name
    }
}

/// Adds `more` to `sums`, name by name.
pub fn add_by_name(sums: &mut BTreeMap<String, ThreadUse>, more: &BTreeMap<String, ThreadUse>) {
    for (name, used) in more {
        *sums.entry(name.clone()).or_default() += *used;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stat_line_gives_its_name_and_cpu_even_with_spaces_and_parentheses() {
        let line = "4242 (tokio (rt) w) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 1 0 0";
        assert_eq!(parse(line), Some(("tokio (rt) w".to_owned(), 3.0)));
        assert_eq!(parse("4242 (cut"), None);
        assert_eq!(parse("4242 (x) S 1 2"), None);
    }

    #[test]
    fn a_schedstat_line_gives_its_run_queue_wait() {
        assert_eq!(parse_waiting("304594 2500000000 2\n"), Some(2.5));
        assert_eq!(parse_waiting("304594"), None);
    }

    #[test]
    fn per_name_sums_count_new_threads_from_zero_and_never_go_negative() {
        let at = |threads: &[(u32, &str, f64)]| {
            let time = |name: &str, s: f64| ThreadTime { name: name.to_owned(), cpu: s, waiting: s / 2.0 };
            ThreadTimes(threads.iter().map(|(tid, name, s)| (*tid, time(name, *s))).collect())
        };
        let earlier = at(&[(1, "writer", 2.0), (2, "worker", 1.0), (3, "worker", 1.0), (4, "gone", 5.0)]);
        // Thread 3 ended; thread 5 started; thread 2's id now belongs to another name.
        let later = at(&[(1, "writer", 2.5), (2, "mail-io", 0.25), (5, "worker", 0.5)]);
        let used = later.since(&earlier);
        assert_eq!(used.get("writer"), Some(&ThreadUse { cpu: 0.5, waiting: 0.25 }));
        assert_eq!(used.get("worker"), Some(&ThreadUse { cpu: 0.5, waiting: 0.25 }));
        assert_eq!(used.get("mail-io"), Some(&ThreadUse { cpu: 0.25, waiting: 0.125 }));
        assert_eq!(used.get("gone"), None);

        let mut sums = used.clone();
        add_by_name(&mut sums, &used);
        assert_eq!(sums.get("writer"), Some(&ThreadUse { cpu: 1.0, waiting: 0.5 }));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn this_process_and_its_threads_can_be_read() {
        let pid = std::process::id();
        assert!(cpu_seconds(pid).is_some());
        let threads = ThreadTimes::read(pid).expect("own task list");
        assert!(!threads.0.is_empty());
        assert!(ThreadTimes::read(u32::MAX).is_none());
    }
}
