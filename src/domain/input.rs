//! Parsing of free-form input into checked values: parse, don't validate.
//!
//! Every function takes the GraphQL field name so that its error can name it.

use chrono::NaiveDate;

use crate::error::{AppError, AppResult};

/// Longest single-line text (names, titles).
pub const SHORT: usize = 200;
/// Longest multi-line text (descriptions, report bodies).
pub const LONG: usize = 20_000;

/// A required text: trimmed, not empty, at most `max` characters, no control characters
/// other than line breaks and tabs.
pub fn text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(AppError::input(field, format!("{field} must not be empty")));
    }
    if value.chars().count() > max {
        return Err(AppError::input(
            field,
            format!("{field} is longer than {max} characters"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(AppError::input(
            field,
            format!("{field} contains control characters"),
        ));
    }
    Ok(value.to_owned())
}

/// An optional text: blank means absent.
pub fn opt_text(field: &str, value: Option<&str>, max: usize) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => text(field, v, max).map(Some),
    }
}

/// An e-mail address, lower-cased. Deliberately permissive: one `@`, a local part and
/// a dotted domain; real verification is a message that arrives.
pub fn email(field: &str, value: &str) -> AppResult<String> {
    let value = text(field, value, 254)?.to_lowercase();
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.contains(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(value)
    } else {
        Err(AppError::input(
            field,
            format!("{field} is not an e-mail address"),
        ))
    }
}

pub fn opt_email(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => email(field, v).map(Some),
    }
}

/// A phone number: digits with the usual separators and an optional leading `+`.
pub fn opt_phone(field: &str, value: Option<&str>) -> AppResult<Option<String>> {
    let Some(value) = opt_text(field, value, 40)? else {
        return Ok(None);
    };
    let digits = value.chars().filter(char::is_ascii_digit).count();
    let allowed = value
        .chars()
        .all(|c| c.is_ascii_digit() || " +-().ext".contains(c));
    if allowed && digits >= 3 {
        Ok(Some(value))
    } else {
        Err(AppError::input(
            field,
            format!("{field} is not a phone number"),
        ))
    }
}

/// An integer within `range`, inclusive.
pub fn in_range(field: &str, value: i32, range: std::ops::RangeInclusive<i32>) -> AppResult<i32> {
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(AppError::input(
            field,
            format!(
                "{field} must be between {} and {}",
                range.start(),
                range.end()
            ),
        ))
    }
}

/// Two dates where the first must not come after the second.
pub fn date_order(field: &str, start: Option<NaiveDate>, end: Option<NaiveDate>) -> AppResult<()> {
    match (start, end) {
        (Some(s), Some(e)) if s > e => Err(AppError::input(
            field,
            format!("{field} ({e}) is before the start ({s})"),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_must_not_be_blank() {
        assert_eq!(text("name", "  Acme  ", SHORT).unwrap(), "Acme");
        let err = text("name", "   ", SHORT).unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT");
    }

    #[test]
    fn text_longer_than_the_limit_is_refused() {
        assert!(text("name", &"x".repeat(SHORT + 1), SHORT).is_err());
        assert!(text("name", &"字".repeat(SHORT), SHORT).is_ok());
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_are_kept() {
        assert!(text("body", "a\u{0}b", LONG).is_err());
        assert_eq!(text("body", "a\nb", LONG).unwrap(), "a\nb");
    }

    #[test]
    fn emails_need_a_local_part_and_a_dotted_domain() {
        assert_eq!(
            email("email", "Li.Wei@Example.CN").unwrap(),
            "li.wei@example.cn"
        );
        for bad in ["x", "@a.b", "a@b", "a@b.", "a b@c.d", "a@@b.c"] {
            assert!(email("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phone_numbers_allow_separators_only() {
        assert!(
            opt_phone("phone", Some("+86 (10) 5555-1234"))
                .unwrap()
                .is_some()
        );
        assert!(opt_phone("phone", Some("call me")).is_err());
        assert!(opt_phone("phone", Some(" ")).unwrap().is_none());
    }

    #[test]
    fn an_end_before_its_start_is_refused() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert!(date_order("plannedEnd", d("2026-02-01"), d("2026-01-01")).is_err());
        assert!(date_order("plannedEnd", d("2026-01-01"), d("2026-01-01")).is_ok());
        assert!(date_order("plannedEnd", None, d("2026-01-01")).is_ok());
    }
}
