//! Shared parsing of this crate's string-named enums, so every enum reports bad input the same way.

use thiserror::Error;

/// A string that names none of the values an enum accepts.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown {what} \"{value}\"; expected one of: {}", .expected.join(", "))]
pub struct ParseEnumError {
    what: &'static str,
    value: String,
    expected: Vec<&'static str>,
}

impl ParseEnumError {
    /// Builds the error for `value`, which should have been one of `expected`.
    pub(crate) fn new(what: &'static str, value: &str, expected: Vec<&'static str>) -> Self {
        Self {
            what,
            value: value.to_owned(),
            expected,
        }
    }

    /// What kind of value was expected, e.g. "campaign status".
    pub fn what(&self) -> &'static str {
        self.what
    }

    /// The input that could not be parsed, as given.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The canonical names that would have been accepted.
    pub fn expected(&self) -> &[&'static str] {
        &self.expected
    }
}

/// Finds the value of `all` whose canonical name matches `input`.
pub(crate) fn parse_named<T: Copy>(
    what: &'static str,
    input: &str,
    all: &[T],
    name: fn(&T) -> &'static str,
) -> Result<T, ParseEnumError> {
    // Accept what people type by hand or what a query string carries:
    // surrounding spaces, any case, hyphens or spaces instead of underscores.
    let wanted = input.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    all.iter()
        .copied()
        .find(|value| name(value) == wanted)
        .ok_or_else(|| ParseEnumError::new(what, input, all.iter().map(name).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Colour {
        Red,
        LightBlue,
    }

    fn colour_name(colour: &Colour) -> &'static str {
        match colour {
            Colour::Red => "red",
            Colour::LightBlue => "light_blue",
        }
    }

    const ALL: [Colour; 2] = [Colour::Red, Colour::LightBlue];

    #[test]
    fn accepts_case_spaces_and_hyphens() {
        for input in ["light_blue", " Light-Blue ", "LIGHT BLUE"] {
            assert_eq!(
                parse_named("colour", input, &ALL, colour_name),
                Ok(Colour::LightBlue)
            );
        }
    }

    #[test]
    fn error_lists_valid_values() {
        let err = parse_named("colour", "green", &ALL, colour_name).expect_err("green is unknown");
        assert_eq!(
            err.to_string(),
            "unknown colour \"green\"; expected one of: red, light_blue"
        );
        assert_eq!(err.what(), "colour");
        assert_eq!(err.value(), "green");
        assert_eq!(err.expected(), ["red", "light_blue"]);
    }
}
