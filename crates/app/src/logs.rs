//! Capped program logs: the log writer (`boss log-writer`, a process of its own that reads a
//! launched program's output from a pipe and keeps it in size-rotated files) and reading the
//! last lines back across the rotated files.
//!
//! Why a separate writer process rather than files the program appends to with copy-truncate
//! rotation by Boss: with a writer every byte passes one place that knows the sizes, so the
//! bound holds at every instant (`max_bytes × (keep + 1)` per log: the current file and `keep`
//! rotated ones, none above `max_bytes`), whether Boss is running or not. Copy-truncate only
//! holds the bound between two checks, and a program writing faster than Boss checks (or while
//! Boss is down) fills the disk: the reports this feature answers. The writer runs in a
//! session of its own (see `platform::launch_logged`), so a restart of Boss neither stops the
//! logging nor sends the program SIGPIPE.

use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How big a log may grow: the current file and `keep` rotated ones, each at most
/// `max_bytes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LogLimits {
    /// The size at which the current file is rotated (4096 to 1 GiB; default 10 MiB).
    pub max_bytes: u64,
    /// How many rotated files are kept (0 to 100; default 5).
    pub keep: u32,
}

impl Default for LogLimits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            keep: 5,
        }
    }
}

impl LogLimits {
    pub const MIN_BYTES: u64 = 4096;
    pub const MAX_BYTES: u64 = 1 << 30;
    pub const MAX_KEEP: u32 = 100;

    /// The refusal, in words, of limits out of range.
    pub fn check(&self) -> Result<(), String> {
        if !(Self::MIN_BYTES..=Self::MAX_BYTES).contains(&self.max_bytes) {
            return Err(format!(
                "'logs.max_bytes' must be between {} and {}, not {}",
                Self::MIN_BYTES,
                Self::MAX_BYTES,
                self.max_bytes
            ));
        }
        if self.keep > Self::MAX_KEEP {
            return Err(format!(
                "'logs.keep' must be at most {}, not {}",
                Self::MAX_KEEP,
                self.keep
            ));
        }
        Ok(())
    }

    /// The arguments of `boss log-writer` for a log at `path`.
    pub fn writer_args(&self, path: &Path) -> Vec<String> {
        vec![
            "log-writer".into(),
            "--file".into(),
            path.display().to_string(),
            "--max-bytes".into(),
            self.max_bytes.to_string(),
            "--keep".into(),
            self.keep.to_string(),
        ]
    }
}

/// The `n`th rotated file of the log at `path` (`output.log.1` is the newest rotated one).
pub fn rotated(path: &Path, n: u32) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(format!(".{n}"));
    PathBuf::from(name)
}

/// The files of a log, oldest first (those that exist).
pub fn files(path: &Path, keep: u32) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = (1..=keep).rev().map(|n| rotated(path, n)).collect();
    all.push(path.to_path_buf());
    all.into_iter().filter(|p| p.is_file()).collect()
}

/// One log being written: the current file and how full it is.
struct RotatingLog {
    path: PathBuf,
    limits: LogLimits,
    file: File,
    size: u64,
}

impl RotatingLog {
    fn open(path: &Path, limits: LogLimits) -> io::Result<Self> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let size = file.metadata()?.len();
        let mut log = Self {
            path: path.to_path_buf(),
            limits,
            file,
            size,
        };
        // A file left fuller than the limit (limits lowered since) is rotated before anything
        // is added, so the bound holds from the first byte.
        if log.size >= limits.max_bytes {
            log.rotate()?;
        }
        Ok(log)
    }

    /// Shifts `.1 .. .keep-1` up by one (dropping `.keep`), renames the current file to `.1`
    /// and starts an empty one. With `keep` 0 the current file is simply emptied.
    fn rotate(&mut self) -> io::Result<()> {
        let keep = self.limits.keep;
        if keep > 0 {
            let _ = std::fs::remove_file(rotated(&self.path, keep));
            for n in (1..keep).rev() {
                let from = rotated(&self.path, n);
                if from.exists() {
                    std::fs::rename(&from, rotated(&self.path, n + 1))?;
                }
            }
            std::fs::rename(&self.path, rotated(&self.path, 1))?;
        }
        self.file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(&self.path)?;
        self.size = 0;
        Ok(())
    }

    /// Writes `bytes`, rotating whenever the current file is full: never a byte beyond
    /// `max_bytes` in any file.
    fn write(&mut self, mut bytes: &[u8]) -> io::Result<()> {
        while !bytes.is_empty() {
            if self.size >= self.limits.max_bytes {
                self.rotate()?;
            }
            let room = (self.limits.max_bytes - self.size) as usize;
            let (now, later) = bytes.split_at(room.min(bytes.len()));
            self.file.write_all(now)?;
            self.size += now.len() as u64;
            bytes = later;
        }
        Ok(())
    }
}

/// The body of `boss log-writer`: copies standard input into the log at `path` until
/// end-of-file. A write error (disk full) drops that chunk and goes on reading, so that the
/// program is never blocked or killed by its pipe filling up.
pub fn run_writer(path: &Path, limits: LogLimits) -> io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut log = RotatingLog::open(path, limits)?;
    let mut input = io::stdin().lock();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = match input.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if log.write(&buffer[..n]).is_err() {
            // Reopen on the next chunk (the file may have been removed by hand).
            if let Ok(again) = RotatingLog::open(path, limits) {
                log = again;
            }
        }
    }
}

/// The last `lines` lines of the log at `path`, across its rotated files (oldest first).
/// Reads from the newest file backwards and stops once it has enough.
pub fn tail(path: &Path, keep: u32, lines: usize) -> io::Result<String> {
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let mut found = 0usize;
    for file in files(path, keep).iter().rev() {
        let bytes = match std::fs::read(file) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        found += bytes.iter().filter(|&&b| b == b'\n').count();
        chunks.push(bytes);
        if found > lines {
            break;
        }
    }
    let all: Vec<u8> = chunks.into_iter().rev().flatten().collect();
    let text = String::from_utf8_lossy(&all);
    let body = text.strip_suffix('\n').unwrap_or(&text);
    if body.is_empty() || lines == 0 {
        return Ok(String::new());
    }
    let kept: Vec<&str> = body.rsplit('\n').take(lines).collect();
    let mut out = kept.into_iter().rev().collect::<Vec<_>>().join("\n");
    out.push('\n');
    Ok(out)
}

/// [`tail`], and a cursor just past what it read, to follow the log from there.
pub fn tail_and_cursor(path: &Path, keep: u32, lines: usize) -> io::Result<(String, LogCursor)> {
    // Measured first: what is written meanwhile may come twice, but is never lost.
    let offset = match std::fs::metadata(path) {
        Ok(meta) => meta.len(),
        Err(e) if e.kind() == io::ErrorKind::NotFound => 0,
        Err(e) => return Err(e),
    };
    Ok((tail(path, keep, lines)?, LogCursor { offset }))
}

/// How far a reader following a log has read its current file.
#[derive(Debug, Clone, Copy)]
pub struct LogCursor {
    offset: u64,
}

impl LogCursor {
    /// The most one read returns; the rest comes with the next.
    const MAX_READ: u64 = 1 << 20;

    /// What was written since the last read. The writer rotates by renaming the current file
    /// to `.1` and starting an empty one: a current file shorter than what was read means
    /// that, and the rest of `.1` comes first. (A file that grew past the old length again
    /// between two reads would hide a rotation; followers read every quarter second and files
    /// rotate at megabytes, so at worst some lines are skipped, never repeated.)
    pub fn read_new(&mut self, path: &Path) -> io::Result<Vec<u8>> {
        use std::io::{Seek, SeekFrom};
        let len = match std::fs::metadata(path) {
            Ok(meta) => meta.len(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        let mut out = Vec::new();
        if len < self.offset {
            if let Ok(mut previous) = File::open(rotated(path, 1)) {
                previous.seek(SeekFrom::Start(self.offset))?;
                previous.take(Self::MAX_READ).read_to_end(&mut out)?;
            }
            self.offset = 0;
        }
        if len > self.offset {
            let mut current = File::open(path)?;
            current.seek(SeekFrom::Start(self.offset))?;
            let read = current
                .take((len - self.offset).min(Self::MAX_READ))
                .read_to_end(&mut out)?;
            self.offset += read as u64;
        }
        Ok(out)
    }
}

/// The bytes a log holds now, over all its files.
pub fn total_bytes(path: &Path, keep: u32) -> u64 {
    files(path, keep)
        .iter()
        .filter_map(|f| f.metadata().ok())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_written_past_its_cap_keeps_every_file_under_max_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        let limits = LogLimits {
            max_bytes: 4096,
            keep: 2,
        };
        let mut log = RotatingLog::open(&path, limits).unwrap();
        for i in 0..2000 {
            log.write(format!("line {i}\n").as_bytes()).unwrap();
        }
        assert!(total_bytes(&path, 2) <= 4096 * 3);
        assert_eq!(files(&path, 2).len(), 3);
        assert!(!rotated(&path, 3).exists());
        let last = tail(&path, 2, 2).unwrap();
        assert_eq!(last, "line 1998\nline 1999\n");
    }

    #[test]
    fn a_follower_reads_what_is_added_and_the_rest_of_a_rotated_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        std::fs::write(&path, "a\n").unwrap();
        let (text, mut cursor) = tail_and_cursor(&path, 5, 10).unwrap();
        assert_eq!(text, "a\n");
        assert_eq!(cursor.read_new(&path).unwrap(), b"");
        std::fs::write(&path, "a\nb\n").unwrap();
        assert_eq!(cursor.read_new(&path).unwrap(), b"b\n");
        // Rotated: the current file became `.1` (with one more line), a new one started.
        std::fs::write(&path, "a\nb\nc\n").unwrap();
        std::fs::rename(&path, rotated(&path, 1)).unwrap();
        std::fs::write(&path, "d\n").unwrap();
        assert_eq!(cursor.read_new(&path).unwrap(), b"c\nd\n");
        assert_eq!(cursor.read_new(&path).unwrap(), b"");
    }

    #[test]
    fn tail_reads_across_rotated_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.log");
        std::fs::write(rotated(&path, 1), "a\nb\n").unwrap();
        std::fs::write(&path, "c\n").unwrap();
        assert_eq!(tail(&path, 5, 2).unwrap(), "b\nc\n");
        assert_eq!(tail(&path, 5, 10).unwrap(), "a\nb\nc\n");
    }
}
