//! A server-side file browser for picking a program to run (operators and admins).

use std::path::PathBuf;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::error::ErrorBody;
use super::extract::{Json, Query};
use crate::auth::{Caller, Permission};
use crate::error::{Error, Result};
use crate::state::AppState;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_files))
}

/// Directory listings stop here, to keep answers small.
const MAX_ENTRIES: usize = 5000;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct FilesQuery {
    /// An absolute directory path (default: the home directory).
    path: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct FileEntry {
    name: String,
    path: String,
    /// `dir`, `file`, `symlink` (to something missing) or `other`.
    kind: String,
    /// Whether it can be run (a file with an execute bit).
    executable: bool,
    size: u64,
}

#[derive(Serialize, ToSchema)]
struct Listing {
    path: String,
    parent: Option<String>,
    entries: Vec<FileEntry>,
    /// More entries than shown.
    truncated: bool,
}

/// A directory's entries, directories first, then by name.
#[utoipa::path(get, path = "/api/v1/files", tag = "launches", params(FilesQuery),
    responses((status = 200, body = Listing), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_files(
    State(_state): State<AppState>,
    caller: Caller,
    Query(query): Query<FilesQuery>,
) -> Result<Json<Listing>> {
    caller.require(Permission::Act)?;
    let path = match query.path.filter(|p| !p.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => dirs::home_dir().unwrap_or_else(|| PathBuf::from("/")),
    };
    if !path.is_absolute() {
        return Err(Error::Invalid(format!(
            "'{}' is not an absolute path",
            path.display()
        )));
    }
    tokio::task::spawn_blocking(move || read(path))
        .await
        .map_err(|e| Error::Internal(e.into()))?
}

fn read(path: PathBuf) -> Result<Json<Listing>> {
    let shown = path.display().to_string();
    let meta = std::fs::metadata(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::NotFound(format!("'{shown}' does not exist")),
        std::io::ErrorKind::PermissionDenied => Error::Forbidden {
            code: "permission_denied",
            message: format!("'{shown}' cannot be read"),
        },
        _ => Error::Internal(e.into()),
    })?;
    if !meta.is_dir() {
        return Err(Error::Invalid(format!("'{shown}' is not a directory")));
    }
    let reader = std::fs::read_dir(&path).map_err(|e| match e.kind() {
        std::io::ErrorKind::PermissionDenied => Error::Forbidden {
            code: "permission_denied",
            message: format!("'{shown}' cannot be read"),
        },
        _ => Error::Internal(e.into()),
    })?;
    let mut entries = Vec::new();
    let mut truncated = false;
    for entry in reader.flatten() {
        if entries.len() == MAX_ENTRIES {
            truncated = true;
            break;
        }
        let full = entry.path();
        // Follow symlinks for what they point at; a dangling one is listed as a symlink.
        let (kind, executable, size) = match std::fs::metadata(&full) {
            Ok(m) if m.is_dir() => ("dir", false, 0),
            Ok(m) if m.is_file() => ("file", platform::is_executable(&m), m.len()),
            Ok(_) => ("other", false, 0),
            Err(_) => ("symlink", false, 0),
        };
        entries.push(FileEntry {
            name: entry.file_name().to_string_lossy().into_owned(),
            path: full.display().to_string(),
            kind: kind.into(),
            executable,
            size,
        });
    }
    entries.sort_by(|a, b| {
        (a.kind != "dir", a.name.to_lowercase()).cmp(&(b.kind != "dir", b.name.to_lowercase()))
    });
    Ok(Json(Listing {
        parent: path.parent().map(|p| p.display().to_string()),
        path: shown,
        entries,
        truncated,
    }))
}
