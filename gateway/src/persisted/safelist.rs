//! [`Safelist`]: the operations a persisted query manifest allows, and the
//! check that lets only those run.
//!
//! The manifest is Apollo's format, as `@apollo/generate-persisted-query-manifest`
//! writes it: `{"format": "apollo-persisted-query-manifest", "version": 1,
//! "operations": [{"id", "name", "type", "body"}]}`. A request may name an
//! operation by its id or by the sha256 of its body (in the APQ extension's
//! `sha256Hash`, which is what Apollo clients send), or send the body itself,
//! byte for byte. Text that is not in the list is refused even if it is
//! equivalent: a safelist is a list of reviewed documents, not of meanings.

use super::Refusal;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The request extension that carries a persisted query's hash.
pub const EXTENSION: &str = "persistedQuery";

/// The manifest's `format` value.
const FORMAT: &str = "apollo-persisted-query-manifest";

/// Why a manifest could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file could not be read.
    #[error("cannot read the safelist manifest {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The file is not a manifest.
    #[error("invalid safelist manifest {path}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong, naming the operation where there is one.
        reason: String,
    },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    format: String,
    version: u32,
    operations: Vec<ManifestOperation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestOperation {
    id: String,
    name: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    body: String,
}

/// The allowed operations, by id and by the sha256 of their text.
#[derive(Debug)]
pub struct Safelist {
    by_key: HashMap<String, Arc<str>>,
    operations: usize,
}

impl Safelist {
    /// Reads a manifest file.
    pub fn load(path: &Path) -> Result<Self, ManifestError> {
        let text = std::fs::read_to_string(path).map_err(|source| ManifestError::Read { path: path.into(), source })?;
        Self::parse(&text).map_err(|reason| ManifestError::Invalid { path: path.into(), reason })
    }

    /// Parses a manifest; every body must parse as a GraphQL document.
    pub fn parse(text: &str) -> Result<Self, String> {
        let manifest: Manifest = serde_json::from_str(text).map_err(|err| err.to_string())?;
        if manifest.format != FORMAT || manifest.version != 1 {
            return Err(format!(
                "expected format {FORMAT:?} version 1, found {:?} version {}",
                manifest.format, manifest.version
            ));
        }
        let mut by_key = HashMap::new();
        for operation in &manifest.operations {
            let label = operation.name.as_deref().unwrap_or(&operation.id);
            if let Some(kind) = &operation.kind {
                if !["query", "mutation", "subscription"].contains(&kind.as_str()) {
                    return Err(format!("operation {label}: unknown type {kind:?}"));
                }
            }
            async_graphql::parser::parse_query(&operation.body)
                .map_err(|err| format!("operation {label} does not parse: {err}"))?;
            let body: Arc<str> = Arc::from(operation.body.as_str());
            if by_key.insert(operation.id.clone(), body.clone()).is_some_and(|known| known != body) {
                return Err(format!("operation id {} appears twice with different bodies", operation.id));
            }
            by_key.insert(sha256_hex(&operation.body), body);
        }
        Ok(Self { by_key, operations: manifest.operations.len() })
    }

    /// How many operations the manifest lists.
    pub fn len(&self) -> usize {
        self.operations
    }

    /// Whether the manifest lists no operation (nothing can run).
    pub fn is_empty(&self) -> bool {
        self.operations == 0
    }

    /// Lets a listed operation through, with the manifest's text; refuses the rest.
    pub fn admit(&self, request: &mut async_graphql::Request) -> Result<(), Refusal> {
        // The hash is consumed here: under a safelist the APQ extension is
        // not installed, and the text that runs is the manifest's own.
        let hash = persisted_hash(request);
        request.extensions.remove(EXTENSION);
        if request.query.is_empty() {
            let Some(hash) = hash else {
                return Err(not_listed("the request has no query"));
            };
            let Some(body) = self.by_key.get(&hash) else {
                return Err(Refusal {
                    code: "PERSISTED_QUERY_NOT_FOUND",
                    message: format!("no operation with id {hash} is on this gateway's safelist"),
                });
            };
            request.query = body.to_string();
            return Ok(());
        }
        if self.by_key.contains_key(&sha256_hex(&request.query)) {
            return Ok(());
        }
        Err(not_listed("this operation is not on the gateway's safelist; only listed operations run"))
    }
}

fn not_listed(message: &str) -> Refusal {
    Refusal { code: "FORBIDDEN", message: message.to_owned() }
}

/// The `persistedQuery.sha256Hash` a request carries, if any.
pub fn persisted_hash(request: &async_graphql::Request) -> Option<String> {
    let async_graphql::Value::Object(extension) = request.extensions.get(EXTENSION)? else { return None };
    match extension.get("sha256Hash")? {
        async_graphql::Value::String(hash) => Some(hash.clone()),
        _ => None,
    }
}

/// Lower-case hex sha256, as APQ and manifests write it.
pub fn sha256_hex(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const INBOX: &str = "query Inbox { me { username } }";

    fn manifest() -> String {
        serde_json::json!({
            "format": FORMAT,
            "version": 1,
            "operations": [{ "id": "inbox-v1", "name": "Inbox", "type": "query", "body": INBOX }],
        })
        .to_string()
    }

    fn hashed(hash: &str) -> async_graphql::Request {
        let mut request = async_graphql::Request::new("");
        let extension = serde_json::json!({ "version": 1, "sha256Hash": hash });
        request.extensions.insert(EXTENSION.to_owned(), async_graphql::Value::from_json(extension).unwrap());
        request
    }

    #[test]
    fn listed_operations_run_by_id_hash_or_exact_text_and_nothing_else_does() {
        let safelist = Safelist::parse(&manifest()).unwrap();
        assert_eq!(safelist.len(), 1);
        for key in ["inbox-v1".to_owned(), sha256_hex(INBOX)] {
            let mut request = hashed(&key);
            safelist.admit(&mut request).unwrap();
            assert_eq!(request.query, INBOX);
            assert!(!request.extensions.contains_key(EXTENSION));
        }
        safelist.admit(&mut async_graphql::Request::new(INBOX)).unwrap();
        let refused = safelist.admit(&mut async_graphql::Request::new("query Inbox { me { username } } ")).unwrap_err();
        assert_eq!(refused.code, "FORBIDDEN");
        assert_eq!(safelist.admit(&mut hashed("nope")).unwrap_err().code, "PERSISTED_QUERY_NOT_FOUND");
        assert_eq!(safelist.admit(&mut async_graphql::Request::new("")).unwrap_err().code, "FORBIDDEN");
        // Text with a listed hash still has to be the listed text.
        let mut forged = hashed(&sha256_hex(INBOX));
        forged.query = "{ me { username } }".to_owned();
        assert_eq!(safelist.admit(&mut forged).unwrap_err().code, "FORBIDDEN");
    }

    #[test]
    fn broken_manifests_are_refused_with_the_reason() {
        let cases = [
            ("{}", "missing field"),
            (r#"{"format":"other","version":1,"operations":[]}"#, "expected format"),
            (
                r#"{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","body":"query {"}]}"#,
                "does not parse",
            ),
            (
                r#"{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a","body":"{ a }","type":"fragment"}]}"#,
                "unknown type",
            ),
        ];
        for (text, reason) in cases {
            let err = Safelist::parse(text).unwrap_err();
            assert!(err.contains(reason), "{text}: {err}");
        }
    }
}
