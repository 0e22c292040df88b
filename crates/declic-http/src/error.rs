//! The one HTTP error type, rendered as `application/problem+json` (RFC 9457).
//!
//! Which error goes where: domain crates return typed errors (`StorageError`,
//! planning rule errors); handlers turn them into [`ApiError`] with `?`; only this
//! module decides statuses. Internal errors are logged with the request id and
//! the client gets a plain 500 that leaks nothing.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use declic_storage::StorageError;
use serde::Serialize;
use utoipa::ToSchema;

/// One field at fault.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    /// The field's path in the request, e.g. `goal` or `steps[2].date`.
    pub field: String,
    pub message: String,
}

/// The problem document sent for every error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// An error a handler can return.
#[derive(Debug)]
pub enum ApiError {
    /// 400: the request cannot be parsed.
    BadRequest(String),
    /// 401: no valid credential.
    Unauthorized,
    /// 403: the credential's role does not allow this.
    Forbidden(&'static str),
    /// 404: nothing with this id in the caller's organisation.
    NotFound(&'static str),
    /// 409: a uniqueness or concurrency conflict.
    Conflict { field: String, message: String },
    /// 413: the body is larger than allowed.
    TooLarge,
    /// 415: wrong content type.
    UnsupportedMediaType(&'static str),
    /// 422: a field breaks a rule.
    Invalid(Vec<FieldError>),
    /// 503: the database is not reachable.
    Unavailable,
    /// 500: a bug or an outage; the message is logged, not sent.
    Internal(String),
}

impl ApiError {
    /// A 422 on one field.
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError {
            field: field.into(),
            message: message.into(),
        }])
    }

    fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn problem(&self) -> Problem {
        let status = self.status();
        let (slug, detail, errors) = match self {
            Self::BadRequest(m) => ("bad-request", m.clone(), vec![]),
            Self::Unauthorized => (
                "unauthorized",
                "Send a valid API token: Authorization: Bearer <token>.".to_owned(),
                vec![],
            ),
            Self::Forbidden(what) => (
                "forbidden",
                format!("Your role does not allow you to {what}."),
                vec![],
            ),
            Self::NotFound(what) => (
                "not-found",
                format!("No {what} with this id in your organisation."),
                vec![],
            ),
            Self::Conflict { field, message } => (
                "conflict",
                message.clone(),
                vec![FieldError {
                    field: field.clone(),
                    message: message.clone(),
                }],
            ),
            Self::TooLarge => (
                "too-large",
                "The request body is larger than this route accepts.".to_owned(),
                vec![],
            ),
            Self::UnsupportedMediaType(expected) => (
                "unsupported-media-type",
                format!("Send the body as {expected}."),
                vec![],
            ),
            Self::Invalid(errors) => (
                "validation",
                errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field, e.message))
                    .collect::<Vec<_>>()
                    .join("; "),
                errors.clone(),
            ),
            Self::Unavailable => (
                "unavailable",
                "The database is not reachable; try again shortly.".to_owned(),
                vec![],
            ),
            Self::Internal(_) => (
                "internal",
                "Something went wrong on our side. It has been logged.".to_owned(),
                vec![],
            ),
        };
        Problem {
            kind: format!("https://declic.dev/problems/{slug}"),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            errors,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let Self::Internal(msg) = &self {
            tracing::error!(error = %msg, "internal error");
        }
        let status = self.status();
        let body = serde_json::to_vec(&self.problem()).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if matches!(self, Self::Unauthorized) {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

impl From<StorageError> for ApiError {
    fn from(e: StorageError) -> Self {
        match e {
            StorageError::NotFound(what) => Self::NotFound(what),
            StorageError::Conflict { field, message } => Self::Conflict {
                field: field.to_owned(),
                message,
            },
            StorageError::Invalid { field, message } => Self::field(field, message),
            StorageError::Unavailable(m) => {
                tracing::error!(error = %m, "database unavailable");
                Self::Unavailable
            }
            StorageError::Db(err) => {
                use declic_storage::DbErrKind;
                match declic_storage::classify_db_error(&err) {
                    DbErrKind::Unavailable => {
                        tracing::error!(error = %err, "database unavailable");
                        Self::Unavailable
                    }
                    DbErrKind::Other => Self::Internal(err.to_string()),
                }
            }
        }
    }
}

impl From<declic_app::caller::AppError> for ApiError {
    fn from(e: declic_app::caller::AppError) -> Self {
        use declic_app::caller::AppError;
        match e {
            AppError::Forbidden(what) => Self::Forbidden(what),
            AppError::NotFound(what) => Self::NotFound(what),
            AppError::Invalid(issues) => Self::Invalid(
                issues
                    .into_iter()
                    .map(|i| FieldError {
                        field: i.field,
                        message: i.message,
                    })
                    .collect(),
            ),
            AppError::Internal(m) => Self::Internal(m),
            AppError::Storage(e) => e.into(),
        }
    }
}

/// Result type for handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// The layer that turns a handler's panic into the same problem+json 500 as any
/// internal error (no panic text in the answer), logged and counted in
/// `declic_http_panics_total`: a bug answers like a bug, the process keeps serving.
pub fn catch_panics()
-> tower_http::catch_panic::CatchPanicLayer<fn(Box<dyn std::any::Any + Send + 'static>) -> Response>
{
    tower_http::catch_panic::CatchPanicLayer::custom(answer_panic as fn(_) -> Response)
}

fn answer_panic(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    tracing::error!(panic = what, "a request handler panicked");
    metrics::counter!("declic_http_panics_total").increment(1);
    ApiError::Internal("a request handler panicked".to_owned()).into_response()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod panic_tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    #[tokio::test]
    async fn a_panic_answers_problem_json_500_and_the_router_serves_on() {
        async fn boom() -> &'static str {
            panic!("secret detail 4242")
        }
        let app = axum::Router::new()
            .route("/boom", axum::routing::get(boom))
            .route("/ok", axum::routing::get(|| async { "fine" }))
            .layer(super::catch_panics());
        let res = app
            .clone()
            .oneshot(Request::get("/boom").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let body = axum::body::to_bytes(res.into_body(), 1 << 16)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("4242"), "{text}");
        assert!(text.contains("\"status\":500"), "{text}");
        let res = app
            .oneshot(Request::get("/ok").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
    }
}
