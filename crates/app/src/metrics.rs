//! Prometheus metrics: what `GET /metrics` shows, encoded at scrape time from Boss's current
//! process sample (no scan of its own when the sample is fresh), and the few figures Boss
//! counts as it runs (requests by route and status; scan durations live in the process
//! monitor, where scans happen).
//!
//! Processes are grouped by **application** to keep the number of series low: the desktop
//! entry of a launch Boss made (for the launched process and its descendants), else the
//! executable's name; kernel threads form one group. No PID ever becomes a label.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use platform::resources::{CpuTimes, MemoryDetails, OwnProcess};
use platform::{ProcessInfo, ProcessRef};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;

use crate::live::Sample;
use crate::state::AppState;
use crate::store::{Launch, LaunchCount};

/// The group of kernel threads (hundreds of `kworker/…` names would each be a series).
pub const KERNEL_GROUP: &str = "kernel";

/// The exposition formats Boss writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The classic Prometheus text format, 0.0.4.
    Prometheus,
    /// OpenMetrics 1.0 text, for scrapers that ask for it.
    OpenMetrics,
}

impl Format {
    /// OpenMetrics when the `Accept` header names it, else the classic format.
    pub fn from_accept(accept: Option<&str>) -> Format {
        match accept {
            Some(accept) if accept.contains("application/openmetrics-text") => Format::OpenMetrics,
            _ => Format::Prometheus,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    /// The route template (`/api/v1/processes/{pid}`), never the raw path.
    route: String,
    status: u16,
}

/// Figures kept between scrapes.
#[derive(Default)]
pub struct Metrics {
    requests: Family<RequestLabels, Counter>,
    cpu: Mutex<AppCpuTotals>,
    /// The settings that scrapes need, held here (set with the others, see
    /// `AppState::apply`) so that a scrape reads no database.
    settings: RwLock<MetricsSettings>,
}

/// What the metrics endpoint takes from the server settings.
#[derive(Debug, Clone, Default)]
pub struct MetricsSettings {
    /// Networks that may scrape without a token.
    pub scrapers: Vec<ipnet::IpNet>,
    pub process_exporter_names: bool,
}

impl MetricsSettings {
    pub fn from_settings(settings: &crate::settings::Settings) -> Self {
        Self {
            scrapers: settings
                .metrics_scrapers
                .iter()
                .filter_map(|entry| crate::settings::parse_network(entry))
                .collect(),
            process_exporter_names: settings.metrics_process_exporter_names,
        }
    }

    /// Whether `client` is one of the allowed scrapers.
    pub fn scraper_allowed(&self, client: std::net::IpAddr) -> bool {
        let client = client.to_canonical();
        self.scrapers
            .iter()
            .any(|network| network.contains(&client))
    }
}

impl Metrics {
    /// Takes changed settings.
    pub fn set_settings(&self, settings: MetricsSettings) {
        *self.settings.write().unwrap_or_else(|e| e.into_inner()) = settings;
    }

    pub fn settings(&self) -> MetricsSettings {
        self.settings
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Counts one answered request.
    fn count_request(&self, method: &str, route: &str, status: u16) {
        self.requests
            .get_or_create(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            })
            .inc();
    }
}

/// Middleware: counts requests by method, matched route and status. Requests that matched no
/// route (the UI's files, unknown paths) count as route `other`, so that scanners probing
/// random paths cannot add series.
pub async fn count_requests(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let method = request.method().clone();
    let response = next.run(request).await;
    let method = match method.as_str() {
        "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE" | "OPTIONS" => method.as_str(),
        _ => "other",
    };
    state.metrics.count_request(
        method,
        route.as_deref().unwrap_or("other"),
        response.status().as_u16(),
    );
    response
}

/// CPU seconds per application as counters that only grow: each scrape adds what every
/// process used since the previous scrape, so that a process ending does not make its
/// application's counter fall (as process-exporter does). Processes that start and end
/// between two scrapes are not seen.
#[derive(Default)]
struct AppCpuTotals {
    /// The sample last counted (its `taken_at`).
    counted: Option<i64>,
    /// Per process: user and system milliseconds at the last counted sample.
    seen: HashMap<ProcessRef, (u64, u64)>,
    /// Per application: user and system seconds.
    totals: HashMap<String, (f64, f64)>,
}

impl AppCpuTotals {
    fn count(&mut self, sample: &Sample, groups: &AppGrouping) {
        if self.counted == Some(sample.taken_at()) {
            return;
        }
        let mut seen = HashMap::with_capacity(sample.snapshot.processes.len());
        for (process, app) in sample.snapshot.processes.iter().zip(&groups.by_process) {
            let now = (process.user_time_ms, process.system_time_ms);
            let before = self
                .seen
                .get(&process.identity())
                .copied()
                .unwrap_or((0, 0));
            let total = self.totals.entry(app.to_string()).or_default();
            total.0 += now.0.saturating_sub(before.0) as f64 / 1000.0;
            total.1 += now.1.saturating_sub(before.1) as f64 / 1000.0;
            seen.insert(process.identity(), now);
        }
        self.seen = seen;
        self.counted = Some(sample.taken_at());
    }
}

/// Which application each process of a sample belongs to, and the per-application sums.
pub struct AppGrouping {
    /// In the sample's process order.
    by_process: Vec<Arc<str>>,
    pub apps: Vec<AppGroup>,
}

/// The processes of one application at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppGroup {
    pub app: Arc<str>,
    pub processes: u64,
    pub threads: u64,
    pub memory_bytes: u64,
    /// By state name (`sleeping`, `running`, ...).
    pub states: HashMap<&'static str, u64>,
    /// The oldest process's start, epoch milliseconds.
    pub oldest_start_ms: i64,
}

/// Groups the processes of `sample`: the desktop entry of the running launch a process
/// descends from (the nearest), else its executable name; kernel threads together.
pub fn group_by_app(sample: &Sample, running: &[Launch]) -> AppGrouping {
    let launched: HashMap<ProcessRef, Arc<str>> = running
        .iter()
        .filter_map(|l| {
            let target = ProcessRef {
                pid: l.record.pid?,
                start_ticks: l.record.start_ticks?,
            };
            let app = l.record.app_id.as_deref().unwrap_or(&l.record.app_name);
            Some((target, Arc::from(app)))
        })
        .collect();
    let processes = &sample.snapshot.processes;
    let kernel: Arc<str> = Arc::from(KERNEL_GROUP);
    // Per PID: the launched application it descends from, if any (memoised walk up).
    let mut launch_of: HashMap<u32, Option<Arc<str>>> = HashMap::with_capacity(processes.len());
    let by_process: Vec<Arc<str>> = processes
        .iter()
        .map(|process| {
            if process.kernel_thread {
                return kernel.clone();
            }
            launched_ancestor(process, sample, &launched, &mut launch_of)
                .unwrap_or_else(|| process.name.clone())
        })
        .collect();
    let mut groups: HashMap<Arc<str>, AppGroup> = HashMap::new();
    for (process, app) in processes.iter().zip(&by_process) {
        let group = groups.entry(app.clone()).or_insert_with(|| AppGroup {
            app: app.clone(),
            oldest_start_ms: i64::MAX,
            ..AppGroup::default()
        });
        group.processes += 1;
        group.threads += u64::from(process.threads);
        group.memory_bytes += process.memory_bytes;
        *group.states.entry(process.state.as_str()).or_default() += 1;
        group.oldest_start_ms = group.oldest_start_ms.min(process.started_at);
    }
    let mut apps: Vec<AppGroup> = groups.into_values().collect();
    apps.sort_by(|a, b| a.app.cmp(&b.app));
    AppGrouping { by_process, apps }
}

/// The application of the nearest running launch that `process` is or descends from.
fn launched_ancestor(
    process: &ProcessInfo,
    sample: &Sample,
    launched: &HashMap<ProcessRef, Arc<str>>,
    launch_of: &mut HashMap<u32, Option<Arc<str>>>,
) -> Option<Arc<str>> {
    let mut chain = Vec::new();
    let mut current = process;
    // Bounded: a parent chain is short, and a damaged one must not loop.
    let found = loop {
        if let Some(known) = launch_of.get(&current.pid) {
            break known.clone();
        }
        if let Some(app) = launched.get(&current.identity()) {
            break Some(app.clone());
        }
        chain.push(current.pid);
        match sample.process(current.ppid) {
            Some(parent) if parent.pid != current.pid && chain.len() < 256 => current = parent,
            _ => break None,
        }
    };
    for pid in chain {
        launch_of.insert(pid, found.clone());
    }
    found
}

/// Everything one scrape shows, gathered before encoding (encoding cannot wait).
#[derive(Debug)]
pub struct Scrape {
    pub apps: Vec<AppGroup>,
    /// Per application: user and system CPU seconds (monotonic).
    pub app_cpu: Vec<(Arc<str>, f64, f64)>,
    /// The window backend and its window count, when it can list windows.
    pub windows: Option<(String, u64)>,
    pub launches: Vec<LaunchCount>,
    pub system: platform::SystemInfo,
    pub cpu: Option<CpuTimes>,
    pub memory: Option<MemoryDetails>,
    pub own: Option<OwnProcess>,
    /// Emit process-exporter's `namedprocess_namegroup_*` names for the application groups.
    pub process_exporter_names: bool,
}

impl Scrape {
    /// Gathers a scrape from the latest sample (a scan only when it is older than the sample
    /// interval), the running launches, the window list and a few small `/proc` files.
    pub async fn gather(
        state: &AppState,
        sample: &Sample,
        running: &[Launch],
        launches: Vec<LaunchCount>,
        windows: Option<(String, u64)>,
        process_exporter_names: bool,
    ) -> Scrape {
        let grouping = group_by_app(sample, running);
        let app_cpu = {
            let mut cpu = state.metrics.cpu.lock().unwrap_or_else(|e| e.into_inner());
            cpu.count(sample, &grouping);
            let mut totals: Vec<(Arc<str>, f64, f64)> = cpu
                .totals
                .iter()
                .map(|(app, (user, system))| (Arc::from(app.as_str()), *user, *system))
                .collect();
            totals.sort_by(|a, b| a.0.cmp(&b.0));
            totals
        };
        let (cpu, memory, own) = tokio::task::spawn_blocking(|| {
            (
                platform::resources::cpu_times().ok(),
                platform::resources::memory_details().ok(),
                platform::resources::own_process().ok(),
            )
        })
        .await
        .unwrap_or((None, None, None));
        Scrape {
            apps: grouping.apps,
            app_cpu,
            windows,
            launches,
            system: sample.snapshot.system.clone(),
            cpu,
            memory,
            own,
            process_exporter_names,
        }
    }

    /// The exposition text: this scrape, the request counters and the scan histogram.
    pub fn encode(self, state: &AppState, format: Format) -> String {
        let mut registry = Registry::default();
        registry.register(
            "boss_http_requests",
            "HTTP requests answered, by method, route template and status",
            state.metrics.requests.clone(),
        );
        registry.register(
            "boss_process_scan_duration_seconds",
            "Time taken by one scan of the process table",
            state.processes.scan_durations(),
        );
        registry.register_collector(Box::new(ScrapeCollector(self)));
        let mut text = String::with_capacity(16 * 1024);
        let result = match format {
            Format::Prometheus => {
                prometheus_client::encoding::prometheus_text::encode(&mut text, &registry)
            }
            Format::OpenMetrics => prometheus_client::encoding::text::encode(&mut text, &registry),
        };
        if let Err(err) = result {
            // Writing into a String cannot fail; should it, say so rather than half a page.
            tracing::error!("could not encode metrics: {err}");
            text.clear();
        }
        text
    }
}

#[derive(Debug)]
struct ScrapeCollector(Scrape);

/// Writes one family with one sample per label set.
fn family<V>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    kind: MetricType,
    samples: impl IntoIterator<Item = (Vec<(&'static str, String)>, V)>,
) -> Result<(), std::fmt::Error>
where
    V: prometheus_client::encoding::EncodeGaugeValue
        + prometheus_client::encoding::EncodeCounterValue,
{
    let mut metric = encoder.encode_descriptor(name, help, None, kind)?;
    for (labels, value) in samples {
        let mut sample = metric.encode_family(&labels)?;
        match kind {
            MetricType::Counter => sample
                .encode_counter::<prometheus_client::encoding::NoLabelSet, V, f64>(&value, None)?,
            _ => sample.encode_gauge(&value)?,
        }
    }
    Ok(())
}

/// A gauge with one sample and no labels (most of the machine's figures).
fn gauge<V>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: V,
) -> Result<(), std::fmt::Error>
where
    V: prometheus_client::encoding::EncodeGaugeValue
        + prometheus_client::encoding::EncodeCounterValue,
{
    family(encoder, name, help, MetricType::Gauge, one(value))
}

/// Gauges of whole numbers (name, help, value), each with one sample and no labels; those
/// without a value (not known on this system) are left out.
fn gauges(
    encoder: &mut DescriptorEncoder,
    figures: impl IntoIterator<Item = (&'static str, &'static str, Option<u64>)>,
) -> Result<(), std::fmt::Error> {
    for (name, help, value) in figures {
        if let Some(value) = value {
            gauge(encoder, name, help, value)?;
        }
    }
    Ok(())
}

fn one<V>(value: V) -> Vec<(Vec<(&'static str, String)>, V)> {
    vec![(Vec::new(), value)]
}

impl Collector for ScrapeCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let s = &self.0;
        let e = &mut encoder;
        use MetricType::{Counter as C, Gauge as G};
        // Boss itself.
        let mut info = e.encode_descriptor(
            "boss_build",
            "The running version of Boss of Apps",
            None,
            MetricType::Info,
        )?;
        info.encode_info(&[("version", env!("CARGO_PKG_VERSION"))])?;
        if let Some(own) = &s.own {
            family(
                e,
                "process_cpu_seconds",
                "Total user and system CPU time spent in seconds",
                C,
                one(own.cpu_seconds),
            )?;
            // Kept as a table: rustfmt would give each figure five lines.
            #[rustfmt::skip]
            let figures = [
                ("process_resident_memory_bytes", "Resident memory size in bytes",
                    Some(own.resident_bytes)),
                ("process_virtual_memory_bytes", "Virtual memory size in bytes",
                    Some(own.virtual_bytes)),
                ("process_open_fds", "Number of open file descriptors", Some(own.open_fds)),
                ("process_max_fds", "Maximum number of open file descriptors", own.max_fds),
                ("process_threads", "Number of OS threads in the process", Some(own.threads)),
            ];
            gauges(e, figures)?;
            let start = "Start time of the process since unix epoch in seconds";
            gauge(e, "process_start_time_seconds", start, own.start_time_secs)?;
        }
        // The machine.
        if let Some(cpu) = &s.cpu {
            let modes = cpu
                .all
                .modes()
                .map(|(mode, secs)| (vec![("mode", mode.to_string())], secs));
            family(
                e,
                "boss_cpu_seconds",
                "CPU time of all cores by mode, seconds",
                C,
                modes,
            )?;
        }
        let m = &s.system;
        let [load1, load5, load15] = m.load_average;
        let busy = "All cores busy over the last sample interval, 0 to 100";
        gauge(e, "boss_cpu_usage_percent", busy, f64::from(m.cpu_percent))?;
        gauge(e, "boss_load1", "Load average over 1 minute", load1)?;
        gauge(e, "boss_load5", "Load average over 5 minutes", load5)?;
        gauge(e, "boss_load15", "Load average over 15 minutes", load15)?;
        let memory = s.memory.as_ref();
        #[rustfmt::skip]
        let figures = [
            ("boss_cpus", "Logical CPUs", Some(u64::from(m.cpu_count))),
            ("boss_memory_total_bytes", "Physical memory", Some(m.memory_total_bytes)),
            ("boss_memory_available_bytes", "Memory available to start programs without swapping",
                Some(m.memory_available_bytes)),
            ("boss_memory_free_bytes", "Memory not used at all", memory.map(|m| m.free)),
            ("boss_memory_cached_bytes", "Page cache and reclaimable kernel memory",
                memory.map(|m| m.cached)),
            ("boss_swap_total_bytes", "Swap space", Some(m.swap_total_bytes)),
            ("boss_swap_free_bytes", "Swap space not in use", Some(m.swap_free_bytes)),
            ("boss_processes", "Processes on the machine", Some(u64::from(m.process_count))),
            ("boss_threads", "Threads on the machine", Some(u64::from(m.thread_count))),
            ("boss_uptime_seconds", "Time since the machine booted", Some(m.uptime_secs)),
        ];
        gauges(e, figures)?;
        if let Some((backend, count)) = &s.windows {
            family(
                e,
                "boss_windows",
                "Windows on the desktop, by window system",
                G,
                [(vec![("backend", backend.clone())], *count)],
            )?;
        }
        let launches = s.launches.iter().map(|l| {
            (
                vec![
                    ("app", l.app.clone()),
                    ("outcome", l.outcome.as_str().to_string()),
                ],
                l.launches.max(0) as u64,
            )
        });
        family(
            e,
            "boss_launches",
            "Programs Boss launched, by application and how they ended (running: not yet)",
            C,
            launches,
        )?;
        // Applications.
        let app = |a: &Arc<str>| vec![("app", a.to_string())];
        if s.process_exporter_names {
            self.encode_process_exporter(e)?;
        } else {
            let cpu = s
                .app_cpu
                .iter()
                .map(|(a, user, system)| (app(a), user + system));
            family(
                e,
                "boss_app_cpu_seconds",
                "CPU time of an application's processes over their lives (those Boss has seen), seconds",
                C,
                cpu,
            )?;
            let memory = s.apps.iter().map(|g| (app(&g.app), g.memory_bytes));
            family(
                e,
                "boss_app_memory_bytes",
                "Resident memory of an application's processes",
                G,
                memory,
            )?;
            let count = s.apps.iter().map(|g| (app(&g.app), g.processes));
            family(
                e,
                "boss_app_processes",
                "Processes of an application",
                G,
                count,
            )?;
        }
        Ok(())
    }
}

impl ScrapeCollector {
    /// The application groups under process-exporter's names (`groupname` = application), so
    /// that its Grafana dashboards work unchanged.
    fn encode_process_exporter(&self, e: &mut DescriptorEncoder) -> Result<(), std::fmt::Error> {
        use MetricType::{Counter as C, Gauge as G};
        let s = &self.0;
        let group = |a: &Arc<str>| vec![("groupname", a.to_string())];
        family(
            e,
            "namedprocess_namegroup_num_procs",
            "number of processes in this group",
            G,
            s.apps.iter().map(|g| (group(&g.app), g.processes)),
        )?;
        let cpu = s.app_cpu.iter().flat_map(|(a, user, system)| {
            [("user", *user), ("system", *system)].map(|(mode, secs)| {
                let mut labels = group(a);
                labels.push(("mode", mode.to_string()));
                (labels, secs)
            })
        });
        family(
            e,
            "namedprocess_namegroup_cpu_seconds",
            "Cpu user usage in seconds",
            C,
            cpu,
        )?;
        let memory = s.apps.iter().map(|g| {
            let mut labels = group(&g.app);
            labels.push(("memtype", "resident".to_string()));
            (labels, g.memory_bytes)
        });
        family(
            e,
            "namedprocess_namegroup_memory_bytes",
            "number of bytes of memory in use",
            G,
            memory,
        )?;
        family(
            e,
            "namedprocess_namegroup_num_threads",
            "Number of threads",
            G,
            s.apps.iter().map(|g| (group(&g.app), g.threads)),
        )?;
        let oldest = s
            .apps
            .iter()
            .map(|g| (group(&g.app), g.oldest_start_ms as f64 / 1000.0));
        family(
            e,
            "namedprocess_namegroup_oldest_start_time_seconds",
            "start time in seconds since 1970/01/01 of oldest process in group",
            G,
            oldest,
        )?;
        // process-exporter's state names.
        let states = s.apps.iter().flat_map(|g| {
            let count = |names: &[&str]| {
                names
                    .iter()
                    .map(|n| g.states.get(n).copied().unwrap_or(0))
                    .sum::<u64>()
            };
            [
                ("Running", count(&["running"])),
                ("Sleeping", count(&["sleeping", "idle"])),
                ("Waiting", count(&["disk_sleep"])),
                ("Zombie", count(&["zombie"])),
                (
                    "Other",
                    count(&["stopped", "tracing_stop", "dead", "unknown"]),
                ),
            ]
            .map(|(state, n)| {
                let mut labels = group(&g.app);
                labels.push(("state", state.to_string()));
                (labels, n)
            })
        });
        family(
            e,
            "namedprocess_namegroup_states",
            "Number of processes in states Running, Sleeping, Waiting, Zombie, or Other",
            G,
            states,
        )?;
        Ok(())
    }
}
