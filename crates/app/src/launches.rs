//! Launches being watched: which ends Boss caused (a stop), and the channel on which every
//! launch that starts or ends is announced with its row, read once where the change happens
//! (the event stream and `stop` wait on it; nobody re-reads the store per subscriber).

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use tokio::sync::broadcast;

use crate::store::Launch;

pub struct LaunchSupervisor {
    /// Uids whose end Boss caused (stop): recorded as `stopped` rather than by exit status.
    stopping: Mutex<HashSet<String>>,
    events: broadcast::Sender<Arc<Launch>>,
}

impl Default for LaunchSupervisor {
    fn default() -> Self {
        Self {
            stopping: Mutex::new(HashSet::new()),
            events: broadcast::channel(64).0,
        }
    }
}

impl LaunchSupervisor {
    /// Launches as they start or end.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Launch>> {
        self.events.subscribe()
    }

    /// Announces a launch's new state (nobody listening is fine).
    pub fn announce(&self, launch: Launch) {
        let _ = self.events.send(Arc::new(launch));
    }

    pub fn mark_stopping(&self, uid: &str) {
        self.lock().insert(uid.to_string());
    }

    /// Whether Boss caused this end (and forgets it).
    pub fn take_stopping(&self, uid: &str) -> bool {
        self.lock().remove(uid)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashSet<String>> {
        self.stopping.lock().unwrap_or_else(|e| e.into_inner())
    }
}
