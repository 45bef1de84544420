//! `blobs()`: the attachments of a page in one round trip.
//!
//! A page that inlines attachment content asks for every attachment on it at
//! once. A REST download per part costs a round trip each (the baseline,
//! `ClientLimits::one_call_per_message`, keeps doing that, as GraphQL Mesh
//! would). Instead, the raw RFC822 of every message involved comes in one
//! `BatchRequest` of `GetMsgRequest <m raw="1"/>`, and the parts are cut out
//! here with the numbering the simulator serves them by ([`crate::parts`]),
//! so the bytes are the ones the download returns.
//!
//! A message's blobs are still downloaded, part by part, when:
//! - its item answers `<content url=…>` instead of text, as Zimbra does for a
//!   raw message over about 38 KB or one that is not ASCII;
//! - the inline text is not ASCII: XML carries characters, not bytes, so a
//!   server that inlines an 8-bit message decoded it with some charset, and
//!   only the download is byte-exact;
//! - the raw message is over [`MAX_CUT_RAW`], or mail-parser finds no parts in it.
//!
//! A BatchResponse over the client's reply cap is refused while streaming
//! and every blob is downloaded instead: the page is served, not failed. A
//! single blob is one download, as before: a batch cannot beat one round
//! trip, and the download streams under the cap.
//!
//! As with the download, a blob larger than `max_size` (or the client's
//! `max_blob_bytes`) is absent, and so is an unknown part or a multipart.
//! `mail.NO_SUCH_MSG` for a message makes its blobs absent; any other fault
//! fails the call.

use crate::batch;
use crate::client::SoapClient;
use crate::config::ClientLimits;
use crate::convert::split_blob;
use crate::parts;
use crate::xml::El;
use mailgate_backend::{BackendError, BlobId, ErrorKind};
use std::borrow::Cow;
use std::collections::HashMap;

/// The largest raw message cut here rather than downloaded part by part.
/// mail-parser decodes every part while parsing, about the raw size again in
/// memory, on top of the batch reply (up to `max_reply_bytes`) that holds the
/// raw; this bounds that second copy, one message at a time. Zimbra never
/// inlines a raw message over 40 000 bytes, so only a server that does
/// (or a hostile one) reaches it.
pub const MAX_CUT_RAW: usize = 8 << 20;

/// One requested blob: its id, its message, and its part (`None`: the whole raw message).
struct Wanted<'a> {
    blob: &'a BlobId,
    item: &'a str,
    part: Option<&'a str>,
}

type Blobs = HashMap<BlobId, Vec<u8>>;

fn backend(msg: String) -> BackendError {
    BackendError::new(ErrorKind::Backend, msg)
}

/// The blobs `ids` of at most `max_size` bytes each; unknown and larger ones are absent.
pub async fn fetch(
    c: &SoapClient,
    limits: &ClientLimits,
    ids: &[BlobId],
    max_size: u64,
) -> Result<Blobs, BackendError> {
    let cap = usize::try_from(max_size).unwrap_or(usize::MAX).min(limits.max_blob_bytes);
    let wanted: Vec<Wanted<'_>> =
        ids.iter().filter_map(|b| split_blob(b).map(|(item, part)| Wanted { blob: b, item, part })).collect();
    let mut out = HashMap::new();
    let rest = if limits.one_call_per_message || wanted.len() < 2 {
        wanted
    } else {
        from_batch(c, wanted, cap, &mut out).await?
    };
    download(c, rest, cap, &mut out).await?;
    Ok(out)
}

/// Cuts what it can from one batch of raw messages into `out`; returns the
/// blobs left to download.
async fn from_batch<'a>(
    c: &SoapClient,
    wanted: Vec<Wanted<'a>>,
    cap: usize,
    out: &mut Blobs,
) -> Result<Vec<Wanted<'a>>, BackendError> {
    let mut by_item: Vec<(&'a str, Vec<Wanted<'a>>)> = Vec::new();
    let mut index: HashMap<&'a str, usize> = HashMap::new();
    for w in wanted {
        let at = *index.entry(w.item).or_insert(by_item.len());
        match by_item.get_mut(at) {
            Some((_, list)) => list.push(w),
            None => by_item.push((w.item, vec![w])),
        }
    }
    let request = batch::get_msgs(by_item.iter().map(|(item, _)| El::new("m").attr("id", item).attr("raw", "1")));
    let Some(reply) = c.call_capped(&request, true).await? else {
        // Too big to hold: still serve the page, one streamed download per blob.
        return Ok(by_item.into_iter().flat_map(|(_, list)| list).collect());
    };
    let items = batch::items(&reply);
    let mut later = Vec::new();
    for (n, (item, list)) in by_item.into_iter().enumerate() {
        match items.get(&n.to_string()) {
            Some(Ok(el)) => match inline_raw(el, item)? {
                Some(raw) if cut(raw, &list, cap, out) => {}
                _ => later.extend(list),
            },
            // Deleted, or never there: its blobs are absent, as the download would say.
            Some(Err(f)) if f.code == "mail.NO_SUCH_MSG" => {}
            Some(Err(f)) => return Err(f.clone().into_error()),
            None => return Err(backend(format!("zimbra BatchResponse misses GetMsg {item}"))),
        }
    }
    Ok(later)
}

/// The raw message a GetMsgResponse carries inline, if it is one we may cut.
fn inline_raw<'r>(el: &'r El, item: &str) -> Result<Option<&'r [u8]>, BackendError> {
    let m = el.first("m").ok_or_else(|| backend(format!("zimbra GetMsgResponse for {item} without m")))?;
    if m.get("id") != Some(item) {
        return Err(backend(format!("zimbra answered GetMsg {item} with message {:?}", m.get("id"))));
    }
    let Some(content) = m.first("content") else { return Ok(None) };
    let text = content.text.as_str();
    let inline = content.get("url").is_none() && !text.is_empty() && text.is_ascii() && text.len() <= MAX_CUT_RAW;
    Ok(inline.then_some(text.as_bytes()))
}

/// Cuts `wanted` out of `raw` into `out`; `false` when mail-parser finds no
/// parts in it (the download is the authority then).
fn cut(raw: &[u8], wanted: &[Wanted<'_>], cap: usize, out: &mut Blobs) -> bool {
    let need_parts = wanted.iter().any(|w| w.part.is_some());
    let parsed = if need_parts { parts::parse(raw) } else { None };
    let tree = parsed.as_ref().and_then(|m| parts::tree(m));
    if need_parts && tree.is_none() {
        return false;
    }
    for w in wanted {
        let bytes = match w.part {
            None => Some(Cow::Borrowed(raw)),
            Some(p) => tree.as_ref().and_then(|t| t.find(p)).filter(|n| n.downloadable()).map(|n| n.bytes()),
        };
        if let Some(b) = bytes.filter(|b| b.len() <= cap) {
            out.insert(w.blob.clone(), b.into_owned());
        }
    }
    true
}

/// One REST download per blob, all at once.
async fn download(c: &SoapClient, wanted: Vec<Wanted<'_>>, cap: usize, out: &mut Blobs) -> Result<(), BackendError> {
    let gets = wanted
        .into_iter()
        .map(|w| async move { c.download(w.item, w.part, cap).await.map(|b| b.map(|b| (w.blob.clone(), b))) });
    for r in futures::future::join_all(gets).await {
        if let Some((blob, bytes)) = r? {
            out.insert(blob, bytes);
        }
    }
    Ok(())
}
