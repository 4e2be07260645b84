//! The processor goes to the rep first. The helper threads of a big intake — a first
//! Maildir sync's readers and parsers, the thread folding its log — run at a lower
//! priority, so on a laptop's two cores the keys and the saves are scheduled before them:
//! with the sync's parsing beside its storing, a rep's draft save during a first sync of
//! 20,000 mails waited up to 1.07 s for the processor at the same priority. The thread that
//! stores keeps its priority: it holds the write lock a save may be waiting for, and must
//! not be the one left waiting for the processor.

/// How much lower than the rest of the process: nice 10, what `nice` gives a command.
const BACKGROUND_NICE: i32 = 10;

/// Lowers the calling thread's priority; threads it starts afterwards inherit it (Linux
/// keeps a priority per thread). Never raises it, and where the system does not allow the
/// change nothing happens: the work only runs a little less politely.
pub fn run_in_background() {
    #[cfg(target_os = "linux")]
    {
        let now = rustix::process::getpriority_process(None).unwrap_or(0);
        if now < BACKGROUND_NICE {
            // Refused or not, the work goes on; only its manners differ.
            let _ = rustix::process::setpriority_process(None, BACKGROUND_NICE);
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(target_os = "linux")]
    #[test]
    fn a_background_thread_runs_at_a_lower_priority_and_the_others_do_not() {
        let before = rustix::process::getpriority_process(None).unwrap();
        let inside = std::thread::spawn(|| {
            super::run_in_background();
            let own = rustix::process::getpriority_process(None).unwrap();
            let child = std::thread::spawn(|| rustix::process::getpriority_process(None).unwrap()).join().unwrap();
            (own, child)
        })
        .join()
        .unwrap();
        assert_eq!(inside, (super::BACKGROUND_NICE.max(before), super::BACKGROUND_NICE.max(before)));
        assert_eq!(rustix::process::getpriority_process(None).unwrap(), before, "the calling thread keeps its own");
    }
}
