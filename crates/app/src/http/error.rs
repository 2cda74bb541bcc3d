//! How errors reach clients: `{"error": {"code", "message"}}` with the matching status.
//! Internal errors are logged in full and reported in general terms.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Error;

/// The body of every error response under `/api`.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorDetail {
    /// A stable, machine-readable code such as `not_found` or `registration_closed`.
    pub code: String,
    /// A sentence for people.
    pub message: String,
}

/// The response for a status and message, used by the handlers and by the middleware that
/// turns bare errors (405, 413) into the JSON format.
pub fn error_response(status: StatusCode, code: &str, message: String) -> Response {
    let body = ErrorBody {
        error: ErrorDetail {
            code: code.to_string(),
            message,
        },
    };
    (status, Json(body)).into_response()
}

impl Error {
    pub fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Error::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Error::Unauthorized { code, .. } => (StatusCode::UNAUTHORIZED, code),
            Error::Forbidden { code, .. } => (StatusCode::FORBIDDEN, code),
            Error::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Error::Conflict(_) => (StatusCode::CONFLICT, "conflict"),
            Error::PayloadTooLarge(_) => (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            Error::UnsupportedMediaType(_) => {
                (StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type")
            }
            Error::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "validation_failed"),
            Error::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Error::Busy(_) => (StatusCode::SERVICE_UNAVAILABLE, "busy"),
            Error::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Error::HostUnreachable(_) => (StatusCode::SERVICE_UNAVAILABLE, "host_unreachable"),
            Error::HostTimeout(_) => (StatusCode::GATEWAY_TIMEOUT, "host_timeout"),
            Error::HostOnline(_) => (StatusCode::CONFLICT, "host_online"),
            Error::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let message = match &self {
            Error::Internal(err) => {
                tracing::error!("internal error: {err:#}");
                "something went wrong inside Boss; the server log has the details".to_string()
            }
            other => other.to_string(),
        };
        let mut response = error_response(status, code, message);
        let retry_after_secs = match self {
            Error::RateLimited { retry_after_secs } => Some(retry_after_secs),
            Error::Busy(_) => Some(1),
            _ => None,
        };
        if let Some(secs) = retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
