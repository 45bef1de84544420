//! The SOAP 1.2 client for one Zimbra account.
//!
//! It authenticates with `AuthRequest`, keeps the token and sends it both in
//! the header context and as the `ZM_AUTH_TOKEN` cookie (nginx routes by the
//! cookie), re-authenticates once on `service.AUTH_EXPIRED`, and retries
//! reads (never writes) on transient failures with doubling backoff.
//! Replies are read chunk by chunk with a byte cap, then parsed by the
//! hostile-input-safe reader in [`crate::xml`]: a DOCTYPE, a truncated or
//! oversized body, a wrong content type or an HTML error page all end as an
//! `ErrorKind::Backend` error (`Unavailable` for 502-504 and timeouts);
//! [`SoapClient::call_capped`] reports an oversized reply as `None` instead,
//! for a caller that can fetch the same data in smaller pieces.

use crate::config::{ClientLimits, ZimbraSourceConfig};
use crate::fault::SoapFault;
use crate::xml::{self, El, SOAP12};
use mailgate_backend::{BackendError, ErrorKind};
use reqwest::header::{CONTENT_TYPE, COOKIE};
use reqwest::{Response, StatusCode};
use std::ops::Range;
use std::sync::Mutex;

/// A reply: the header context (if any) and the first Body element.
#[derive(Debug, Clone)]
pub struct Reply {
    /// `Header/context`.
    pub context: Option<El>,
    /// The response element.
    pub body: El,
}

impl Reply {
    /// The mailbox change token from the header context.
    pub fn change_token(&self) -> Option<&str> {
        self.context.as_ref().and_then(|c| c.first("change")).and_then(|c| c.get("token"))
    }
}

/// Why one attempt failed: a fault the server sent, a reply over the size
/// cap (refused while streaming), or anything else.
enum Attempt {
    Fault(SoapFault),
    TooLarge,
    Other(BackendError),
}

/// A SOAP client for one account on one server.
#[derive(Debug)]
pub struct SoapClient {
    http: reqwest::Client,
    config: ZimbraSourceConfig,
    limits: ClientLimits,
    token: Mutex<Option<String>>,
}

fn backend(msg: impl Into<String>) -> BackendError {
    BackendError::new(ErrorKind::Backend, msg)
}

fn transport(e: reqwest::Error) -> BackendError {
    if e.is_timeout() {
        BackendError::unavailable("zimbra request timed out")
    } else if e.is_connect() {
        BackendError::unavailable("cannot connect to zimbra")
    } else {
        backend(format!("zimbra transport error: {e}"))
    }
}

/// Reads a body chunk by chunk; `None` when it exceeds `cap`.
async fn read_capped(mut resp: Response, cap: usize) -> Result<Option<Vec<u8>>, BackendError> {
    if resp.content_length().is_some_and(|l| l > cap as u64) {
        return Ok(None);
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(transport)? {
        if out.len() + chunk.len() > cap {
            return Ok(None);
        }
        out.extend_from_slice(&chunk);
    }
    Ok(Some(out))
}

impl SoapClient {
    /// A client sharing `http`'s connection pool.
    pub fn new(http: reqwest::Client, config: ZimbraSourceConfig, limits: ClientLimits) -> SoapClient {
        SoapClient { http, config, limits, token: Mutex::new(None) }
    }

    /// The account this client acts as.
    pub fn account(&self) -> &str {
        &self.config.account
    }

    fn base(&self) -> &str {
        self.config.url.trim_end_matches('/')
    }

    fn current_token(&self) -> Option<String> {
        self.token.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn set_token(&self, t: Option<String>) {
        *self.token.lock().unwrap_or_else(|p| p.into_inner()) = t;
    }

    fn envelope(&self, token: Option<&str>, body: &El) -> String {
        let mut ctx = El::new("context").attr("xmlns", "urn:zimbra");
        if let Some(t) = token {
            ctx.children.push(El::new("authToken").text(t));
        }
        ctx.children.push(El::new("userAgent").attr("name", "mailgate").attr("version", env!("CARGO_PKG_VERSION")));
        let env = El::new("soap:Envelope")
            .attr("xmlns:soap", SOAP12)
            .child(El::new("soap:Header").child(ctx))
            .child(El::new("soap:Body").child(body.clone()));
        format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{}", env.to_xml())
    }

    async fn attempt(&self, token: Option<&str>, body: &El) -> Result<Reply, Attempt> {
        let url = format!("{}/service/soap/{}", self.base(), body.name);
        let mut req = self
            .http
            .post(url)
            .timeout(self.limits.timeout)
            .header(CONTENT_TYPE, "application/soap+xml; charset=utf-8")
            .body(self.envelope(token, body));
        if let Some(t) = token {
            req = req.header(COOKIE, format!("ZM_AUTH_TOKEN={t}"));
        }
        let resp = req.send().await.map_err(|e| Attempt::Other(transport(e)))?;
        let status = resp.status();
        if matches!(status, StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT) {
            return Err(Attempt::Other(BackendError::unavailable(format!("zimbra answered http {status}"))));
        }
        if status != StatusCode::OK && status != StatusCode::INTERNAL_SERVER_ERROR {
            return Err(Attempt::Other(backend(format!("zimbra answered http {status}"))));
        }
        let ct =
            resp.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or_default().to_ascii_lowercase();
        if !ct.contains("xml") {
            return Err(Attempt::Other(backend(format!(
                "zimbra answered http {status} with content type {ct:?}, not xml"
            ))));
        }
        let bytes =
            read_capped(resp, self.limits.max_reply_bytes).await.map_err(Attempt::Other)?.ok_or(Attempt::TooLarge)?;
        let env = xml::parse(&bytes).map_err(|e| Attempt::Other(backend(format!("zimbra reply refused: {e}"))))?;
        if env.name != "Envelope" {
            return Err(Attempt::Other(backend("zimbra reply is not a soap envelope")));
        }
        let body = env.first("Body").and_then(|b| b.children.first()).cloned();
        let body = body.ok_or_else(|| Attempt::Other(backend("zimbra reply has an empty body")))?;
        if body.name == "Fault" {
            return Err(Attempt::Fault(SoapFault::from_el(&body)));
        }
        Ok(Reply { context: env.path(&["Header", "context"]).cloned(), body })
    }

    async fn authenticate(&self) -> Result<String, BackendError> {
        let req = El::new("AuthRequest")
            .attr("xmlns", "urn:zimbraAccount")
            .child(El::new("account").attr("by", "name").text(self.config.account.clone()))
            .child(El::new("password").text(self.config.password.clone()));
        match self.attempt(None, &req).await {
            Ok(r) => {
                let tok = r.body.first("authToken").map(|t| t.text.trim().to_owned()).filter(|t| !t.is_empty());
                let tok = tok.ok_or_else(|| backend("zimbra AuthResponse without authToken"))?;
                self.set_token(Some(tok.clone()));
                Ok(tok)
            }
            Err(Attempt::Fault(f)) => Err(f.into_error()),
            Err(Attempt::TooLarge) => Err(self.too_large()),
            Err(Attempt::Other(e)) => Err(e),
        }
    }

    fn too_large(&self) -> BackendError {
        backend(format!("zimbra reply larger than {} bytes", self.limits.max_reply_bytes))
    }

    /// Sends one request (a `BatchRequest` counts as one); `read` allows retries.
    /// A reply larger than `max_reply_bytes` is an error.
    pub async fn call(&self, body: &El, read: bool) -> Result<Reply, BackendError> {
        self.call_capped(body, read).await?.ok_or_else(|| self.too_large())
    }

    /// [`SoapClient::call`], but a reply larger than `max_reply_bytes` is
    /// `Ok(None)`: it was refused while streaming (never held whole), and the
    /// caller may fetch the same data another way.
    pub async fn call_capped(&self, body: &El, read: bool) -> Result<Option<Reply>, BackendError> {
        let mut tries = 0;
        let mut reauthed = false;
        loop {
            let token = match self.current_token() {
                Some(t) => t,
                None => self.authenticate().await?,
            };
            match self.attempt(Some(&token), body).await {
                Ok(r) => return Ok(Some(r)),
                Err(Attempt::TooLarge) => return Ok(None),
                Err(Attempt::Fault(f))
                    if !reauthed && matches!(f.code.as_str(), "service.AUTH_EXPIRED" | "service.AUTH_REQUIRED") =>
                {
                    // The token expired (or the server forgot it): log in again, once.
                    reauthed = true;
                    self.set_token(None);
                }
                Err(Attempt::Fault(f)) => return Err(f.into_error()),
                Err(Attempt::Other(e))
                    if read && e.kind == ErrorKind::Unavailable && tries < self.limits.read_retries =>
                {
                    tokio::time::sleep(self.limits.backoff * 2u32.pow(tries)).await;
                    tries += 1;
                }
                Err(Attempt::Other(e)) => return Err(e),
            }
        }
    }

    async fn rest_get(&self, id: &str, part: Option<&str>) -> Result<Option<Response>, BackendError> {
        let mut url = format!("{}/service/home/~/?auth=co&id={id}", self.base());
        if let Some(p) = part {
            url.push_str("&part=");
            url.push_str(p);
        }
        for round in 0..2 {
            let token = match self.current_token() {
                Some(t) => t,
                None => self.authenticate().await?,
            };
            let resp = self
                .http
                .get(&url)
                .timeout(self.limits.timeout)
                .header(COOKIE, format!("ZM_AUTH_TOKEN={token}"))
                .send()
                .await
                .map_err(transport)?;
            match resp.status() {
                StatusCode::OK => return Ok(Some(resp)),
                StatusCode::NOT_FOUND => return Ok(None),
                StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN if round == 0 => self.set_token(None),
                s => return Err(backend(format!("zimbra rest download answered http {s}"))),
            }
        }
        Err(BackendError::forbidden("zimbra refused the rest download"))
    }

    /// A whole item (raw message, or one part) of at most `cap` bytes; `None` if absent or larger.
    pub async fn download(&self, id: &str, part: Option<&str>, cap: usize) -> Result<Option<Vec<u8>>, BackendError> {
        match self.rest_get(id, part).await? {
            Some(resp) => read_capped(resp, cap.min(self.limits.max_blob_bytes)).await,
            None => Ok(None),
        }
    }

    /// A byte range of an item and its total size, streamed (only the range is kept).
    pub async fn download_range(
        &self,
        id: &str,
        part: Option<&str>,
        range: Range<u64>,
    ) -> Result<Option<(Vec<u8>, u64)>, BackendError> {
        let Some(mut resp) = self.rest_get(id, part).await? else { return Ok(None) };
        let mut out = Vec::new();
        let mut at = 0u64;
        let keep = range.end.saturating_sub(range.start).min(self.limits.max_blob_bytes as u64);
        while let Some(chunk) = resp.chunk().await.map_err(transport)? {
            let (lo, hi) = (at, at + chunk.len() as u64);
            let s = range.start.max(lo);
            let e = range.end.min(hi).min(range.start.saturating_add(keep));
            if s < e {
                out.extend_from_slice(&chunk[(s - lo) as usize..(e - lo) as usize]);
            }
            at = hi;
        }
        Ok(Some((out, at)))
    }

    /// Uploads raw bytes (`/service/upload?fmt=raw`) for `AddMsgRequest aid=`.
    pub async fn upload(&self, bytes: Vec<u8>) -> Result<String, BackendError> {
        let url = format!("{}/service/upload?fmt=raw", self.base());
        let token = match self.current_token() {
            Some(t) => t,
            None => self.authenticate().await?,
        };
        let send = |t: String| {
            self.http
                .post(&url)
                .timeout(self.limits.timeout)
                .header(COOKIE, format!("ZM_AUTH_TOKEN={t}"))
                .header(CONTENT_TYPE, "message/rfc822")
                .body(bytes.clone())
                .send()
        };
        let mut resp = send(token).await.map_err(transport)?;
        if resp.status() == StatusCode::UNAUTHORIZED {
            let t = self.authenticate().await?;
            resp = send(t).await.map_err(transport)?;
        }
        if resp.status() != StatusCode::OK {
            return Err(backend(format!("zimbra upload answered http {}", resp.status())));
        }
        let text = read_capped(resp, 4096).await?.ok_or_else(|| backend("zimbra upload reply too large"))?;
        // `200,'null','{aid}'`
        let text = String::from_utf8_lossy(&text);
        let mut parts = text.trim().splitn(3, ',');
        let (code, _, aid) = (parts.next(), parts.next(), parts.next());
        match (code, aid) {
            (Some("200"), Some(aid)) => Ok(aid.trim().trim_matches('\'').to_owned()),
            _ => Err(backend(format!("zimbra upload failed: {}", text.chars().take(80).collect::<String>()))),
        }
    }
}
