//! The subset of Zimbra's query language the simulator evaluates
//! (`reference/zimbra-soap.md` §6, `query.md`).
//!
//! Supported: `in: inid: underid: from: to: cc: subject: content:` (bare
//! words are content), `has:attachment`, `is:read|unread|flagged|unflagged|
//! replied|forwarded|draft|anywhere`, `before: after:` (ms since the epoch
//! or `mm/dd/yyyy`), `larger: smaller:`, `item:none|all|{ids}`, `conv:`,
//! `or`, `and`, `not`/`-`, parentheses and "phrases". Text matches are
//! case-insensitive substrings (Zimbra tokenizes with Lucene; substrings are
//! the documented simplification). Trash and Junk are excluded unless the
//! query names a folder or says `is:anywhere`.

use super::store::{Mailbox, Msg, JUNK, TRASH};
use super::wire::Fault;

/// A parsed query.
#[derive(Debug, Clone, PartialEq)]
pub enum Q {
    /// All of.
    And(Vec<Q>),
    /// Any of.
    Or(Vec<Q>),
    /// Not.
    Not(Box<Q>),
    /// `field:value` (field `content` for bare words).
    Leaf(String, String),
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    L,
    R,
    Minus,
    Word(String, String),
}

fn parse_err(tok: &str) -> Fault {
    let mut f = Fault::sender("mail.QUERY_PARSE_ERROR", format!("couldn't parse query: {tok}"));
    f.args.push(("curTok", "STR", tok.to_owned()));
    f
}

fn lex(s: &str) -> Result<Vec<Tok>, Fault> {
    let cs: Vec<char> = s.chars().collect();
    let mut i = 0;
    let mut out = Vec::new();
    let quoted = |i: &mut usize| -> Result<String, Fault> {
        *i += 1;
        let mut v = String::new();
        while *i < cs.len() && cs[*i] != '"' {
            v.push(cs[*i]);
            *i += 1;
        }
        if *i >= cs.len() {
            return Err(parse_err("\""));
        }
        *i += 1;
        Ok(v)
    };
    while i < cs.len() {
        match cs[i] {
            c if c.is_whitespace() => i += 1,
            '(' => {
                out.push(Tok::L);
                i += 1;
            }
            ')' => {
                out.push(Tok::R);
                i += 1;
            }
            '-' => {
                out.push(Tok::Minus);
                i += 1;
            }
            '"' => out.push(Tok::Word("content".into(), quoted(&mut i)?)),
            _ => {
                let mut w = String::new();
                while i < cs.len() && !cs[i].is_whitespace() && cs[i] != '(' && cs[i] != ')' {
                    if cs[i] == ':' && i + 1 < cs.len() && cs[i + 1] == '"' {
                        i += 1;
                        let v = quoted(&mut i)?;
                        out.push(Tok::Word(w.to_lowercase(), v));
                        w.clear();
                        break;
                    }
                    w.push(cs[i]);
                    i += 1;
                }
                if w.is_empty() {
                    continue;
                }
                match w.split_once(':') {
                    Some((f, v)) => out.push(Tok::Word(f.to_lowercase(), v.to_owned())),
                    None => out.push(Tok::Word(String::new(), w)),
                }
            }
        }
    }
    Ok(out)
}

/// Parses a query string.
pub fn parse(s: &str) -> Result<Q, Fault> {
    let toks = lex(s)?;
    let mut pos = 0;
    let q = or_expr(&toks, &mut pos)?;
    if pos != toks.len() {
        return Err(parse_err(")"));
    }
    Ok(q)
}

fn or_expr(t: &[Tok], pos: &mut usize) -> Result<Q, Fault> {
    let mut alts = vec![and_expr(t, pos)?];
    while matches!(t.get(*pos), Some(Tok::Word(f, w)) if f.is_empty() && w.eq_ignore_ascii_case("or")) {
        *pos += 1;
        alts.push(and_expr(t, pos)?);
    }
    Ok(if alts.len() == 1 { alts.remove(0) } else { Q::Or(alts) })
}

fn and_expr(t: &[Tok], pos: &mut usize) -> Result<Q, Fault> {
    let mut all = Vec::new();
    loop {
        match t.get(*pos) {
            None | Some(Tok::R) => break,
            Some(Tok::Word(f, w)) if f.is_empty() && w.eq_ignore_ascii_case("or") => break,
            Some(Tok::Word(f, w)) if f.is_empty() && w.eq_ignore_ascii_case("and") => *pos += 1,
            _ => all.push(unary(t, pos)?),
        }
    }
    if all.is_empty() {
        return Err(parse_err(""));
    }
    Ok(if all.len() == 1 { all.remove(0) } else { Q::And(all) })
}

fn unary(t: &[Tok], pos: &mut usize) -> Result<Q, Fault> {
    let tok = t.get(*pos).cloned().ok_or_else(|| parse_err(""))?;
    *pos += 1;
    match tok {
        Tok::Minus => Ok(Q::Not(Box::new(unary(t, pos)?))),
        Tok::Word(f, w) if f.is_empty() && w.eq_ignore_ascii_case("not") => Ok(Q::Not(Box::new(unary(t, pos)?))),
        Tok::L => {
            let q = or_expr(t, pos)?;
            if t.get(*pos) != Some(&Tok::R) {
                return Err(parse_err("("));
            }
            *pos += 1;
            Ok(q)
        }
        Tok::R => Err(parse_err(")")),
        Tok::Word(f, w) => {
            let f = if f.is_empty() { "content".to_owned() } else { f };
            Ok(Q::Leaf(f, w))
        }
    }
}

/// Whether the query names a place, which lifts the Trash/Junk exclusion.
pub fn names_place(q: &Q) -> bool {
    match q {
        Q::And(v) | Q::Or(v) => v.iter().any(names_place),
        Q::Not(q) => names_place(q),
        Q::Leaf(f, v) => matches!(f.as_str(), "in" | "inid" | "underid" | "under") || (f == "is" && v == "anywhere"),
    }
}

fn date(v: &str) -> Option<i64> {
    if let Ok(ms) = v.parse::<i64>() {
        return Some(ms);
    }
    let mut it = v.split('/');
    let (m, d, y): (i64, i64, i64) = (it.next()?.parse().ok()?, it.next()?.parse().ok()?, it.next()?.parse().ok()?);
    // Days from civil (Howard Hinnant), UTC midnight.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400_000)
}

fn size(v: &str) -> Option<u64> {
    let l = v.to_ascii_lowercase();
    let (n, mul) = if let Some(n) = l.strip_suffix("kb") {
        (n, 1024)
    } else if let Some(n) = l.strip_suffix("mb") {
        (n, 1024 * 1024)
    } else {
        (l.as_str(), 1)
    };
    n.parse::<u64>().ok().map(|n| n * mul)
}

fn addr_match(m: &Msg, kinds: &[char], v: &str) -> bool {
    m.parsed.addrs.iter().any(|(t, a, p)| {
        kinds.contains(t)
            && (a.to_lowercase().contains(v) || p.as_deref().is_some_and(|p| p.to_lowercase().contains(v)))
    })
}

/// Whether `m` matches `q`.
pub fn matches(mb: &Mailbox, m: &Msg, q: &Q) -> Result<bool, Fault> {
    Ok(match q {
        Q::And(v) => {
            for q in v {
                if !matches(mb, m, q)? {
                    return Ok(false);
                }
            }
            true
        }
        Q::Or(v) => {
            for q in v {
                if matches(mb, m, q)? {
                    return Ok(true);
                }
            }
            false
        }
        Q::Not(q) => !matches(mb, m, q)?,
        Q::Leaf(f, v) => {
            let lv = v.to_lowercase();
            match f.as_str() {
                "content" => {
                    m.parsed.body_lc.contains(&lv)
                        || m.parsed.subject.to_lowercase().contains(&lv)
                        || addr_match(m, &['f', 't', 'c'], &lv)
                }
                "subject" => m.parsed.subject.to_lowercase().contains(&lv),
                "from" => addr_match(m, &['f'], &lv),
                "to" => addr_match(m, &['t'], &lv),
                "cc" => addr_match(m, &['c'], &lv),
                "has" if lv == "attachment" => m.parsed.has_attachment(),
                "is" => match lv.as_str() {
                    "read" => !m.unread,
                    "unread" => m.unread,
                    "flagged" => m.flags.contains('f'),
                    "unflagged" => !m.flags.contains('f'),
                    "replied" => m.flags.contains('r'),
                    "forwarded" => m.flags.contains('w'),
                    "draft" => m.flags.contains('d'),
                    "sent" => m.flags.contains('s'),
                    "anywhere" => true,
                    _ => return Err(parse_err(v)),
                },
                "in" => {
                    let path = format!("/{}", v.trim_start_matches('/')).to_lowercase();
                    mb.path(m.folder).to_lowercase() == path
                }
                "under" => {
                    let path = format!("/{}", v.trim_start_matches('/')).to_lowercase();
                    let p = mb.path(m.folder).to_lowercase();
                    p == path || p.starts_with(&format!("{path}/"))
                }
                "inid" => v.parse::<u32>().map_err(|_| parse_err(v))? == m.folder,
                "underid" => mb.is_under(m.folder, v.parse::<u32>().map_err(|_| parse_err(v))?),
                "before" => m.date < date(v).ok_or_else(|| parse_err(v))?,
                "after" => m.date > date(v).ok_or_else(|| parse_err(v))?,
                "larger" => m.raw.len() as u64 > size(v).ok_or_else(|| parse_err(v))?,
                "smaller" => (m.raw.len() as u64) < size(v).ok_or_else(|| parse_err(v))?,
                "item" => match lv.as_str() {
                    "none" => false,
                    "all" => true,
                    ids => ids.trim_matches(['{', '}']).split(',').any(|i| i.trim() == m.id.to_string()),
                },
                "conv" => m.cid() == *v,
                _ => return Err(parse_err(&format!("{f}:{v}"))),
            }
        }
    })
}

/// Every message matching `query`, applying the Trash/Junk rule.
pub fn run<'a>(mb: &'a Mailbox, query: &str) -> Result<Vec<&'a Msg>, Fault> {
    let q = parse(query)?;
    let everywhere = names_place(&q);
    let mut out = Vec::new();
    for m in mb.msgs.values() {
        if !everywhere && (m.folder == TRASH || m.folder == JUNK) {
            continue;
        }
        if matches(mb, m, &q)? {
            out.push(m);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_operators() {
        let q = parse(r#"is:anywhere (from:"Ann Lee" or -has:attachment) not subject:x"#).unwrap();
        let Q::And(v) = q else { panic!("and") };
        assert_eq!(v.len(), 3);
        assert!(matches!(&v[1], Q::Or(alts) if alts.len() == 2 && matches!(&alts[1], Q::Not(_))));
        assert!(names_place(&Q::And(v)));
        assert!(parse("(a").is_err());
        assert_eq!(date("01/02/1970"), Some(86_400_000));
    }
}
