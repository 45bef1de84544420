// The playground page in Debian's headless Chromium, against a running gateway:
//
//   MAILGATE_TOKEN=<jwt> MAILGATE_USER=<user> node playground.mjs <base url> <screenshot.png> <examples dir>
//
// 1. Every example operation of the page (playground/src/examples/*.graphql)
//    validates against the schema the gateway serves (introspected with the token).
// 2. The page loads; every request it makes, websockets included, goes to the
//    gateway's own host (data: URLs aside); no page error, no CSP violation.
// 3. The token typed into the field survives a reload (localStorage) and
//    signs the requests: running the Inbox tab shows the user's username.
// 4. A screenshot of that is saved; then the Search tab runs too.
// 5. The LiveMessages tab's subscription receives a change made over HTTP.
// Exits 1 on any failure, saying which.
//
// CHROMIUM overrides the browser (default /usr/bin/chromium).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildClientSchema, getIntrospectionQuery, parse, validate } from 'graphql';
import { chromium } from 'playwright-core';

const [base, screenshotPath, examplesDir] = process.argv.slice(2);
const token = process.env.MAILGATE_TOKEN;
const user = process.env.MAILGATE_USER;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
if (!base || !screenshotPath || !examplesDir || !token || !user) {
  console.error(
    'usage: MAILGATE_TOKEN=<jwt> MAILGATE_USER=<user> node playground.mjs <base url> <screenshot.png> <examples dir>',
  );
  process.exit(2);
}
// A hung browser must not hang the test: the whole run is bounded.
const overall = setTimeout(() => {
  console.error('FAIL the browser test took longer than 240 s');
  process.exit(1);
}, 240_000);

const failures = [];
const fail = (message) => {
  failures.push(message);
  console.error(`FAIL ${message}`);
};
const gatewayHost = new URL(base).host;

async function validateExamples() {
  const response = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: getIntrospectionQuery() }),
  });
  const body = await response.json();
  if (!body.data) {
    throw new Error(`introspection failed (${response.status}): ${JSON.stringify(body)}`);
  }
  const schema = buildClientSchema(body.data);
  const files = readdirSync(examplesDir).filter((file) => file.endsWith('.graphql'));
  if (files.length < 6) {
    fail(`expected at least 6 example operations in ${examplesDir}, found ${files.length}`);
  }
  for (const file of files.sort()) {
    const errors = validate(schema, parse(readFileSync(join(examplesDir, file), 'utf8')));
    if (errors.length > 0) {
      fail(`example ${file} does not validate: ${errors.map((e) => e.message).join('; ')}`);
    } else {
      console.log(`ok   example ${file} validates against the served schema`);
    }
  }
}

async function drivePage() {
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'], headless: true });
  try {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    const requests = [];
    const signedPosts = [];
    const record = (kind, url) => {
      requests.push(`${kind} ${url}`);
      const parsed = new URL(url);
      if (parsed.protocol === 'data:' || parsed.protocol === 'blob:') {
        return;
      }
      if (parsed.host !== gatewayHost) {
        fail(`the page made a request to another host: ${kind} ${url}`);
      }
    };
    context.on('request', (request) => {
      record(request.method(), request.url());
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/graphql') {
        signedPosts.push(request.headers().authorization === `Bearer ${token}`);
      }
    });
    page.on('websocket', (socket) => record('WEBSOCKET', socket.url()));
    page.on('pageerror', (error) => fail(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') {
        // A 401 before the token is typed is expected; CSP refusals are not.
        console.log(`console error: ${message.text()}`);
        if (message.text().includes('Content Security Policy')) {
          fail(`CSP violation: ${message.text()}`);
        }
      }
    });

    await page.goto(`${base}/`, { waitUntil: 'load' });
    await page.locator('#mailgate-token').fill(token);
    // The field persists the token: after a reload the page is still signed in.
    await page.reload({ waitUntil: 'load' });
    const kept = await page.locator('#mailgate-token').inputValue();
    if (kept !== token) {
      fail(`the token field did not survive a reload (it holds ${JSON.stringify(kept.slice(0, 20))}...)`);
    }
    const editor = page.locator('.graphiql-query-editor');
    await editor.locator('.CodeMirror').waitFor();
    const editorText = await editor.innerText();
    if (!editorText.includes('query Inbox')) {
      fail(`the first tab is not the Inbox example: ${editorText.slice(0, 200)}`);
    }
    await page.locator('.graphiql-execute-button').click();
    const expected = `"username": "${user}"`;
    await page
      .waitForFunction(
        (text) => document.querySelector('.graphiql-response')?.innerText.includes(text),
        expected,
        { timeout: 60_000 },
      )
      .catch(async () => {
        const shown = await page.locator('.graphiql-response').innerText().catch(() => '');
        fail(`the result pane never showed ${expected}; it shows: ${shown.slice(0, 500)}`);
      });
    const result = await page.locator('.graphiql-response').innerText();
    if (!result.includes('"subject"')) {
      fail(`the Inbox result lists no message: ${result.slice(0, 500)}`);
    }
    if (signedPosts.length === 0 || !signedPosts.every(Boolean)) {
      fail(`POST /graphql requests without the token's Authorization header: ${JSON.stringify(signedPosts)}`);
    }
    await page.screenshot({ path: screenshotPath });

    // Another tab: its query and variables load, and it runs.
    await page.locator('.graphiql-tab-button', { hasText: /^Search$/ }).click();
    await page.waitForFunction(() =>
      document.querySelector('.graphiql-query-editor')?.innerText.includes('query Search'),
    );
    const variables = await page.locator('.graphiql-editor-tool').innerText();
    if (!variables.includes('has:attachment')) {
      fail(`the Search tab's variables did not load: ${variables.slice(0, 200)}`);
    }
    // GraphiQL 3.8 learns the new tab's operation name 100 ms after the
    // switch (a debounce); a run before that sends the old tab's name and is
    // refused ("Unknown operation named"). A person clicks later; the test
    // reads the answer off the wire and runs again when that happened.
    let outcome = 'not run';
    for (let attempt = 0; attempt < 3 && outcome !== 'found'; attempt++) {
      await page.waitForTimeout(300);
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/graphql'),
        page.locator('.graphiql-execute-button').click(),
      ]);
      const body = await response.json();
      if (body.errors?.some((error) => String(error.message).includes('Unknown operation named'))) {
        outcome = 'stale operation name';
        console.log(`run ${attempt + 1} of the Search tab went out with the old tab's operation name; again`);
      } else if (body.data?.search?.totalCount > 0) {
        outcome = 'found';
      } else {
        outcome = `answer ${JSON.stringify(body).slice(0, 300)}`;
        break;
      }
    }
    if (outcome !== 'found') {
      fail(`the Search tab found nothing: ${outcome}`);
    } else {
      await page
        .waitForFunction(() => document.querySelector('.graphiql-response')?.innerText.includes('"search"'))
        .catch(() => fail('the Search result never showed in the result pane'));
    }
    await runSubscription(page);
    console.log(`the page made ${requests.length} requests (the gateway is ${gatewayHost}):`);
    for (const request of requests) {
      console.log(`  ${request.slice(0, 120)}`);
    }
  } finally {
    await browser.close();
  }
}

// The LiveMessages tab: its subscription opens a websocket to the gateway,
// and a change made meanwhile (a setFlags over HTTP, as another client would)
// shows in the result pane as an event with the new state.
async function runSubscription(page) {
  const titles = await page.locator('.graphiql-tab-button').allInnerTexts();
  const index = titles.findIndex((title) => title.trim() === 'LiveMessages');
  if (index < 0) {
    fail(`no LiveMessages tab among ${JSON.stringify(titles)}`);
    return;
  }
  await page.locator('.graphiql-tab-button').nth(index).click();
  await page.waitForFunction(() =>
    document.querySelector('.graphiql-query-editor')?.innerText.includes('subscription LiveMessages'),
  );
  await page.waitForTimeout(300);
  const [socket] = await Promise.all([
    page.waitForEvent('websocket', { timeout: 30_000 }),
    page.locator('.graphiql-execute-button').click(),
  ]);
  if (new URL(socket.url()).host !== gatewayHost) {
    fail(`the subscription's websocket went to ${socket.url()}`);
  }
  const frames = [];
  socket.on('framereceived', (frame) => frames.push(String(frame.payload).slice(0, 300)));
  socket.on('socketerror', (error) => frames.push(`socket error: ${error}`));
  // Give the subscription time to take its first state, then change a message.
  await page.waitForTimeout(1_500);
  const gql = async (query, variables) => {
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
    });
    return response.json();
  };
  const inbox = await gql(
    '{ me { mailbox(role: INBOX) { messages(first: 1) { edges { node { id flags { flagged } } } } } } }',
    {},
  );
  const node = inbox.data?.me?.mailbox?.messages?.edges?.[0]?.node;
  const id = node?.id;
  if (!id) {
    fail(`no message to change: ${JSON.stringify(inbox).slice(0, 300)}`);
    return;
  }
  // Flip the flag, so that the state really moves.
  await gql('mutation($ids: [ID!]!, $f: Boolean) { setFlags(input: { ids: $ids, flagged: $f }) { state } }', {
    ids: [id],
    f: !node.flags.flagged,
  });
  await page
    .waitForFunction(
      (changed) => {
        const text = document.querySelector('.graphiql-response')?.innerText ?? '';
        return text.includes('"messagesChanged"') && text.includes('"newState"') && text.includes(changed);
      },
      id,
      { timeout: 30_000 },
    )
    .then(() => console.log('the LiveMessages subscription received the change over the websocket'))
    .catch(async () => {
      const shown = await page.locator('.graphiql-response').innerText().catch(() => '');
      fail(`the subscription's event never showed; the pane shows ${shown.slice(0, 300)}; frames: ${frames.join(' | ')}`);
    });
}

try {
  await validateExamples();
  await drivePage();
} catch (error) {
  fail(error.stack || String(error));
}
clearTimeout(overall);
if (failures.length > 0) {
  console.error(`playground browser test: ${failures.length} failure(s)`);
  process.exit(1);
}
console.log('playground browser test: ok');
