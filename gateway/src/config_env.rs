//! `MAILGATE_*` environment variables over the configuration file: every key
//! can be set from the environment, as containers and systemd units expect.
//!
//! `MAILGATE_<KEY>` sets a top-level key, `MAILGATE_<TABLE>__<KEY>` one in a
//! table (`MAILGATE_LIMITS__MAX_DEPTH=12`, `MAILGATE_AUTH__AUDIENCE=mailgate`).
//! A value is read as a TOML value when it is one (`12`, `true`,
//! `["https://a.example"]`) and as a string otherwise. The variables the
//! command-line flags read themselves (`MAILGATE_CONFIG`, `MAILGATE_DATA`,
//! `MAILGATE_LISTEN`, `MAILGATE_NODES`, `MAILGATE_JWT_SECRET_FILE`) are left to
//! them. A variable naming no key is an error, like an unknown key in the file.

/// The prefix of every variable.
pub const PREFIX: &str = "MAILGATE_";
/// Read by the flags (clap), not here.
const FLAG_VARIABLES: [&str; 5] = ["CONFIG", "DATA", "LISTEN", "NODES", "JWT_SECRET_FILE"];

/// Writes the `MAILGATE_*` variables among `vars` into `table`.
pub fn overlay(table: &mut toml::Table, vars: impl IntoIterator<Item = (String, String)>) -> Result<(), String> {
    for (name, value) in vars {
        let Some(key) = name.strip_prefix(PREFIX) else { continue };
        if FLAG_VARIABLES.contains(&key) || key.is_empty() {
            continue;
        }
        let path: Vec<String> = key.split("__").map(str::to_ascii_lowercase).collect();
        if path.iter().any(String::is_empty) {
            return Err(format!("{name}: an empty key in the name"));
        }
        let mut at = &mut *table;
        for segment in &path[..path.len() - 1] {
            let entry = at.entry(segment.clone()).or_insert_with(|| toml::Value::Table(toml::Table::new()));
            at = entry.as_table_mut().ok_or_else(|| format!("{name}: `{segment}` is not a table"))?;
        }
        let last = path[path.len() - 1].clone();
        at.insert(last, parse_value(&value));
    }
    Ok(())
}

/// `value` as TOML if it is a TOML value, else as a string.
fn parse_value(value: &str) -> toml::Value {
    match format!("v = {value}").parse::<toml::Table>() {
        Ok(mut parsed) => parsed.remove("v").unwrap_or_else(|| toml::Value::String(value.to_owned())),
        Err(_) => toml::Value::String(value.to_owned()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn variables_set_keys_and_table_keys_and_leave_flag_variables_alone() {
        let mut table: toml::Table = "[limits]\nmax_depth = 20\n".parse().unwrap();
        overlay(
            &mut table,
            vars(&[
                ("MAILGATE_LIMITS__MAX_DEPTH", "12"),
                ("MAILGATE_AUTH__AUDIENCE", "mailgate"),
                ("MAILGATE_CSRF_PREVENTION", "false"),
                ("MAILGATE_CORS_ORIGINS", "[\"https://a.example\"]"),
                ("MAILGATE_LISTEN", "not for us"),
                ("PATH", "/usr/bin"),
            ]),
        )
        .unwrap();
        assert_eq!(table["limits"]["max_depth"].as_integer(), Some(12));
        assert_eq!(table["auth"]["audience"].as_str(), Some("mailgate"));
        assert_eq!(table["csrf_prevention"].as_bool(), Some(false));
        assert_eq!(table["cors_origins"][0].as_str(), Some("https://a.example"));
        assert!(!table.contains_key("listen"));
        assert!(overlay(&mut table, vars(&[("MAILGATE_LIMITS__MAX_DEPTH__X", "1")])).is_err());
    }
}
