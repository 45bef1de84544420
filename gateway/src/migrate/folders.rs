//! [`FolderMap`]: the source's folder tree recreated in the native store.
//!
//! System folders map by role (Zimbra's Inbox to the native Inbox, ...);
//! user folders are created under their mapped parent, parents first, with a
//! request id per source folder so that a resumed run creates nothing twice.
//! A native folder of the same name under the same parent is reused, which is
//! also how a second migration into an account that has mail merges.

use anyhow::{anyhow, Context};
use mailgate_backend::{ChangeRequest, ErrorKind, MailBackend, MailChange, Mailbox, MailboxId, Principal, RequestId};
use std::collections::HashMap;

/// Source mailbox id to native mailbox id, with the source's paths for reports.
#[derive(Debug, Default)]
pub struct FolderMap {
    native: HashMap<MailboxId, MailboxId>,
    paths: HashMap<MailboxId, String>,
    /// The source's message counts per folder, as the source reports them.
    pub source_totals: HashMap<MailboxId, u64>,
}

impl FolderMap {
    /// Mirrors `source_boxes` into `account` of `target`.
    pub async fn build(
        target: &dyn MailBackend,
        who: &Principal,
        account: &str,
        source_name: &str,
        source_boxes: &[Mailbox],
    ) -> anyhow::Result<FolderMap> {
        let mut map = FolderMap::default();
        let by_id: HashMap<&MailboxId, &Mailbox> = source_boxes.iter().map(|m| (&m.id, m)).collect();
        for m in source_boxes {
            map.paths.insert(m.id.clone(), path_of(m, &by_id));
            map.source_totals.insert(m.id.clone(), u64::from(m.total));
        }
        let mut native = target.mailboxes(who, account).await?;
        for m in parents_first(source_boxes) {
            if let Some(role) = m.role {
                if let Some(found) = native.iter().find(|n| n.role == Some(role)) {
                    map.native.insert(m.id.clone(), found.id.clone());
                    continue;
                }
            }
            let parent = m.parent_id.as_ref().and_then(|p| map.native.get(p)).cloned();
            if let Some(found) = child(&native, parent.as_ref(), &m.name) {
                map.native.insert(m.id.clone(), found.id.clone());
                continue;
            }
            let request = ChangeRequest {
                request_id: RequestId(format!("migrate:{source_name}:mailbox:{}", m.id)),
                change: MailChange::CreateMailbox { name: m.name.clone(), parent: parent.clone() },
            };
            let created = match target.apply(who, account, request).await {
                Ok(outcome) => outcome.mailbox,
                // Made by someone else since we listed: reuse it below.
                Err(err) if err.kind == ErrorKind::Conflict => None,
                Err(err) => return Err(err).with_context(|| format!("cannot create folder {}", map.path(&m.id))),
            };
            native = target.mailboxes(who, account).await?;
            let id = match created.filter(|id| native.iter().any(|n| &n.id == id)) {
                Some(id) => id,
                None => child(&native, parent.as_ref(), &m.name)
                    .map(|n| n.id.clone())
                    .ok_or_else(|| anyhow!("folder {} was neither created nor found", map.path(&m.id)))?,
            };
            map.native.insert(m.id.clone(), id);
        }
        Ok(map)
    }

    /// The native mailbox for a source mailbox.
    pub fn native(&self, source: &MailboxId) -> Option<&MailboxId> {
        self.native.get(source)
    }

    /// The source folder's path (`/Inbox/Projects`), or its id when unknown.
    pub fn path(&self, source: &MailboxId) -> String {
        self.paths.get(source).cloned().unwrap_or_else(|| format!("#{source}"))
    }
}

fn child<'a>(boxes: &'a [Mailbox], parent: Option<&MailboxId>, name: &str) -> Option<&'a Mailbox> {
    boxes.iter().find(|m| m.parent_id.as_ref() == parent && m.name.eq_ignore_ascii_case(name))
}

fn depth(m: &Mailbox, by_id: &HashMap<&MailboxId, &Mailbox>) -> usize {
    let mut at = m;
    let mut d = 0;
    // Bounded: a cycle in a broken source tree must not hang the migration.
    while let Some(parent) = at.parent_id.as_ref().and_then(|p| by_id.get(p)) {
        d += 1;
        at = parent;
        if d > 64 {
            break;
        }
    }
    d
}

fn parents_first(boxes: &[Mailbox]) -> Vec<&Mailbox> {
    let by_id: HashMap<&MailboxId, &Mailbox> = boxes.iter().map(|m| (&m.id, m)).collect();
    let mut ordered: Vec<&Mailbox> = boxes.iter().collect();
    ordered.sort_by_key(|m| depth(m, &by_id));
    ordered
}

fn path_of(m: &Mailbox, by_id: &HashMap<&MailboxId, &Mailbox>) -> String {
    let mut names = vec![m.name.clone()];
    let mut at = m;
    while let Some(parent) = at.parent_id.as_ref().and_then(|p| by_id.get(p)) {
        names.push(parent.name.clone());
        at = parent;
        if names.len() > 64 {
            break;
        }
    }
    names.reverse();
    format!("/{}", names.join("/"))
}
