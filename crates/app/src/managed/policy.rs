//! The policy of a managed app: when to restart it, how long to wait, when to give up, how to
//! stop it, how much log to keep. Every field is optional on input (defaults below) and an
//! unknown field is refused, so that a typo (`max_restart`) never silently means the default.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::logs::LogLimits;

/// When a run that ended is followed by another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RestartMode {
    /// After a non-zero exit or a signal (for an adopted process: any end Boss did not cause,
    /// since the exit status of a process Boss did not start cannot be read).
    #[default]
    OnFailure,
    /// After every end Boss did not cause, a clean exit included.
    Always,
    /// Never: the app is `exited` after its run.
    Never,
}

/// The delay before restart N is `initial_ms × factor^(N-1)`, at most `max_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Backoff {
    /// 10 to 3600000 (default 1000).
    pub initial_ms: u64,
    /// 1 to 10 (default 2).
    pub factor: f64,
    /// At least `initial_ms`, at most 86400000 (default 60000).
    pub max_ms: u64,
}

impl Default for Backoff {
    fn default() -> Self {
        Self {
            initial_ms: 1000,
            factor: 2.0,
            max_ms: 60_000,
        }
    }
}

/// How a run is stopped: `signal` to the whole process tree, KILL after `grace_ms`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct StopPolicy {
    /// TERM, INT, HUP, USR1, USR2 or KILL (default TERM).
    pub signal: String,
    /// 0 to 600000 (default 10000).
    pub grace_ms: u64,
}

impl Default for StopPolicy {
    fn default() -> Self {
        Self {
            signal: "TERM".into(),
            grace_ms: 10_000,
        }
    }
}

/// Everything Boss does with a managed app.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct Policy {
    pub restart: RestartMode,
    pub backoff: Backoff,
    /// A run this long (seconds) resets the backoff to `initial_ms` (0 to 86400; default 60).
    pub stable_after_s: u64,
    /// Restarts allowed within `window_s`; the failure after the last one ends in `errored`
    /// (0 to 10000; default 10).
    pub max_restarts: u32,
    /// 1 to 604800 (default 300).
    pub window_s: u64,
    pub stop: StopPolicy,
    pub logs: LogLimits,
    /// Start it when Boss starts (default true).
    pub autostart: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Self {
            restart: RestartMode::OnFailure,
            backoff: Backoff::default(),
            stable_after_s: 60,
            max_restarts: 10,
            window_s: 300,
            stop: StopPolicy::default(),
            logs: LogLimits::default(),
            autostart: true,
        }
    }
}

impl Policy {
    /// Reads a policy from JSON: absent fields take their defaults, unknown ones are refused,
    /// values are checked.
    pub fn from_json(value: serde_json::Value) -> Result<Policy, String> {
        let policy: Policy =
            serde_json::from_value(value).map_err(|e| format!("invalid policy: {e}"))?;
        policy.check()?;
        Ok(policy)
    }

    /// This policy with the fields of `patch` (a JSON object, nested objects merged) changed.
    pub fn patched(&self, patch: serde_json::Value) -> Result<Policy, String> {
        let mut current = serde_json::to_value(self).map_err(|e| e.to_string())?;
        merge(&mut current, patch);
        Policy::from_json(current)
    }

    /// The refusal, in words, of a value out of range.
    pub fn check(&self) -> Result<(), String> {
        let b = &self.backoff;
        if !(10..=3_600_000).contains(&b.initial_ms) {
            return Err(format!(
                "'backoff.initial_ms' must be between 10 and 3600000, not {}",
                b.initial_ms
            ));
        }
        if !(1.0..=10.0).contains(&b.factor) {
            return Err(format!(
                "'backoff.factor' must be between 1 and 10, not {}",
                b.factor
            ));
        }
        if b.max_ms < b.initial_ms || b.max_ms > 86_400_000 {
            return Err(format!(
                "'backoff.max_ms' must be between initial_ms ({}) and 86400000, not {}",
                b.initial_ms, b.max_ms
            ));
        }
        if self.stable_after_s > 86_400 {
            return Err(format!(
                "'stable_after_s' must be at most 86400, not {}",
                self.stable_after_s
            ));
        }
        if self.max_restarts > 10_000 {
            return Err(format!(
                "'max_restarts' must be at most 10000, not {}",
                self.max_restarts
            ));
        }
        if !(1..=604_800).contains(&self.window_s) {
            return Err(format!(
                "'window_s' must be between 1 and 604800, not {}",
                self.window_s
            ));
        }
        if self.stop.grace_ms > 600_000 {
            return Err(format!(
                "'stop.grace_ms' must be at most 600000, not {}",
                self.stop.grace_ms
            ));
        }
        self.stop_signal()?;
        self.logs.check()
    }

    /// The signal that starts a stop.
    pub fn stop_signal(&self) -> Result<platform::Signal, String> {
        use platform::Signal;
        let name = self.stop.signal.trim_start_matches("SIG");
        match Signal::parse(name) {
            Some(signal @ (Signal::Term | Signal::Int | Signal::Hup | Signal::Usr1)) => Ok(signal),
            Some(signal @ (Signal::Usr2 | Signal::Kill)) => Ok(signal),
            _ => Err(format!(
                "'stop.signal' must be TERM, INT, HUP, USR1, USR2 or KILL, not '{}'",
                self.stop.signal
            )),
        }
    }

    /// The delay before restart `n` (1-based) since the last stable run.
    pub fn delay(&self, n: u32) -> Duration {
        let b = &self.backoff;
        let exponent = n.saturating_sub(1).min(1000) as i32;
        let ms = (b.initial_ms as f64) * b.factor.powi(exponent);
        let capped = if ms.is_finite() {
            ms.min(b.max_ms as f64)
        } else {
            b.max_ms as f64
        };
        Duration::from_millis(capped.round() as u64)
    }
}

/// JSON merge patch (RFC 7386), without deletion by `null`: objects merge key by key, any
/// other value replaces.
fn merge(into: &mut serde_json::Value, patch: serde_json::Value) {
    match (into, patch) {
        (serde_json::Value::Object(target), serde_json::Value::Object(patch)) => {
            for (key, value) in patch {
                match target.get_mut(&key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        target.insert(key, value);
                    }
                }
            }
        }
        (target, patch) => *target = patch,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_empty_policy_takes_every_default() {
        assert_eq!(Policy::from_json(json!({})).unwrap(), Policy::default());
    }

    #[test]
    fn an_unknown_field_is_refused_even_nested() {
        let err = Policy::from_json(json!({"max_restart": 3})).unwrap_err();
        assert!(err.contains("max_restart"), "{err}");
        let err = Policy::from_json(json!({"backoff": {"initial": 3}})).unwrap_err();
        assert!(err.contains("initial"), "{err}");
    }

    #[test]
    fn delays_double_from_initial_and_stop_at_max() {
        let policy = Policy::default();
        let delays: Vec<u64> = (1..=8)
            .map(|n| policy.delay(n).as_millis() as u64)
            .collect();
        assert_eq!(delays, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    }

    #[test]
    fn a_patch_changes_only_what_it_names() {
        let policy = Policy::default()
            .patched(json!({"backoff": {"max_ms": 5000}, "restart": "always"}))
            .unwrap();
        assert_eq!(policy.backoff.max_ms, 5000);
        assert_eq!(policy.backoff.initial_ms, 1000);
        assert_eq!(policy.restart, RestartMode::Always);
    }

    #[test]
    fn out_of_range_values_are_refused_with_the_field() {
        let err = Policy::from_json(json!({"stop": {"signal": "STOP"}})).unwrap_err();
        assert!(err.contains("stop.signal"), "{err}");
        let err = Policy::from_json(json!({"logs": {"max_bytes": 10}})).unwrap_err();
        assert!(err.contains("logs.max_bytes"), "{err}");
    }
}
