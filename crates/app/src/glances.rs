//! A read-only view of this machine in the shapes of the Glances REST API (versions 4 and 3),
//! so that Home Assistant's Glances integration, Homepage and other dashboards read Boss as
//! they read Glances: same plugin names, field names and units (bytes, percent, seconds).
//!
//! Only what Boss can read is filled: plugins Boss cannot fill (containers, GPUs, RAID, ...) are
//! absent from `pluginslist` and `all`; fields it cannot know are left out rather than guessed.
//! Counters that Glances reports as rates (network, disk I/O, context switches, CPU modes) are
//! taken against the previous reading, over the real interval (`time_since_update`); the very
//! first reading after start-up is against boot (the counters' origin).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Instant;

use platform::ProcessState;
use platform::resources::{
    CpuModeTimes, CpuTimes, DiskCounters, FileSystemUsage, MemoryDetails, NetworkCounters,
    TemperatureSensor,
};
use serde_json::{Value, json};

use crate::live::Sample;

/// The plugins Boss fills, in the order Glances lists them.
pub const PLUGINS: [&str; 14] = [
    "cpu",
    "diskio",
    "fs",
    "load",
    "mem",
    "memswap",
    "network",
    "percpu",
    "processcount",
    "processlist",
    "quicklook",
    "sensors",
    "system",
    "uptime",
];

/// The Glances API version a client speaks: the shapes differ in the network plugin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V3,
    V4,
}

/// The counters of the previous reading, shared by all clients: each reading reports its
/// change since the one before and moves the baseline forward once it is at least
/// [`MIN_INTERVAL`] old (so that two clients polling together do not divide by nothing).
#[derive(Default)]
pub struct Counters {
    baseline: Mutex<Option<Arc<Counted>>>,
}

/// A baseline younger than this is kept: rates are then taken over a longer, steadier interval.
const MIN_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Cumulative counters at one moment.
#[derive(Debug, Default)]
pub struct Counted {
    at: Option<Instant>,
    cpu: Option<CpuTimes>,
    network: HashMap<String, NetworkCounters>,
    disks: HashMap<String, DiskCounters>,
    swap: Option<(u64, u64)>,
}

/// The processor's model name, read on first use.
static CPU_MODEL: OnceLock<Option<String>> = OnceLock::new();

/// Everything one answer is built from, read once per request.
pub struct Reading {
    pub sample: Arc<Sample>,
    pub cpu: Option<CpuTimes>,
    pub memory: Option<MemoryDetails>,
    pub file_systems: Vec<FileSystemUsage>,
    pub network: Vec<NetworkCounters>,
    pub disks: Vec<DiskCounters>,
    pub sensors: Vec<TemperatureSensor>,
    pub cpu_model: Option<String>,
}

impl Reading {
    /// Reads the machine's counters (blocking: small `/proc` and `/sys` files, a `statvfs` per
    /// mounted device).
    pub fn read(sample: Arc<Sample>) -> Reading {
        Reading {
            sample,
            cpu: platform::resources::cpu_times().ok(),
            memory: platform::resources::memory_details().ok(),
            file_systems: platform::resources::file_systems().unwrap_or_default(),
            network: platform::resources::network_counters().unwrap_or_default(),
            // RAM disks and loop devices are hidden, as Glances's default configuration does.
            disks: platform::resources::disk_counters()
                .unwrap_or_default()
                .into_iter()
                .filter(|d| !d.disk.starts_with("loop") && !d.disk.starts_with("ram"))
                .collect(),
            sensors: platform::resources::temperatures().unwrap_or_default(),
            // The model does not change while Boss runs: `/proc/cpuinfo` (a block per core) is
            // read once, not on every request.
            cpu_model: CPU_MODEL
                .get_or_init(platform::resources::cpu_model)
                .clone(),
        }
    }
}

impl Counters {
    /// The baseline to compare `reading` with (boot when there is none yet), and makes
    /// `reading` the next baseline when the current one is old enough.
    fn baseline_for(&self, reading: &Reading, now: Instant) -> Arc<Counted> {
        let mut baseline = self.baseline.lock().unwrap_or_else(|e| e.into_inner());
        let previous = baseline.clone().unwrap_or_default();
        let due = previous
            .at
            .is_none_or(|at| now.duration_since(at) >= MIN_INTERVAL);
        if due {
            *baseline = Some(Arc::new(Counted {
                at: Some(now),
                cpu: reading.cpu.clone(),
                network: reading
                    .network
                    .iter()
                    .map(|n| (n.interface.clone(), n.clone()))
                    .collect(),
                disks: reading
                    .disks
                    .iter()
                    .map(|d| (d.disk.clone(), d.clone()))
                    .collect(),
                swap: reading.memory.map(|m| (m.swapped_in, m.swapped_out)),
            }));
        }
        previous
    }
}

fn round1(value: f64) -> f64 {
    (value * 10.0).round() / 10.0
}

fn percent(part: f64, whole: f64) -> f64 {
    if whole > 0.0 {
        round1(part / whole * 100.0)
    } else {
        0.0
    }
}

/// Builds plugin answers from one reading.
pub struct View<'a> {
    reading: &'a Reading,
    previous: Arc<Counted>,
    /// Seconds since the baseline (or since boot for the first reading).
    elapsed: f64,
    version: ApiVersion,
}

impl<'a> View<'a> {
    pub fn new(reading: &'a Reading, counters: &Counters, version: ApiVersion) -> View<'a> {
        let now = Instant::now();
        let previous = counters.baseline_for(reading, now);
        let elapsed = match previous.at {
            Some(at) => now.duration_since(at).as_secs_f64(),
            None => reading.sample.snapshot.system.uptime_secs as f64,
        }
        .max(0.001);
        View {
            reading,
            previous,
            elapsed,
            version,
        }
    }

    /// One plugin, or `None` for a plugin Boss does not fill.
    pub fn plugin(&self, name: &str) -> Option<Value> {
        Some(match name {
            "cpu" => self.cpu(),
            "diskio" => self.diskio(),
            "fs" => self.fs(),
            "load" => self.load(),
            "mem" => self.mem(),
            "memswap" => self.memswap(),
            "network" => self.network(),
            "percpu" => self.percpu(),
            "processcount" => self.processcount(),
            "processlist" => self.processlist(),
            "quicklook" => self.quicklook(),
            "sensors" => self.sensors(),
            "system" => self.system(),
            "uptime" => self.uptime(),
            _ => return None,
        })
    }

    /// Every plugin, by name (`GET /api/4/all`).
    pub fn all(&self) -> Value {
        Value::Object(
            PLUGINS
                .iter()
                .filter_map(|name| Some((name.to_string(), self.plugin(name)?)))
                .collect(),
        )
    }

    fn system_info(&self) -> &platform::SystemInfo {
        &self.reading.sample.snapshot.system
    }

    fn system(&self) -> Value {
        let s = self.system_info();
        let platform = if cfg!(target_pointer_width = "64") {
            "64bit"
        } else {
            "32bit"
        };
        json!({
            "os_name": os_name(),
            "hostname": s.hostname,
            "platform": platform,
            "linux_distro": s.os,
            "os_version": s.kernel,
            "hr_name": format!("{} {platform}", s.os),
        })
    }

    /// As Python prints a `timedelta`: `3 days, 4:05:06`.
    fn uptime(&self) -> Value {
        let secs = self.system_info().uptime_secs;
        let (days, rest) = (secs / 86_400, secs % 86_400);
        let clock = format!("{}:{:02}:{:02}", rest / 3600, rest % 3600 / 60, rest % 60);
        Value::String(match days {
            0 => clock,
            1 => format!("1 day, {clock}"),
            n => format!("{n} days, {clock}"),
        })
    }

    /// Mode percentages over the interval between two readings of one CPU line.
    fn mode_percents(
        now: &CpuModeTimes,
        before: Option<&CpuModeTimes>,
    ) -> serde_json::Map<String, Value> {
        let zero = CpuModeTimes::default();
        let before = before.unwrap_or(&zero);
        let delta = |a: f64, b: f64| (a - b).max(0.0);
        let total = delta(now.total(), before.total());
        let mut map = serde_json::Map::new();
        for ((mode, value), (_, old)) in now.modes().iter().zip(before.modes()) {
            map.insert(mode.to_string(), json!(percent(delta(*value, old), total)));
        }
        map.insert(
            "guest".into(),
            json!(percent(delta(now.guest, before.guest), total)),
        );
        map.insert(
            "guest_nice".into(),
            json!(percent(delta(now.guest_nice, before.guest_nice), total)),
        );
        let idle = delta(now.idle + now.iowait, before.idle + before.iowait);
        map.insert("total".into(), json!(percent(total - idle, total)));
        map
    }

    /// A counter Glances 4 reports as a rate: the change (`name`), the counter (`_gauge`) and
    /// the change per second (`_rate_per_sec`).
    fn rate_fields(
        &self,
        map: &mut serde_json::Map<String, Value>,
        name: &str,
        now: u64,
        before: Option<u64>,
    ) {
        let change = now.saturating_sub(before.unwrap_or(0));
        map.insert(name.into(), json!(change));
        map.insert(format!("{name}_gauge"), json!(now));
        map.insert(
            format!("{name}_rate_per_sec"),
            json!(round1(change as f64 / self.elapsed)),
        );
    }

    fn cpu(&self) -> Value {
        let s = self.system_info();
        let mut map = match &self.reading.cpu {
            Some(cpu) => Self::mode_percents(&cpu.all, self.previous.cpu.as_ref().map(|c| &c.all)),
            None => serde_json::Map::new(),
        };
        // The same figure as Boss's own system summary.
        map.insert("total".into(), json!(round1(f64::from(s.cpu_percent))));
        map.insert("cpucore".into(), json!(s.cpu_count));
        map.insert("time_since_update".into(), json!(self.elapsed));
        if let Some(cpu) = &self.reading.cpu {
            let before = self.previous.cpu.as_ref();
            let counters = [
                (
                    "ctx_switches",
                    cpu.context_switches,
                    before.map(|b| b.context_switches),
                ),
                ("interrupts", cpu.interrupts, before.map(|b| b.interrupts)),
                (
                    "soft_interrupts",
                    cpu.soft_interrupts,
                    before.map(|b| b.soft_interrupts),
                ),
            ];
            for (name, now, before) in counters {
                self.rate_fields(&mut map, name, now, before);
            }
        }
        Value::Object(map)
    }

    fn percpu_list(&self) -> Vec<Value> {
        let Some(cpu) = &self.reading.cpu else {
            return Vec::new();
        };
        let before = self.previous.cpu.as_ref();
        cpu.per_cpu
            .iter()
            .enumerate()
            .map(|(number, core)| {
                let mut map = Self::mode_percents(core, before.and_then(|b| b.per_cpu.get(number)));
                map.insert("cpu_number".into(), json!(number));
                map.insert("key".into(), json!("cpu_number"));
                Value::Object(map)
            })
            .collect()
    }

    fn percpu(&self) -> Value {
        Value::Array(self.percpu_list())
    }

    fn load(&self) -> Value {
        let s = self.system_info();
        json!({
            "min1": s.load_average[0],
            "min5": s.load_average[1],
            "min15": s.load_average[2],
            "cpucore": s.cpu_count,
        })
    }

    fn mem(&self) -> Value {
        let s = self.system_info();
        // Used as Boss's summary counts it: what is not available.
        let used = s
            .memory_total_bytes
            .saturating_sub(s.memory_available_bytes);
        let mut value = json!({
            "total": s.memory_total_bytes,
            "available": s.memory_available_bytes,
            "used": used,
            "percent": percent(used as f64, s.memory_total_bytes as f64),
        });
        if let Some(m) = &self.reading.memory {
            let extra = json!({
                "free": m.free,
                "active": m.active,
                "inactive": m.inactive,
                "buffers": m.buffers,
                "cached": m.cached,
                "shared": m.shared,
            });
            if let (Some(map), Value::Object(extra)) = (value.as_object_mut(), extra) {
                map.extend(extra);
            }
        }
        value
    }

    fn memswap(&self) -> Value {
        let s = self.system_info();
        let used = s.swap_total_bytes.saturating_sub(s.swap_free_bytes);
        let mut value = json!({
            "total": s.swap_total_bytes,
            "used": used,
            "free": s.swap_free_bytes,
            "percent": percent(used as f64, s.swap_total_bytes as f64),
            "time_since_update": self.elapsed,
        });
        if let (Some(m), Some(map)) = (&self.reading.memory, value.as_object_mut()) {
            let (sin, sout) = self.previous.swap.unwrap_or((0, 0));
            map.insert("sin".into(), json!(m.swapped_in.saturating_sub(sin)));
            map.insert("sout".into(), json!(m.swapped_out.saturating_sub(sout)));
        }
        value
    }

    fn processcount(&self) -> Value {
        let sample = &self.reading.sample;
        let count = |state: ProcessState| {
            sample
                .snapshot
                .processes
                .iter()
                .filter(|p| p.state == state)
                .count()
        };
        let s = self.system_info();
        json!({
            "total": s.process_count,
            "running": count(ProcessState::Running),
            "sleeping": count(ProcessState::Sleeping) + count(ProcessState::Idle),
            "thread": s.thread_count,
        })
    }

    fn processlist(&self) -> Value {
        let sample = &self.reading.sample;
        let total_memory = self.system_info().memory_total_bytes as f64;
        let mut list: Vec<(f32, Value)> = sample
            .snapshot
            .processes
            .iter()
            .zip(&sample.rows)
            .map(|(p, row)| {
                // The row's command line, credentials hidden as everywhere in Boss.
                let cmdline: Vec<&str> = row.cmdline.split(' ').filter(|a| !a.is_empty()).collect();
                let value = json!({
                    "pid": p.pid,
                    "ppid": p.ppid,
                    "name": &*p.name,
                    "cmdline": cmdline,
                    "username": &*p.user,
                    "status": status_letter(p.state),
                    "cpu_percent": round1(f64::from(p.cpu_percent)),
                    "memory_percent": if total_memory > 0.0 {
                        p.memory_bytes as f64 / total_memory * 100.0
                    } else {
                        0.0
                    },
                    "memory_info": { "rss": p.memory_bytes },
                    "cpu_times": {
                        "user": p.user_time_ms as f64 / 1000.0,
                        "system": p.system_time_ms as f64 / 1000.0,
                    },
                    "num_threads": p.threads,
                    "key": "pid",
                    "time_since_update": self.elapsed,
                });
                (p.cpu_percent, value)
            })
            .collect();
        // Busiest first, as Glances sorts by default.
        list.sort_by(|a, b| b.0.total_cmp(&a.0));
        Value::Array(list.into_iter().map(|(_, v)| v).collect())
    }

    fn quicklook(&self) -> Value {
        let s = self.system_info();
        let mem = s
            .memory_total_bytes
            .saturating_sub(s.memory_available_bytes);
        let swap = s.swap_total_bytes.saturating_sub(s.swap_free_bytes);
        let mut value = json!({
            "cpu": round1(f64::from(s.cpu_percent)),
            "percpu": self.percpu_list(),
            "mem": percent(mem as f64, s.memory_total_bytes as f64),
            "swap": percent(swap as f64, s.swap_total_bytes as f64),
            // Glances 4: the 1-minute load as a share of the cores.
            "load": percent(s.load_average[0], f64::from(s.cpu_count)),
            "cpu_log_core": s.cpu_count,
        });
        if let (Some(name), Some(map)) = (&self.reading.cpu_model, value.as_object_mut()) {
            map.insert("cpu_name".into(), json!(name));
        }
        value
    }

    fn fs(&self) -> Value {
        Value::Array(
            self.reading
                .file_systems
                .iter()
                .map(|f| {
                    // As psutil counts it: the share of what users may fill.
                    let usable = f.used_bytes + f.available_bytes;
                    json!({
                        "device_name": f.device,
                        "fs_type": f.fs_type,
                        "mnt_point": f.mount_point,
                        "size": f.total_bytes,
                        "used": f.used_bytes,
                        "free": f.available_bytes,
                        "percent": percent(f.used_bytes as f64, usable as f64),
                        "key": "mnt_point",
                    })
                })
                .collect(),
        )
    }

    fn network(&self) -> Value {
        Value::Array(
            self.reading
                .network
                .iter()
                .map(|n| {
                    let before = self.previous.network.get(&n.interface);
                    let mut map = serde_json::Map::new();
                    map.insert("interface_name".into(), json!(n.interface));
                    map.insert("alias".into(), Value::Null);
                    map.insert("key".into(), json!("interface_name"));
                    map.insert("time_since_update".into(), json!(self.elapsed));
                    map.insert("is_up".into(), json!(n.is_up.unwrap_or(true)));
                    // Bits per second; 0 when the driver does not say (as psutil reports it).
                    map.insert("speed".into(), json!(n.speed_bits.unwrap_or(0)));
                    let recv = (n.received_bytes, before.map(|b| b.received_bytes));
                    let sent = (n.sent_bytes, before.map(|b| b.sent_bytes));
                    let all = (
                        recv.0 + sent.0,
                        before.map(|b| b.received_bytes + b.sent_bytes),
                    );
                    match self.version {
                        ApiVersion::V4 => {
                            self.rate_fields(&mut map, "bytes_recv", recv.0, recv.1);
                            self.rate_fields(&mut map, "bytes_sent", sent.0, sent.1);
                            self.rate_fields(&mut map, "bytes_all", all.0, all.1);
                        }
                        ApiVersion::V3 => {
                            for (name, (now, before)) in [("rx", recv), ("tx", sent), ("cx", all)] {
                                map.insert(
                                    name.into(),
                                    json!(now.saturating_sub(before.unwrap_or(0))),
                                );
                                map.insert(format!("cumulative_{name}"), json!(now));
                            }
                        }
                    }
                    Value::Object(map)
                })
                .collect(),
        )
    }

    fn diskio(&self) -> Value {
        Value::Array(
            self.reading
                .disks
                .iter()
                .map(|d| {
                    let before = self.previous.disks.get(&d.disk);
                    let mut map = serde_json::Map::new();
                    map.insert("disk_name".into(), json!(d.disk));
                    map.insert("key".into(), json!("disk_name"));
                    map.insert("time_since_update".into(), json!(self.elapsed));
                    let counters = [
                        ("read_count", d.reads, before.map(|b| b.reads)),
                        ("write_count", d.writes, before.map(|b| b.writes)),
                        ("read_bytes", d.read_bytes, before.map(|b| b.read_bytes)),
                        (
                            "write_bytes",
                            d.written_bytes,
                            before.map(|b| b.written_bytes),
                        ),
                        ("read_time", d.read_ms, before.map(|b| b.read_ms)),
                        ("write_time", d.write_ms, before.map(|b| b.write_ms)),
                    ];
                    for (name, now, before) in counters {
                        self.rate_fields(&mut map, name, now, before);
                    }
                    Value::Object(map)
                })
                .collect(),
        )
    }

    fn sensors(&self) -> Value {
        Value::Array(
            self.reading
                .sensors
                .iter()
                .map(|t| {
                    json!({
                        "label": t.label,
                        "value": round1(t.celsius),
                        "unit": "C",
                        "warning": t.high_celsius,
                        "critical": t.critical_celsius,
                        "type": "temperature_core",
                        "key": "label",
                    })
                })
                .collect(),
        )
    }
}

fn os_name() -> &'static str {
    match std::env::consts::OS {
        "linux" => "Linux",
        "macos" => "Darwin",
        "windows" => "Windows",
        "freebsd" => "FreeBSD",
        other => other,
    }
}

/// The one-letter state `ps` and psutil use.
fn status_letter(state: ProcessState) -> &'static str {
    match state {
        ProcessState::Running => "R",
        ProcessState::Sleeping => "S",
        ProcessState::DiskSleep => "D",
        ProcessState::Stopped => "T",
        ProcessState::TracingStop => "t",
        ProcessState::Zombie => "Z",
        ProcessState::Dead => "X",
        ProcessState::Idle => "I",
        ProcessState::Unknown => "?",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_modes_are_shares_of_the_interval() {
        let before = CpuModeTimes {
            user: 10.0,
            idle: 10.0,
            ..Default::default()
        };
        let now = CpuModeTimes {
            user: 13.0,
            system: 1.0,
            idle: 16.0,
            ..Default::default()
        };
        let map = View::mode_percents(&now, Some(&before));
        assert_eq!(map["user"], json!(30.0));
        assert_eq!(map["idle"], json!(60.0));
        assert_eq!(map["total"], json!(40.0));
    }
}
