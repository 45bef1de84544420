//! BatchRequests: many sub-requests in one HTTP round trip, and their items
//! read back by `requestId` (`reference/zimbra-soap.md` §6, BatchRequest).
//!
//! Every batch the adapter sends tags each sub-request with its position, so
//! an item maps back to what asked for it whatever order the server answers
//! in; a fault stays the fault of its own item.

use crate::client::Reply;
use crate::fault::SoapFault;
use crate::xml::El;
use std::collections::HashMap;

const MAIL: &str = "urn:zimbraMail";

/// What the server does after a sub-request faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    /// Run the rest (reads: every item gets its own answer).
    Continue,
    /// Stop at the first fault (writes that depend on each other).
    Stop,
}

/// A `BatchRequest` of `subs`, each tagged with its position as `requestId`.
pub fn request(onerror: OnError, subs: impl IntoIterator<Item = El>) -> El {
    let mode = match onerror {
        OnError::Continue => "continue",
        OnError::Stop => "stop",
    };
    let mut batch = El::new("BatchRequest").attr("xmlns", "urn:zimbra").attr("onerror", mode);
    for (n, mut sub) in subs.into_iter().enumerate() {
        sub.set("requestId", n);
        batch.children.push(sub);
    }
    batch
}

/// One `GetMsgRequest` per `<m>`, in one batch that runs every item.
pub fn get_msgs(ms: impl IntoIterator<Item = El>) -> El {
    request(OnError::Continue, ms.into_iter().map(|m| El::new("GetMsgRequest").attr("xmlns", MAIL).child(m)))
}

/// Items of a BatchResponse by requestId: the response element or its fault.
pub fn items(reply: &Reply) -> HashMap<String, Result<&El, SoapFault>> {
    reply
        .body
        .children
        .iter()
        .filter_map(|c| {
            let rid = c.get("requestId")?.to_owned();
            Some((rid, if c.name == "Fault" { Err(SoapFault::from_el(c)) } else { Ok(c) }))
        })
        .collect()
}
