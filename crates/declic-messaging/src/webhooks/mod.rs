//! Slack and Microsoft Teams incoming webhooks: one campaign announcement to a channel.
//!
//! - [`WebhookUrl`]: the secret URL, checked once, never printed whole.
//! - [`WebhookMessage`]: title, key message (rendered by the caller), optional context line
//!   and the channel-tagged campaign link; the labels Declic adds come in French or English.
//! - [`PostTemplate`]: the JSON templates of a post (`templates/webhooks/`, or an
//!   organisation's own, checked when saved); [`slack::payload`] (Block Kit) and
//!   [`teams::payload`] (Adaptive Card 1.4 through a Workflows webhook) render the
//!   built-in ones; [`slack::classify`] and [`teams::classify`] read the answers.
//! - [`WebhookSender`] posts, one message per second per webhook, and returns a
//!   [`WebhookOutcome`]: sent, temporary (with the platform's `Retry-After`) or permanent.
//!   It never sleeps through a `Retry-After`: the delivery queue reschedules.

mod guard;
mod labels;
mod message;
mod outcome;
mod pacing;
mod sender;
pub mod slack;
pub mod teams;
mod template;
mod text;
mod url;

pub use guard::{OutboundPolicy, PLATFORM_HOSTS, forbidden as forbidden_address};
pub use labels::step_title;
pub use message::{PayloadError, WebhookMessage};
pub use outcome::WebhookOutcome;
pub use sender::{
    DEFAULT_TIMEOUT, MIN_INTERVAL, WebhookClientError, WebhookPlatform, WebhookSender,
};
pub use template::{PostMission, PostTemplate};
pub use url::{WebhookUrl, WebhookUrlError};
