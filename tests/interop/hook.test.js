'use strict';
// POST /hook/set-status (§6.4, §4.2) against the real nexusd: a hook-reported
// `working` holds `next` DMs while `now` passes, `idle` releases them at once,
// DND is sacred, a hook before the hello is pending and applied at join, the
// per "<pid>:<cwd>" rate limit, the error replies, the working-status TTL
// and the broker_queue_depth gauge. Every wait has a deadline.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const mc = require('./lib/claudemesh_crypto');
const { createTestDatabase, startNode } = require('./lib/node_process');
const { WsPeer } = require('./lib/ws_peer');

const RATE_BURST = 3;
let db, node, adminHome, meshId;
const alice = {}, bob = {};

function nexusd(database, args) {
  const out = execFileSync(process.env.NEXUSD_BINARY,
    [...args, '--home', adminHome, '--database-url', database.url, '--json'], { encoding: 'utf8' });
  return JSON.parse(out);
}

function psql(database, sql) {
  return execFileSync('psql', ['-At', database.url, '-c', sql], { encoding: 'utf8' }).trim();
}

/** A mesh with members alice and bob in `database`; fills `who` objects. */
function createMesh(database, members) {
  const id = nexusd(database, ['mesh', 'create', '--name', 'hooks']).id;
  for (const [who, seed, name] of members) {
    who.member = mc.keypairFromSeed(new Uint8Array(32).fill(seed));
    who.name = name;
    who.memberId = nexusd(database, ['member', 'add', '--mesh', id, '--pubkey', who.member.publicKey,
      '--name', name]).id;
  }
  return id;
}

async function connect(target, mesh, who, { pid, cwd }) {
  const session = mc.randomKeypair();
  const peer = await WsPeer.connect(target.wsUrl);
  peer.send(mc.buildHello({ meshId: mesh, memberId: who.memberId, member: who.member, session, pid }, { cwd }));
  const ack = await peer.next('hello_ack');
  return { peer, ack, session };
}

async function hook(target, body, rawBody) {
  const res = await target.http('POST', '/hook/set-status', {
    body: rawBody ?? JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  let json;
  try { json = JSON.parse(res.body); } catch { json = undefined; }
  return { status: res.status, json, body: res.body };
}

/** The status list_peers shows for `session` as seen by `viewer`. */
async function statusOf(viewer, session) {
  const reqId = `p${Math.random().toString(36).slice(2)}`;
  const list = await viewer.request({ type: 'list_peers', _reqId: reqId },
    (f) => f.type === 'peers_list' && f._reqId === reqId);
  const entry = list.peers.find((p) => p.pubkey === session.publicKey);
  return entry ? entry.status : undefined;
}

/** Polls list_peers until `session` shows `status`; fails at the deadline. */
async function waitStatus(viewer, session, status, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  let seen;
  while (Date.now() < deadline) {
    seen = await statusOf(viewer, session);
    if (seen === status) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`status stayed ${seen}, expected ${status} within ${timeoutMs} ms`);
}

async function sendDm(from, to, id, priority, text) {
  const sealed = mc.encryptDirect(text, to.session.publicKey, from.session.secretKey);
  const ack = await from.peer.request({ type: 'send', id, targetSpec: to.session.publicKey, priority, ...sealed },
    (f) => f.type === 'ack' && f.id === id);
  assert.equal(ack.queued, true);
  return ack;
}

const isMessage = (f) => f.type === 'push' && f.subtype === undefined;

before(async () => {
  await mc.ready();
  db = await createTestDatabase();
  adminHome = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-interop-admin-'));
  node = await startNode({ databaseUrl: db.url,
    args: ['--hook-rate-burst', String(RATE_BURST), '--hook-rate-per-min', '1'] });
  meshId = createMesh(db, [[alice, 11, 'alice'], [bob, 12, 'bob']]);
});

after(async () => {
  if (node) await node.stop();
  if (db) await db.drop();
  if (adminHome) fs.rmSync(adminHome, { recursive: true, force: true });
});

test('hook working holds next DMs, now passes, hook idle releases at once', async () => {
  const a = await connect(node, meshId, alice, { pid: 5000, cwd: '/tmp/hook-a' });
  const b = await connect(node, meshId, bob, { pid: 5001, cwd: '/tmp/hook-hold' });

  const working = await hook(node, { cwd: '/tmp/hook-hold', pid: 5001, status: 'working', session_id: 'x' });
  assert.equal(working.status, 200);
  assert.deepEqual(working.json, { ok: true, presence_id: b.ack.presenceId });
  assert.equal(await statusOf(a.peer, b.session), 'working'); // written before the reply
  // The row is written asynchronously after the live status: wait for it.
  await node.waitUntil(() => psql(db, `SELECT status || '/' || status_source FROM nexus.presence WHERE id = '${b.ack.presenceId}'`) === 'working/hook',
    5000, 'the presence row to show working/hook');

  const held = await sendDm(a, b, 'hhhhhhhhhhhhhhh1', 'next', 'held by the hook');
  const firstSeen = b.peer.next(isMessage);
  const urgent = await sendDm(a, b, 'hhhhhhhhhhhhhhh2', 'now', 'urgent');
  const first = await firstSeen; // the next DM, sent earlier, did not overtake
  assert.equal(first.messageId, urgent.messageId);
  assert.equal(mc.decodePush(first, b.session.secretKey), 'urgent');

  const releasedSeen = b.peer.next(isMessage);
  const idle = await hook(node, { cwd: '/tmp/hook-hold', pid: 5001, status: 'idle' });
  assert.deepEqual(idle.json, { ok: true, presence_id: b.ack.presenceId });
  const released = await releasedSeen;
  assert.equal(released.messageId, held.messageId);
  assert.equal(mc.decodePush(released, b.session.secretKey), 'held by the hook');
  assert.equal(await statusOf(a.peer, b.session), 'idle');
  a.peer.close();
  b.peer.close();
});

test('DND set by set_status is not changed by a hook', async () => {
  const a = await connect(node, meshId, alice, { pid: 5100, cwd: '/tmp/hook-a2' });
  const b = await connect(node, meshId, bob, { pid: 5101, cwd: '/tmp/hook-dnd' });
  b.peer.send({ type: 'set_status', status: 'dnd' });
  await waitStatus(a.peer, b.session, 'dnd');
  for (const status of ['working', 'idle']) {
    const r = await hook(node, { cwd: '/tmp/hook-dnd', pid: 5101, status });
    assert.deepEqual(r.json, { ok: true, presence_id: b.ack.presenceId });
    assert.equal(await statusOf(a.peer, b.session), 'dnd');
  }
  // Still gating as dnd: a `now` DM passes, the earlier `next` one stays held.
  await sendDm(a, b, 'dddddddddddddd01', 'next', 'held by dnd');
  const firstSeen = b.peer.next(isMessage);
  const urgent = await sendDm(a, b, 'dddddddddddddd02', 'now', 'urgent');
  assert.equal((await firstSeen).messageId, urgent.messageId);
  a.peer.close();
  b.peer.close();
});

test('a hook before the hello is pending and applied when the presence joins', async () => {
  const r = await hook(node, { cwd: '/tmp/hook-pending', pid: 6001, status: 'working' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { ok: true, pending: true });
  assert.equal(psql(db, "SELECT count(*) FROM nexus.pending_status WHERE cwd = '/tmp/hook-pending' AND pid = 6001 AND applied_at IS NULL"), '1');

  const a = await connect(node, meshId, alice, { pid: 6000, cwd: '/tmp/hook-a3' });
  const b = await connect(node, meshId, bob, { pid: 6001, cwd: '/tmp/hook-pending' });
  assert.equal(await statusOf(a.peer, b.session), 'working');
  await node.waitUntil(() => psql(db, "SELECT count(*) FROM nexus.pending_status WHERE cwd = '/tmp/hook-pending' AND applied_at IS NULL") === '0',
    5000, 'the pending status to be marked applied');
  // The presence row carries the hook as its source (written after the join).
  await node.waitUntil(() => psql(db, `SELECT status || '/' || status_source FROM nexus.presence WHERE id = '${b.ack.presenceId}'`) === 'working/hook',
    5000, 'the presence row to show working/hook');
  a.peer.close();
  b.peer.close();
});

test(`the ${RATE_BURST + 1}th hook of one pid:cwd within the burst is 429`, async () => {
  for (let i = 0; i < RATE_BURST; ++i) {
    const r = await hook(node, { cwd: '/tmp/hook-rate', pid: 7001, status: 'idle' });
    assert.equal(r.status, 200, `call ${i + 1}: ${r.body}`);
    assert.equal(r.json.ok, true);
  }
  const limited = await hook(node, { cwd: '/tmp/hook-rate', pid: 7001, status: 'idle' });
  assert.equal(limited.status, 429);
  assert.deepEqual(limited.json, { ok: false, error: 'rate limited' });
  // The bucket is per "<pid>:<cwd>": another pid with the same cwd still passes.
  assert.equal((await hook(node, { cwd: '/tmp/hook-rate', pid: 7002, status: 'idle' })).status, 200);

  const metrics = (await node.http('GET', '/metrics')).body;
  assert.match(metrics, /^broker_hook_requests_rate_limited_total 1$/m);
  assert.match(metrics, /^broker_hook_requests_total \d+$/m);
});

test('missing fields, invalid status, invalid JSON and routing', async () => {
  assert.deepEqual(await hook(node, { cwd: '/tmp/hook-x' }),
    { status: 200, json: { ok: false, error: 'cwd and status required' }, body: '{"ok":false,"error":"cwd and status required"}' });
  assert.deepEqual((await hook(node, { status: 'idle', pid: 9 })).json, { ok: false, error: 'cwd and status required' });
  assert.deepEqual((await hook(node, { cwd: '', status: 'idle', pid: 9 })).json, { ok: false, error: 'cwd and status required' });
  const invalid = await hook(node, { cwd: '/tmp/hook-x', status: 'sleeping' });
  assert.equal(invalid.status, 200);
  assert.deepEqual(invalid.json, { ok: false, error: 'invalid status' });

  const bad = await hook(node, undefined, '{"cwd": "/tmp/hook-x", ');
  assert.equal(bad.status, 500);
  assert.deepEqual(bad.json, { ok: false, error: 'Invalid JSON in request body' });

  const withQuery = await node.http('POST', '/hook/set-status?x=1', { body: '{}' });
  assert.equal(withQuery.status, 404); // §6.1: exact routes do not match with a query string
});

test('a working status without news becomes idle after status_ttl_ms', async () => {
  const ttlDb = await createTestDatabase();
  // Long enough that the 'working' read below comes well inside it on a
  // loaded machine; the idle wait has generous room beyond it.
  const ttlMs = 3000;
  const ttlNode = await startNode({ databaseUrl: ttlDb.url, args: ['--status-ttl-ms', String(ttlMs)] });
  try {
    const carol = {}, dave = {};
    const mesh = createMesh(ttlDb, [[carol, 21, 'carol'], [dave, 22, 'dave']]);
    const c = await connect(ttlNode, mesh, carol, { pid: 8000, cwd: '/tmp/hook-c' });
    const d = await connect(ttlNode, mesh, dave, { pid: 8001, cwd: '/tmp/hook-ttl' });

    // Taken before the request: the server stamps 'working' after this, so
    // idle cannot be seen sooner than the TTL after it, however slow the reply.
    const requestedAt = Date.now();
    const r = await hook(ttlNode, { cwd: '/tmp/hook-ttl', pid: 8001, status: 'working' });
    assert.deepEqual(r.json, { ok: true, presence_id: d.ack.presenceId });
    assert.equal(await statusOf(c.peer, d.session), 'working');
    await waitStatus(c.peer, d.session, 'idle', ttlMs + 15000);
    const idleAfter = Date.now() - requestedAt;
    assert.ok(idleAfter >= ttlMs, `idle after ${idleAfter} ms, before the ${ttlMs} ms TTL`);
    await ttlNode.waitUntil(() => psql(ttlDb, `SELECT status || '/' || status_source FROM nexus.presence WHERE id = '${d.ack.presenceId}'`) === 'idle/jsonl',
      5000, 'the presence row to show idle/jsonl');

    // broker_queue_depth: a DM held by dnd stays undelivered; the gauge is
    // sampled at start-up (then every 30 s), so a restart shows it.
    let metrics = (await ttlNode.http('GET', '/metrics')).body;
    assert.match(metrics, /^broker_queue_depth 0$/m);
    d.peer.send({ type: 'set_status', status: 'dnd' });
    await waitStatus(c.peer, d.session, 'dnd');
    await sendDm(c, d, 'qqqqqqqqqqqqqqq1', 'next', 'waits in the queue');
    c.peer.close();
    d.peer.close();
    await ttlNode.stop();
    const depth = psql(ttlDb, 'SELECT count(*) FROM nexus.message_queue WHERE delivered_at IS NULL');
    assert.equal(depth, '1');
    const again = await startNode({ databaseUrl: ttlDb.url });
    try {
      await again.waitUntil(async () => /^broker_queue_depth 1$/m.test((await again.http('GET', '/metrics')).body),
        5000, 'broker_queue_depth 1 after the restart');
    } finally {
      await again.stop();
    }
  } finally {
    if (!ttlNode.exited) await ttlNode.stop();
    await ttlDb.drop();
  }
});
