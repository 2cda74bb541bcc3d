//! "Sample only while watched": who watches a live source (the process table, the window
//! list), and the one background loop that runs while anybody does. Shared by the process and
//! window monitors.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct Watchers {
    count: AtomicUsize,
    /// Whether the loop runs; changed only under this lock, together with the count check, so
    /// that a watcher arriving as the loop stops always finds a loop.
    running: Mutex<bool>,
}

impl Watchers {
    /// Registers a watcher, calling `start` (which spawns the loop) when no loop runs. The
    /// watcher counts until the guard is dropped.
    pub fn watch(self: &Arc<Self>, start: impl FnOnce()) -> WatchGuard {
        self.count.fetch_add(1, Ordering::SeqCst);
        let mut running = self.lock();
        if !*running {
            *running = true;
            start();
        }
        WatchGuard(Arc::clone(self))
    }

    /// For the loop, once per round: `false` when nobody watches any more, and the loop must
    /// end (it is then marked stopped).
    pub fn keep_running(&self) -> bool {
        let mut running = self.lock();
        if self.count.load(Ordering::SeqCst) == 0 {
            *running = false;
            return false;
        }
        true
    }

    pub fn count(&self) -> usize {
        self.count.load(Ordering::SeqCst)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, bool> {
        self.running.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A watcher: counted while alive.
pub struct WatchGuard(Arc<Watchers>);

impl Drop for WatchGuard {
    fn drop(&mut self) {
        self.0.count.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_loop_starts_once_and_stops_when_nobody_watches() {
        let watchers = Arc::new(Watchers::default());
        let mut starts = 0;
        let a = watchers.watch(|| starts += 1);
        let b = watchers.watch(|| starts += 1);
        assert_eq!((starts, watchers.count()), (1, 2));
        assert!(watchers.keep_running());
        drop((a, b));
        assert!(!watchers.keep_running(), "nobody watches");
        let _c = watchers.watch(|| starts += 1);
        assert_eq!(starts, 2, "a new watcher starts a new loop");
    }
}
