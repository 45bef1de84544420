//! Authentication and scopes in-process (`router` + `oneshot`) over a real
//! embedded store: RS256/ES256 tokens checked against a JWKS file and a JWKS
//! URL (a real HTTP server on loopback, with key rotation), issuer, audience,
//! expiry and not-before, the scopes `mail:read`/`mail:write`/`admin`, and
//! `login`/`refreshToken`/`logout` over an argon2id password file.
//!
//! The keys in `tests/fixtures/` are test-only keys generated for this suite.

#![allow(clippy::unwrap_used)]

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use mailgate_backend::{ChangeRequest, MailBackend, MailChange, Principal, RequestId};
use mailgate_gateway::auth::passwords::set_password;
use mailgate_gateway::auth::AuthConfig;
use mailgate_gateway::config::Config;
use mailgate_gateway::{app, server};
use mailgate_native::NativeBackend;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tower::ServiceExt;

const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";
const ISSUER: &str = "https://idp.test/";
const AUDIENCE: &str = "mailgate";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

struct Gateway {
    router: axum::Router,
    native: Arc<NativeBackend>,
    _dir: tempfile::TempDir,
}

impl Gateway {
    async fn with(auth: AuthConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let native = Arc::new(NativeBackend::open_embedded(dir.path()).await.unwrap());
        for user in ["ann", "bob"] {
            let change = MailChange::CreateAccount {
                display_name: user.to_owned(),
                address: format!("{user}@example.com"),
                legacy: None,
            };
            let request = ChangeRequest { request_id: RequestId(format!("create-{user}")), change };
            native.apply(&Principal::admin("root"), user, request).await.unwrap();
        }
        let backend: Arc<dyn MailBackend> = native.clone();
        let config = Config { auth, ..Config::default() };
        Self {
            router: app::router(server::app_state(backend, Vec::new(), SECRET, &config).unwrap()),
            native,
            _dir: dir,
        }
    }

    async fn graphql(&self, token: Option<&str>, query: &str, variables: Value) -> (StatusCode, Value) {
        let mut builder = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
        if let Some(token) = token {
            builder = builder.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let body = json!({ "query": query, "variables": variables }).to_string();
        let response = self.router.clone().oneshot(builder.body(Body::from(body)).unwrap()).await.unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX).await.unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    async fn me(&self, token: &str) -> (StatusCode, Value) {
        self.graphql(Some(token), "{ me { username } }", json!({})).await
    }
}

fn idp_config() -> AuthConfig {
    AuthConfig {
        jwks_file: Some(fixture("jwks.json")),
        issuer: Some(ISSUER.to_owned()),
        audience: Some(AUDIENCE.to_owned()),
        ..AuthConfig::default()
    }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// A token as an identity provider signs it; `claims` overrides the defaults.
fn idp_token(alg: Algorithm, kid: &str, claims: Value) -> String {
    let mut all = json!({ "sub": "ann", "exp": now() + 300, "iss": ISSUER, "aud": AUDIENCE, "scope": "mail:read" });
    for (key, value) in claims.as_object().unwrap() {
        all[key] = value.clone();
    }
    let pem = std::fs::read(fixture(if alg == Algorithm::RS256 { "jwt-rs256.pem" } else { "jwt-es256.pem" })).unwrap();
    let key = match alg {
        Algorithm::RS256 => EncodingKey::from_rsa_pem(&pem).unwrap(),
        _ => EncodingKey::from_ec_pem(&pem).unwrap(),
    };
    let mut header = Header::new(alg);
    header.kid = Some(kid.to_owned());
    encode(&header, &all, &key).unwrap()
}

fn code(body: &Value) -> &Value {
    &body["errors"][0]["extensions"]["code"]
}

const CREATE: &str = "mutation($name: String!) { createMailbox(input: { name: $name }) { mailbox { name } } }";

#[tokio::test]
async fn identity_provider_tokens_verify_against_the_jwks_and_their_scopes_hold() {
    let gateway = Gateway::with(idp_config()).await;
    let read_only = idp_token(Algorithm::RS256, "rsa-1", json!({}));
    let (status, body) = gateway.me(&read_only).await;
    assert_eq!((status, &body["data"]["me"]["username"]), (StatusCode::OK, &json!("ann")), "{body}");
    // mail:read alone may not write.
    let (_, body) = gateway.graphql(Some(&read_only), CREATE, json!({ "name": "Nope" })).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("mail:write"), "{body}");
    // ES256 with mail:write may.
    let writer = idp_token(Algorithm::ES256, "ec-1", json!({ "scope": "mail:read mail:write" }));
    let (_, body) = gateway.graphql(Some(&writer), CREATE, json!({ "name": "Receipts" })).await;
    assert_eq!(body["data"]["createMailbox"]["mailbox"]["name"], "Receipts", "{body}");
    // mail:write includes reading (from `scp`, as Okta and Entra write it).
    let writer_scp = idp_token(Algorithm::ES256, "ec-1", json!({ "scope": null, "scp": ["mail:write"] }));
    let (_, body) = gateway.me(&writer_scp).await;
    assert_eq!(body["data"]["me"]["username"], "ann", "{body}");
    // A token with no mail scope reads nothing.
    let none = idp_token(Algorithm::RS256, "rsa-1", json!({ "scope": "openid profile" }));
    let (_, body) = gateway.me(&none).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    // An identity provider's admin attribute next to its scopes grants nothing.
    let claims_admin = idp_token(Algorithm::RS256, "rsa-1", json!({ "admin": true }));
    let (_, body) = gateway.graphql(Some(&claims_admin), "{ messages(username: \"bob\") { id } }", json!({})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    // Only admin may name another user.
    let other = "{ messages(username: \"bob\") { id } }";
    let (_, body) = gateway.graphql(Some(&read_only), other, json!({})).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");
    let admin = idp_token(Algorithm::RS256, "rsa-1", json!({ "sub": "root", "scope": "mail:read admin" }));
    let (_, body) = gateway.graphql(Some(&admin), other, json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
    gateway.native.shutdown().await;
}

#[tokio::test]
async fn tokens_with_a_wrong_key_algorithm_issuer_audience_or_time_are_401() {
    let gateway = Gateway::with(idp_config()).await;
    let bad = [
        ("unknown kid", idp_token(Algorithm::RS256, "rsa-9", json!({}))),
        ("RSA key named for an ES256 token", idp_token(Algorithm::ES256, "rsa-1", json!({}))),
        ("wrong issuer", idp_token(Algorithm::RS256, "rsa-1", json!({ "iss": "https://evil.test/" }))),
        ("no issuer", idp_token(Algorithm::RS256, "rsa-1", json!({ "iss": null }))),
        ("wrong audience", idp_token(Algorithm::RS256, "rsa-1", json!({ "aud": ["other"] }))),
        ("expired", idp_token(Algorithm::RS256, "rsa-1", json!({ "exp": now() - 120 }))),
        ("not yet valid", idp_token(Algorithm::RS256, "rsa-1", json!({ "nbf": now() + 120 }))),
        (
            "HS256 with the wrong secret",
            mailgate_gateway::auth::TokenAuthority::hs256(b"x").mint("ann", true, 60).unwrap(),
        ),
    ];
    for (what, token) in bad {
        let (status, body) = gateway.me(&token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}: {body}");
        assert_eq!(code(&body), "UNAUTHENTICATED", "{what}");
    }
    // Within the leeway (30 s) an expired token still passes.
    let (status, _) = gateway.me(&idp_token(Algorithm::RS256, "rsa-1", json!({ "exp": now() - 5 }))).await;
    assert_eq!(status, StatusCode::OK);
    gateway.native.shutdown().await;
}

/// A JWKS endpoint on loopback whose document the test can change.
async fn jwks_server(document: Arc<Mutex<Value>>, fetches: Arc<AtomicUsize>) -> String {
    let app = axum::Router::new().route(
        "/jwks.json",
        axum::routing::get(move || {
            let (document, fetches) = (document.clone(), fetches.clone());
            async move {
                fetches.fetch_add(1, Ordering::SeqCst);
                axum::Json(document.lock().unwrap().clone())
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/jwks.json")
}

#[tokio::test]
async fn a_jwks_url_is_fetched_once_cached_and_refetched_when_the_provider_rotates_keys() {
    let full: Value = serde_json::from_str(&std::fs::read_to_string(fixture("jwks.json")).unwrap()).unwrap();
    let rsa_only = json!({ "keys": [full["keys"][0].clone()] });
    let document = Arc::new(Mutex::new(rsa_only));
    let fetches = Arc::new(AtomicUsize::new(0));
    let url = jwks_server(document.clone(), fetches.clone()).await;
    let gateway = Gateway::with(AuthConfig { jwks_file: None, jwks_url: Some(url), ..idp_config() }).await;

    let rsa = idp_token(Algorithm::RS256, "rsa-1", json!({}));
    for _ in 0..3 {
        assert_eq!(gateway.me(&rsa).await.0, StatusCode::OK);
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 1, "fetched once, then cached");
    // The provider adds its EC key: a token naming it makes the gateway look again.
    *document.lock().unwrap() = full;
    let ec = idp_token(Algorithm::ES256, "ec-1", json!({}));
    assert_eq!(gateway.me(&ec).await.0, StatusCode::OK);
    assert_eq!(fetches.load(Ordering::SeqCst), 2);
    // Made-up key ids do not make it hammer the provider.
    for i in 0..5 {
        let forged = idp_token(Algorithm::RS256, &format!("made-up-{i}"), json!({}));
        assert_eq!(gateway.me(&forged).await.0, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(fetches.load(Ordering::SeqCst), 2, "at most one fetch per 30 s for unknown keys");
    gateway.native.shutdown().await;
}

const LOGIN: &str = "mutation($u: String!, $p: String!) { login(input: { username: $u, password: $p }) { accessToken refreshToken tokenType expiresIn } }";
const REFRESH: &str =
    "mutation($t: String!) { refreshToken(input: { refreshToken: $t }) { accessToken refreshToken } }";
const LOGOUT: &str = "mutation($t: String!) { logout(input: { refreshToken: $t }) { revoked } }";

#[tokio::test]
async fn login_refresh_and_logout_issue_rotate_and_revoke_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let passwords = dir.path().join("passwords");
    set_password(&passwords, "ann", "correct horse").unwrap();
    let gateway = Gateway::with(AuthConfig { password_file: Some(passwords.clone()), ..AuthConfig::default() }).await;

    let (_, body) = gateway.graphql(None, LOGIN, json!({ "u": "ann", "p": "wrong" })).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    let (_, body) = gateway.graphql(None, LOGIN, json!({ "u": "nobody", "p": "correct horse" })).await;
    assert_eq!(body["errors"][0]["message"], "wrong username or password", "same answer for unknown users");
    let (_, body) = gateway.graphql(None, LOGIN, json!({ "u": "ann", "p": "correct horse" })).await;
    let login = &body["data"]["login"];
    assert_eq!((&login["tokenType"], &login["expiresIn"]), (&json!("Bearer"), &json!(900)), "{body}");
    let access = login["accessToken"].as_str().unwrap().to_owned();
    let refresh = login["refreshToken"].as_str().unwrap().to_owned();
    assert_eq!(gateway.me(&access).await.1["data"]["me"]["username"], "ann");
    // A refresh token is not a bearer token.
    assert_eq!(gateway.me(&refresh).await.0, StatusCode::UNAUTHORIZED);

    // Refreshing rotates: the old refresh token works once.
    let (_, body) = gateway.graphql(None, REFRESH, json!({ "t": refresh })).await;
    let rotated = body["data"]["refreshToken"]["refreshToken"].as_str().unwrap().to_owned();
    let new_access = body["data"]["refreshToken"]["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(gateway.me(&new_access).await.1["data"]["me"]["username"], "ann");
    let (_, body) = gateway.graphql(None, REFRESH, json!({ "t": refresh })).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "reused refresh token: {body}");

    // Logout revokes; the revoked token neither refreshes nor logs out again.
    let (_, body) = gateway.graphql(None, LOGOUT, json!({ "t": rotated })).await;
    assert_eq!(body["data"]["logout"]["revoked"], true, "{body}");
    let (_, body) = gateway.graphql(None, REFRESH, json!({ "t": rotated })).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    let (_, body) = gateway.graphql(None, LOGOUT, json!({ "t": rotated })).await;
    assert_eq!(body["data"]["logout"]["revoked"], false, "{body}");
    let (_, body) = gateway.graphql(None, REFRESH, json!({ "t": "garbage" })).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");

    // A password change ends the sessions signed in with the old one.
    let (_, body) = gateway.graphql(None, LOGIN, json!({ "u": "ann", "p": "correct horse" })).await;
    let before = body["data"]["login"]["refreshToken"].as_str().unwrap().to_owned();
    set_password(&passwords, "ann", "battery staple").unwrap();
    let (_, body) = gateway.graphql(None, REFRESH, json!({ "t": before })).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "a session outlived a password change: {body}");
    gateway.native.shutdown().await;
}

#[tokio::test]
async fn guessing_one_users_password_is_rate_limited_and_login_needs_a_password_file() {
    let dir = tempfile::tempdir().unwrap();
    let passwords = dir.path().join("passwords");
    set_password(&passwords, "ann", "correct horse").unwrap();
    let gateway = Gateway::with(AuthConfig { password_file: Some(passwords), ..AuthConfig::default() }).await;
    let mut codes = Vec::new();
    for _ in 0..6 {
        let (_, body) = gateway.graphql(None, LOGIN, json!({ "u": "ann", "p": "guess" })).await;
        codes.push(code(&body).as_str().unwrap().to_owned());
    }
    assert_eq!(codes[..5], ["UNAUTHENTICATED"; 5]);
    assert_eq!(codes[5], "RATE_LIMITED");
    // Another user is not held up by ann's attacker.
    let (_, body) = gateway.graphql(None, LOGIN, json!({ "u": "bob", "p": "guess" })).await;
    assert_eq!(code(&body), "UNAUTHENTICATED");

    let without = Gateway::with(AuthConfig::default()).await;
    let (_, body) = without.graphql(None, LOGIN, json!({ "u": "ann", "p": "correct horse" })).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    gateway.native.shutdown().await;
    without.native.shutdown().await;
}
