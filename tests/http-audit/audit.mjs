// Runs the graphql-http server audits (the GraphQL-over-HTTP spec's checks)
// against a running gateway and prints each audit's id, name and result.
//
//   MAILGATE_TOKEN=<jwt> node audit.mjs http://127.0.0.1:8080/graphql [results.json]
//
// Every request carries the bearer token, as any API client's would. Exits 1
// when a MUST audit fails; SHOULD and MAY failures are printed only. With a
// second argument, the results are also written there as JSON.
import { writeFileSync } from 'node:fs';
import { serverAudits } from 'graphql-http';

const [url, resultsFile] = process.argv.slice(2);
const token = process.env.MAILGATE_TOKEN;
if (!url || !token) {
  console.error('usage: MAILGATE_TOKEN=<jwt> node audit.mjs <graphql url> [results.json]');
  process.exit(2);
}

// The audits' own requests, with the caller's token added.
function fetchWithToken(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  return fetch(input, { ...init, headers });
}

const results = [];
for (const audit of serverAudits({ url, fetchFn: fetchWithToken })) {
  const result = await audit.fn();
  const level = result.name.split(' ')[0];
  const entry = { id: result.id, name: result.name, level, status: result.status };
  if (result.status !== 'ok') {
    entry.reason = result.reason;
    try {
      entry.responseStatus = result.response.status;
      entry.responseBody = (await result.response.text()).slice(0, 500);
    } catch {
      // The body was already read by the audit.
    }
  }
  results.push(entry);
  const mark = result.status === 'ok' ? 'ok  ' : level === 'MUST' ? 'FAIL' : 'warn';
  const detail = result.status === 'ok' ? '' : ` -- ${entry.reason} (status ${entry.responseStatus ?? '?'})`;
  console.log(`${mark} ${result.id} ${result.name}${detail}`);
}

const summary = ['MUST', 'SHOULD', 'MAY']
  .map((level) => {
    const of = results.filter((r) => r.level === level);
    return `${level} ${of.filter((r) => r.status === 'ok').length}/${of.length} ok`;
  })
  .join(', ');
console.log(`graphql-http audits: ${summary}`);
if (resultsFile) {
  writeFileSync(resultsFile, JSON.stringify(results, null, 2));
}
process.exit(results.some((r) => r.level === 'MUST' && r.status !== 'ok') ? 1 : 0);
