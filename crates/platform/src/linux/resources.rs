//! Machine resources from `/proc` and `/sys`: `/proc/stat` (CPU modes), `/proc/meminfo` and
//! `/proc/vmstat`, `/proc/self/mounts` with `statvfs`, `/proc/net/dev`, `/proc/diskstats`,
//! `/sys/class/hwmon`, and `/proc/self` for Boss's own figures.

use std::collections::HashSet;
use std::fs;

use crate::error::{Error, Result};
use crate::resources::{
    CpuModeTimes, CpuTimes, DiskCounters, FileSystemUsage, MemoryDetails, NetworkCounters,
    OwnProcess, TemperatureSensor,
};

fn read(path: &str) -> Result<String> {
    fs::read_to_string(path).map_err(|e| Error::Io {
        context: format!("cannot read {path}"),
        source: e,
    })
}

fn mode_times(fields: &[u64], ticks: f64) -> CpuModeTimes {
    let at = |i: usize| fields.get(i).copied().unwrap_or(0) as f64 / ticks;
    CpuModeTimes {
        user: at(0),
        nice: at(1),
        system: at(2),
        idle: at(3),
        iowait: at(4),
        irq: at(5),
        softirq: at(6),
        steal: at(7),
        guest: at(8),
        guest_nice: at(9),
    }
}

/// Parses `/proc/stat` with `ticks` clock ticks per second.
pub fn parse_cpu_times(stat: &str, ticks: f64) -> CpuTimes {
    let mut times = CpuTimes::default();
    for line in stat.lines() {
        let mut words = line.split_ascii_whitespace();
        let Some(key) = words.next() else { continue };
        let values: Vec<u64> = words.filter_map(|w| w.parse().ok()).collect();
        let first = values.first().copied().unwrap_or(0);
        match key {
            "cpu" => times.all = mode_times(&values, ticks),
            "ctxt" => times.context_switches = first,
            "intr" => times.interrupts = first,
            "softirq" => times.soft_interrupts = first,
            cpu if cpu.starts_with("cpu") => times.per_cpu.push(mode_times(&values, ticks)),
            _ => {}
        }
    }
    times
}

pub fn cpu_times() -> Result<CpuTimes> {
    let ticks = rustix::param::clock_ticks_per_second() as f64;
    Ok(parse_cpu_times(&read("/proc/stat")?, ticks))
}

/// Parses `/proc/meminfo` and `/proc/vmstat` (whose swap counters are in pages).
pub fn parse_memory(meminfo: &str, vmstat: &str, page_size: u64) -> MemoryDetails {
    let kb = |key: &str| super::system::meminfo_bytes(meminfo, key).unwrap_or(0);
    let pages = |key: &str| {
        vmstat
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(' '))
            .and_then(|v| v.trim().parse::<u64>().ok())
            .unwrap_or(0)
            * page_size
    };
    MemoryDetails {
        total: kb("MemTotal"),
        available: kb("MemAvailable"),
        free: kb("MemFree"),
        buffers: kb("Buffers"),
        // As `free` counts it: the page cache plus reclaimable slab.
        cached: kb("Cached") + kb("SReclaimable"),
        active: kb("Active"),
        inactive: kb("Inactive"),
        shared: kb("Shmem"),
        swap_total: kb("SwapTotal"),
        swap_free: kb("SwapFree"),
        swapped_in: pages("pswpin"),
        swapped_out: pages("pswpout"),
    }
}

pub fn memory_details() -> Result<MemoryDetails> {
    let vmstat = fs::read_to_string("/proc/vmstat").unwrap_or_default();
    Ok(parse_memory(
        &read("/proc/meminfo")?,
        &vmstat,
        rustix::param::page_size() as u64,
    ))
}

/// Undoes the octal escapes (`\040` for a space) of `/proc/mounts`.
fn unescape_mount(field: &str) -> String {
    let bytes = field.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        if bytes[i] == b'\\'
            && let Some(digits) = octal
        {
            let value = digits.iter().fold(0u32, |v, d| v * 8 + u32::from(d - b'0'));
            out.push(value as u8);
            i += 4;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// (device, mount point, type) of the mounts whose type needs a device (`/proc/filesystems`
/// marks the others `nodev`), first mount of each device only.
pub fn parse_device_mounts(mounts: &str, filesystems: &str) -> Vec<(String, String, String)> {
    let virtual_types: HashSet<&str> = filesystems
        .lines()
        .filter_map(|l| l.strip_prefix("nodev"))
        .map(str::trim)
        .collect();
    let mut seen = HashSet::new();
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_ascii_whitespace();
            let device = unescape_mount(fields.next()?);
            let mount_point = unescape_mount(fields.next()?);
            let fs_type = fields.next()?.to_string();
            Some((device, mount_point, fs_type))
        })
        .filter(|(_, _, fs_type)| !virtual_types.contains(fs_type.as_str()))
        .filter(|(device, _, _)| seen.insert(device.clone()))
        .collect()
}

pub fn file_systems() -> Result<Vec<FileSystemUsage>> {
    let mounts = read("/proc/self/mounts")?;
    let filesystems = read("/proc/filesystems")?;
    Ok(parse_device_mounts(&mounts, &filesystems)
        .into_iter()
        .filter_map(|(device, mount_point, fs_type)| {
            let stats = rustix::fs::statvfs(mount_point.as_str()).ok()?;
            let fragment = stats.f_frsize;
            let total_bytes = stats.f_blocks * fragment;
            Some(FileSystemUsage {
                device,
                mount_point,
                fs_type,
                total_bytes,
                used_bytes: total_bytes.saturating_sub(stats.f_bfree * fragment),
                available_bytes: stats.f_bavail * fragment,
            })
        })
        .collect())
}

/// Parses `/proc/net/dev`: two header lines, then `name: rx_bytes rx_packets ... tx_bytes
/// tx_packets ...` (eight receive fields, then eight send fields).
pub fn parse_net_dev(text: &str) -> Vec<NetworkCounters> {
    text.lines()
        .skip(2)
        .filter_map(|line| {
            let (name, rest) = line.split_once(':')?;
            let values: Vec<u64> = rest
                .split_ascii_whitespace()
                .filter_map(|v| v.parse().ok())
                .collect();
            if values.len() < 10 {
                return None;
            }
            Some(NetworkCounters {
                interface: name.trim().to_string(),
                received_bytes: values[0],
                received_packets: values[1],
                sent_bytes: values[8],
                sent_packets: values[9],
                is_up: None,
                speed_bits: None,
            })
        })
        .collect()
}

pub fn network_counters() -> Result<Vec<NetworkCounters>> {
    let mut counters = parse_net_dev(&read("/proc/net/dev")?);
    for counter in &mut counters {
        let sys = format!("/sys/class/net/{}", counter.interface);
        let read_sys = |name: &str| fs::read_to_string(format!("{sys}/{name}")).ok();
        // `unknown` is what loopback and many virtual links say while working.
        counter.is_up = read_sys("operstate").map(|s| s.trim() != "down");
        // Megabits per second; -1 (or a read error) when the driver does not know.
        counter.speed_bits = read_sys("speed")
            .and_then(|s| s.trim().parse::<i64>().ok())
            .filter(|&mbits| mbits > 0)
            .map(|mbits| mbits as u64 * 1_000_000);
    }
    Ok(counters)
}

/// Parses `/proc/diskstats` (sectors are 512 bytes whatever the device's block size).
pub fn parse_diskstats(text: &str) -> Vec<DiskCounters> {
    text.lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_ascii_whitespace().collect();
            if fields.len() < 11 {
                return None;
            }
            let n = |i: usize| fields[i].parse::<u64>().ok();
            Some(DiskCounters {
                disk: fields[2].to_string(),
                reads: n(3)?,
                read_bytes: n(5)? * 512,
                read_ms: n(6)?,
                writes: n(7)?,
                written_bytes: n(9)? * 512,
                write_ms: n(10)?,
            })
        })
        .collect()
}

pub fn disk_counters() -> Result<Vec<DiskCounters>> {
    Ok(parse_diskstats(&read("/proc/diskstats")?))
}

pub fn temperatures() -> Result<Vec<TemperatureSensor>> {
    let Ok(chips) = fs::read_dir("/sys/class/hwmon") else {
        return Ok(Vec::new());
    };
    let mut sensors = Vec::new();
    for chip in chips.flatten() {
        let dir = chip.path();
        let text = |name: &str| {
            fs::read_to_string(dir.join(name))
                .ok()
                .map(|s| s.trim().to_string())
        };
        // Millidegrees Celsius.
        let degrees = |name: &str| text(name)?.parse::<f64>().ok().map(|m| m / 1000.0);
        let chip_name = text("name").unwrap_or_else(|| chip.file_name().to_string_lossy().into());
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut inputs: Vec<String> = entries
            .flatten()
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter(|n| n.starts_with("temp") && n.ends_with("_input"))
            .collect();
        inputs.sort();
        for input in inputs {
            let prefix = input.trim_end_matches("_input");
            let Some(celsius) = degrees(&input) else {
                continue;
            };
            let label = text(&format!("{prefix}_label"))
                .map(|l| format!("{chip_name} {l}"))
                .unwrap_or_else(|| format!("{chip_name} {prefix}"));
            sensors.push(TemperatureSensor {
                label,
                celsius,
                high_celsius: degrees(&format!("{prefix}_max")),
                critical_celsius: degrees(&format!("{prefix}_crit")),
            });
        }
    }
    Ok(sensors)
}

pub fn own_process() -> Result<OwnProcess> {
    let stat = super::procfs::parse_stat(&read("/proc/self/stat")?).ok_or_else(|| Error::Io {
        context: "cannot parse /proc/self/stat".into(),
        source: std::io::ErrorKind::InvalidData.into(),
    })?;
    let ticks = rustix::param::clock_ticks_per_second() as f64;
    let boot_secs = super::system::boot_time_ms()? as f64 / 1000.0;
    let open_fds = fs::read_dir("/proc/self/fd")
        .map_err(|e| Error::Io {
            context: "cannot list /proc/self/fd".into(),
            source: e,
        })?
        .count() as u64;
    let max_fds = fs::read_to_string("/proc/self/limits").ok().and_then(|l| {
        l.lines()
            .find(|l| l.starts_with("Max open files"))?
            .split_ascii_whitespace()
            .nth(3)?
            .parse()
            .ok()
    });
    Ok(OwnProcess {
        cpu_seconds: (stat.utime + stat.stime) as f64 / ticks,
        resident_bytes: stat.rss_pages * rustix::param::page_size() as u64,
        virtual_bytes: stat.vsize,
        start_time_secs: boot_secs + stat.starttime as f64 / ticks,
        open_fds,
        max_fds,
        threads: stat.num_threads as u64,
    })
}

pub fn cpu_model() -> Option<String> {
    fs::read_to_string("/proc/cpuinfo")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("model name")?.split_once(':'))
        .map(|(_, name)| name.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_modes_and_counters_come_from_proc_stat() {
        let stat = "cpu  100 5 50 800 20 1 2 3 4 0\ncpu0 50 2 25 400 10 0 1 1 0 0\n\
                    cpu1 50 3 25 400 10 1 1 2 4 0\nintr 999 1 2\nctxt 1234\nsoftirq 77 1\n";
        let times = parse_cpu_times(stat, 100.0);
        assert_eq!(times.all.user, 1.0);
        assert_eq!(times.all.idle, 8.0);
        assert_eq!(times.all.steal, 0.03);
        assert_eq!(times.per_cpu.len(), 2);
        assert_eq!(times.per_cpu[1].nice, 0.03);
        assert_eq!(
            (
                times.context_switches,
                times.interrupts,
                times.soft_interrupts
            ),
            (1234, 999, 77)
        );
    }

    #[test]
    fn memory_counts_reclaimable_slab_as_cache_and_swap_pages_as_bytes() {
        let meminfo = "MemTotal: 1000 kB\nMemFree: 100 kB\nMemAvailable: 600 kB\n\
                       Buffers: 10 kB\nCached: 200 kB\nSReclaimable: 50 kB\nShmem: 5 kB\n";
        let memory = parse_memory(meminfo, "pswpin 3\npswpout 4\n", 4096);
        assert_eq!(memory.cached, 250 * 1024);
        assert_eq!(
            (memory.swapped_in, memory.swapped_out),
            (3 * 4096, 4 * 4096)
        );
    }

    #[test]
    fn only_device_backed_mounts_are_file_systems_and_each_device_once() {
        let filesystems = "nodev\tproc\nnodev\ttmpfs\n\text4\n\tvfat\n";
        let mounts = "proc /proc proc rw 0 0\n/dev/sda1 / ext4 rw 0 0\n\
                      tmpfs /tmp tmpfs rw 0 0\n/dev/sda1 /bind ext4 rw 0 0\n\
                      /dev/sdb1 /media/my\\040disk vfat rw 0 0\n";
        let found = parse_device_mounts(mounts, filesystems);
        let points: Vec<&str> = found.iter().map(|m| m.1.as_str()).collect();
        assert_eq!(points, ["/", "/media/my disk"]);
    }

    #[test]
    fn network_and_disk_counters_parse() {
        let dev = "Inter-|   Receive  |  Transmit\n face |bytes packets|bytes\n\
                   lo: 100 2 0 0 0 0 0 0 300 4 0 0 0 0 0 0\n";
        let net = parse_net_dev(dev);
        assert_eq!(net[0].interface, "lo");
        assert_eq!((net[0].received_bytes, net[0].sent_bytes), (100, 300));
        let disks = parse_diskstats("   8       0 sda 10 0 20 5 30 0 40 6 0 0 0 0 0 0 0\n");
        assert_eq!(disks[0].disk, "sda");
        assert_eq!(
            (disks[0].read_bytes, disks[0].written_bytes),
            (20 * 512, 40 * 512)
        );
        assert_eq!((disks[0].reads, disks[0].writes), (10, 30));
    }
}
