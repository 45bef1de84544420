//! A small GraphQL-over-HTTP client for the tests.

use anyhow::{bail, Context};
use serde_json::{json, Value};

/// Sends GraphQL requests to one endpoint with one bearer token.
#[derive(Clone)]
pub struct GraphqlClient {
    http: reqwest::Client,
    /// The base URL, e.g. `http://127.0.0.1:1234`.
    pub base: String,
    token: Option<String>,
}

impl GraphqlClient {
    /// A client for `base` acting with `token`.
    pub fn new(base: &str, token: Option<&str>) -> Self {
        Self { http: reqwest::Client::new(), base: base.to_owned(), token: token.map(str::to_owned) }
    }

    /// POSTs a query and returns the whole response body (data and errors).
    pub async fn post(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let mut request = self.http.post(format!("{}/graphql", self.base)).json(&json!({
            "query": query,
            "variables": variables,
        }));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.context("POST /graphql")?;
        let text = response.text().await?;
        serde_json::from_str(&text).with_context(|| format!("response is not JSON: {text}"))
    }

    /// POSTs a query that must succeed without errors; returns `data`.
    pub async fn data(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let body = self.post(query, variables).await?;
        if body.get("errors").is_some_and(|e| !e.as_array().is_some_and(Vec::is_empty)) {
            bail!("query failed: {body}");
        }
        Ok(body["data"].clone())
    }

    /// A GET on a path of the server with the token, returning the raw response.
    pub async fn get(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        let url = if path.starts_with("http") { path.to_owned() } else { format!("{}{}", self.base, path) };
        let mut request = self.http.get(url);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        Ok(request.send().await?)
    }

    /// The sum of `mailgate_backend_requests_total` over all labels, from `/metrics`.
    pub async fn backend_requests(&self) -> anyhow::Result<f64> {
        let text = self.http.get(format!("{}/metrics", self.base)).send().await?.text().await?;
        Ok(text
            .lines()
            .filter(|l| l.starts_with("mailgate_backend_requests_total"))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum())
    }
}

/// The `extensions.code` of the first error of a response body, if any.
pub fn first_error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}
