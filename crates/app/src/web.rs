//! The web UI, embedded in the binary from `web/` (read from disk in debug builds, so that UI
//! work needs no rebuild).

use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

use crate::http::error::error_response;

#[derive(RustEmbed)]
#[folder = "../../web"]
struct Assets;

/// Serves a UI file; `/` is the single page. Unknown paths under `/api` get a JSON 404.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/api" || path.starts_with("/api/") {
        return error_response(
            StatusCode::NOT_FOUND,
            "not_found",
            "no such API route".into(),
        );
    }
    let name = match path.trim_start_matches('/') {
        "" => "index.html",
        other => other,
    };
    match Assets::get(name) {
        Some(file) => {
            let mime = file.metadata.mimetype();
            let mut response = file.data.into_owned().into_response();
            let headers = response.headers_mut();
            if let Ok(mime) = HeaderValue::from_str(mime) {
                headers.insert(header::CONTENT_TYPE, mime);
            }
            // Revalidate every time: the files are small and an upgrade must show at once.
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..12]));
            if let Ok(etag) = HeaderValue::from_str(&etag) {
                headers.insert(header::ETAG, etag);
            }
            response
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}
