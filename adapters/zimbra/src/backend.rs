//! [`ZimbraBackend`]: the [`MailBackend`] over Zimbra SOAP.
//!
//! One backend serves many of our accounts, each mapped to one Zimbra
//! account ([`ZimbraBackend::add_user`]); all share one pooled reqwest client.
//! Batch-shaped calls are one `BatchRequest` (one HTTP round trip); `blobs`
//! too, cutting parts out of raw messages ([`crate::blobs`]).
//!
//! Where Zimbra differs from our contract, this module decides:
//! - `CreateAccount` cannot create a Zimbra account (that is an admin
//!   operation); it checks the configured account logs in and makes sure the
//!   top-level `Archive` folder exists (`fie=1`), which we give the archive role.
//! - Request-id deduplication is kept in this process (bounded), since
//!   Zimbra has no idempotency keys: a retry after a restart may apply twice.
//! - `changes` is best effort from `SyncRequest`: created = content revision
//!   after the state, updated = metadata change after it, destroyed = tombstones.
//! - `SetFlags` can set `seen` and `flagged` (MsgAction `read`/`flag`); the
//!   other flags answer InvalidInput.
//! - `DeleteMailbox` moves the folder's messages to Trash, then deletes it,
//!   because Zimbra's folder delete destroys its contents.

use crate::batch::{self, OnError};
use crate::blobs;
use crate::client::{Reply, SoapClient};
use crate::config::{ClientLimits, ZimbraSourceConfig};
use crate::convert::{self, is_conv_id, is_item_id, split_blob};
use crate::fault::SoapFault;
use crate::query;
use crate::xml::El;
use async_trait::async_trait;
use mailgate_backend::{
    Account, BackendError, BlobId, ChangeOutcome, ChangeRequest, Changes, ErrorKind, Flag, MailBackend, MailChange,
    Mailbox, MailboxId, Message, MessageId, MessageQuery, Page, Principal, RequestId, Source, SourceKind, State,
    Thread, ThreadId,
};
use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::sync::{Arc, Mutex};

const MAIL: &str = "urn:zimbraMail";
/// How many write outcomes the in-process dedup remembers.
const DEDUP_ENTRIES: usize = 10_000;

/// Remembered write outcomes by (account, request id), oldest first for eviction.
type Dedup = (HashMap<(String, RequestId), ChangeOutcome>, VecDeque<(String, RequestId)>);

/// The Zimbra backend.
#[derive(Debug)]
pub struct ZimbraBackend {
    http: reqwest::Client,
    limits: ClientLimits,
    users: Mutex<HashMap<String, Arc<SoapClient>>>,
    dedup: Mutex<Dedup>,
}

fn check(who: &Principal, account: &str) -> Result<(), BackendError> {
    if who.may_access(account) {
        Ok(())
    } else {
        Err(BackendError::forbidden(format!("{} may not access account {account}", who.username)))
    }
}

fn req(name: &str) -> El {
    El::new(name).attr("xmlns", MAIL)
}

fn state_of(r: &Reply) -> State {
    State(r.change_token().unwrap_or("0").to_owned())
}

fn absent(f: &SoapFault) -> bool {
    matches!(f.kind(), ErrorKind::NotFound | ErrorKind::InvalidInput)
}

impl ZimbraBackend {
    /// A backend with no users yet, with default limits.
    pub fn new() -> Result<ZimbraBackend, BackendError> {
        ZimbraBackend::with_limits(ClientLimits::default())
    }

    /// A backend with explicit limits (timeouts, reply caps, retries).
    pub fn with_limits(limits: ClientLimits) -> Result<ZimbraBackend, BackendError> {
        let http = reqwest::Client::builder()
            .use_rustls_tls()
            .pool_max_idle_per_host(16)
            .connect_timeout(limits.timeout)
            .build()
            .map_err(|e| BackendError::internal(format!("http client: {e}")))?;
        Ok(ZimbraBackend { http, limits, users: Mutex::default(), dedup: Mutex::default() })
    }

    /// Serves our account `username` from the Zimbra account in `config`.
    pub fn add_user(&self, username: &str, config: ZimbraSourceConfig) {
        let client = Arc::new(SoapClient::new(self.http.clone(), config, self.limits.clone()));
        self.users.lock().unwrap_or_else(|p| p.into_inner()).insert(username.to_owned(), client);
    }

    fn client(&self, who: &Principal, account: &str) -> Result<Arc<SoapClient>, BackendError> {
        check(who, account)?;
        let users = self.users.lock().unwrap_or_else(|p| p.into_inner());
        users
            .get(account)
            .cloned()
            .ok_or_else(|| BackendError::not_found(format!("no zimbra source for account {account}")))
    }

    /// One GetMsgRequest per message, all at once (the benchmark's baseline).
    async fn messages_one_by_one(
        &self,
        c: &SoapClient,
        account: &str,
        ids: &[&MessageId],
    ) -> Result<HashMap<MessageId, Message>, BackendError> {
        let calls = ids.iter().map(|id| async move {
            let mut m = El::new("m").attr("id", id.as_str()).attr("html", "1").attr("needExp", "1").attr("neuter", "0");
            for h in convert::HEADERS {
                m.children.push(El::new("header").attr("n", *h));
            }
            match c.call(&req("GetMsgRequest").child(m), true).await {
                Ok(r) => Ok(r.body.first("m").and_then(|m| convert::message(account, m))),
                Err(err) if err.kind == ErrorKind::NotFound => Ok(None),
                Err(err) => Err(err),
            }
        });
        let mut out = HashMap::new();
        for found in futures::future::join_all(calls).await {
            if let Some(msg) = found? {
                out.insert(msg.id.clone(), msg);
            }
        }
        Ok(out)
    }

    async fn folders(&self, c: &SoapClient) -> Result<Vec<Mailbox>, BackendError> {
        let r = c.call(&req("GetFolderRequest"), true).await?;
        Ok(r.body.first("folder").map(convert::mailboxes).unwrap_or_default())
    }

    async fn noop_state(&self, c: &SoapClient) -> Result<State, BackendError> {
        Ok(state_of(&c.call(&req("NoOpRequest"), true).await?))
    }

    async fn write(&self, c: &SoapClient, account: &str, change: MailChange) -> Result<ChangeOutcome, BackendError> {
        match change {
            MailChange::CreateAccount { .. } => {
                let folder =
                    El::new("folder").attr("name", "Archive").attr("l", "1").attr("view", "message").attr("fie", "1");
                let r = c.call(&req("CreateFolderRequest").child(folder), false).await?;
                Ok(ChangeOutcome { state: state_of(&r), ..ChangeOutcome::default() })
            }
            MailChange::Import { mailbox, raw, flags, received_at } => {
                if !is_item_id(mailbox.as_str()) {
                    return Err(BackendError::not_found(format!("no mailbox {mailbox}")));
                }
                let aid = c.upload(raw).await?;
                let mut f = String::new();
                if !flags.contains(&Flag::Seen) {
                    f.push('u');
                }
                for (flag, letter) in
                    [(Flag::Flagged, 'f'), (Flag::Answered, 'r'), (Flag::Forwarded, 'w'), (Flag::Draft, 'd')]
                {
                    if flags.contains(&flag) {
                        f.push(letter);
                    }
                }
                let mut m = El::new("m").attr("l", mailbox.as_str()).attr("f", f).attr("aid", aid);
                if let Some(d) = received_at {
                    m.set("d", d);
                }
                let r = c.call(&req("AddMsgRequest").child(m), false).await?;
                let id = r
                    .body
                    .first("m")
                    .and_then(|m| m.get("id"))
                    .ok_or_else(|| BackendError::new(ErrorKind::Backend, "AddMsgResponse without id"))?;
                Ok(ChangeOutcome {
                    messages: vec![MessageId(id.to_owned())],
                    state: state_of(&r),
                    ..ChangeOutcome::default()
                })
            }
            MailChange::SetFlags { ids, flags, value } => {
                let mut ops = Vec::new();
                for f in flags {
                    let op = match f {
                        Flag::Seen => "read",
                        Flag::Flagged => "flag",
                        other => {
                            return Err(BackendError::invalid(format!("zimbra cannot set {other:?} through MsgAction")))
                        }
                    };
                    ops.push(if value { op.to_owned() } else { format!("!{op}") });
                }
                self.msg_actions(c, &ids, ops.into_iter().map(|op| (op, None, None)).collect()).await
            }
            MailChange::Move { ids, to } => {
                if !is_item_id(to.as_str()) {
                    return Err(BackendError::not_found(format!("no mailbox {to}")));
                }
                self.msg_actions(c, &ids, vec![("move".into(), Some(to.0.clone()), None)]).await
            }
            MailChange::Delete { ids } => {
                // One batch: destroy what is in Trash, then trash the rest (tcon keeps them apart).
                let mut out = self
                    .msg_actions(c, &ids, vec![("delete".into(), None, Some("t")), ("trash".into(), None, Some("-t"))])
                    .await?;
                out.messages.retain(|m| !out.destroyed.contains(m));
                Ok(out)
            }
            MailChange::CreateMailbox { name, parent } => {
                if name.trim().is_empty() {
                    return Err(BackendError::invalid("empty mailbox name"));
                }
                let l = parent.map(|p| p.0).unwrap_or_else(|| "1".into());
                if !is_item_id(&l) {
                    return Err(BackendError::not_found(format!("no mailbox {l}")));
                }
                let f = El::new("folder").attr("name", name.trim()).attr("l", l).attr("view", "message");
                let r = c.call(&req("CreateFolderRequest").child(f), false).await?;
                let id = r.body.first("folder").and_then(|f| f.get("id")).map(|i| MailboxId(i.to_owned()));
                Ok(ChangeOutcome { mailbox: id, state: state_of(&r), ..ChangeOutcome::default() })
            }
            MailChange::RenameMailbox { id, name } => {
                self.system_guard(&id)?;
                let a = El::new("action").attr("id", id.as_str()).attr("op", "rename").attr("name", name.trim());
                let r = c.call(&req("FolderActionRequest").child(a), false).await?;
                Ok(ChangeOutcome { mailbox: Some(id), state: state_of(&r), ..ChangeOutcome::default() })
            }
            MailChange::SetSource { .. } => {
                Err(BackendError::invalid("a Zimbra mailbox keeps no source list; the native store does"))
            }
            MailChange::DeleteMailbox { id } => {
                self.system_guard(&id)?;
                loop {
                    let s = req("SearchRequest")
                        .attr("types", "message")
                        .attr("limit", 1000)
                        .child(El::new("query").text(format!("underid:{id}")));
                    let r = c.call(&s, true).await?;
                    let ids: Vec<MessageId> =
                        r.body.all("m").filter_map(|m| m.get("id")).map(MessageId::from).collect();
                    if ids.is_empty() {
                        break;
                    }
                    self.msg_actions(c, &ids, vec![("move".into(), Some("3".into()), None)]).await?;
                }
                let a = El::new("action").attr("id", id.as_str()).attr("op", "delete");
                let r = c.call(&req("FolderActionRequest").child(a), false).await?;
                let _ = account;
                Ok(ChangeOutcome { mailbox: Some(id), state: state_of(&r), ..ChangeOutcome::default() })
            }
        }
    }

    fn system_guard(&self, id: &MailboxId) -> Result<(), BackendError> {
        match id.as_str().parse::<u32>() {
            Ok(n) if n < 256 => Err(BackendError::conflict(format!("mailbox {id} is a system mailbox"))),
            Ok(_) => Ok(()),
            Err(_) => Err(BackendError::not_found(format!("no mailbox {id}"))),
        }
    }

    /// MsgActions over the valid ids in one BatchRequest (`onerror=stop`).
    async fn msg_actions(
        &self,
        c: &SoapClient,
        ids: &[MessageId],
        ops: Vec<(String, Option<String>, Option<&str>)>,
    ) -> Result<ChangeOutcome, BackendError> {
        let (valid, invalid): (Vec<&MessageId>, Vec<&MessageId>) = ids.iter().partition(|i| is_item_id(i.as_str()));
        let mut out = ChangeOutcome { not_found: invalid.into_iter().cloned().collect(), ..ChangeOutcome::default() };
        if valid.is_empty() || ops.is_empty() {
            out.state = self.noop_state(c).await?;
            return Ok(out);
        }
        let joined = valid.iter().map(|i| i.as_str()).collect::<Vec<_>>().join(",");
        let actions = ops.iter().map(|(op, l, tcon)| {
            let mut a = El::new("action").attr("id", &joined).attr("op", op);
            if let Some(l) = l {
                a.set("l", l);
            }
            if let Some(t) = tcon {
                a.set("tcon", t);
            }
            req("MsgActionRequest").child(a)
        });
        let r = c.call(&batch::request(OnError::Stop, actions), false).await?;
        let items = batch::items(&r);
        let mut touched: Vec<String> = Vec::new();
        for (n, (op, _, _)) in ops.iter().enumerate() {
            match items.get(&n.to_string()) {
                Some(Ok(el)) => {
                    let done: Vec<String> = el
                        .first("action")
                        .and_then(|a| a.get("id"))
                        .unwrap_or_default()
                        .split(',')
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect();
                    if op == "delete" {
                        out.destroyed.extend(done.iter().map(|d| MessageId(d.clone())));
                    }
                    touched.extend(done);
                }
                Some(Err(f)) => return Err(f.clone().into_error()),
                None => return Err(BackendError::new(ErrorKind::Backend, "BatchResponse misses an item")),
            }
        }
        for id in valid {
            if touched.iter().any(|t| t == id.as_str()) {
                if !out.messages.contains(id) {
                    out.messages.push(id.clone());
                }
            } else {
                out.not_found.push(id.clone());
            }
        }
        out.state = state_of(&r);
        Ok(out)
    }
}

#[async_trait]
impl MailBackend for ZimbraBackend {
    fn kind(&self) -> &'static str {
        "zimbra"
    }

    async fn account(&self, who: &Principal, account: &str) -> Result<Account, BackendError> {
        let c = self.client(who, account)?;
        let r = c
            .call(&El::new("GetInfoRequest").attr("xmlns", "urn:zimbraAccount").attr("sections", "attrs"), true)
            .await?;
        let name = r.body.first("name").map(|n| n.text.clone()).unwrap_or_else(|| c.account().to_owned());
        let display = r
            .body
            .path(&["attrs"])
            .and_then(|a| a.all("attr").find(|x| x.get("name") == Some("displayName")))
            .map(|a| a.text.clone());
        Ok(Account {
            username: account.to_owned(),
            display_name: display.unwrap_or_else(|| account.to_owned()),
            sources: vec![Source { name, kind: SourceKind::Zimbra, primary: true, read_only: false }],
        })
    }

    async fn mailboxes(&self, who: &Principal, account: &str) -> Result<Vec<Mailbox>, BackendError> {
        let c = self.client(who, account)?;
        self.folders(&c).await
    }

    async fn messages(
        &self,
        who: &Principal,
        account: &str,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Message>, BackendError> {
        let c = self.client(who, account)?;
        let valid: Vec<&MessageId> = ids.iter().filter(|i| is_item_id(i.as_str())).collect();
        let mut out = HashMap::new();
        if valid.is_empty() {
            return Ok(out);
        }
        if self.limits.one_call_per_message {
            return self.messages_one_by_one(&c, account, &valid).await;
        }
        let ms = valid.iter().map(|id| {
            let mut m = El::new("m").attr("id", id.as_str()).attr("html", "1").attr("needExp", "1").attr("neuter", "0");
            for h in convert::HEADERS {
                m.children.push(El::new("header").attr("n", *h));
            }
            m
        });
        let r = c.call(&batch::get_msgs(ms), true).await?;
        for (_, item) in batch::items(&r) {
            match item {
                Ok(el) => {
                    if let Some(msg) = el.first("m").and_then(|m| convert::message(account, m)) {
                        out.insert(msg.id.clone(), msg);
                    }
                }
                Err(f) if absent(&f) => {}
                Err(f) => return Err(f.into_error()),
            }
        }
        Ok(out)
    }

    async fn query(&self, who: &Principal, account: &str, q: &MessageQuery) -> Result<Page<Message>, BackendError> {
        let c = self.client(who, account)?;
        let per_message = self.limits.one_call_per_message;
        let mut parts = vec!["is:anywhere".to_owned()];
        if let Some(m) = &q.mailbox {
            if !is_item_id(m.as_str()) {
                return Err(BackendError::not_found(format!("no mailbox {m}")));
            }
            parts.push(format!("inid:{m}"));
        }
        if let Some(f) = &q.filter {
            let boxes = if format!("{f:?}").contains("InMailbox") { self.folders(&c).await? } else { Vec::new() };
            let resolve = |name: &str| {
                boxes
                    .iter()
                    .filter(|b| {
                        b.name.eq_ignore_ascii_case(name) || b.role.is_some_and(|r| r.as_str() == name.to_lowercase())
                    })
                    .map(|b| b.id.clone())
                    .collect()
            };
            parts.push(query::translate(f, &resolve));
        }
        let mut s = req("SearchRequest").attr("types", "message");
        if !per_message {
            s = s.attr("fetch", "all").attr("html", "1");
        }
        let mut s = s
            .attr("limit", q.limit.clamp(1, 1000))
            .attr("offset", q.offset)
            .attr("sortBy", query::sort_by(q.sort))
            .child(El::new("query").text(parts.join(" ")));
        for h in convert::HEADERS {
            s.children.push(El::new("header").attr("n", *h));
        }
        let r = c.call(&s, true).await?;
        if q.limit == 0 {
            let total = r.body.get("total").and_then(|t| t.parse().ok()).unwrap_or(0);
            return Ok(Page { items: Vec::new(), total });
        }
        let items: Vec<Message> = if per_message {
            let ids: Vec<MessageId> =
                r.body.all("m").filter_map(|m| m.get("id")).map(|id| MessageId(id.into())).collect();
            let mut full = self.messages_one_by_one(&c, account, &ids.iter().collect::<Vec<_>>()).await?;
            ids.iter().filter_map(|id| full.remove(id)).collect()
        } else {
            r.body.all("m").filter_map(|m| convert::message(account, m)).collect()
        };
        let more = r.body.get("more") == Some("1");
        let total =
            r.body.get("total").and_then(|t| t.parse().ok()).unwrap_or(q.offset + items.len() + usize::from(more));
        Ok(Page { items, total })
    }

    async fn threads(
        &self,
        who: &Principal,
        account: &str,
        ids: &[ThreadId],
    ) -> Result<HashMap<ThreadId, Thread>, BackendError> {
        let c = self.client(who, account)?;
        let valid: Vec<&ThreadId> = ids.iter().filter(|i| is_conv_id(i.as_str())).collect();
        let mut out = HashMap::new();
        if valid.is_empty() {
            return Ok(out);
        }
        let convs = valid.iter().map(|id| req("GetConvRequest").child(El::new("c").attr("id", id.as_str())));
        let r = c.call(&batch::request(OnError::Continue, convs), true).await?;
        for (rid, item) in batch::items(&r) {
            let Some(id) = rid.parse::<usize>().ok().and_then(|i| valid.get(i)) else { continue };
            match item {
                Ok(el) => {
                    let Some(conv) = el.first("c") else { continue };
                    let mut ms: Vec<(i64, u64, String)> = conv
                        .all("m")
                        .filter_map(|m| {
                            let id = m.get("id")?;
                            Some((
                                m.get("d").and_then(|d| d.parse().ok()).unwrap_or(0),
                                id.parse().unwrap_or(0),
                                id.to_owned(),
                            ))
                        })
                        .collect();
                    ms.sort();
                    let message_ids = ms.into_iter().map(|(_, _, id)| MessageId(id)).collect();
                    out.insert((*id).clone(), Thread { id: (*id).clone(), message_ids });
                }
                Err(f) if absent(&f) => {}
                Err(f) => return Err(f.into_error()),
            }
        }
        Ok(out)
    }

    async fn blobs(
        &self,
        who: &Principal,
        account: &str,
        ids: &[BlobId],
        max_size: u64,
    ) -> Result<HashMap<BlobId, Vec<u8>>, BackendError> {
        let c = self.client(who, account)?;
        blobs::fetch(&c, &self.limits, ids, max_size).await
    }

    async fn blob_range(
        &self,
        who: &Principal,
        account: &str,
        id: &BlobId,
        range: Range<u64>,
    ) -> Result<(Vec<u8>, u64), BackendError> {
        let c = self.client(who, account)?;
        let (item, part) = split_blob(id).ok_or_else(|| BackendError::not_found(format!("no blob {id}")))?;
        c.download_range(item, part, range).await?.ok_or_else(|| BackendError::not_found(format!("no blob {id}")))
    }

    async fn apply(
        &self,
        who: &Principal,
        account: &str,
        request: ChangeRequest,
    ) -> Result<ChangeOutcome, BackendError> {
        if let MailChange::CreateAccount { .. } | MailChange::SetSource { .. } = request.change {
            if !who.admin {
                return Err(BackendError::forbidden("only operators create accounts"));
            }
        }
        let c = self.client(who, account)?;
        let key = (account.to_owned(), request.request_id.clone());
        if let Some(done) = self.dedup.lock().unwrap_or_else(|p| p.into_inner()).0.get(&key) {
            return Ok(done.clone());
        }
        let out = self.write(&c, account, request.change).await?;
        let mut d = self.dedup.lock().unwrap_or_else(|p| p.into_inner());
        d.0.insert(key.clone(), out.clone());
        d.1.push_back(key);
        while d.1.len() > DEDUP_ENTRIES {
            if let Some(old) = d.1.pop_front() {
                d.0.remove(&old);
            }
        }
        Ok(out)
    }

    async fn state(&self, who: &Principal, account: &str) -> Result<State, BackendError> {
        let c = self.client(who, account)?;
        self.noop_state(&c).await
    }

    async fn changes(&self, who: &Principal, account: &str, since: &State) -> Result<Changes, BackendError> {
        let c = self.client(who, account)?;
        let token: u64 = since.as_str().parse().map_err(|_| BackendError::invalid(format!("not a state: {since}")))?;
        let r = c.call(&req("SyncRequest").attr("token", token), true).await?;
        let mut out = Changes {
            old_state: since.clone(),
            new_state: State(r.body.get("token").unwrap_or("0").to_owned()),
            ..Changes::default()
        };
        let num = |e: &El, n: &str| e.get(n).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        for m in r.body.all("m") {
            let id = MessageId(m.get("id").unwrap_or_default().to_owned());
            if num(m, "rev") > token {
                out.created.push(id)
            } else {
                out.updated.push(id)
            }
        }
        for f in r.body.all("folder") {
            let id = MailboxId(f.get("id").unwrap_or_default().to_owned());
            if num(f, "rev") > token {
                out.mailboxes_created.push(id)
            } else {
                out.mailboxes_updated.push(id)
            }
        }
        if let Some(d) = r.body.first("deleted") {
            let ids = |name: &str| {
                d.first(name)
                    .and_then(|x| x.get("ids"))
                    .unwrap_or_default()
                    .split(',')
                    .filter(|s| !s.is_empty())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            };
            out.destroyed = ids("m").into_iter().map(MessageId).collect();
            out.mailboxes_destroyed = ids("folder").into_iter().map(MailboxId).collect();
        }
        Ok(out)
    }
}
