//! Request guards that run before any handler: the `Host` allow-list (against DNS rebinding),
//! refusal of cross-site writes (against CSRF), security headers, and the JSON error format
//! for errors produced outside the handlers (unknown route, wrong method, body too large).

use std::net::IpAddr;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use super::error::error_response;
use crate::state::AppState;

/// The policy for everything Boss serves: its own scripts, styles and API only.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
    object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Refuses requests whose `Host` is a name Boss was not told about. IP literals are always
/// fine: DNS rebinding needs a name that resolves to this machine.
pub async fn check_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_string()));
    if let Some(host) = host
        && !host_allowed(&host, &state.config.allowed_hosts)
    {
        return error_response(
            StatusCode::FORBIDDEN,
            "host_not_allowed",
            format!(
                "the host name '{}' is not allowed; start Boss with --allowed-host {} to accept it",
                host.chars().take(100).collect::<String>(),
                host_name(&host)
            ),
        );
    }
    next.run(request).await
}

/// The name part of a `Host` header: no port, no IPv6 brackets.
fn host_name(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    match host.rsplit_once(':') {
        Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name,
        _ => host,
    }
}

pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = host_name(host).trim_end_matches('.').to_ascii_lowercase();
    name.parse::<IpAddr>().is_ok()
        || name == "localhost"
        || name.ends_with(".localhost")
        || allowed.iter().any(|a| a.eq_ignore_ascii_case(&name))
}

/// Refuses state-changing requests that a browser marks as coming from another site. Requests
/// with neither `Sec-Fetch-Site` nor `Origin` come from scripts and the CLI, which have to
/// present a token or cookie anyway.
pub async fn refuse_cross_site(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && let Err(reason) = same_origin(request.headers()) {
        return error_response(StatusCode::FORBIDDEN, "cross_site_request", reason);
    }
    next.run(request).await
}

fn same_origin(headers: &HeaderMap) -> Result<(), String> {
    let text = |name: HeaderName| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = text(HeaderName::from_static("sec-fetch-site")) {
        return match site {
            "same-origin" | "none" => Ok(()),
            other => Err(format!(
                "cross-site requests are refused (Sec-Fetch-Site: {other})"
            )),
        };
    }
    if let Some(origin) = text(header::ORIGIN) {
        let origin_host = origin
            .split_once("://")
            .map(|(_, rest)| rest.trim_end_matches('/'));
        let host = text(header::HOST);
        if origin_host.is_none() || origin_host != host {
            return Err(format!(
                "cross-site requests are refused (Origin '{}' is not this server)",
                origin.chars().take(100).collect::<String>()
            ));
        }
    }
    Ok(())
}

/// Gives errors that did not come from a handler (404 for an unknown route, 405, 413 from the
/// body limit) the JSON error format under `/api`.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/") || request.uri().path() == "/api";
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !is_api || is_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => ("not_found", "no such API route".to_string()),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this route does not accept that method".to_string(),
        ),
        StatusCode::PAYLOAD_TOO_LARGE => (
            "payload_too_large",
            "the request body is too large".to_string(),
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "send the body as JSON".to_string(),
        ),
        other if other.is_server_error() => {
            ("internal", "something went wrong inside Boss".to_string())
        }
        other => (
            "bad_request",
            other
                .canonical_reason()
                .unwrap_or("bad request")
                .to_string(),
        ),
    };
    let mut json = error_response(status, code, message);
    if let Some(allow) = response.headers().get(header::ALLOW) {
        json.headers_mut().insert(header::ALLOW, allow.clone());
    }
    json
}

/// Security headers on every response.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in [
        (header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "no-referrer"),
        (
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ),
        (
            HeaderName::from_static("cross-origin-resource-policy"),
            "same-origin",
        ),
    ] {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// The answer when a handler panics: logged, and a JSON 500 rather than a dropped connection.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let detail = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("unknown panic");
    tracing::error!("a request handler panicked: {detail}");
    error_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal",
        "something went wrong inside Boss; the server log has the details".into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let allowed = vec!["boss.example".to_string()];
        for ok in [
            "localhost",
            "localhost:8350",
            "127.0.0.1:8350",
            "[::1]:8350",
            "192.168.1.9",
            "BOSS.example:443",
            "app.localhost",
        ] {
            assert!(host_allowed(ok, &allowed), "{ok}");
        }
        for bad in [
            "evil.com",
            "evil.com:8350",
            "localhost.evil.com",
            "boss.example.evil",
        ] {
            assert!(!host_allowed(bad, &allowed), "{bad}");
        }
    }

    #[test]
    fn origins() {
        let mut h = HeaderMap::new();
        assert!(same_origin(&h).is_ok(), "no browser headers: a script");
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8350"));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8350"),
        );
        assert!(same_origin(&h).is_ok());
        h.insert(header::ORIGIN, HeaderValue::from_static("http://evil.com"));
        assert!(same_origin(&h).is_err());
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(same_origin(&h).is_err());
        h.insert("sec-fetch-site", HeaderValue::from_static("cross-site"));
        assert!(same_origin(&h).is_err());
        h.insert("sec-fetch-site", HeaderValue::from_static("same-origin"));
        assert!(same_origin(&h).is_ok());
    }
}
