//! A fake Slack and Teams webhook endpoint on 127.0.0.1:0 that records what it receives.
//!
//! The path picks the answer: `/slack/<scenario>/…` and `/teams/<scenario>/…`, each
//! answering as the platform's documentation says. Every path ends with [`SECRET`], the
//! part that must never show up in a log line or a reason.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use declic_messaging::WebhookUrl;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::time::Instant;

/// The credential part of every fake webhook URL.
pub const SECRET: &str = "zQ7sEcReTpAtHk2W";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub struct Hit {
    pub path: String,
    pub at: Instant,
    pub content_type: String,
    pub body: Vec<u8>,
}

impl Hit {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("the payload is JSON")
    }
}

type Hits = Arc<Mutex<Vec<Hit>>>;

/// The running fake endpoint.
pub struct FakeHooks {
    base: String,
    hits: Hits,
}

impl FakeHooks {
    pub async fn start() -> FakeHooks {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind port 0");
        let base = format!("http://{}", listener.local_addr().expect("local address"));
        let hits = Hits::default();
        let app = Router::new().fallback(answer).with_state(Arc::clone(&hits));
        // Lives as long as the test's runtime.
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeHooks { base, hits }
    }

    /// A webhook URL of `platform` answering per `scenario`; `name` tells several apart.
    pub fn url(&self, platform: &str, scenario: &str, name: &str) -> WebhookUrl {
        WebhookUrl::parse(&format!(
            "{}/{platform}/{scenario}/services/T0DECLIC/B0{name}/{SECRET}",
            self.base
        ))
        .expect("a valid local webhook URL")
    }

    /// The requests received on `url`, oldest first.
    pub fn hits(&self, url: &WebhookUrl) -> Vec<Hit> {
        let path = url
            .expose_secret()
            .strip_prefix(&self.base)
            .expect("a URL of this server");
        let hits = self.hits.lock().expect("hits lock");
        hits.iter().filter(|h| h.path == path).cloned().collect()
    }
}

async fn answer(State(hits): State<Hits>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let at = Instant::now();
    let path = uri.path().to_owned();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let mut parts = path.split('/').skip(1);
    let (platform, scenario) = (
        parts.next().unwrap_or_default().to_owned(),
        parts.next().unwrap_or_default().to_owned(),
    );
    hits.lock().expect("hits lock").push(Hit {
        path,
        at,
        content_type,
        body: body.to_vec(),
    });
    match (platform.as_str(), scenario.as_str()) {
        // https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks#handling_errors
        ("slack", "ok") => (StatusCode::OK, "ok").into_response(),
        ("slack", "429") => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "2")],
            "rate_limited",
        )
            .into_response(),
        ("slack", "400") => (StatusCode::BAD_REQUEST, "invalid_payload").into_response(),
        ("slack", "403") => (StatusCode::FORBIDDEN, "action_prohibited").into_response(),
        ("slack", "404") => (StatusCode::NOT_FOUND, "channel_not_found").into_response(),
        ("slack", "410") => (StatusCode::GONE, "channel_is_archived").into_response(),
        ("slack", "500") => (StatusCode::INTERNAL_SERVER_ERROR, "").into_response(),
        // Workflows: 202 with an empty body; errors as Logic Apps' JSON.
        ("teams", "202") => StatusCode::ACCEPTED.into_response(),
        ("teams", "400") => (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":{"code":"InvalidRequestContent","message":"The request content is not valid."}}"#,
        )
            .into_response(),
        ("teams", "429") => (
            StatusCode::TOO_MANY_REQUESTS,
            [(header::RETRY_AFTER, "5")],
            "",
        )
            .into_response(),
        ("teams", "429bare") => StatusCode::TOO_MANY_REQUESTS.into_response(),
        ("teams", "404") => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":{"code":"WorkflowNotFound","message":"The workflow could not be found."}}"#,
        )
            .into_response(),
        _ => (StatusCode::IM_A_TEAPOT, "unknown scenario").into_response(),
    }
}

/// Panics if `text` holds any secret part of a fake webhook URL.
pub fn assert_no_secret(text: &str) {
    assert!(
        !text.contains(SECRET) && !text.contains("/services/"),
        "leaks the webhook secret: {text}"
    );
}
