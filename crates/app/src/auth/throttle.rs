//! Login throttling: too many failed logins from one address, or for one account, within a
//! window make further attempts fail with 429 until the oldest failure ages out.
//!
//! Written here rather than with `governor`: a rate limiter counts every request, while this
//! counts only failures and forgets an account's failures when its password is given right.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    pub per_address: usize,
    pub per_account: usize,
    pub window: Duration,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self {
            per_address: 20,
            per_account: 5,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Past this many tracked keys, stale ones are dropped so that a flood of made-up usernames
/// cannot grow memory without bound.
const MAX_KEYS: usize = 10_000;

pub struct LoginThrottle {
    limits: ThrottleLimits,
    failures: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl LoginThrottle {
    pub fn new(limits: ThrottleLimits) -> Self {
        Self {
            limits,
            failures: Mutex::new(HashMap::new()),
        }
    }

    /// `Err(seconds to wait)` when either the address or the account is locked out.
    pub fn check(&self, address: &str, account: &str) -> Result<(), u64> {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let mut wait = 0;
        for (key, limit) in [
            (address_key(address), self.limits.per_address),
            (account_key(account), self.limits.per_account),
        ] {
            if let Some(times) = failures.get_mut(&key) {
                prune(times, now, self.limits.window);
                if times.len() >= limit {
                    let oldest = times[times.len() - limit];
                    let left = self.limits.window.saturating_sub(now - oldest);
                    wait = wait.max(left.as_secs().max(1));
                }
            }
        }
        if wait > 0 { Err(wait) } else { Ok(()) }
    }

    pub fn record_failure(&self, address: &str, account: &str) {
        let now = Instant::now();
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if failures.len() >= MAX_KEYS {
            let window = self.limits.window;
            failures.retain(|_, times| {
                prune(times, now, window);
                !times.is_empty()
            });
        }
        for key in [address_key(address), account_key(account)] {
            failures.entry(key).or_default().push_back(now);
        }
    }

    /// A right password clears the account's failures (not the address's).
    pub fn record_success(&self, account: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        failures.remove(&account_key(account));
    }
}

fn address_key(address: &str) -> String {
    format!("ip:{address}")
}

fn account_key(account: &str) -> String {
    format!("user:{}", account.to_lowercase())
}

fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times.front().is_some_and(|&t| now - t >= window) {
        times.pop_front();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits(per_address: usize, per_account: usize) -> ThrottleLimits {
        ThrottleLimits {
            per_address,
            per_account,
            window: Duration::from_secs(60),
        }
    }

    #[test]
    fn locks_an_account_after_its_limit() {
        let throttle = LoginThrottle::new(limits(100, 3));
        for _ in 0..3 {
            assert!(throttle.check("1.2.3.4", "alice").is_ok());
            throttle.record_failure("1.2.3.4", "alice");
        }
        let wait = throttle.check("5.6.7.8", "Alice").unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(throttle.check("5.6.7.8", "bob").is_ok());
    }

    #[test]
    fn locks_an_address_across_accounts() {
        let throttle = LoginThrottle::new(limits(3, 100));
        for name in ["a", "b", "c"] {
            throttle.record_failure("1.2.3.4", name);
        }
        assert!(throttle.check("1.2.3.4", "d").is_err());
        assert!(throttle.check("4.3.2.1", "d").is_ok());
    }

    #[test]
    fn success_clears_the_account() {
        let throttle = LoginThrottle::new(limits(100, 2));
        throttle.record_failure("1.2.3.4", "alice");
        throttle.record_failure("1.2.3.4", "alice");
        assert!(throttle.check("1.2.3.4", "alice").is_err());
        throttle.record_success("alice");
        assert!(throttle.check("1.2.3.4", "alice").is_ok());
    }
}
