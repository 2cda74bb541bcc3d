//! Records that must not be lost while the database is unreachable: they are appended to a
//! file in the data directory (one JSON document per line, flushed to disk) and written to the
//! database, in order, once it answers again. Every record carries a unique id and the store
//! ignores ids it already has, so a replay after a crash stores nothing twice.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;

use crate::store::{LaunchEnd, NewAuditEvent, NewLaunch, Store, StoreError};

/// A record waiting for the database.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SpooledRecord {
    Audit(NewAuditEvent),
    LaunchStarted(NewLaunch),
    LaunchEnded(LaunchEnd),
}

pub struct Spool {
    path: PathBuf,
    /// Held while appending or draining, so that a drain never truncates a line it did not
    /// write to the database.
    file_lock: tokio::sync::Mutex<()>,
    /// Records are waiting: new records queue behind them to keep their order.
    pending: AtomicBool,
}

impl Spool {
    pub fn new(data_dir: &Path) -> Self {
        let path = data_dir.join(crate::server::data_dir::SPOOL);
        let pending = std::fs::metadata(&path).is_ok_and(|m| m.len() > 0);
        Self {
            path,
            file_lock: tokio::sync::Mutex::new(()),
            pending: AtomicBool::new(pending),
        }
    }

    pub fn is_pending(&self) -> bool {
        self.pending.load(Ordering::SeqCst)
    }

    /// Appends durably (written and synced before returning).
    pub async fn append(&self, record: &SpooledRecord) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(record)?;
        line.push(b'\n');
        let _lock = self.file_lock.lock().await;
        let mut file = tokio::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .await?;
        file.write_all(&line).await?;
        file.sync_data().await?;
        self.pending.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Writes every waiting record to the store, oldest first; returns how many. Stops at the
    /// first failure and keeps the file for the next attempt.
    pub async fn drain(&self, store: &dyn Store) -> Result<usize, StoreError> {
        if !self.is_pending() {
            return Ok(0);
        }
        let _lock = self.file_lock.lock().await;
        let text = match tokio::fs::read_to_string(&self.path).await {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(StoreError::Corrupt(format!("cannot read the spool: {e}"))),
        };
        let mut written = 0;
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            match serde_json::from_str::<SpooledRecord>(line) {
                Ok(SpooledRecord::Audit(event)) => store.append_audit(&event).await?,
                Ok(SpooledRecord::LaunchStarted(launch)) => store.record_launch(&launch).await?,
                Ok(SpooledRecord::LaunchEnded(end)) => store.record_launch_end(&end).await?,
                // A torn last line (a crash mid-write) holds nothing that was acknowledged.
                Err(err) => tracing::warn!("skipping an unreadable spool line: {err}"),
            }
            written += 1;
        }
        // Everything is in the database: start the file afresh.
        tokio::fs::write(&self.path, b"")
            .await
            .map_err(|e| StoreError::Corrupt(format!("cannot truncate the spool: {e}")))?;
        self.pending.store(false, Ordering::SeqCst);
        if written > 0 {
            tracing::info!("the database is back: wrote {written} spooled record(s)");
        }
        Ok(written)
    }

    /// Writes a record to the store; while the database cannot be reached (or older records
    /// still wait here, so that order is kept) appends it to the spool instead. Failures are
    /// logged: the action the record describes has already happened.
    pub async fn record(&self, store: &dyn Store, record: SpooledRecord) {
        if !self.is_pending() {
            let written = match &record {
                SpooledRecord::Audit(event) => store.append_audit(event).await,
                SpooledRecord::LaunchStarted(launch) => store.record_launch(launch).await,
                SpooledRecord::LaunchEnded(end) => store.record_launch_end(end).await,
            };
            match written {
                Ok(()) => return,
                Err(err) if err.is_unavailable() => {
                    tracing::warn!("database unavailable; spooling a record: {err}");
                }
                Err(err) => {
                    tracing::error!("could not write a record: {err}");
                    return;
                }
            }
        }
        if let Err(err) = self.append(&record).await {
            tracing::error!("could not spool a record: {err}");
        }
    }

    /// Drains the spool every `period` while records wait.
    pub async fn run_drainer(self: Arc<Self>, store: Arc<dyn Store>, period: Duration) {
        let mut tick = tokio::time::interval(period);
        loop {
            tick.tick().await;
            if self.is_pending()
                && let Err(err) = self.drain(store.as_ref()).await
            {
                tracing::debug!("spool not drained yet: {err}");
            }
        }
    }
}
