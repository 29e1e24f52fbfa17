// The official TypeScript SDK (@composio/core 0.21.0) against the composio-edge emulator.
// Run: COMPOSIO_BASE_URL=http://127.0.0.1:PORT node --test tests/sdk/ts_sdk.test.mjs
// (tests/sdk/run.sh starts the emulator and sets the variable).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Composio, BaseAgenticProvider, experimental_createTool } from '@composio/core';
import { z } from 'zod';

const baseURL = process.env.COMPOSIO_BASE_URL;
if (!baseURL) throw new Error('set COMPOSIO_BASE_URL to the emulator origin, e.g. http://127.0.0.1:8790');

/** A minimal agentic provider: tools become `{ run(args) }` objects, so the SDK's own
 * custom-tool routing (local vs remote, multi-execute split/merge) is exercised. */
class TestProvider extends BaseAgenticProvider {
  name = 'emulator-test';
  wrapTool(tool, execute) {
    return { slug: tool.slug, tool, run: args => execute(tool.slug, args) };
  }
  wrapTools(tools, execute) {
    return Object.fromEntries(tools.map(t => [t.slug, this.wrapTool(t, execute)]));
  }
}

const grep = experimental_createTool('GREP', {
  name: 'Grep',
  description: 'Find the lines of a text that contain a pattern',
  inputParams: z.object({ pattern: z.string() }),
  execute: async ({ pattern }) => ({
    matches: ['alpha', 'beta', 'alphabet'].filter(l => l.includes(pattern)),
  }),
});

const composio = new Composio({
  apiKey: 'ak_emulator',
  baseURL,
  allowTracking: false,
  disableVersionCheck: true,
  provider: new TestProvider(),
});

const user = `ts_user_${Date.now()}`;

test('a whole session with the official TypeScript SDK', async t => {
  let session;
  await t.test('create', async () => {
    session = await composio.create(user, {
      toolkits: ['github', 'hackernews', 'weathermap'],
      manageConnections: { callbackUrl: 'http://127.0.0.1:9/cb?from=sdk' },
      experimental: { customTools: [grep] },
    });
    assert.match(session.sessionId, /^trs_[A-Za-z0-9_-]{12}$/);
    assert.equal(session.mcp.type, 'http');
    assert.equal(session.mcp.url, `${baseURL}/tool_router/${session.sessionId}/mcp`);
    assert.equal(session.mcp.headers['x-api-key'], 'ak_emulator');
    assert.deepEqual(session.customTools().map(c => c.slug), ['LOCAL_GREP']);
  });

  let tools;
  await t.test('tools', async () => {
    tools = await session.tools();
    for (const slug of ['COMPOSIO_SEARCH_TOOLS', 'COMPOSIO_MULTI_EXECUTE_TOOL', 'COMPOSIO_MANAGE_CONNECTIONS']) {
      assert.ok(tools[slug], `missing ${slug}`);
    }
    assert.equal(tools.COMPOSIO_SEARCH_TOOLS.tool.inputParameters.required[0], 'queries');
  });

  await t.test('search ranks the right tool first', async () => {
    const r = await session.search({ query: 'create a new issue in a github repository' });
    assert.equal(r.success, true);
    assert.equal(r.results[0].primaryToolSlugs[0], 'GITHUB_CREATE_AN_ISSUE');
    assert.ok(r.toolSchemas.GITHUB_CREATE_AN_ISSUE);
    const gh = r.toolkitConnectionStatuses.find(s => s.toolkit === 'github');
    assert.equal(gh.hasActiveConnection, false);
    assert.ok(r.timeInfo.currentTimeUtcEpochSeconds > 1_700_000_000);
    const custom = await session.search({ query: 'grep lines matching a pattern' });
    assert.ok(custom.results[0].primaryToolSlugs.includes('LOCAL_GREP'));
  });

  await t.test('execute a no-auth tool and a tool without connection', async () => {
    const w = await session.execute('WEATHERMAP_GET_CURRENT_WEATHER', { location: 'Paris' });
    assert.equal(w.error, null);
    assert.equal(w.data.location, 'Paris');
    assert.match(w.logId, /^log_/);
    const gh = await session.execute('GITHUB_CREATE_AN_ISSUE', { owner: 'o', repo: 'r', title: 't' });
    assert.match(gh.error, /No active connected account found for toolkit: github/);
    const bad = await session.execute('WEATHERMAP_GET_CURRENT_WEATHER', { units: 'kelvin' });
    assert.match(bad.error, /location is required/);
  });

  await t.test('custom tool: local execution and inside a multi-execute', async () => {
    const local = await session.execute('GREP', { pattern: 'alpha' });
    assert.equal(local.error, null);
    assert.deepEqual(local.data.matches, ['alpha', 'alphabet']);
    const multi = await tools.COMPOSIO_MULTI_EXECUTE_TOOL.run({
      tools: [
        { tool_slug: 'LOCAL_GREP', arguments: { pattern: 'bet' } },
        { tool_slug: 'HACKERNEWS_GET_TOP_STORIES', arguments: { limit: 2 } },
      ],
      sync_response_to_workbench: false,
    });
    assert.equal(multi.successful, true, JSON.stringify(multi));
    assert.equal(multi.data.total_count, 2);
    assert.equal(multi.data.success_count, 2);
    assert.equal(multi.data.results[0].tool_slug, 'LOCAL_GREP');
    assert.deepEqual(multi.data.results[0].response.data.matches, ['beta', 'alphabet']);
    assert.equal(multi.data.results[1].tool_slug, 'HACKERNEWS_GET_TOP_STORIES');
    assert.equal(multi.data.results[1].response.data.stories.length, 2);
  });

  let account;
  await t.test('authorize → consent → waitForConnection', async () => {
    const req = await session.authorize('github', { callbackUrl: 'http://127.0.0.1:9/cb?x=1' });
    assert.equal(req.status, 'INITIATED');
    assert.ok(req.redirectUrl.startsWith(`${baseURL}/link/ln_`), req.redirectUrl);
    const page = await fetch(req.redirectUrl);
    assert.equal(page.status, 200);
    const html = await page.text();
    assert.match(html, /<button[^>]*name="decision"[^>]*value="allow"/);
    const consent = await fetch(req.redirectUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=allow',
      redirect: 'manual',
    });
    assert.equal(consent.status, 303);
    assert.equal(
      consent.headers.get('location'),
      `http://127.0.0.1:9/cb?x=1&status=success&connected_account_id=${req.id}`,
    );
    account = await req.waitForConnection(10_000);
    assert.equal(account.id, req.id);
    assert.equal(account.status, 'ACTIVE');
    const reuse = await fetch(req.redirectUrl);
    assert.equal(reuse.status, 409);
  });

  await t.test('connectedAccounts.link outside the session', async () => {
    const req = await composio.connectedAccounts.link(user, 'ac_slack', { callbackUrl: 'http://127.0.0.1:9/cb' });
    assert.ok(req.redirectUrl.startsWith(`${baseURL}/link/ln_`));
    const deny = await fetch(req.redirectUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=deny',
      redirect: 'manual',
    });
    assert.equal(deny.headers.get('location'), `http://127.0.0.1:9/cb?status=failed&connected_account_id=${req.id}`);
    await assert.rejects(req.waitForConnection(5_000), /FAILED/);
    // github is connected now: a second link on the same auth config is refused by the SDK.
    await assert.rejects(composio.connectedAccounts.link(user, 'ac_github'), /Multiple connected accounts/);
  });

  await t.test('connected tools now run with state', async () => {
    const created = await session.execute('GITHUB_CREATE_AN_ISSUE', {
      owner: 'acme', repo: 'web', title: 'Login button is broken', labels: ['bug'],
    });
    assert.equal(created.error, null);
    assert.equal(created.data.number, 1);
    const list = await session.execute('GITHUB_LIST_ISSUES', { owner: 'acme', repo: 'web' });
    assert.deepEqual(list.data.issues.map(i => i.title), ['Login button is broken']);
  });

  await t.test('toolkits', async () => {
    const r = await session.toolkits();
    const gh = r.items.find(i => i.slug === 'github');
    assert.equal(gh.connection.isActive, true);
    assert.equal(gh.connection.connectedAccount.id, account.id);
    const hn = r.items.find(i => i.slug === 'hackernews');
    assert.equal(hn.isNoAuth, true);
    const connected = await session.toolkits({ isConnected: true });
    assert.deepEqual(connected.items.map(i => i.slug), ['github']);
  });

  await t.test('proxyExecute', async () => {
    const r = await session.proxyExecute({ toolkit: 'github', endpoint: '/user', method: 'GET' });
    assert.equal(r.status, 200);
    assert.equal(r.data.login, user.toLowerCase());
  });

  await t.test('update', async () => {
    const before = session.configVersion;
    await session.update({ tags: ['readOnlyHint'], expectedConfigVersion: before });
    assert.equal(session.configVersion, before + 1);
    await assert.rejects(
      session.update({ tags: ['destructiveHint'], expectedConfigVersion: before }),
      e => e.name === 'ComposioSessionConfigConflictError' || /409/.test(String(e)),
    );
    const history = await session.listConfigHistory();
    assert.equal(history.items[0].version, before + 1);
  });

  await t.test('delete', async () => {
    const r = await session.delete();
    assert.equal(r.deleted, true);
    await assert.rejects(composio.use(session.sessionId), /404|not found/i);
  });
});
