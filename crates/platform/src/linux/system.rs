//! Machine-wide figures: `/proc/stat`, `/proc/meminfo`, `/proc/loadavg`, `/proc/uptime`.

use std::fs;

use crate::error::{Error, Result};
use crate::model::SystemInfo;

fn read(path: &str) -> Result<String> {
    fs::read_to_string(path).map_err(|e| Error::Io {
        context: format!("cannot read {path}"),
        source: e,
    })
}

/// Boot time, epoch milliseconds (`btime` in `/proc/stat`).
pub fn boot_time_ms() -> Result<i64> {
    let text = read("/proc/stat")?;
    text.lines()
        .find_map(|l| l.strip_prefix("btime "))
        .and_then(|v| v.trim().parse::<i64>().ok())
        .map(|secs| secs * 1000)
        .ok_or_else(|| Error::Io {
            context: "no btime in /proc/stat".into(),
            source: std::io::ErrorKind::InvalidData.into(),
        })
}

/// Sums of the aggregate `cpu` line: (busy, total) jiffies.
pub fn parse_cpu_line(stat: &str) -> Option<(u64, u64)> {
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let values: Vec<u64> = line
        .split_ascii_whitespace()
        .skip(1)
        .filter_map(|v| v.parse().ok())
        .collect();
    if values.len() < 4 {
        return None;
    }
    // user nice system idle iowait irq softirq steal (guest time is already in user).
    let total: u64 = values.iter().take(8).sum();
    let idle = values[3] + values.get(4).copied().unwrap_or(0);
    Some((total - idle, total))
}

/// A value in kB from `/proc/meminfo`, in bytes.
pub fn meminfo_bytes(text: &str, key: &str) -> Option<u64> {
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|rest| rest.split_ascii_whitespace().next()?.parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// Keeps the previous CPU counters to turn them into a percentage.
#[derive(Default)]
pub struct SystemSampler {
    previous: Option<(u64, u64)>,
    fixed: Option<(String, String, String, u32)>,
}

impl SystemSampler {
    pub fn sample(&mut self, process_count: u32, thread_count: u32) -> Result<SystemInfo> {
        let stat = read("/proc/stat")?;
        let cpu_count = stat
            .lines()
            .filter(|l| l.starts_with("cpu") && !l.starts_with("cpu "))
            .count() as u32;
        let cpu_percent = match (parse_cpu_line(&stat), self.previous) {
            (Some((busy, total)), Some((pbusy, ptotal))) if total > ptotal => {
                (busy.saturating_sub(pbusy) as f64 / (total - ptotal) as f64 * 100.0) as f32
            }
            _ => 0.0,
        };
        self.previous = parse_cpu_line(&stat);
        let mem = read("/proc/meminfo")?;
        let load = read("/proc/loadavg")?;
        let mut loads = load
            .split_ascii_whitespace()
            .filter_map(|v| v.parse::<f64>().ok());
        let load_average = [
            loads.next().unwrap_or(0.0),
            loads.next().unwrap_or(0.0),
            loads.next().unwrap_or(0.0),
        ];
        let uptime_secs = read("/proc/uptime")?
            .split_ascii_whitespace()
            .next()
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0) as u64;
        let (hostname, os, kernel, _) = self.fixed.get_or_insert_with(|| {
            let uname = rustix::system::uname();
            let os = fs::read_to_string("/etc/os-release")
                .ok()
                .and_then(|t| {
                    t.lines()
                        .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                        .map(|v| v.trim_matches('"').to_string())
                })
                .unwrap_or_else(|| "Linux".into());
            (
                super::hostname().unwrap_or_default(),
                os,
                uname.release().to_string_lossy().into_owned(),
                cpu_count,
            )
        });
        Ok(SystemInfo {
            hostname: hostname.clone(),
            os: os.clone(),
            kernel: kernel.clone(),
            uptime_secs,
            booted_at: boot_time_ms()?,
            cpu_count: cpu_count.max(1),
            cpu_percent,
            load_average,
            memory_total_bytes: meminfo_bytes(&mem, "MemTotal").unwrap_or(0),
            memory_available_bytes: meminfo_bytes(&mem, "MemAvailable").unwrap_or(0),
            swap_total_bytes: meminfo_bytes(&mem, "SwapTotal").unwrap_or(0),
            swap_free_bytes: meminfo_bytes(&mem, "SwapFree").unwrap_or(0),
            process_count,
            thread_count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cpu_and_memory() {
        let stat = "cpu  100 5 50 800 20 1 2 3 0 0\ncpu0 50 2 25 400 10 0 1 1 0 0\n";
        assert_eq!(parse_cpu_line(stat), Some((161, 981)));
        let mem = "MemTotal:       24000000 kB\nMemAvailable:   12000000 kB\n";
        assert_eq!(meminfo_bytes(mem, "MemTotal"), Some(24_000_000 * 1024));
        assert_eq!(meminfo_bytes(mem, "SwapTotal"), None);
    }
}
