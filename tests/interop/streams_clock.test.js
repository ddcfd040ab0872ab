'use strict';
// §5.5 streams, §5.7 mesh_info and §5.8 the simulation clock over real
// WebSockets against nexusd on a real PostgreSQL: stream_data reaches the
// subscribers other than the publisher and nobody else, unsubscribe stops it,
// a session's subscriptions end with its eviction, list_streams counts them;
// mesh_info aggregates the live table and the database; set_clock ticks at
// the simulated rate (measured, tolerant bounds), pause/resume, no_clock, and
// the clock of a mesh left without connections pauses. Every reply is matched
// by its echoed _reqId; every wait has a deadline.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const mc = require('./lib/claudemesh_crypto');
const { WsPeer } = require('./lib/ws_peer');
const { startMeshEnv, isSystem } = require('./lib/mesh_env');

const GRACE_MS = 300;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const isTick = isSystem('tick');
let env, alice, bob, carol;
let reqCounter = 0;

before(async () => {
  env = await startMeshEnv({ meshName: 'streams', args: ['--presence-grace-ms', String(GRACE_MS)] });
  alice = env.addMember('alice');
  bob = env.addMember('bob');
  carol = env.addMember('carol');
});

after(async () => { if (env) await env.stop(); });

/** A fresh session of `who` with a per-session display name override. */
async function session(who, overrides = {}) {
  const { peer } = await env.connect(who,
    { session: mc.randomKeypair(), displayName: `${who.name}-laptop` }, overrides);
  return peer;
}

/** Sends `frame` with a fresh _reqId; resolves the reply of `type` (or an error) echoing it. */
function ask(peer, frame, type) {
  const reqId = `${frame.type}-${++reqCounter}`;
  return peer.request({ ...frame, _reqId: reqId },
    (f) => (f.type === type || f.type === 'error') && f._reqId === reqId);
}

const dataOn = (stream, tag) => (f) => f.type === 'stream_data' && f.stream === stream &&
  (tag === undefined || (f.data && f.data.tag === tag));
const leftover = (peer, type) => peer.frames.map((f) => f.json).filter((f) => f.type === type);

async function streamsOf(peer) {
  return (await ask(peer, { type: 'list_streams' }, 'stream_list')).streams;
}

/** Polls list_streams until `name` has `count` subscribers (deadline). */
async function waitSubscribers(peer, name, count, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = (await streamsOf(peer)).find((s) => s.name === name);
    if (last && last.subscriberCount === count) return last;
  }
  assert.fail(`stream ${name}: ${JSON.stringify(last)} never had ${count} subscribers`);
}

/** Waits (deadline) until every presence of `meshId` was evicted: its row is
 * marked disconnected, which the mesh asks for after the eviction's effects. */
async function waitEvicted(meshId, timeoutMs = 5000) {
  const live = () => Number(env.sql(
    `SELECT count(*) FROM nexus.presence WHERE mesh_id = '${meshId}' AND disconnected_at IS NULL`));
  const deadline = Date.now() + timeoutMs;
  while (live() !== 0) {
    assert.ok(Date.now() < deadline, `presences of ${meshId} never evicted`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

test('§5.5 streams: create (upsert), fan-out to subscribers but the publisher, unsubscribe, list', async () => {
  const a = await session(alice);
  const a2 = await session(alice); // not subscribed: must get nothing
  const b = await session(bob);
  const c = await session(carol);

  const created = await ask(a, { type: 'create_stream', name: 'logs' }, 'stream_created');
  assert.equal(created.name, 'logs');
  assert.match(created.id, /^[0-9A-Za-z]{32}$/);
  assert.equal((await ask(b, { type: 'create_stream', name: 'logs' }, 'stream_created')).id, created.id);
  await ask(b, { type: 'create_stream', name: 'metrics' }, 'stream_created');

  for (const p of [a, b, c]) {
    const sub = await ask(p, { type: 'subscribe', stream: 'logs' }, 'subscribed');
    assert.equal(sub.stream, 'logs');
  }
  await ask(a2, { type: 'subscribe', stream: 'metrics' }, 'subscribed');

  // Any JSON passes through; publishedBy is the MEMBER's name, not the session's.
  const data = { tag: 'one', n: [1, 2.5, null], s: 'ü' };
  const atB = b.next(dataOn('logs', 'one'));
  const atC = c.next(dataOn('logs', 'one'));
  a.send({ type: 'publish', stream: 'logs', data, _reqId: 'pub-1' });
  const expected = { type: 'stream_data', stream: 'logs', data, publishedBy: 'alice' };
  assert.deepEqual(await atB, expected);
  assert.deepEqual(await atC, expected);

  // b publishes after the first fan-out; once a has b's, a must hold nothing of its own.
  const atA = a.next(dataOn('logs', 'two'));
  b.send({ type: 'publish', stream: 'logs', data: { tag: 'two' } });
  assert.deepEqual(await atA, { type: 'stream_data', stream: 'logs', data: { tag: 'two' }, publishedBy: 'bob' });
  await c.next(dataOn('logs', 'two'));
  assert.deepEqual(leftover(a, 'stream_data'), []);
  assert.deepEqual(leftover(b, 'stream_data'), []); // not its own either

  // a2 subscribed to metrics only: its first stream_data is the metrics one.
  const atA2 = a2.next((f) => f.type === 'stream_data');
  b.send({ type: 'publish', stream: 'metrics', data: { tag: 'm' } });
  assert.equal((await atA2).stream, 'metrics');

  // Absent data stays absent; publish and unsubscribe never reply.
  const bare = b.next(dataOn('logs'));
  c.send({ type: 'publish', stream: 'logs', _reqId: 'pub-bare' });
  assert.deepEqual(await bare, { type: 'stream_data', stream: 'logs', publishedBy: 'carol' });
  await a.next(dataOn('logs'));

  // Unsubscribe (no reply; b's next request is answered after it).
  await ask(b, { type: 'subscribe', stream: 'metrics' }, 'subscribed'); // b's sentinel stream
  b.send({ type: 'unsubscribe', stream: 'logs', _reqId: 'unsub-1' });
  const list = await streamsOf(b);
  assert.deepEqual(list.map((s) => [s.name, s.createdBy, s.subscriberCount]),
    [['logs', 'alice', 2], ['metrics', 'bob', 2]]);
  for (const s of list) {
    assert.match(s.id, /^[0-9A-Za-z]{32}$/);
    assert.match(s.createdAt, ISO);
  }
  const atC3 = c.next(dataOn('logs', 'three'));
  a.send({ type: 'publish', stream: 'logs', data: { tag: 'three' } });
  await atC3;
  const atB4 = b.next(dataOn('metrics', 'four'));
  a.send({ type: 'publish', stream: 'metrics', data: { tag: 'four' } });
  await atB4;
  assert.deepEqual(leftover(b, 'stream_data'), [], 'b got logs data after unsubscribing');
  for (const f of [...a.frames, ...b.frames, ...c.frames].map((x) => x.json)) {
    assert.notEqual(f.type, 'error', JSON.stringify(f));
  }
  const replied = [a, b, c].flatMap((p) => p.seen.map((t) => JSON.parse(t)._reqId));
  for (const id of ['pub-1', 'pub-bare', 'unsub-1']) assert.ok(!replied.includes(id), `${id} was answered`);

  // No existence check: a stream nobody created still fans out but is not listed.
  await ask(c, { type: 'subscribe', stream: 'ghost' }, 'subscribed');
  const ghost = c.next(dataOn('ghost'));
  a.send({ type: 'publish', stream: 'ghost', data: 1 });
  assert.equal((await ghost).data, 1);
  assert.deepEqual((await streamsOf(a)).map((s) => s.name), ['logs', 'metrics']);

  // §6 metrics: every publish is a routed message of priority "stream".
  const metrics = (await env.node.http('GET', '/metrics')).body;
  assert.match(metrics, /^broker_messages_routed_total\{priority="stream"\} 7$/m);

  // A session's subscriptions end when it is evicted (after the grace window).
  await c.close();
  await waitSubscribers(a, 'logs', 1);
  for (const p of [a, a2, b]) await p.close();
  await waitEvicted(env.meshId); // the next test counts peers
});

test('§5.7 mesh_info: live table and database aggregated', async () => {
  const a = await session(alice, { groups: [{ name: 'backend' }, { name: 'ops', role: 'lead' }] });
  const b = await session(bob, { groups: [{ name: 'backend' }, { name: 'qa' }] });
  const hidden = await session(carol);
  await ask(hidden, { type: 'set_visible', visible: false }, 'ack');

  a.send({ type: 'set_state', key: 'zeta', value: 1 });
  a.send({ type: 'set_state', key: 'build', value: 'ok' });
  const m1 = await ask(a, { type: 'remember', content: 'first note' }, 'memory_stored');
  await ask(a, { type: 'remember', content: 'second note' }, 'memory_stored');
  await ask(a, { type: 'forget', memoryId: m1.id }, 'ack');
  const t1 = await ask(b, { type: 'create_task', title: 't1' }, 'task_created');
  const t2 = await ask(b, { type: 'create_task', title: 't2' }, 'task_created');
  await ask(b, { type: 'create_task', title: 't3' }, 'task_created');
  await ask(b, { type: 'claim_task', taskId: t1.id }, 'task_list');
  await ask(b, { type: 'complete_task', taskId: t2.id }, 'task_list');

  const info = await ask(a, { type: 'mesh_info' }, 'mesh_info_result');
  assert.equal(info.type, 'mesh_info_result');
  assert.equal(info.mesh, env.meshId);
  assert.equal(info.peers, 3, 'hidden peers count too');
  assert.deepEqual([...info.groups].sort(), ['@backend', '@ops', '@qa']);
  assert.deepEqual(info.stateKeys, ['build', 'zeta']);
  assert.equal(info.memoryCount, 1, 'forgotten memories excluded');
  assert.equal(info.fileCount, 0);
  assert.deepEqual(info.tasks, { open: 1, claimed: 1, done: 1 });
  assert.deepEqual(info.streams, ['logs', 'metrics']);
  assert.deepEqual(info.tables, []);
  assert.deepEqual(info.collections, []);
  assert.equal(info.yourName, 'alice-laptop');
  assert.deepEqual(info.yourGroups, [{ name: 'backend' }, { name: 'ops', role: 'lead' }]);
  for (const p of [a, b, hidden]) await p.close();
  await waitEvicted(env.meshId);
});

/** Resolves the next `count` tick pushes with their arrival times. */
async function ticks(peer, count, timeoutMs = 5000) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const f = await peer.next(isTick, timeoutMs);
    out.push({ at: Date.now(), ...f });
  }
  return out;
}

test('§5.8 clock: defaults, no_clock, ticks at the simulated rate, pause, resume, clamping', async () => {
  const a = await session(alice);
  const b = await session(bob);

  const none = await ask(a, { type: 'get_clock' }, 'clock_status');
  assert.deepEqual([none.speed, none.paused, none.tick], [0, true, 0]);
  assert.match(none.simTime, ISO);
  assert.equal(none.simTime, none.startedAt);
  for (const type of ['pause_clock', 'resume_clock']) {
    const err = await ask(a, { type }, 'clock_status');
    assert.deepEqual([err.type, err.code, err.message], ['error', 'no_clock', 'No clock running for this mesh']);
  }

  // speed 1000 → clamped to 100: a tick every 600 ms, one simulated minute each.
  const started = Date.now();
  const st = await ask(a, { type: 'set_clock', speed: 1000 }, 'clock_status');
  assert.deepEqual([st.speed, st.paused, st.tick], [100, false, 0]);
  assert.equal(st.simTime, st.startedAt);
  const [atA, atB] = await Promise.all([ticks(a, 3), ticks(b, 3)]);
  assert.deepEqual(atA.map((t) => t.eventData.tick), [1, 2, 3]);
  assert.deepEqual(atB.map((t) => t.eventData.tick), [1, 2, 3]);
  const t0 = Date.parse(st.simTime);
  for (const t of atA) {
    assert.equal(Date.parse(t.eventData.simTime), t0 + t.eventData.tick * 60000);
    assert.equal(t.eventData.speed, 100);
    assert.deepEqual([t.senderPubkey, t.priority, t.nonce, t.ciphertext, t.meshId],
      ['system', 'low', '', '', env.meshId]);
    assert.match(t.messageId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  }
  // Nominal 1800 ms. The lower bound proves the clamp (unclamped, 3 ticks
  // take 180 ms); the upper one only catches a clock far too slow, with room
  // for a loaded machine (the simTime check above proves the step per tick).
  const elapsed = atA[2].at - started;
  assert.ok(elapsed >= 1700 && elapsed < 10000, `3 ticks at speed 100 took ${elapsed} ms`);

  // Pause: the status says so, and no tick comes for well over two periods.
  const paused = await ask(a, { type: 'pause_clock' }, 'clock_status');
  assert.equal(paused.paused, true);
  const n = paused.tick;
  assert.ok(n >= 3);
  await assert.rejects(a.next((f) => isTick(f) && f.eventData.tick > n, 1500), /no matching frame/);
  assert.equal((await ask(b, { type: 'get_clock' }, 'clock_status')).tick, n);

  // Resume continues from the same tick; a non-number speed means 1, then 50.
  const resumed = await ask(a, { type: 'resume_clock' }, 'clock_status');
  assert.deepEqual([resumed.paused, resumed.tick, resumed.speed], [false, n, 100]);
  assert.equal((await a.next((f) => isTick(f) && f.eventData.tick === n + 1, 10000)).eventData.speed, 100);
  const slow = await ask(a, { type: 'set_clock', speed: 'fast' }, 'clock_status');
  assert.deepEqual([slow.speed, slow.paused, slow.startedAt], [1, false, st.startedAt]);
  const half = await ask(b, { type: 'set_clock', speed: '50' }, 'clock_status');
  assert.equal(half.speed, 50);
  const next = await b.next((f) => isTick(f) && f.eventData.tick === half.tick + 1, 10000);
  assert.equal(next.eventData.speed, 50);
  for (const p of [a, b]) await p.close();
});

test('§4.6/§5.8 a mesh left without connections pauses its clock', async () => {
  // A mesh of its own: the other tests' sessions must not keep it busy.
  const meshId = env.nexusd(['mesh', 'create', '--name', 'lonely']).id;
  const member = mc.keypairFromSeed(new Uint8Array(32).fill(99));
  const memberId = env.nexusd(['member', 'add', '--mesh', meshId, '--pubkey', member.publicKey,
    '--name', 'solo']).id;
  const connect = async () => {
    const peer = await WsPeer.connect(env.node.wsUrl);
    peer.send(mc.buildHello({ meshId, memberId, member, session: mc.randomKeypair() }));
    await peer.next('hello_ack');
    return peer;
  };
  const p = await connect();
  await ask(p, { type: 'set_clock', speed: 100 }, 'clock_status');
  await p.next((f) => isTick(f) && f.eventData.tick === 1, 10000);
  await p.close();

  // After the grace window the presence is evicted with nobody left.
  await waitEvicted(meshId);
  const q = await connect();
  const status = await ask(q, { type: 'get_clock' }, 'clock_status');
  assert.equal(status.paused, true, 'the clock kept running in an empty mesh');
  assert.equal(status.speed, 100);
  assert.ok(status.tick >= 1);
  // And it stays paused with a connection back (no auto-resume in §5.8).
  await assert.rejects(q.next((f) => isTick(f), 1000), /no matching frame/);
  await q.close();
});
