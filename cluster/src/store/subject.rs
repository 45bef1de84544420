//! Subject normalization for threading and sorting.
//!
//! The threading rule (applied in `apply`): a new message joins the thread of
//! (1) any message whose Message-ID or references equal this message's
//! Message-ID, In-Reply-To or References ids (so a parent that arrives after
//! its reply still joins); else (2), if its subject has a reply/forward
//! prefix or it has In-Reply-To/References at all, and the normalized subject
//! is non-empty, the most recent thread with the same normalized subject;
//! else (3) a new thread. Threads are never merged after the fact.

/// Prefixes that mark a reply or forward (compared case-insensitively, before a `:`).
const PREFIXES: [&str; 6] = ["re", "fwd", "fw", "aw", "sv", "wg"];

/// Strips leading `Re:`/`Fwd:`/`Fw:`/`AW:`/`SV:` prefixes (also `Re[2]:`) and
/// `[list]` tags, collapses whitespace and lowercases.
pub fn normalize(subject: &str) -> String {
    let (rest, _) = strip(subject);
    rest.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Whether the subject starts (after list tags) with a reply or forward prefix.
pub fn has_reply_prefix(subject: &str) -> bool {
    strip(subject).1
}

fn strip(subject: &str) -> (&str, bool) {
    let mut s = subject.trim();
    let mut had_prefix = false;
    loop {
        if s.starts_with('[') {
            if let Some(end) = s.find(']') {
                s = s[end + 1..].trim_start();
                continue;
            }
        }
        if let Some(colon) = s.find(':') {
            let head = s[..colon].trim();
            let word = match head.find('[') {
                Some(b) if head.ends_with(']') => &head[..b],
                _ => head,
            };
            if PREFIXES.iter().any(|p| word.eq_ignore_ascii_case(p)) {
                s = s[colon + 1..].trim_start();
                had_prefix = true;
                continue;
            }
        }
        return (s, had_prefix);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_prefixes_and_tags() {
        assert_eq!(normalize("Re: Fwd: [dev] Hello   World"), "hello world");
        assert_eq!(normalize("AW: SV: RE[2]: Lunch"), "lunch");
        assert_eq!(normalize("[list] Re: Topic"), "topic");
        assert_eq!(normalize("Meeting: agenda"), "meeting: agenda");
        assert_eq!(normalize("Re:"), "");
        assert!(has_reply_prefix("[x] re: y"));
        assert!(has_reply_prefix("Fw: y"));
        assert!(!has_reply_prefix("Hello"));
        assert!(!has_reply_prefix("Regarding: this"));
    }
}
