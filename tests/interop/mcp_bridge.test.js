'use strict';
// nexus-mcp with the official MCP client (@modelcontextprotocol/sdk) against
// a real nexusd on a real PostgreSQL (issue 7 item 6): two bridges over the
// stdio transport with two member identities — tools/list, send_message on
// one and the notifications/claude/channel on the other, check_messages,
// set_state/get_state, invalid calls, the reminder tools through the node's
// scheduler — then the Streamable HTTP transport with and without the bearer
// token. Every wait has a deadline.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { Client } = require('@modelcontextprotocol/sdk/client/index.js');
const { StdioClientTransport } = require('@modelcontextprotocol/sdk/client/stdio.js');
const { StreamableHTTPClientTransport } = require('@modelcontextprotocol/sdk/client/streamableHttp.js');

const { startMeshEnv } = require('./lib/mesh_env');
const { waitFor } = require('./lib/wait');

const BRIDGE = process.env.NEXUS_MCP_BINARY ||
  path.join(path.dirname(process.env.NEXUSD_BINARY || ''), '..', 'nexus-mcp', 'nexus-mcp');
const ALL_TOOLS = ['send_message', 'list_peers', 'check_messages', 'message_status', 'set_status',
  'set_summary', 'set_visible', 'set_profile', 'join_group', 'leave_group', 'set_state', 'get_state',
  'list_state', 'remember', 'recall', 'forget', 'share_context', 'get_context', 'list_contexts',
  'create_task', 'claim_task', 'complete_task', 'list_tasks', 'schedule_reminder', 'list_scheduled',
  'cancel_scheduled', 'create_stream', 'publish', 'subscribe', 'list_streams', 'mesh_info'];
const META_KEY = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

let env, tmp;
const bridges = {};

/** The command line identity of `who` (key file written 0600), with its own home. */
function identityArgs(who, home = path.join(tmp, `home-${who.name}`)) {
  const keyFile = path.join(tmp, `${who.name}.key`);
  fs.writeFileSync(keyFile, `${who.member.secretKey}\n`, { mode: 0o600 });
  return ['--broker', env.node.wsUrl, '--mesh-id', env.meshId, '--member-id', who.memberId,
    '--member-key-file', keyFile, '--name', who.name, '--home', home];
}

/** An SDK client on a stdio bridge for `who`; collects channel notifications. */
async function stdioBridge(who) {
  const transport = new StdioClientTransport({ command: BRIDGE, args: identityArgs(who), stderr: 'pipe' });
  let stderr = '';
  transport.stderr.on('data', (c) => { stderr += c; });
  const client = new Client({ name: `test-${who.name}`, version: '1.0.0' });
  const channel = [];
  client.fallbackNotificationHandler = async (n) => {
    if (n.method === 'notifications/claude/channel') channel.push(n.params);
  };
  await client.connect(transport);
  return { client, channel, stderr: () => stderr };
}

/** tools/call → {isError, json (parsed text), text}. */
async function call(client, name, args = {}) {
  const r = await client.callTool({ name, arguments: args });
  assert.equal(r.content.length, 1);
  assert.equal(r.content[0].type, 'text');
  let json;
  try { json = JSON.parse(r.content[0].text); } catch { json = undefined; }
  return { isError: r.isError === true, text: r.content[0].text, json };
}

before(async () => {
  assert.ok(fs.existsSync(BRIDGE), `nexus-mcp not built at ${BRIDGE}`);
  env = await startMeshEnv({ meshName: 'mcp' });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-mcp-test-'));
  const alice = env.addMember('alice');
  const bob = env.addMember('bob');
  bridges.alice = await stdioBridge(alice);
  bridges.bob = await stdioBridge(bob);
  bridges.aliceWho = alice;
});

after(async () => {
  if (process.env.NEXUS_MCP_TEST_STDERR)
    for (const b of [bridges.alice, bridges.bob]) if (b) process.stderr.write(b.stderr());
  for (const b of [bridges.alice, bridges.bob]) if (b) await b.client.close();
  if (env) await env.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('initialize negotiates the latest version and declares tools and claude/channel', () => {
  const { client } = bridges.alice;
  assert.equal(client.getServerVersion().name, 'nexus-mcp');
  const caps = client.getServerCapabilities();
  assert.ok(caps.tools);
  assert.deepEqual(caps.experimental, { 'claude/channel': {} });
  assert.match(client.getInstructions(), /check_messages/);
});

test('tools/list names every tool, each with an object inputSchema and a description', async () => {
  const { tools } = await bridges.alice.client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), [...ALL_TOOLS].sort());
  for (const t of tools) {
    assert.equal(t.inputSchema.type, 'object', t.name);
    assert.ok(t.description.length > 60, t.name);
  }
});

test('send_message on one bridge arrives as a channel notification on the other', async () => {
  // Both bridges are connected once each sees the other in list_peers.
  await waitFor(async () => {
    const r = await call(bridges.alice.client, 'list_peers');
    return !r.isError && r.json.peers.some((p) => p.name === 'bob');
  }, 15000, 'bob in alice\'s list_peers');

  const sent = await call(bridges.alice.client, 'send_message', { to: 'bob', message: 'hello bob' });
  assert.equal(sent.isError, false, sent.text);
  assert.equal(sent.json.ok, true);
  assert.match(sent.json.messageId, /\S/);

  const n = await waitFor(() => bridges.bob.channel.find((p) => p.content === 'alice: hello bob'),
    10000, 'the channel notification on bob');
  assert.equal(n.meta.from_name, 'alice');
  assert.equal(n.meta.kind, 'direct');
  assert.equal(n.meta.mesh_id, env.meshId);
  assert.equal(n.meta.priority, 'next');
  assert.match(n.meta.from_id, /^[0-9a-f]{64}$/);
  assert.match(n.meta.sent_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  for (const [k, v] of Object.entries(n.meta)) {
    assert.match(k, META_KEY);
    assert.equal(typeof v, 'string', k);
  }

  // Also kept for check_messages — once.
  const inbox = await call(bridges.bob.client, 'check_messages');
  assert.equal(inbox.isError, false);
  const mine = inbox.json.messages.filter((m) => m.text === 'hello bob');
  assert.equal(mine.length, 1);
  assert.equal(mine[0].from, 'alice');
  assert.equal(mine[0].kind, 'direct');
  const again = await call(bridges.bob.client, 'check_messages');
  assert.equal(again.json.messages.filter((m) => m.text === 'hello bob').length, 0);
});

test('set_state on one bridge, get_state on the other', async () => {
  const set = await call(bridges.alice.client, 'set_state', { key: 'build', value: 'passing' });
  assert.equal(set.isError, false, set.text);
  // Alice's own read is ordered after her write on her connection.
  const own = await call(bridges.alice.client, 'get_state', { key: 'build' });
  assert.equal(own.json.value, 'passing');
  const got = await call(bridges.bob.client, 'get_state', { key: 'build' });
  assert.equal(got.isError, false, got.text);
  assert.equal(got.json.found, true);
  assert.equal(got.json.value, 'passing');
  assert.equal(got.json.updatedBy, 'alice');
  const missing = await call(bridges.bob.client, 'get_state', { key: 'never-set' });
  assert.deepEqual(missing.json, { found: false, key: 'never-set', value: null });
});

test('invalid calls: bad arguments are isError results, an unknown tool a protocol error', async () => {
  const noTo = await call(bridges.alice.client, 'send_message', { message: 'x' });
  assert.equal(noTo.isError, true);
  assert.equal(noTo.text, "send_message: missing required argument 'to'");
  const badPriority = await call(bridges.alice.client, 'send_message', { to: 'bob', message: 'x', priority: 'asap' });
  assert.equal(badPriority.isError, true);
  assert.equal(badPriority.text, 'send_message: argument \'priority\' must be one of: now, next, low');
  const nobody = await call(bridges.alice.client, 'send_message', { to: 'carol', message: 'x' });
  assert.equal(nobody.isError, true);
  assert.match(nobody.text, /no connected peer matches "carol"/);
  await assert.rejects(bridges.alice.client.callTool({ name: 'no_such_tool', arguments: {} }),
    (e) => e.code === -32602 && /unknown tool no_such_tool/.test(e.message));
  // The session is still usable.
  assert.equal((await call(bridges.alice.client, 'mesh_info')).json.mesh, env.meshId);
});

test('schedule_reminder to oneself fires through the node: a channel notification and check_messages', async () => {
  const text = `mcp reminder ${Date.now()}`;
  const set = await call(bridges.bob.client, 'schedule_reminder', { message: text, in_seconds: 1 });
  assert.equal(set.isError, false, set.text);
  assert.equal(set.json.ok, true);
  assert.match(set.json.scheduledId, /\S/);
  assert.equal(set.json.cron, undefined);
  const n = await waitFor(() => bridges.bob.channel.find((p) => p.content.endsWith(`: ${text}`)),
    15000, 'the reminder\'s channel notification on bob');
  assert.equal(n.meta.kind, 'reminder');
  assert.equal(n.meta.from_name, 'bob');
  assert.equal(n.meta.priority, 'now'); // a fire goes out with priority now (§5.6)
  assert.ok(Date.parse(n.meta.sent_at) >= Date.parse(set.json.deliverAt) - 1000);
  const inbox = await call(bridges.bob.client, 'check_messages');
  assert.deepEqual(inbox.json.messages.filter((m) => m.text === text).map((m) => m.kind), ['reminder']);
  // Fired, so no longer pending; and alice never saw it.
  const left = await call(bridges.bob.client, 'list_scheduled');
  assert.ok(!left.json.scheduled.some((e) => e.id === set.json.scheduledId), left.text);
  assert.ok(!bridges.alice.channel.some((p) => p.content.endsWith(`: ${text}`)));
});

test('list_scheduled shows one\'s own pending entries; cancel_scheduled removes exactly one', async () => {
  const { client } = bridges.alice;
  const at = Math.ceil((Date.now() + 30 * 86400000) / 1000) * 1000; // within schedule_ahead_max_ms
  const once = await call(client, 'schedule_reminder', { message: 'renew the cert', at });
  assert.equal(once.isError, false, once.text);
  assert.equal(once.json.deliverAt, new Date(at).toISOString());
  // Weekdays at an hour 12 h from now: it cannot fire (firedCount 0 below).
  const cron = `0 ${(new Date().getUTCHours() + 12) % 24} * * 1-5`;
  const daily = await call(client, 'schedule_reminder', { message: 'stand-up', cron });
  assert.equal(daily.isError, false, daily.text);
  assert.equal(daily.json.cron, cron);

  const listed = await call(client, 'list_scheduled');
  assert.equal(listed.isError, false, listed.text);
  assert.equal(listed.json.count, 2);
  assert.deepEqual(listed.json.scheduled.map((e) => [e.id, e.message, e.cron ?? null]).sort(),
    [[once.json.scheduledId, 'renew the cert', null], [daily.json.scheduledId, 'stand-up', cron]].sort());
  assert.equal(listed.json.scheduled.find((e) => e.cron).firedCount, 0);
  // Bob neither sees nor cancels alice's entries.
  const bobs = await call(bridges.bob.client, 'list_scheduled');
  assert.ok(!bobs.json.scheduled.some((e) => [once.json.scheduledId, daily.json.scheduledId].includes(e.id)));
  const foreign = await call(bridges.bob.client, 'cancel_scheduled', { id: daily.json.scheduledId });
  assert.equal(foreign.isError, true);
  assert.equal(foreign.text, `no scheduled message ${daily.json.scheduledId} of yours`);

  const cancelled = await call(client, 'cancel_scheduled', { id: daily.json.scheduledId });
  assert.equal(cancelled.isError, false, cancelled.text);
  const after = await call(client, 'list_scheduled');
  assert.deepEqual(after.json.scheduled.map((e) => e.id), [once.json.scheduledId]);
  const twice = await call(client, 'cancel_scheduled', { id: daily.json.scheduledId });
  assert.equal(twice.isError, true);
  assert.equal((await call(client, 'cancel_scheduled', { id: once.json.scheduledId })).isError, false);
  assert.equal((await call(client, 'list_scheduled')).json.count, 0);
});

test('schedule_reminder refuses two times and a bad cron; nothing is stored', async () => {
  const { client } = bridges.alice;
  const both = await call(client, 'schedule_reminder', { message: 'x', in_seconds: 5, cron: '* * * * *' });
  assert.equal(both.isError, true);
  assert.match(both.text, /give exactly one of in_seconds, at, cron/);
  const none = await call(client, 'schedule_reminder', { message: 'x' });
  assert.equal(none.isError, true);
  const badCron = await call(client, 'schedule_reminder', { message: 'x', cron: '61 * * * *' });
  assert.equal(badCron.isError, true);
  assert.match(badCron.text, /cron/);
  assert.equal((await call(client, 'list_scheduled')).json.count, 0);
});

/** Starts `nexus-mcp --http 127.0.0.1:0`; resolves {url, token, child}. */
function startHttpBridge(who) {
  const home = path.join(tmp, 'http-home');
  const child = spawn(BRIDGE, ['--http', '127.0.0.1:0', ...identityArgs(who, home)],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no listen line from nexus-mcp: ${stderr}`)), 15000);
    child.on('exit', (code) => reject(new Error(`nexus-mcp exited ${code}: ${stderr}`)));
    child.stderr.on('data', (c) => {
      stderr += c;
      const m = /nexus-mcp: (http:\/\/127\.0\.0\.1:\d+\/mcp) \(token in (.+)\)/.exec(stderr);
      if (!m) return;
      clearTimeout(timer);
      const token = fs.readFileSync(m[2], 'utf8').trim();
      assert.equal(fs.statSync(m[2]).mode & 0o777, 0o600);
      resolve({ url: m[1], token, child });
    });
  });
}

test('Streamable HTTP: the same client works with the bearer token and gets 401 without', async () => {
  const { url, token, child } = await startHttpBridge(bridges.aliceWho);
  const exited = new Promise((r) => child.on('exit', r));
  try {
    const raw = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json',
      accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' }) });
    assert.equal(raw.status, 401);

    const anonymous = new Client({ name: 'no-token', version: '1.0.0' });
    await assert.rejects(anonymous.connect(new StreamableHTTPClientTransport(new URL(url))),
      (e) => /401/.test(String(e.message)) || e.code === 401);

    const client = new Client({ name: 'with-token', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(url),
      { requestInit: { headers: { Authorization: `Bearer ${token}` } } }));
    assert.deepEqual(client.getServerCapabilities().experimental, { 'claude/channel': {} });
    const { tools } = await client.listTools();
    assert.equal(tools.length, ALL_TOOLS.length);
    const info = await call(client, 'mesh_info');
    assert.equal(info.isError, false, info.text);
    assert.equal(info.json.mesh, env.meshId);
    const bad = await call(client, 'get_state', {});
    assert.equal(bad.isError, true);
    assert.equal(bad.text, "get_state: missing required argument 'key'");
    await client.close();
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});
