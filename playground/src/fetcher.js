// GraphiQL's fetcher for this gateway: HTTP to /graphql on the page's own
// origin, subscriptions over graphql-ws at /graphql/ws on the same host. Both
// read the token at request time, so typing a token takes effect at once.
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { createClient } from 'graphql-ws';

export function graphqlUrl() {
  return new URL('/graphql', window.location.href).toString();
}

export function subscriptionUrl() {
  const url = new URL('/graphql/ws', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.toString();
}

// `getToken` returns the current token ('' for none). Returns the fetcher and
// a dispose function that closes the websocket (if one was ever opened).
export function createFetcher(getToken) {
  const wsClient = createClient({
    url: subscriptionUrl(),
    // Called on every (re)connect, so a reconnect carries the current token.
    connectionParams: () => {
      const token = getToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
    // Only a subscription opens the socket: the page makes no websocket
    // request until the user runs one.
    lazy: true,
  });
  const fetcher = createGraphiQLFetcher({
    url: graphqlUrl(),
    wsClient,
    fetch: (input, init = {}) => {
      const headers = new Headers(init.headers);
      const token = getToken();
      // An Authorization typed into GraphiQL's headers editor wins over the field.
      if (token && !headers.has('authorization')) {
        headers.set('authorization', `Bearer ${token}`);
      }
      return window.fetch(input, { ...init, headers });
    },
  });
  // Without a token the gateway answers 401 to everything, introspection
  // included: say what to do instead of showing that.
  const guarded = (params, options) => {
    if (getToken() || hasAuthorization(options?.headers)) {
      return fetcher(params, options);
    }
    return Promise.resolve({ errors: [{ message: NO_TOKEN }] });
  };
  return { fetcher: guarded, dispose: () => wsClient.dispose() };
}

const NO_TOKEN =
  'No token yet: paste one into the field at the top. `mailgate demo` prints one per user ' +
  '(TOKEN <user> <jwt>); `mailgate token --user U --data DIR` mints one.';

function hasAuthorization(headers) {
  return Object.keys(headers ?? {}).some((name) => name.toLowerCase() === 'authorization');
}
