//! Machine resources beyond the process table, for the monitoring exports (Prometheus, the
//! Glances-compatible API): CPU time by mode, memory details, file systems, network and disk
//! counters, temperature sensors, and Boss's own process figures.
//!
//! Every reader is cheap (a handful of small files) and returns cumulative counters as the
//! operating system keeps them; turning counters into rates is the caller's business (it knows
//! the interval). Where a system cannot tell, the value is [`crate::Error::Unsupported`] or an
//! empty list, never a made-up number.

use serde::Serialize;

/// CPU time by mode, seconds since boot (one core or all cores together).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct CpuModeTimes {
    pub user: f64,
    pub nice: f64,
    pub system: f64,
    pub idle: f64,
    pub iowait: f64,
    pub irq: f64,
    pub softirq: f64,
    pub steal: f64,
    /// Time running virtual machines' CPUs (already counted in `user`).
    pub guest: f64,
    pub guest_nice: f64,
}

impl CpuModeTimes {
    /// The modes with their conventional names, `guest` ones excluded (they are part of
    /// `user` and `nice` already, so summing these gives the total).
    pub fn modes(&self) -> [(&'static str, f64); 8] {
        [
            ("user", self.user),
            ("nice", self.nice),
            ("system", self.system),
            ("idle", self.idle),
            ("iowait", self.iowait),
            ("irq", self.irq),
            ("softirq", self.softirq),
            ("steal", self.steal),
        ]
    }

    /// All time counted, idle included.
    pub fn total(&self) -> f64 {
        self.modes().iter().map(|(_, v)| v).sum()
    }
}

/// CPU counters since boot.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CpuTimes {
    /// All cores together.
    pub all: CpuModeTimes,
    /// One entry per core, in the order the system numbers them.
    pub per_cpu: Vec<CpuModeTimes>,
    pub context_switches: u64,
    pub interrupts: u64,
    pub soft_interrupts: u64,
}

/// Memory in bytes, as the kernel accounts it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct MemoryDetails {
    pub total: u64,
    pub available: u64,
    pub free: u64,
    pub buffers: u64,
    pub cached: u64,
    pub active: u64,
    pub inactive: u64,
    pub shared: u64,
    pub swap_total: u64,
    pub swap_free: u64,
    /// Bytes swapped in and out since boot.
    pub swapped_in: u64,
    pub swapped_out: u64,
}

/// A mounted file system backed by a device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FileSystemUsage {
    pub device: String,
    pub mount_point: String,
    pub fs_type: String,
    pub total_bytes: u64,
    /// Bytes in use.
    pub used_bytes: u64,
    /// Bytes an unprivileged user may still write (the reserve for root excluded).
    pub available_bytes: u64,
}

/// A network interface's counters since it came up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NetworkCounters {
    pub interface: String,
    pub received_bytes: u64,
    pub sent_bytes: u64,
    pub received_packets: u64,
    pub sent_packets: u64,
    pub is_up: Option<bool>,
    /// Link speed in bits per second, when the driver says.
    pub speed_bits: Option<u64>,
}

/// A block device's counters since boot.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiskCounters {
    pub disk: String,
    pub reads: u64,
    pub writes: u64,
    pub read_bytes: u64,
    pub written_bytes: u64,
    /// Milliseconds spent reading and writing.
    pub read_ms: u64,
    pub write_ms: u64,
}

/// A temperature reading.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TemperatureSensor {
    pub label: String,
    pub celsius: f64,
    /// The thresholds the hardware declares, when it does.
    pub high_celsius: Option<f64>,
    pub critical_celsius: Option<f64>,
}

/// Boss's own process, for the conventional `process_*` metrics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct OwnProcess {
    pub cpu_seconds: f64,
    pub resident_bytes: u64,
    pub virtual_bytes: u64,
    /// Start time, seconds since the Unix epoch.
    pub start_time_secs: f64,
    pub open_fds: u64,
    pub max_fds: Option<u64>,
    pub threads: u64,
}

/// CPU time by mode since boot.
pub fn cpu_times() -> crate::Result<CpuTimes> {
    crate::native::cpu_times()
}

/// Memory and swap figures.
pub fn memory_details() -> crate::Result<MemoryDetails> {
    crate::native::memory_details()
}

/// Mounted file systems that live on a device (not `proc`, `tmpfs` and the like), one per
/// device; those Boss may not inspect are left out.
pub fn file_systems() -> crate::Result<Vec<FileSystemUsage>> {
    crate::native::file_systems()
}

/// Counters of every network interface.
pub fn network_counters() -> crate::Result<Vec<NetworkCounters>> {
    crate::native::network_counters()
}

/// Counters of every block device.
pub fn disk_counters() -> crate::Result<Vec<DiskCounters>> {
    crate::native::disk_counters()
}

/// Temperature sensors the hardware exposes; empty when there are none (virtual machines).
pub fn temperatures() -> crate::Result<Vec<TemperatureSensor>> {
    crate::native::temperatures()
}

/// Boss's own CPU time, memory, start time and open files.
pub fn own_process() -> crate::Result<OwnProcess> {
    crate::native::own_process()
}

/// The processor's model name (`/proc/cpuinfo`), when known.
pub fn cpu_model() -> Option<String> {
    crate::native::cpu_model()
}
