//! A string that never shows itself in logs, `Debug` output or `config show`.

use serde::{Deserialize, Serialize, Serializer};

/// A secret value; `Debug` and `Serialize` print `[redacted]` when it is set.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The real value, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when no value was configured.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_empty() {
            "\"\""
        } else {
            "[redacted]"
        })
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0.is_empty() { "" } else { "[redacted]" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_serialize_hide_the_value() {
        let s = Secret::new("hunter2-hunter2");
        assert_eq!(format!("{s:?}"), "[redacted]");
        assert_eq!(
            serde_json::to_string(&s).ok().as_deref(),
            Some("\"[redacted]\"")
        );
        assert_eq!(s.expose(), "hunter2-hunter2");
    }
}
