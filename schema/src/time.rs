//! Timestamps as clients see them: RFC 3339 (ISO-8601) strings in UTC.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// Formats milliseconds since the epoch as e.g. `2024-05-01T12:00:00Z`
/// (fractional seconds only when there are some).
pub fn iso(ms: i64) -> String {
    match DateTime::<Utc>::from_timestamp_millis(ms) {
        Some(t) => t.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        // Out of chrono's range: only a corrupt store gets here. Show the
        // epoch rather than failing the whole message.
        None => DateTime::<Utc>::UNIX_EPOCH.to_rfc3339_opts(SecondsFormat::Secs, true),
    }
}

/// Parses an RFC 3339 timestamp into milliseconds since the epoch.
pub fn parse_iso(s: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc).timestamp_millis())
}

/// Parses `YYYY-MM-DD` into the milliseconds of that day's midnight, UTC.
pub fn parse_day(s: &str) -> Option<i64> {
    // chrono accepts `2024-5-1`; the search language documents the padded form only.
    if s.len() != 10 {
        return None;
    }
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp_millis())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_500), "1970-01-01T00:00:01.500Z");
        assert_eq!(parse_iso("1970-01-01T00:00:01.500Z"), Some(1_500));
        assert_eq!(parse_iso("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(parse_iso("yesterday"), None);
        assert_eq!(parse_day("1970-01-02"), Some(86_400_000));
        assert_eq!(parse_day("1970-1-2"), None);
        assert_eq!(parse_day("1970-02-30"), None);
    }
}
