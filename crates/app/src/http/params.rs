//! Parameters several resources take the same way (times, page sizes, timeouts), checked in one
//! place so that every endpoint refuses a bad one with the same 422 sentence naming it.

use std::time::Duration;

use crate::actions::processes::Target;
use crate::clock::parse_rfc3339;
use crate::error::{Error, Result};

/// An optional RFC 3339 time parameter called `name`, in epoch milliseconds; an empty string
/// counts as not given (HTML forms and the UI send one for a blank field).
pub fn time(name: &str, value: Option<&str>) -> Result<Option<i64>> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            parse_rfc3339(v).ok_or_else(|| {
                Error::Invalid(format!(
                    "'{name}' must be an RFC 3339 time such as 2026-01-31T12:00:00Z, not '{v}'"
                ))
            })
        })
        .transpose()
}

/// A process named by its PID and, optionally, the `started_at` time it was listed with, so
/// that an action on a reused PID is refused (409) rather than hitting another process.
pub fn target(pid: u32, started_at: Option<&str>) -> Result<Target> {
    let started_at = time("started_at", started_at)?;
    Ok(Target { pid, started_at })
}

/// A count parameter called `name` (a page size, lines of a log): `default` when not given,
/// else between 1 and `max`.
pub fn count<N>(name: &str, value: Option<N>, default: N, max: N) -> Result<N>
where
    N: Copy + PartialOrd + From<u8> + std::fmt::Display,
{
    let value = value.unwrap_or(default);
    if !(N::from(1)..=max).contains(&value) {
        return Err(Error::Invalid(format!(
            "'{name}' must be between 1 and {max}, not {value}"
        )));
    }
    Ok(value)
}

/// The `timeout_ms` of an action that waits: `default_ms` when not given, at most `max_ms`.
pub fn timeout(value_ms: Option<u64>, default_ms: u64, max_ms: u64) -> Result<Duration> {
    let ms = value_ms.unwrap_or(default_ms);
    if ms > max_ms {
        return Err(Error::Invalid(format!(
            "'timeout_ms' must be at most {max_ms}, not {ms}"
        )));
    }
    Ok(Duration::from_millis(ms))
}

/// The `cursor` of a paged list: the id the next page starts below, as given out in
/// `next_cursor`.
pub fn cursor(value: Option<&str>) -> Result<Option<i64>> {
    value
        .filter(|c| !c.is_empty())
        .map(|c| {
            c.parse().map_err(|_| {
                Error::Invalid(format!("'cursor' '{c}' is not one this server gave out"))
            })
        })
        .transpose()
}

/// Cuts `rows`, read newest first with one more than `limit` asked for, to `limit`; the cursor
/// of the next page when that one more was there (so there is a next page), else `None`.
pub fn next_cursor<T>(rows: &mut Vec<T>, limit: i64, id_of: impl Fn(&T) -> i64) -> Option<String> {
    if rows.len() as i64 > limit {
        rows.truncate(limit as usize);
        rows.last().map(|row| id_of(row).to_string())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_blank_time_is_not_given_and_a_wrong_one_is_named() {
        assert_eq!(time("since", Some("")).unwrap(), None);
        assert!(time("since", Some("1970-01-01T00:00:01Z")).unwrap() == Some(1000));
        let err = time("until", Some("yesterday")).unwrap_err().to_string();
        assert!(
            err.contains("'until'") && err.contains("'yesterday'"),
            "{err}"
        );
    }

    #[test]
    fn a_count_defaults_and_stays_between_one_and_its_maximum() {
        assert_eq!(count("limit", None, 100, 1000).unwrap(), 100);
        assert_eq!(count("tail", Some(7usize), 200, 10_000).unwrap(), 7);
        assert!(count("limit", Some(0), 100, 1000).is_err());
        assert!(count("limit", Some(1001), 100, 1000).is_err());
    }

    #[test]
    fn a_timeout_defaults_and_is_capped() {
        assert_eq!(timeout(None, 5000, 60_000).unwrap(), Duration::from_secs(5));
        assert!(timeout(Some(60_001), 5000, 60_000).is_err());
    }

    #[test]
    fn the_next_cursor_is_the_last_kept_row_when_there_was_one_more() {
        let mut rows = vec![9, 8, 7];
        assert_eq!(next_cursor(&mut rows, 2, |r| *r), Some("8".to_string()));
        assert_eq!(rows, [9, 8]);
        assert_eq!(next_cursor(&mut rows, 2, |r| *r), None);
        assert_eq!(cursor(Some("8")).unwrap(), Some(8));
        assert!(cursor(Some("x")).is_err());
    }
}
