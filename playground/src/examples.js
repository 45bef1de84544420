// The tabs a first visit opens with: the common tasks of a mail client, in
// the order a new user would try them. The operations live in examples/*.graphql
// so that the browser test can validate each one against the served schema.
import inbox from './examples/inbox.graphql';
import thread from './examples/thread.graphql';
import search from './examples/search.graphql';
import markRead from './examples/mark-read.graphql';
import move from './examples/move.graphql';
import liveUpdates from './examples/live-updates.graphql';
import deltaSync from './examples/delta-sync.graphql';

const json = (value) => JSON.stringify(value, null, 2);

// The first tab has no variables: on a first visit GraphiQL 3.8 shows the
// first tab's query but not its variables (it takes them from its own storage
// only), so the Inbox needs none; its comment says how to page on.
export const EXAMPLES = [
  { query: inbox },
  { query: thread, variables: json({ id: '<a thread id from the Inbox tab>' }) },
  { query: search, variables: json({ query: 'has:attachment -in:trash', after: null }) },
  { query: markRead, variables: json({ ids: ['<a message id from UnreadInInbox>'] }) },
  {
    query: move,
    variables: json({ ids: ['<a message id from the Inbox tab>'], mailboxId: '<a mailbox id from Folders>' }),
  },
  { query: liveUpdates },
  { query: deltaSync, variables: json({ since: '<the state from CurrentState>' }) },
];
