//! The simulator's HTTP side: routes, auth, dispatch, REST, upload, route lookup.

use super::ops;
use super::store::Mailbox;
use super::token::{self, TokenError};
use super::wire::{self, Fault, Format};
use super::Sim;
use crate::xml::El;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;

pub(crate) fn router(sim: Sim) -> Router {
    Router::new()
        .route("/service/soap", post(soap))
        .route("/service/soap/", post(soap))
        .route("/service/soap/{name}", post(soap))
        .route("/service/home/~/", get(rest))
        .route("/service/upload", post(upload))
        .route("/service/extension/nginx-lookup", get(nginx_lookup))
        .layer(DefaultBodyLimit::max(64 << 20))
        .with_state(sim)
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix("ZM_AUTH_TOKEN=").map(str::to_owned))
}

/// The account a token names, or the fault Zimbra gives.
fn authenticate(sim: &Sim, token: Option<String>, void_on_expired: bool) -> Result<String, Fault> {
    let required = || Fault::sender("service.AUTH_REQUIRED", "no valid authtoken present");
    let token = token.filter(|t| !t.is_empty()).ok_or_else(required)?;
    match token::check(&sim.config().secret, &token, sim.now()) {
        Ok(zid) => {
            let st = sim.lock();
            st.accounts.values().find(|m| m.zimbra_id == zid).map(|m| m.name.to_lowercase()).ok_or_else(required)
        }
        Err(TokenError::Expired) if !void_on_expired => {
            Err(Fault::sender("service.AUTH_EXPIRED", "auth credentials have expired"))
        }
        Err(_) => Err(required()),
    }
}

fn reply(format: Format, context: Option<El>, result: Result<El, Fault>, cookie: Option<String>) -> Response {
    let (status, body) = match result {
        Ok(el) => (StatusCode::OK, wire::write(format, context, el)),
        Err(f) => (StatusCode::INTERNAL_SERVER_ERROR, wire::write(format, context, f.to_el(format, None))),
    };
    let ct = if format == Format::Json { "text/javascript; charset=utf-8" } else { "text/xml; charset=utf-8" };
    let mut resp =
        (status, [(header::CONTENT_TYPE, ct), (header::CACHE_CONTROL, "no-store, no-cache")], body).into_response();
    if let Some(c) = cookie.and_then(|c| format!("ZM_AUTH_TOKEN={c}; Path=/; HttpOnly").parse().ok()) {
        resp.headers_mut().insert(header::SET_COOKIE, c);
    }
    resp
}

async fn soap(State(sim): State<Sim>, headers: HeaderMap, body: Bytes) -> Response {
    sim.lock().soap_requests += 1;
    let req = match wire::read(&body) {
        Ok(r) => r,
        Err(f) => {
            let format = if body.first() == Some(&b'{') { Format::Json } else { Format::Soap12 };
            return reply(format, None, Err(f), None);
        }
    };
    if req.body.name == "AuthRequest" {
        return match auth(&sim, &req.body) {
            Ok((el, tok)) => reply(req.format, None, Ok(el), Some(tok)),
            Err(f) => reply(req.format, None, Err(f), None),
        };
    }
    let ctx = req.context.as_ref();
    let tok = ctx.and_then(|c| c.get_any("authToken")).map(str::to_owned).or_else(|| cookie(&headers));
    let void = ctx
        .and_then(|c| c.first("authTokenControl"))
        .and_then(|c| c.get("voidOnExpired"))
        .is_some_and(|v| v == "1" || v == "true");
    let account = match authenticate(&sim, tok, void) {
        Ok(a) => a,
        Err(f) => return reply(req.format, None, Err(f), None),
    };
    let mut st = sim.lock();
    let upload_owner = account.clone();
    let mut uploads = std::mem::take(&mut st.uploads);
    let Some(mb) = st.accounts.get_mut(&account) else {
        st.uploads = uploads;
        drop(st);
        return reply(
            req.format,
            None,
            Err(Fault::sender("account.NO_SUCH_ACCOUNT", format!("no such account: {account}"))),
            None,
        );
    };
    let before = mb.change;
    let result = if req.body.name == "BatchRequest" {
        Ok(batch(mb, &req.body, req.format, &mut uploads, &upload_owner))
    } else {
        dispatch(mb, &req.body, &mut uploads, &upload_owner)
    };
    let changed = mb.change != before;
    let context = El::new("context").attr("xmlns", "urn:zimbra").child(El::new("change").attr("token", mb.change));
    st.uploads = uploads;
    drop(st);
    if changed {
        if let Err(err) = sim.save() {
            // The write happened in memory; say so rather than pretend it is durable.
            tracing::error!(error = %err, "the Zimbra simulator could not save its state");
            let fault = Fault { sender: false, ..Fault::sender("service.FAILURE", format!("system failure: {err}")) };
            return reply(req.format, None, Err(fault), None);
        }
    }
    reply(req.format, Some(context), result, None)
}

fn auth(sim: &Sim, req: &El) -> Result<(El, String), Fault> {
    let name = req.get_any("account").unwrap_or_default().to_lowercase();
    let password = req.get_any("password").unwrap_or_default();
    let failed = || Fault::sender("account.AUTH_FAILED", format!("authentication failed for [{name}]"));
    let zid = {
        let st = sim.lock();
        let mb = st.accounts.get(&name).ok_or_else(failed)?;
        if mb.password != password {
            return Err(failed());
        }
        mb.zimbra_id.clone()
    };
    let lifetime = sim.config().token_lifetime.as_millis() as i64;
    let tok = token::mint(&sim.config().secret, &zid, sim.now() + lifetime);
    let el = El::new("AuthResponse")
        .attr("xmlns", "urn:zimbraAccount")
        .child(El::new("authToken").text(tok.clone()))
        .child(El::new("lifetime").text((lifetime - 1).to_string()))
        .child(El::new("skin").text("harmony"));
    Ok((el, tok))
}

fn dispatch(
    mb: &mut Mailbox,
    req: &El,
    uploads: &mut HashMap<String, (String, Vec<u8>)>,
    owner: &str,
) -> Result<El, Fault> {
    match req.name.as_str() {
        "GetFolderRequest" => ops::get_folder(mb, req),
        "CreateFolderRequest" => ops::create_folder(mb, req),
        "FolderActionRequest" => ops::folder_action(mb, req),
        "MsgActionRequest" => ops::msg_action(mb, req),
        "GetMsgRequest" => ops::get_msg(mb, req),
        "GetConvRequest" => ops::get_conv(mb, req),
        "SearchRequest" => ops::search(mb, req),
        "SyncRequest" => ops::sync(mb, req),
        "AddMsgRequest" => {
            let aid = req.first("m").and_then(|m| m.get("aid")).map(str::to_owned);
            let upload = match aid {
                Some(aid) => match uploads.remove(&aid) {
                    Some((o, bytes)) if o == owner => Some(bytes),
                    _ => return Err(Fault::sender("mail.NO_SUCH_UPLOAD", format!("upload not found: {aid}"))),
                },
                None => None,
            };
            ops::add_msg(mb, req, upload)
        }
        "NoOpRequest" => Ok(El::new("NoOpResponse").attr("xmlns", "urn:zimbraMail")),
        "GetInfoRequest" => Ok(El::new("GetInfoResponse")
            .attr("xmlns", "urn:zimbraAccount")
            .child(El::new("version").text("10.1.0_GA_4655 (mailgate-sim)"))
            .child(El::new("id").text(mb.zimbra_id.clone()))
            .child(El::new("name").text(mb.name.clone()))
            .child(El::new("attrs").child(El::new("attr").attr("name", "displayName").text(mb.display_name.clone())))),
        other => Err(Fault::sender("service.UNKNOWN_DOCUMENT", format!("unknown document: {other}"))),
    }
}

fn batch(
    mb: &mut Mailbox,
    req: &El,
    format: Format,
    uploads: &mut HashMap<String, (String, Vec<u8>)>,
    owner: &str,
) -> El {
    let stop = req.get("onerror") == Some("stop");
    let mut out = El::new("BatchResponse").attr("xmlns", "urn:zimbra");
    for sub in &req.children {
        let rid = sub.get("requestId");
        match dispatch(mb, sub, uploads, owner) {
            Ok(mut el) => {
                if let Some(r) = rid {
                    el.set("requestId", r);
                }
                out.children.push(el);
            }
            Err(f) => {
                out.children.push(f.to_el(format, rid));
                if stop {
                    break;
                }
            }
        }
    }
    out
}

fn rest_auth(sim: &Sim, headers: &HeaderMap, q: &HashMap<String, String>) -> Result<String, StatusCode> {
    let tok = match q.get("auth").map(String::as_str) {
        Some("qp") => q.get("zauthtoken").cloned(),
        _ => cookie(headers),
    };
    authenticate(sim, tok, false).map_err(|_| StatusCode::UNAUTHORIZED)
}

async fn rest(State(sim): State<Sim>, headers: HeaderMap, Query(q): Query<HashMap<String, String>>) -> Response {
    sim.lock().rest_requests += 1;
    let account = match rest_auth(&sim, &headers, &q) {
        Ok(a) => a,
        Err(s) => return (s, "must authenticate").into_response(),
    };
    let st = sim.lock();
    let id: Option<u32> = q.get("id").and_then(|i| i.parse().ok());
    let Some(m) = st.accounts.get(&account).and_then(|mb| id.and_then(|i| mb.msgs.get(&i))) else {
        return (StatusCode::NOT_FOUND, "no such item").into_response();
    };
    match q.get("part") {
        None => ([(header::CONTENT_TYPE, "message/rfc822")], m.raw.as_ref().clone()).into_response(),
        Some(p) => match m.parsed.part(p) {
            Some(part) if !part.ct.starts_with("multipart/") => {
                let disp = match &part.filename {
                    Some(f) => format!("attachment; filename=\"{}\"", f.replace('"', "")),
                    None => "attachment".into(),
                };
                ([(header::CONTENT_TYPE, part.ct.clone()), (header::CONTENT_DISPOSITION, disp)], part.bytes.clone())
                    .into_response()
            }
            _ => (StatusCode::NOT_FOUND, "no such message part").into_response(),
        },
    }
}

async fn upload(
    State(sim): State<Sim>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
    body: Bytes,
) -> Response {
    let account = match rest_auth(&sim, &headers, &q) {
        Ok(a) => a,
        Err(s) => return (s, "must authenticate").into_response(),
    };
    let mut st = sim.lock();
    st.next_upload += 1;
    let aid =
        format!("{}:{}", st.accounts.get(&account).map(|m| m.zimbra_id.clone()).unwrap_or_default(), st.next_upload);
    st.uploads.insert(aid.clone(), (account, body.to_vec()));
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/plain")], format!("200,'null','{aid}'")).into_response()
}

async fn nginx_lookup(State(sim): State<Sim>, headers: HeaderMap) -> Response {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let (method, user) = (h("Auth-Method"), h("Auth-User"));
    let st = sim.lock();
    let found = st.accounts.values().find(|m| match method.as_str() {
        "zimbraId" => m.zimbra_id == user,
        _ => m.name.eq_ignore_ascii_case(&user) || m.zimbra_id == user,
    });
    match found {
        Some(m) => (
            StatusCode::OK,
            [
                ("Auth-Status", "OK".to_owned()),
                ("Auth-Server", sim.config().mail_host.clone()),
                ("Auth-Port", sim.config().mail_port.to_string()),
                ("Auth-User", m.name.clone()),
                ("Auth-Cache-Alias", "FALSE".to_owned()),
            ],
        )
            .into_response(),
        None => (StatusCode::OK, [("Auth-Status", "Login failed".to_owned()), ("Auth-Wait", "10".to_owned())])
            .into_response(),
    }
}
