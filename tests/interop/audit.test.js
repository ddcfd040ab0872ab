'use strict';
// §8 / §5.20 over real WebSockets against nexusd on a real PostgreSQL: every
// mutation appends to the mesh's hash chain in order (joins, sends,
// collaboration writes, stream creation, eviction), failed or no-op
// mutations append nothing, no message content reaches the audit rows,
// audit_query pages and filters newest first, audit_verify accepts the
// untouched chain, and after one row's payload is edited with SQL it names
// exactly that row. The first link is also recomputed here in JavaScript,
// independently of the broker. Every wait has a deadline.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const { startMeshEnv, sendAndAck, isSystem } = require('./lib/mesh_env');

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const SECRET = 'TOP-SECRET-PLAINTEXT-7f3a';
const NOTE = 'SECRET-MEMORY-NOTE-91c2';
let env, alice, bob;
let reqCounter = 0;

before(async () => {
  // Grace 0: a closed socket is evicted at once (peer_left audited now).
  env = await startMeshEnv({ meshName: 'audit', args: ['--presence-grace-ms', '0'] });
  alice = env.addMember('alice');
  bob = env.addMember('bob');
});

after(async () => { if (env) await env.stop(); });

function ask(peer, frame, type) {
  const reqId = `${frame.type}-${++reqCounter}`;
  return peer.request({ ...frame, _reqId: reqId },
    (f) => (f.type === type || f.type === 'error') && f._reqId === reqId);
}

/** §8 canonical_json, written from the spec (not from the broker's code). */
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** audit_query until `total` reaches `n` (appends of other actors land
 * asynchronously), within a deadline. */
async function queryUntil(peer, n, frame = {}) {
  const deadline = Date.now() + 10000;
  for (;;) {
    const r = await ask(peer, { type: 'audit_query', limit: 100, ...frame }, 'audit_result');
    assert.equal(r.type, 'audit_result', JSON.stringify(r));
    if (r.total >= n || Date.now() > deadline) return r;
    await new Promise((res) => setTimeout(res, 50)); // polling a condition, bounded above
  }
}

const EXPECTED = [
  'peer_joined', 'peer_joined', 'state_set', 'message_sent', 'message_sent', 'memory_stored',
  'memory_forgotten', 'task_created', 'task_claimed', 'task_completed', 'context_shared',
  'stream_created', 'peer_left',
];
let stateSetId;

test('§8 every mutation appends in order, no-ops append nothing, no content is logged', async () => {
  const a = (await env.connect(alice, { displayName: 'alice-laptop' })).peer;
  const b = (await env.connect(bob)).peer;
  const bobSession = bob.session.publicKey;

  const change = b.next((f) => f.type === 'state_change' && f.key === 'k');
  a.send({ type: 'set_state', key: 'k', value: { b: 1, a: 'x' } });
  await change;

  const nonce = crypto.randomBytes(24).toString('base64');
  const ciphertext = Buffer.from(SECRET).toString('base64');
  assert.equal((await sendAndAck(a, { id: 'm1', targetSpec: '*', nonce, ciphertext })).queued, true);
  const dm = Buffer.from(`${SECRET}-dm`).toString('base64');
  assert.equal((await sendAndAck(a, { id: 'm2', targetSpec: bobSession, nonce, ciphertext: dm,
    priority: 'now' })).queued, true);

  const mem = await ask(a, { type: 'remember', content: NOTE, tags: ['t1'] }, 'memory_stored');
  await ask(a, { type: 'forget', memoryId: mem.memoryId }, 'ack');
  await ask(a, { type: 'forget', memoryId: mem.memoryId }, 'ack');          // already forgotten: no entry
  const task = await ask(a, { type: 'create_task', title: 'ship it' }, 'task_created');
  await ask(a, { type: 'claim_task', taskId: task.id }, 'task_list');
  const second = await ask(b, { type: 'claim_task', taskId: task.id }, 'task_list');
  assert.equal(second.code, 'task_not_claimable');                          // failed claim: no entry
  await ask(a, { type: 'complete_task', taskId: task.id, result: 'done' }, 'task_list');
  await ask(a, { type: 'complete_task', taskId: 'nope' }, 'task_list');     // not found: no entry
  const shared = a.next((f) => f.type === 'context_shared');
  a.send({ type: 'share_context', summary: 'ctx summary', tags: ['c'] });
  await shared;
  await ask(a, { type: 'create_stream', name: 'logs' }, 'stream_created');
  await ask(b, { type: 'create_stream', name: 'logs' }, 'stream_created');  // exists: no entry

  const left = a.next(isSystem('peer_left'));
  await b.close();
  await left;

  const r = await queryUntil(a, EXPECTED.length);
  assert.equal(r.total, EXPECTED.length);
  assert.deepEqual(r.entries.map((e) => e.eventType), [...EXPECTED].reverse()); // newest first
  for (let i = 1; i < r.entries.length; ++i) assert.ok(r.entries[i].id < r.entries[i - 1].id);
  for (const e of r.entries) {
    assert.match(e.createdAt, ISO);
    assert.match(e.hash, /^[0-9a-f]{64}$/);
  }
  const byType = (t) => r.entries.filter((e) => e.eventType === t);
  const [leftEntry] = byType('peer_left');
  assert.equal(leftEntry.actor, 'bob');
  assert.deepEqual(leftEntry.payload, {});
  const [aliceJoin, bobJoin] = byType('peer_joined').reverse();
  assert.equal(aliceJoin.actor, 'alice-laptop');  // the connection's display name
  assert.deepEqual(aliceJoin.payload,
    { pubkey: alice.member.publicKey, groups: [], restored: false, role: 'control-plane' });
  assert.equal(bobJoin.actor, 'bob');
  const [stateSet] = byType('state_set');
  stateSetId = stateSet.id;
  assert.deepEqual(stateSet.payload, { key: 'k', value: { a: 'x', b: 1 } });
  assert.deepEqual(byType('message_sent').map((e) => e.payload).reverse(),
    [{ targetSpec: '*', priority: 'next' }, { targetSpec: bobSession, priority: 'now' }]);
  assert.deepEqual(byType('memory_stored')[0].payload, { memoryId: mem.memoryId, tags: ['t1'] });
  assert.deepEqual(byType('task_claimed')[0].payload, { taskId: task.id });
  assert.deepEqual(byType('stream_created')[0].payload, { name: 'logs' });

  // No message content (nor the memory note) in any column of any row.
  const dump = env.sql('SELECT string_agg(a::text, E\'\\n\') FROM nexus.audit_log a');
  assert.ok(dump.includes('message_sent'));
  for (const secret of [ciphertext, dm, nonce, SECRET, NOTE])
    assert.ok(!dump.includes(secret), `audit rows contain ${secret}`);

  // The first link, recomputed here from the spec: genesis|mesh|event|actor|payload|iso.
  const [id, prev, hash, iso] = env.sql(
    `SELECT id, prev_hash, hash, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') ` +
    `FROM nexus.audit_log WHERE mesh_id = '${env.meshId}' ORDER BY id LIMIT 1`).split('|');
  assert.equal(Number(id), aliceJoin.id);
  assert.equal(prev, 'genesis');
  const input = `genesis|${env.meshId}|peer_joined|${alice.memberId}|${canonical(aliceJoin.payload)}|${iso}`;
  assert.equal(hash, crypto.createHash('sha256').update(input, 'utf8').digest('hex'));
  assert.equal(aliceJoin.hash, hash);
  await a.close();
});

test('§5.20 audit_query filters by eventType and pages with limit/offset', async () => {
  const a = (await env.connect(alice)).peer;
  const sent = await ask(a, { type: 'audit_query', eventType: 'message_sent' }, 'audit_result');
  assert.equal(sent.total, 2);
  assert.deepEqual(sent.entries.map((e) => e.eventType), ['message_sent', 'message_sent']);
  // + the first test's closing peer_left and this connection's peer_joined
  const all = await queryUntil(a, EXPECTED.length + 2);
  assert.equal(all.total, EXPECTED.length + 2);
  assert.deepEqual(all.entries.slice(0, 2).map((e) => e.eventType), ['peer_joined', 'peer_left']);
  const page = await ask(a, { type: 'audit_query', limit: 2, offset: 1 }, 'audit_result');
  assert.equal(page.total, all.total);
  assert.deepEqual(page.entries.map((e) => e.id), all.entries.slice(1, 3).map((e) => e.id));
  const bad = await ask(a, { type: 'audit_query', limit: 'ten' }, 'audit_result');
  assert.equal(bad.type, 'error');
  assert.equal(bad.code, 'audit_query_error');
  await a.close();
});

test('§8 audit_verify: valid when untouched, then names exactly the edited row', async () => {
  const a = (await env.connect(alice)).peer;
  await queryUntil(a, EXPECTED.length + 4); // the last test's peer_left and this join have landed
  const count = () => Number(env.sql(`SELECT count(*) FROM nexus.audit_log WHERE mesh_id = '${env.meshId}'`));
  const total = count();
  assert.equal(total, EXPECTED.length + 4);
  const ok = await ask(a, { type: 'audit_verify' }, 'audit_verify_result');
  assert.deepEqual(ok, { type: 'audit_verify_result', valid: true, entries: total, _reqId: ok._reqId });

  assert.ok(stateSetId > 0);
  env.sql(`UPDATE nexus.audit_log SET payload = '{"key":"k","value":"forged"}' WHERE id = ${stateSetId}`);
  const broken = await ask(a, { type: 'audit_verify' }, 'audit_verify_result');
  assert.equal(broken.valid, false);
  assert.equal(broken.brokenAt, stateSetId);
  assert.equal(broken.entries, total);
  assert.equal(count(), total);
  await a.close();
});
