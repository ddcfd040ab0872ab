'use strict';
// Durability across crashes (PROTOCOL.md §3.3, §3.6): peer A sends sealed
// DMs to offline peer B's member key; nexusd is killed with SIGKILL at a
// varied point; after a restart on the same database B connects and gets
// every stored message exactly once. Per round (22 on one external test
// database, one more on the node's embedded PostgreSQL):
//   * B is offline: never connected in this run, evicted after a short grace,
//     or disconnected but still inside its grace window;
//   * A sends N (1..5) DMs, with the kill at the k-th ack (all sent at once),
//     after all acks, after all acks plus 0–30 ms, while A is still sending
//     one at a time, or — after all acks — during B's reconnect drain;
//   * after the kill (and once the dead node's backends are gone): every
//     acked messageId is a stored, undelivered row holding A's exact bytes;
//   * a row exists iff B receives it: each one exactly once per connection,
//     decrypting to what A sealed. A kill during the drain allows a second
//     delivery only of rows whose delivery record was not committed; rows
//     recorded delivered must never come again. Every other drain round a
//     psql session holds the rows' locks, so no delivery record can commit
//     before the kill: then every row pushed before it must come again;
//   * afterwards the queue shows every row of the round delivered.
// Kill points come from a seeded PRNG; the seed is in every failure message
// (NEXUS_DURABILITY_SEED=<n> replays it).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const mc = require('./lib/claudemesh_crypto');
const { createTestDatabase, startNode } = require('./lib/node_process');
const { WsPeer } = require('./lib/ws_peer');
const { createMesh, psqlRows, holdRowLocks, embeddedDatabaseUrl } = require('./lib/mesh_fixture');
const { waitFor } = require('./lib/wait');

const ROUNDS = 22;
const SEED = Number(process.env.NEXUS_DURABILITY_SEED ?? Math.floor(Math.random() * 2 ** 31));
const DEADLINE_MS = 10000;
const SHORT_GRACE_MS = 150;
// A start on the embedded PostgreSQL (initdb, or crash recovery after a
// SIGKILL) is slow on a loaded machine: far more than the 20 s default, as
// tests/pg allow it.
const EMBEDDED_START_MS = 90000;
const KILL_POINTS = ['kth_ack', 'all_acks', 'all_acks_delay', 'mid_send', 'drain'];
const OFFLINE = ['never', 'evicted', 'grace'];

let db, adminHome;
let mesh; // the running test's mesh: {meshId, members: {alice, bob}}

/** mulberry32: a small seeded PRNG, so that a failing plan can be replayed. */
function prng(seed) {
  let s = seed >>> 0;
  return (bound) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % bound);
  };
}

/** Round r's plan; rounds 0..14 cover every kill point × offline mode. */
function planRound(r, rand) {
  const kill = KILL_POINTS[r % KILL_POINTS.length];
  const offline = OFFLINE[Math.floor(r / KILL_POINTS.length) % OFFLINE.length];
  const n = kill === 'drain' ? 2 + rand(4) : 1 + rand(5);
  let k = n;
  if (kill === 'kth_ack') k = 1 + rand(n);
  if (kill === 'mid_send') k = rand(n); // acks before the in-flight send; 0 = kill on the first
  return {
    r, kill, offline, n, k,
    delayMs: kill === 'all_acks_delay' ? rand(31) : 0,
    drainBatchMax: [1, 2, 500][rand(3)],
    // Every other drain round holds the rows' locks, so the delivery record
    // cannot commit before the kill: the redelivery path, deterministically.
    blockRecord: kill === 'drain' && Math.floor(r / KILL_POINTS.length) % 2 === 1,
    priorities: Array.from({ length: n }, () => ['now', 'next', 'low'][rand(3)]),
  };
}

function withDeadline(promise, what, timeoutMs = DEADLINE_MS) {
  let timer;
  return Promise.race([promise, new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
  })]).finally(() => clearTimeout(timer));
}

function parseFrame(data) {
  try { return JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data).toString('utf8')); } catch { return null; }
}

/** Calls `onFrame(json)` synchronously for every frame, so a kill lands at once. */
function onFrames(peer, onFrame) {
  peer.ws.on('message', (data) => { const f = parseFrame(data); if (f) onFrame(f); });
}

/** Awaits the exit of a node we SIGKILLed; removes its home; waits for its DB backends to end. */
async function reap(node, databaseUrl) {
  const exit = await withDeadline(node.exit, 'nexusd to die after SIGKILL');
  assert.equal(exit.signal, 'SIGKILL', `nexusd ended otherwise than by our SIGKILL:\n${node.output}`);
  if (node.ownsHome) fs.rmSync(node.home, { recursive: true, force: true });
  // A commit already sent by the dead node still completes in its backend:
  // read the database only once that backend is gone.
  if (databaseUrl) {
    await waitFor(async () => (await psqlRows(databaseUrl,
      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() " +
      "AND backend_type = 'client backend'"))[0][0] === '0', DEADLINE_MS, "the killed node's database sessions to end");
  }
}

/**
 * A signed hello for `who` with a fresh session key; resolves after hello_ack
 * unless awaitAck is false. `pushes` gets every DM push from before the hello
 * on, in arrival order; `onPush` runs synchronously for each.
 */
async function hello(node, who, { awaitAck = true, onPush = () => {} } = {}) {
  const session = mc.randomKeypair();
  const peer = await WsPeer.connect(node.wsUrl);
  const pushes = [];
  onFrames(peer, (f) => { if (f.type === 'push' && f.subtype === undefined) { pushes.push(f); onPush(f); } });
  peer.send(mc.buildHello({ meshId: mesh.meshId, memberId: who.memberId, member: who.member, session }));
  if (awaitAck) {
    await peer.next('hello_ack').catch((err) => {
      throw new Error(`${who.name}'s hello failed: ${err.message}\nnexusd output:\n${node.output}`);
    });
  }
  return { peer, session, pushes };
}

/** Rows of the mesh not in `prev`: Map id → {delivered, nonce, ciphertext}. */
async function roundRows(url, prev) {
  const rows = await psqlRows(url, 'SELECT id, delivered_at IS NOT NULL, nonce, ciphertext FROM nexus.message_queue ' +
    "WHERE mesh_id = :'mesh'", { mesh: mesh.meshId });
  return new Map(rows.filter(([id]) => !prev.has(id))
    .map(([id, delivered, nonce, ciphertext]) => [id, { delivered: delivered === 't', nonce, ciphertext }]));
}

/** Takes B offline as the plan says; A (connected) sees B's peer_left when evicted. */
async function takeBobOffline(node, a, plan) {
  if (plan.offline === 'never') return;
  const bob = mesh.members.bob;
  const b = await hello(node, bob);
  if (plan.offline === 'evicted') {
    const left = a.peer.next((f) => f.type === 'push' && f.event === 'peer_left' &&
      f.eventData.pubkey === b.session.publicKey, SHORT_GRACE_MS + DEADLINE_MS);
    await b.peer.close();
    await left;
    return;
  }
  // grace: B's socket is closed but its lease stands; A alone stays connected.
  await b.peer.close();
  await waitFor(async () => /^broker_connections_active(\{[^}]*\})? 1$/m.test((await node.http('GET', '/metrics')).body),
    DEADLINE_MS, 'the gateway to count only A after B closed');
}

/**
 * A sends the plan's DMs to B's member key and nexusd is SIGKILLed at the
 * plan's point. Resolves {msgs, acked: Map sendId → ack} once A's socket
 * closed, so every ack the node sent is counted.
 */
async function sendUntilKilled(node, a, plan) {
  const bob = mesh.members.bob;
  const msgs = plan.priorities.map((priority, i) => {
    const text = `round ${plan.r} message ${i} ${mc.randomSendId()}`;
    const sealed = mc.encryptDirect(text, bob.member.publicKey, a.session.secretKey);
    return { text, sealed, frame: { type: 'send', id: mc.randomSendId(), targetSpec: bob.member.publicKey, priority, ...sealed } };
  });
  const acked = new Map();
  let killed = false;
  const kill = () => { if (!killed) { killed = true; node.child.kill('SIGKILL'); } };
  const sendOne = (i, then) => a.peer.ws.send(JSON.stringify(msgs[i].frame), then);
  onFrames(a.peer, (f) => {
    if (f.type !== 'ack' || !msgs.some((m) => m.frame.id === f.id)) return;
    acked.set(f.id, f);
    if (killed) return;
    const count = acked.size;
    if (plan.kill === 'kth_ack' && count === plan.k) kill();
    else if ((plan.kill === 'all_acks' || plan.kill === 'drain') && count === plan.n) kill();
    else if (plan.kill === 'all_acks_delay' && count === plan.n) setTimeout(kill, plan.delayMs);
    else if (plan.kill === 'mid_send' && count <= plan.k) sendOne(count, count === plan.k ? kill : undefined);
  });
  if (plan.kill === 'mid_send') sendOne(0, plan.k === 0 ? kill : undefined);
  else msgs.forEach((_, i) => sendOne(i));
  await withDeadline(a.peer.closed, `A's socket to close after the kill (acks so far: ${acked.size})`);
  assert.ok(killed, 'the kill point was never reached');
  for (const ack of acked.values()) {
    assert.equal(ack.queued, true, `send refused: ${JSON.stringify(ack)}`);
    assert.equal(ack.messageId.length, 32);
  }
  return { msgs, acked };
}

/** Checks one connection's pushes: no id twice, each a row of the round with A's exact bytes and text. */
function checkPushes(pushes, rows, msgs, where) {
  const ids = pushes.map((p) => p.messageId);
  assert.equal(new Set(ids).size, ids.length, `${where}: an id arrived twice on one connection: ${ids}`);
  const bob = mesh.members.bob;
  for (const p of pushes) {
    const row = rows.get(p.messageId);
    assert.ok(row, `${where}: push ${p.messageId} is no stored row of this round`);
    assert.equal(p.ciphertext, row.ciphertext);
    assert.equal(p.nonce, row.nonce);
    const msg = msgs.find((m) => m.sealed.ciphertext === p.ciphertext);
    assert.ok(msg, `${where}: push ${p.messageId} carries bytes A never sent`);
    assert.equal(p.senderMemberPubkey, mesh.members.alice.member.publicKey);
    assert.equal(mc.decodePush(p, bob.member.secretKey), msg.text);
  }
  return new Set(ids);
}

/**
 * B connects and must receive exactly the ids `expected` (no more, none
 * twice), after which the queue shows every row of the round delivered.
 */
async function bobReceivesExactly(node, url, prev, expected, msgs, where) {
  const b = await hello(node, mesh.members.bob);
  const { pushes } = b;
  await waitFor(async () => [...expected].every((id) => pushes.some((p) => p.messageId === id)) &&
    [...(await roundRows(url, prev)).values()].every((row) => row.delivered),
    DEADLINE_MS, `${where}: B to receive ${[...expected]} and the queue to record them delivered (got ${pushes.map((p) => p.messageId)})`);
  // Pushes written before this round trip are in; no drain trigger remains.
  await b.peer.request({ type: 'list_peers', _reqId: 'barrier' }, 'peers_list');
  const got = checkPushes(pushes, await roundRows(url, prev), msgs, where);
  assert.deepEqual([...got].sort(), [...expected].sort(), `${where}: B's ids differ from the stored undelivered rows`);
  await b.peer.close();
  return got;
}

function nodeArgs(plan) {
  return ['--presence-grace-ms', String(plan.offline === 'grace' ? 60000 : SHORT_GRACE_MS),
    '--drain-batch-max', String(plan.drainBatchMax)];
}

/** Plays one round; a failure leaves no nexusd behind. */
async function runRound(plan, { databaseUrl, home }) {
  const nodes = [];
  const start = async () => {
    const node = await startNode({ databaseUrl, home, args: nodeArgs(plan),
      ...(databaseUrl ? {} : { timeoutMs: EMBEDDED_START_MS }) });
    nodes.push(node);
    return node;
  };
  try {
    return await playRound(plan, { databaseUrl, home, start });
  } finally {
    for (const node of nodes.filter((n) => !n.exited)) {
      node.child.kill('SIGKILL');
      await node.exit;
      if (node.ownsHome) fs.rmSync(node.home, { recursive: true, force: true });
    }
  }
}

async function playRound(plan, { databaseUrl, home, start }) {
  const where = `round ${plan.r} (seed ${SEED}, plan ${JSON.stringify(plan)})`;
  const url = databaseUrl ?? embeddedDatabaseUrl(home);
  let node = await start();
  const prev = new Set((await psqlRows(url, "SELECT id FROM nexus.message_queue WHERE mesh_id = :'mesh'",
    { mesh: mesh.meshId })).map(([id]) => id));
  const a = await hello(node, mesh.members.alice);
  await takeBobOffline(node, a, plan);
  const { msgs, acked } = await sendUntilKilled(node, a, plan);
  await reap(node, databaseUrl);
  node = await start();

  // Durable once acked: stored, undelivered, byte for byte what A sent.
  const stored = await roundRows(url, prev);
  assert.ok(stored.size <= msgs.length, `${where}: ${stored.size} rows for ${msgs.length} sends`);
  for (const [sendId, ack] of acked) {
    const row = stored.get(ack.messageId);
    assert.ok(row, `${where}: acked message ${ack.messageId} was lost by the kill`);
    assert.equal(row.ciphertext, msgs.find((m) => m.frame.id === sendId).sealed.ciphertext);
  }
  for (const [id, row] of stored) {
    assert.equal(row.delivered, false, `${where}: ${id} delivered before B connected`);
    assert.ok(msgs.some((m) => m.sealed.ciphertext === row.ciphertext), `${where}: row ${id} holds bytes A never sent`);
  }
  const storedBytes = new Set([...stored.values()].map((row) => row.ciphertext));
  assert.equal(storedBytes.size, stored.size, `${where}: one send stored twice`);

  let redelivered = 0;
  let expected = new Set(stored.keys());
  if (plan.kill === 'drain') {
    // B's drain is cut by a SIGKILL at its first push.
    const holder = plan.blockRecord ? await holdRowLocks(url, 'SELECT id FROM nexus.message_queue ' +
      "WHERE mesh_id = :'mesh' AND delivered_at IS NULL FOR UPDATE", { mesh: mesh.meshId }) : null;
    const dying = node;
    const b = await hello(node, mesh.members.bob, { awaitAck: false, onPush: () => dying.child.kill('SIGKILL') });
    await waitFor(() => b.pushes.length > 0, DEADLINE_MS, `${where}: B's first drained push`);
    if (holder) {
      await withDeadline(dying.exit, 'nexusd to die after SIGKILL');
      await holder.release(); // the blocked delivery record rolls back
    }
    await reap(node, databaseUrl);
    node = await start();
    const afterKill = await roundRows(url, prev);
    const first = checkPushes(b.pushes, afterKill, msgs, `${where}, drain cut by the kill`);
    const recorded = [...afterKill].filter(([, row]) => row.delivered).map(([id]) => id);
    for (const id of recorded) assert.ok(first.has(id), `${where}: ${id} recorded delivered but never reached B`);
    // Only rows whose delivery record was not committed may come again.
    expected = new Set([...afterKill].filter(([, row]) => !row.delivered).map(([id]) => id));
    redelivered = [...first].filter((id) => expected.has(id)).length;
    if (plan.blockRecord) {
      assert.deepEqual(recorded, [], `${where}: a delivery record committed through the row locks`);
      assert.equal(redelivered, first.size);
    }
  }
  const got = await bobReceivesExactly(node, url, prev, expected, msgs, where);
  await node.stop();
  return { acked: acked.size, stored: stored.size, received: got.size, redelivered };
}

before(async () => {
  await mc.ready();
  db = await createTestDatabase();
  adminHome = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-durability-admin-'));
  mesh = createMesh({ home: adminHome, databaseUrl: db.url, name: 'durability',
    members: [{ name: 'alice', seed: 1 }, { name: 'bob', seed: 2 }] });
});

after(async () => {
  if (db) await db.drop();
  if (adminHome) fs.rmSync(adminHome, { recursive: true, force: true });
});

test(`${ROUNDS} SIGKILL rounds on one database: acked DMs survive and reach B exactly once`, async (t) => {
  const rand = prng(SEED);
  const totals = { acked: 0, stored: 0, received: 0, redelivered: 0 };
  for (let r = 0; r < ROUNDS; r++) {
    const res = await runRound(planRound(r, rand), { databaseUrl: db.url });
    for (const k of Object.keys(totals)) totals[k] += res[k];
  }
  t.diagnostic(`seed ${SEED}: ${JSON.stringify(totals)}`);
  assert.ok(totals.acked > 0);
});

test('a SIGKILL round on the embedded PostgreSQL (no --database-url): the drain is cut too', async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-durability-'));
  try {
    const setup = await startNode({ home, timeoutMs: EMBEDDED_START_MS }); // the CLI then uses its server
    try {
      mesh = createMesh({ home, name: 'durability-embedded',
        members: [{ name: 'alice', seed: 3 }, { name: 'bob', seed: 4 }] });
    } finally {
      await setup.stop();
    }
    const res = await runRound({ r: 'embedded', kill: 'drain', offline: 'evicted', n: 4, k: 4, delayMs: 0,
      drainBatchMax: 1, blockRecord: false, priorities: ['next', 'now', 'low', 'next'] }, { home });
    assert.equal(res.acked, 4);
    assert.equal(res.stored, 4);
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
});
