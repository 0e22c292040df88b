//! Configuration: defaults, TOML files and `DECLIC__SECTION__KEY` environment overrides, with secrets redacted.
//!
//! The built-in layer is `config/default.toml`, compiled into the binary so that
//! it documents every key and is the single source of defaults.

mod load;
mod model;
mod net;
mod secret;

pub use load::{ConfigError, LoadOptions, Loaded, load};
pub use model::{
    Config, DatabaseConfig, DeliveryConfig, DkimConfig, Environment, LimitsConfig, LogConfig,
    LogFormat, MailConfig, MailTransport, RegistrationConfig, RetentionConfig, SecurityConfig,
    ServerConfig, SmtpConfig, SmtpTls, WebhooksConfig,
};
pub use net::{Cidr, canonical};
pub use secret::Secret;

/// The text of `config/default.toml`, the documented defaults.
pub const DEFAULT_TOML: &str = include_str!("../../../config/default.toml");
