//! Live process data: a sampler that runs only while someone watches, one scan at a time for
//! everyone, and changes broadcast to the event stream.
//!
//! The process table is served from the latest sample at once ([`ProcessMonitor::latest`]): when
//! that sample is older than the interval, one background scan is started and later requests
//! see its result. Callers that need current data ([`ProcessMonitor::fresh`]) take the latest
//! sample when it is young enough; otherwise the first of them scans and the others wait for
//! that same scan. Either way there is never more than one scan at a time, and no more than one
//! per interval unless a caller asks for fresh data.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use platform::{ProcessInfo, ProcessSnapshot, ProcessSource, SystemInfo};
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use serde::Serialize;
use tokio::sync::broadcast;

use crate::error::{Error, Result};
use crate::processes::{ProcessRow, Protection, RedactionCache};
pub use crate::watchers::WatchGuard;
use crate::watchers::Watchers;

/// One scan, with its rows as the API shows them.
pub struct Sample {
    /// When its scan started: data in it is no older than this.
    pub taken: Instant,
    pub snapshot: ProcessSnapshot,
    pub rows: Vec<ProcessRow>,
    /// The `GET /api/v1/processes` body, serialized once per sample on first use.
    json: OnceLock<Bytes>,
}

impl Sample {
    pub fn taken_at(&self) -> i64 {
        self.snapshot.taken_at
    }

    pub fn process(&self, pid: u32) -> Option<&ProcessInfo> {
        self.snapshot
            .processes
            .binary_search_by_key(&pid, |p| p.pid)
            .ok()
            .map(|i| &self.snapshot.processes[i])
    }

    pub fn row(&self, pid: u32) -> Option<&ProcessRow> {
        self.rows
            .binary_search_by_key(&pid, |r| r.pid)
            .ok()
            .map(|i| &self.rows[i])
    }

    pub fn list_json(&self) -> Bytes {
        self.json
            .get_or_init(|| {
                let list = ProcessListRef {
                    taken_at: crate::clock::to_rfc3339(self.taken_at()),
                    processes: &self.rows,
                };
                Bytes::from(serde_json::to_vec(&list).unwrap_or_default())
            })
            .clone()
    }
}

#[derive(Serialize)]
struct ProcessListRef<'a> {
    taken_at: String,
    processes: &'a [ProcessRow],
}

/// What changed between two samples.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessDiff {
    pub taken_at: String,
    #[serde(skip)]
    pub taken_at_ms: i64,
    /// New processes and those whose row changed.
    pub upserted: Vec<ProcessRow>,
    /// PIDs that ended (or whose PID now belongs to a new process, listed in `upserted`).
    pub removed: Vec<u32>,
    pub system: SystemInfo,
    /// The event stream's text for this diff, made by the first subscriber that sends it and
    /// shared by the others: one serialisation per sample, not one per subscriber.
    #[serde(skip)]
    pub event_data: OnceLock<String>,
}

/// Messages for event-stream subscribers.
#[derive(Debug, Clone)]
pub enum LiveEvent {
    Processes(Arc<ProcessDiff>),
}

/// While sampling, the allocator's free memory goes back to the system every this many
/// samples: each sample and its JSON are a few hundred KiB at 1,000 processes, freed a second
/// later, and under load the freed blocks fragment the heap.
const RELEASE_MEMORY_EVERY: u32 = 10;

pub struct ProcessMonitor {
    source: Option<Mutex<Box<dyn ProcessSource>>>,
    unsupported: String,
    scan_lock: tokio::sync::Mutex<()>,
    /// Set while a background refresh task exists, so that at most one is ever started.
    refreshing: AtomicBool,
    /// Scans taken so far (each `refresh` of the source), for tests and diagnostics.
    scans: AtomicU64,
    latest: RwLock<Option<Arc<Sample>>>,
    events: broadcast::Sender<LiveEvent>,
    watchers: Arc<Watchers>,
    pub interval: Duration,
    protection: RwLock<Arc<Protection>>,
    /// Only the scan (one at a time, under `scan_lock`) uses it.
    redactions: Mutex<RedactionCache>,
    /// How long scans take (for `GET /metrics`), observed where they run.
    scan_durations: Histogram,
}

impl ProcessMonitor {
    pub fn new(interval: Duration) -> Arc<Self> {
        let (source, unsupported) = match platform::process_source() {
            Ok(source) => (Some(Mutex::new(source)), String::new()),
            Err(err) => (None, err.to_string()),
        };
        let (events, _) = broadcast::channel(64);
        Arc::new(Self {
            source,
            unsupported,
            scan_lock: tokio::sync::Mutex::new(()),
            refreshing: AtomicBool::new(false),
            scans: AtomicU64::new(0),
            latest: RwLock::new(None),
            events,
            watchers: Arc::default(),
            interval,
            protection: RwLock::new(Arc::new(Protection::default())),
            redactions: Mutex::new(RedactionCache::default()),
            // 1 ms to about 4 s: 80 processes take about 1 ms, 5,000 under load a second.
            scan_durations: Histogram::new(exponential_buckets(0.001, 2.0, 13)),
        })
    }

    /// Replaces the protection rules (from settings); rows show them from the next scan.
    pub fn set_protection(&self, protection: Protection) {
        *self.protection.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(protection);
    }

    pub fn protection(&self) -> Arc<Protection> {
        self.protection
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn current(&self) -> Option<Arc<Sample>> {
        self.latest
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Durations of the scans so far, seconds (a handle on the same histogram).
    pub fn scan_durations(&self) -> Histogram {
        self.scan_durations.clone()
    }

    /// How many scans of the process table have been taken (the priming scan included).
    pub fn scan_count(&self) -> u64 {
        self.scans.load(Ordering::SeqCst)
    }

    /// The latest sample, at once, whatever its age (its `taken_at` tells). When it is older
    /// than the interval and no scan is under way, one background scan is started, so that the
    /// scan rate stays at most one per interval however many requests come. Only the very first
    /// call, with no sample yet, waits for a scan.
    pub async fn latest(self: &Arc<Self>) -> Result<Arc<Sample>> {
        let Some(sample) = self.current() else {
            return self.fresh(self.interval).await;
        };
        if sample.taken.elapsed() > self.interval {
            self.refresh_in_background();
        }
        Ok(sample)
    }

    /// Starts one scan on its own task unless a scan is running or a refresh is already queued.
    fn refresh_in_background(self: &Arc<Self>) {
        // A running scan (someone asked for fresh data) is about to give a new sample.
        if self.scan_lock.try_lock().is_err() {
            return;
        }
        if self.refreshing.swap(true, Ordering::SeqCst) {
            return;
        }
        let monitor = Arc::clone(self);
        tokio::spawn(async move {
            // Cleared on drop, so that a failed or cancelled refresh does not block the next.
            let _flag = RefreshingFlag(&monitor.refreshing);
            // `fresh` checks again under the scan lock: a scan that ran in between is reused.
            if let Err(err) = monitor.fresh(monitor.interval).await {
                tracing::warn!("background process scan: {err}");
            }
        });
    }

    /// A sample whose scan started at most `max_age` before this call: the latest, or a new
    /// scan (one at a time). With `Duration::ZERO`, only a scan started after the call will do,
    /// but callers that wait together share it.
    pub async fn fresh(self: &Arc<Self>, max_age: Duration) -> Result<Arc<Sample>> {
        let called = Instant::now();
        let is_fresh = |s: &Arc<Sample>| called.saturating_duration_since(s.taken) <= max_age;
        if let Some(sample) = self.current().filter(is_fresh) {
            return Ok(sample);
        }
        let _scan = self.scan_lock.lock().await;
        // Whoever held the lock before us may have just scanned.
        if let Some(sample) = self.current().filter(is_fresh) {
            return Ok(sample);
        }
        let first = self.current().is_none();
        if first {
            // CPU figures are changes between two scans: prime the counters.
            self.scan().await?;
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        self.scan().await
    }

    async fn scan(self: &Arc<Self>) -> Result<Arc<Sample>> {
        if self.source.is_none() {
            return Err(Error::Unavailable(format!(
                "process listing is {}",
                self.unsupported
            )));
        }
        self.scans.fetch_add(1, Ordering::SeqCst);
        let monitor = Arc::clone(self);
        let protection = self.protection();
        let sample = tokio::task::spawn_blocking(move || -> Result<Sample> {
            let taken = Instant::now();
            let source = monitor.source.as_ref().expect("checked above");
            let snapshot = source
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .refresh()
                .map_err(|e| Error::Internal(anyhow::anyhow!("process scan failed: {e}")))?;
            let lineage = Protection::boss_lineage(&snapshot);
            let mut redactions = monitor.redactions.lock().unwrap_or_else(|e| e.into_inner());
            let rows = snapshot
                .processes
                .iter()
                .map(|p| {
                    let redacted = redactions.redacted(p);
                    ProcessRow::new(p, &protection, &lineage, redacted.as_deref())
                })
                .collect();
            redactions.prune(&snapshot);
            drop(redactions);
            monitor
                .scan_durations
                .observe(taken.elapsed().as_secs_f64());
            let sample = Sample {
                taken,
                snapshot,
                rows,
                json: OnceLock::new(),
            };
            // Clients were reading the list: serialize it here rather than in the first request
            // that sees this sample (1 MB at 5,000 processes, the slowest request otherwise).
            // Nobody reading it costs nothing.
            if monitor.current().is_some_and(|s| s.json.get().is_some()) {
                sample.list_json();
            }
            Ok(sample)
        })
        .await
        .map_err(|e| Error::Internal(e.into()))??;
        let sample = Arc::new(sample);
        *self.latest.write().unwrap_or_else(|e| e.into_inner()) = Some(sample.clone());
        Ok(sample)
    }

    pub fn subscribe(&self) -> broadcast::Receiver<LiveEvent> {
        self.events.subscribe()
    }

    /// Registers a watcher; the sampler runs while at least one guard is alive.
    pub fn watch(self: &Arc<Self>) -> WatchGuard {
        self.watchers.watch(|| {
            if self.source.is_some() {
                tokio::spawn(Arc::clone(self).run_sampler());
            }
        })
    }

    pub fn watcher_count(&self) -> usize {
        self.watchers.count()
    }

    async fn run_sampler(self: Arc<Self>) {
        tracing::debug!("process sampler started");
        let mut previous = self.current();
        let mut tick = tokio::time::interval(self.interval);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut ticks: u32 = 0;
        loop {
            tick.tick().await;
            if !self.watchers.keep_running() {
                break;
            }
            ticks = ticks.wrapping_add(1);
            if ticks.is_multiple_of(RELEASE_MEMORY_EVERY) {
                platform::release_free_memory();
            }
            let sample = match self.fresh(self.interval / 2).await {
                Ok(sample) => sample,
                Err(err) => {
                    tracing::warn!("process sampler: {err}");
                    continue;
                }
            };
            if let Some(previous) = &previous
                && previous.taken_at() < sample.taken_at()
            {
                let diff = diff(previous, &sample);
                // Nobody listening is fine: the next subscriber starts from a full list.
                let _ = self.events.send(LiveEvent::Processes(Arc::new(diff)));
            }
            previous = Some(sample);
        }
        // The watchers' streams and the samples they kept are gone.
        platform::release_free_memory();
        tracing::debug!("process sampler stopped: nobody watches");
    }
}

/// Clears the background-refresh flag when the refresh task ends, however it ends.
struct RefreshingFlag<'a>(&'a AtomicBool);

impl Drop for RefreshingFlag<'_> {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

/// Rows added or changed, and PIDs gone, between two samples.
pub fn diff(before: &Sample, after: &Sample) -> ProcessDiff {
    let old: HashMap<u32, &ProcessRow> = before.rows.iter().map(|r| (r.pid, r)).collect();
    let mut upserted = Vec::new();
    let mut removed = Vec::new();
    for row in &after.rows {
        match old.get(&row.pid) {
            Some(previous) if *previous == row => {}
            Some(previous) if previous.started_at != row.started_at => {
                removed.push(row.pid);
                upserted.push(row.clone());
            }
            _ => upserted.push(row.clone()),
        }
    }
    for row in &before.rows {
        if after.row(row.pid).is_none() {
            removed.push(row.pid);
        }
    }
    ProcessDiff {
        taken_at: crate::clock::to_rfc3339(after.taken_at()),
        taken_at_ms: after.taken_at(),
        upserted,
        removed,
        system: after.snapshot.system.clone(),
        event_data: OnceLock::new(),
    }
}
