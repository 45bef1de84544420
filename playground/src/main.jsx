// The Mailgate playground: GraphiQL under a token field. Everything the page
// needs (scripts, styles, fonts, icons) is in this bundle and served by the
// gateway itself; the page talks to nothing but /graphql on its own origin.
import React, { useEffect, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { GraphiQL } from 'graphiql';
import 'graphiql/graphiql.css';
import './playground.css';
import { EXAMPLES } from './examples.js';
import { createFetcher } from './fetcher.js';
import { loadToken, normalizeToken, saveToken } from './token.js';

// How long typing must pause before GraphiQL reloads the schema with the new token.
const SCHEMA_RELOAD_DELAY_MS = 400;

function TokenBar({ value, onChange }) {
  return (
    <header className="mailgate-tokenbar">
      <span className="mailgate-title">Mailgate</span>
      <label htmlFor="mailgate-token">Bearer token</label>
      <input
        id="mailgate-token"
        type="text"
        spellCheck="false"
        autoComplete="off"
        placeholder="paste a token: mailgate demo prints one per user (TOKEN <user> <jwt>)"
        value={value}
        onChange={(event) => onChange(event.target.value)}
      />
      <button type="button" onClick={() => onChange('')} disabled={!value}>
        Clear
      </button>
    </header>
  );
}

function Playground() {
  const [field, setField] = useState(loadToken);
  const token = normalizeToken(field);
  // Requests read the token through the ref, so the one typed last is used
  // even before the debounced schema reload below.
  const tokenRef = useRef(token);
  tokenRef.current = token;
  const [schemaToken, setSchemaToken] = useState(token);

  useEffect(() => {
    saveToken(token);
    const timer = setTimeout(() => setSchemaToken(token), SCHEMA_RELOAD_DELAY_MS);
    return () => clearTimeout(timer);
  }, [token]);

  // A new fetcher makes GraphiQL introspect again: the schema is only served
  // to a signed-in caller, so a changed token must reload it.
  const { fetcher, dispose } = useMemo(() => createFetcher(() => tokenRef.current), [schemaToken]);
  useEffect(() => dispose, [dispose]);

  const defaultTabs = useMemo(() => EXAMPLES.map(({ query, variables }) => ({ query, variables })), []);

  return (
    <div className="mailgate-playground">
      <TokenBar value={field} onChange={setField} />
      <main className="mailgate-graphiql">
        <GraphiQL fetcher={fetcher} defaultTabs={defaultTabs} defaultEditorToolsVisibility="variables">
          <GraphiQL.Logo>Mailgate</GraphiQL.Logo>
        </GraphiQL>
      </main>
    </div>
  );
}

createRoot(document.getElementById('root')).render(<Playground />);
