//! Finding mailboxes by role or by a `Parent/Child` path, creating missing
//! levels: shared by the demo seeding and `mailgate import`.

use mailgate_backend::{
    BackendError, ChangeRequest, MailBackend, MailChange, Mailbox, MailboxId, MailboxRole, Principal, RequestId,
};

/// Resolves `path` (a role name such as `inbox`, or names separated by `/`)
/// in `account`, creating missing user mailboxes. Creation request ids derive
/// from the path, so that running this twice creates nothing twice.
pub async fn ensure(
    backend: &dyn MailBackend,
    who: &Principal,
    account: &str,
    path: &str,
) -> Result<MailboxId, BackendError> {
    let mut mailboxes = backend.mailboxes(who, account).await?;
    if let Some(role) = MailboxRole::ALL.into_iter().find(|r| r.as_str().eq_ignore_ascii_case(path)) {
        if let Some(found) = mailboxes.iter().find(|m| m.role == Some(role)) {
            return Ok(found.id.clone());
        }
    }
    let mut parent: Option<MailboxId> = None;
    let mut walked = String::new();
    for name in path.split('/').map(str::trim).filter(|n| !n.is_empty()) {
        walked.push('/');
        walked.push_str(name);
        if let Some(found) = child(&mailboxes, parent.as_ref(), name) {
            parent = Some(found.id.clone());
            continue;
        }
        let request = ChangeRequest {
            request_id: RequestId(format!("mailbox-path:{account}:{walked}")),
            change: MailChange::CreateMailbox { name: name.to_owned(), parent: parent.clone() },
        };
        let outcome = backend.apply(who, account, request).await?;
        let created = outcome.mailbox.ok_or_else(|| BackendError::internal("mailbox creation returned no id"))?;
        mailboxes = backend.mailboxes(who, account).await?;
        parent = Some(created);
    }
    parent.ok_or_else(|| BackendError::invalid(format!("empty mailbox path {path:?}")))
}

fn child<'a>(mailboxes: &'a [Mailbox], parent: Option<&MailboxId>, name: &str) -> Option<&'a Mailbox> {
    mailboxes.iter().find(|m| m.parent_id.as_ref() == parent && m.name.eq_ignore_ascii_case(name))
}
