//! Password-guessing throttle for logins, password changes and other password checks.
//!
//! Two keys are counted for every attempt: the client's address (an IPv6 address by its /64,
//! which one subscriber usually holds whole) and the account. An address gets a fixed number of
//! failures per window. An account gets a few free failures, then each further attempt must wait
//! a delay that doubles with every failure (progressive, rather than a hard lock that would let
//! anyone lock the owner out); addresses the account recently logged in from are exempt from the
//! account's delay, so a stranger's guessing never locks the owner out of their usual machine.
//!
//! Checking and reserving is one step under one lock: an attempt in flight (its password still
//! being hashed) counts as a failure until it is decided, so a burst of concurrent guesses cannot
//! all pass the check before the first failure is recorded.
//!
//! Written here rather than with `governor`: a rate limiter counts every request, while this
//! counts failures, knows about attempts in flight and forgets an account's failures when its
//! password is given right.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy)]
pub struct ThrottleLimits {
    /// Failures per window from one address (over all accounts).
    pub per_address: usize,
    /// Failures per window for one account before delays set in.
    pub per_account: usize,
    pub window: Duration,
    /// The delay after the first failure past `per_account`; it doubles with each failure.
    pub first_delay: Duration,
}

impl Default for ThrottleLimits {
    fn default() -> Self {
        Self {
            per_address: 20,
            per_account: 5,
            window: Duration::from_secs(15 * 60),
            first_delay: Duration::from_secs(2),
        }
    }
}

/// Past this many tracked keys, stale ones are dropped so that a flood of made-up usernames
/// cannot grow memory without bound.
const MAX_KEYS: usize = 10_000;
/// How long a successful login exempts its address from the account's delays.
const TRUST_FOR: Duration = Duration::from_secs(30 * 24 * 3600);
/// Refusals from one address within this long are audited as one row with a count.
pub const DENIAL_FOLD: Duration = Duration::from_secs(60);

#[derive(Default)]
struct Counter {
    failures: VecDeque<Instant>,
    in_flight: usize,
}

/// Refusals of one address not yet written to the audit log.
struct DenialFold {
    client: Option<IpAddr>,
    since: Instant,
    since_ms: i64,
    /// Refusals after the first (which was audited at once).
    folded: u64,
}

/// Refusals folded together, ready to be audited as one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoldedDenials {
    /// The first client refused in the window.
    pub client: Option<IpAddr>,
    pub address: String,
    pub since_ms: i64,
    pub count: u64,
}

#[derive(Default)]
struct Inner {
    counters: HashMap<String, Counter>,
    /// (account, address key) -> last successful login.
    trusted: HashMap<(String, String), Instant>,
    denials: HashMap<String, DenialFold>,
}

pub struct LoginThrottle {
    limits: ThrottleLimits,
    inner: Mutex<Inner>,
}

/// An attempt that passed the throttle and holds its place until it is decided. Dropping it
/// undecided (an error on the way) releases the place without counting a failure.
#[must_use = "decide the attempt with succeeded() or failed()"]
pub struct Attempt<'a> {
    throttle: &'a LoginThrottle,
    address: String,
    account: String,
    decided: bool,
}

impl Attempt<'_> {
    /// The password was right: the account's failures are forgotten and this address is
    /// trusted for the account.
    pub fn succeeded(mut self) {
        self.decided = true;
        let now = Instant::now();
        let mut inner = self.throttle.lock();
        release(&mut inner, &self.address, &self.account);
        inner.counters.remove(&self.account);
        if inner.trusted.len() >= MAX_KEYS {
            inner.trusted.retain(|_, at| now - *at < TRUST_FOR);
        }
        if inner.trusted.len() < MAX_KEYS {
            inner
                .trusted
                .insert((self.account.clone(), self.address.clone()), now);
        }
    }

    /// The password was wrong: a failure for the address and the account.
    pub fn failed(mut self) {
        self.decided = true;
        let now = Instant::now();
        let mut inner = self.throttle.lock();
        release(&mut inner, &self.address, &self.account);
        for key in [&self.address, &self.account] {
            inner
                .counters
                .entry(key.clone())
                .or_default()
                .failures
                .push_back(now);
        }
    }
}

impl Drop for Attempt<'_> {
    fn drop(&mut self) {
        if !self.decided {
            let mut inner = self.throttle.lock();
            release(&mut inner, &self.address, &self.account);
        }
    }
}

fn release(inner: &mut Inner, address: &str, account: &str) {
    for key in [address, account] {
        if let Some(counter) = inner.counters.get_mut(key) {
            counter.in_flight = counter.in_flight.saturating_sub(1);
        }
    }
}

impl LoginThrottle {
    pub fn new(limits: ThrottleLimits) -> Self {
        Self {
            limits,
            inner: Mutex::new(Inner::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks and reserves an attempt to give `account`'s password from `client`, or
    /// `Err(seconds to wait)`.
    pub fn reserve(&self, client: Option<IpAddr>, account: &str) -> Result<Attempt<'_>, u64> {
        let now = Instant::now();
        let address = address_key(client);
        let account = account_key(account);
        let mut inner = self.lock();
        if inner.counters.len() >= MAX_KEYS {
            let window = self.limits.window;
            inner.counters.retain(|_, counter| {
                prune(&mut counter.failures, now, window);
                !counter.failures.is_empty() || counter.in_flight > 0
            });
        }
        let trusted = inner
            .trusted
            .get(&(account.clone(), address.clone()))
            .is_some_and(|at| now - *at < TRUST_FOR);
        let mut wait = self.address_wait(&mut inner, &address, now);
        if !trusted {
            wait = wait.max(self.account_wait(&mut inner, &account, now));
        }
        if wait > 0 {
            return Err(wait);
        }
        for key in [&address, &account] {
            inner.counters.entry(key.clone()).or_default().in_flight += 1;
        }
        Ok(Attempt {
            throttle: self,
            address,
            account,
            decided: false,
        })
    }

    /// A fixed budget of failures per window.
    fn address_wait(&self, inner: &mut Inner, key: &str, now: Instant) -> u64 {
        let limit = self.limits.per_address;
        let Some(counter) = inner.counters.get_mut(key) else {
            return 0;
        };
        prune(&mut counter.failures, now, self.limits.window);
        let used = counter.failures.len() + counter.in_flight;
        if used < limit {
            return 0;
        }
        // Free again when enough failures age out (or, with attempts in flight, shortly).
        let expiring = used - limit;
        match counter.failures.get(expiring) {
            Some(&oldest) => secs(self.limits.window.saturating_sub(now - oldest)),
            None => 1,
        }
    }

    /// A few free failures, then a delay after each failure that doubles every time.
    fn account_wait(&self, inner: &mut Inner, key: &str, now: Instant) -> u64 {
        let limit = self.limits.per_account;
        let Some(counter) = inner.counters.get_mut(key) else {
            return 0;
        };
        prune(&mut counter.failures, now, self.limits.window);
        let failures = counter.failures.len();
        if failures + counter.in_flight < limit {
            return 0;
        }
        if counter.in_flight > 0 {
            // Past the free failures, one attempt at a time.
            return 1;
        }
        let doublings = (failures - limit).min(20) as u32;
        let delay = self
            .limits
            .first_delay
            .saturating_mul(1 << doublings)
            .min(self.limits.window);
        let last = *counter.failures.back().expect("failures >= limit > 0");
        let waited = now - last;
        if waited >= delay {
            0
        } else {
            secs(delay - waited)
        }
    }

    /// Notes a refusal from `client` for the audit log: `true` when it should be written now
    /// (the first in a while); later ones are counted and come back from
    /// [`LoginThrottle::take_folded`] as one row.
    pub fn note_denial(&self, client: Option<IpAddr>, now_ms: i64) -> bool {
        let address = address_key(client);
        let now = Instant::now();
        let mut inner = self.lock();
        match inner.denials.get_mut(&address) {
            Some(fold) if now - fold.since < DENIAL_FOLD => {
                fold.folded += 1;
                false
            }
            _ => {
                if inner.denials.len() >= MAX_KEYS {
                    // Dropping counts is better than growing without bound; the first refusal
                    // of each address is always audited.
                    inner.denials.retain(|_, fold| fold.folded > 0);
                }
                if inner.denials.len() < MAX_KEYS {
                    inner.denials.insert(
                        address,
                        DenialFold {
                            client,
                            since: now,
                            since_ms: now_ms,
                            folded: 0,
                        },
                    );
                }
                true
            }
        }
    }

    /// Refusals folded over windows that have ended (all of them with `flush_all`), to be
    /// audited as one row per address.
    pub fn take_folded(&self, flush_all: bool) -> Vec<FoldedDenials> {
        let now = Instant::now();
        let mut inner = self.lock();
        let mut done = Vec::new();
        inner.denials.retain(|address, fold| {
            let ended = flush_all || now - fold.since >= DENIAL_FOLD;
            if ended && fold.folded > 0 {
                done.push(FoldedDenials {
                    client: fold.client,
                    address: address.clone(),
                    since_ms: fold.since_ms,
                    count: fold.folded,
                });
                fold.folded = 0;
            }
            !ended
        });
        done
    }
}

/// The throttle's key for a client address: IPv4 as is, IPv6 by its /64 network (the same
/// grouping as the connection caps).
pub fn address_key(client: Option<IpAddr>) -> String {
    match client {
        None => "ip:unknown".into(),
        Some(ip) => match crate::server::connections::address_key(ip) {
            IpAddr::V4(v4) => format!("ip:{v4}"),
            IpAddr::V6(v6) => format!("ip:{v6}/64"),
        },
    }
}

fn account_key(account: &str) -> String {
    format!("user:{}", account.to_lowercase())
}

fn secs(duration: Duration) -> u64 {
    duration.as_secs_f64().ceil().max(1.0) as u64
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
            first_delay: Duration::from_secs(2),
        }
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn delays_an_account_after_its_free_failures() {
        let throttle = LoginThrottle::new(limits(100, 3));
        for _ in 0..3 {
            throttle.reserve(ip("1.2.3.4"), "alice").unwrap().failed();
        }
        let wait = throttle.reserve(ip("5.6.7.8"), "Alice").err().unwrap();
        assert!((1..=2).contains(&wait), "{wait}");
        assert!(throttle.reserve(ip("5.6.7.8"), "bob").is_ok());
    }

    #[test]
    fn attempts_in_flight_count_against_the_limit() {
        let throttle = LoginThrottle::new(limits(100, 5));
        let held: Vec<_> = (0..5)
            .map(|_| throttle.reserve(ip("1.2.3.4"), "alice").unwrap())
            .collect();
        assert!(throttle.reserve(ip("1.2.3.4"), "alice").is_err());
        drop(held);
        assert!(throttle.reserve(ip("1.2.3.4"), "alice").is_ok());
    }

    #[test]
    fn locks_an_address_across_accounts() {
        let throttle = LoginThrottle::new(limits(3, 100));
        for name in ["a", "b", "c"] {
            throttle.reserve(ip("1.2.3.4"), name).unwrap().failed();
        }
        assert!(throttle.reserve(ip("1.2.3.4"), "d").is_err());
        assert!(throttle.reserve(ip("4.3.2.1"), "d").is_ok());
    }

    #[test]
    fn ipv6_addresses_of_one_network_share_a_budget() {
        let throttle = LoginThrottle::new(limits(2, 100));
        throttle
            .reserve(ip("2001:db8:1:2::1"), "a")
            .unwrap()
            .failed();
        throttle
            .reserve(ip("2001:db8:1:2::ffff"), "b")
            .unwrap()
            .failed();
        assert!(throttle.reserve(ip("2001:db8:1:2:abcd::9"), "c").is_err());
        assert!(throttle.reserve(ip("2001:db8:1:3::1"), "c").is_ok());
    }

    #[test]
    fn a_known_address_is_not_locked_out_by_strangers() {
        let throttle = LoginThrottle::new(limits(100, 2));
        throttle
            .reserve(ip("10.0.0.5"), "alice")
            .unwrap()
            .succeeded();
        for _ in 0..2 {
            throttle
                .reserve(ip("192.0.2.66"), "alice")
                .unwrap()
                .failed();
        }
        assert!(throttle.reserve(ip("192.0.2.66"), "alice").is_err());
        assert!(throttle.reserve(ip("10.0.0.5"), "alice").is_ok());
    }

    #[test]
    fn success_clears_the_account() {
        let throttle = LoginThrottle::new(limits(100, 2));
        throttle.reserve(ip("1.2.3.4"), "alice").unwrap().failed();
        throttle.reserve(ip("1.2.3.4"), "alice").unwrap().failed();
        assert!(throttle.reserve(ip("5.6.7.8"), "alice").is_err());
        // The owner, from an address they logged in from before (exempt from the delay), gets
        // in and clears the account's failures: the stranger's address is free again.
        let throttle = LoginThrottle::new(limits(100, 2));
        throttle
            .reserve(ip("1.2.3.4"), "alice")
            .unwrap()
            .succeeded();
        for _ in 0..2 {
            throttle.reserve(ip("5.6.7.8"), "alice").unwrap().failed();
        }
        assert!(throttle.reserve(ip("5.6.7.8"), "alice").is_err());
        throttle
            .reserve(ip("1.2.3.4"), "alice")
            .unwrap()
            .succeeded();
        assert!(throttle.reserve(ip("5.6.7.8"), "alice").is_ok());
    }

    #[test]
    fn refusals_fold_into_one_row_per_window() {
        let throttle = LoginThrottle::new(limits(1, 1));
        assert!(throttle.note_denial(ip("1.2.3.4"), 1000));
        for _ in 0..50 {
            assert!(!throttle.note_denial(ip("1.2.3.4"), 1001));
        }
        assert!(throttle.note_denial(ip("4.3.2.1"), 1002));
        assert!(throttle.take_folded(false).is_empty(), "the window is open");
        let folded = throttle.take_folded(true);
        assert_eq!(
            folded,
            vec![FoldedDenials {
                client: ip("1.2.3.4"),
                address: "ip:1.2.3.4".into(),
                since_ms: 1000,
                count: 50
            }]
        );
    }
}
