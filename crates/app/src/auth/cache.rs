//! Sessions and tokens confirmed by the database in the last minutes, so that logged-in users
//! can go on acting while the database is briefly unreachable (their actions' records are
//! spooled). Consulted only when the database cannot be reached; revocations remove entries at
//! once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::AuthMethod;
use crate::store::User;

/// How long a confirmation stands in for the database.
const MAX_AGE: Duration = Duration::from_secs(15 * 60);
const MAX_ENTRIES: usize = 10_000;

#[derive(Default)]
pub struct AuthCache {
    entries: Mutex<HashMap<String, (User, AuthMethod, Instant)>>,
}

impl AuthCache {
    pub fn remember(&self, key: &str, user: &User, method: &AuthMethod) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.retain(|_, (_, _, at)| at.elapsed() < MAX_AGE);
        }
        if entries.len() < MAX_ENTRIES {
            entries.insert(
                key.to_string(),
                (user.clone(), method.clone(), Instant::now()),
            );
        }
    }

    pub fn recall(&self, key: &str) -> Option<(User, AuthMethod)> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(_, _, at)| at.elapsed() < MAX_AGE)
            .map(|(user, method, _)| (user.clone(), method.clone()))
    }

    pub fn forget(&self, key: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(key);
    }

    /// After a password change, a role change or a deletion.
    pub fn forget_user(&self, user_id: i64) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (user, _, _)| user.id != user_id);
    }
}
