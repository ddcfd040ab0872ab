'use strict';
// §5.1–§5.4 over real WebSockets against nexusd on a real PostgreSQL: shared
// state (state_change to the other connections only, never a state_result
// for set_state, JSON null stored as null, missing keys), memory (ts_rank
// order, tags searchable, forgotten rows never returned, memoryId), the task
// board (filters, atomic claims under 20 concurrent connections, the spec's
// error codes) and contexts (one row per member, search, list). Every reply
// is matched by its echoed _reqId; every wait has a deadline.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const mc = require('./lib/claudemesh_crypto');
const { WsPeer } = require('./lib/ws_peer');
const { startMeshEnv } = require('./lib/mesh_env');

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
let env, alice, bob;
let reqCounter = 0;

before(async () => {
  env = await startMeshEnv({ meshName: 'collab' });
  alice = env.addMember('alice');
  bob = env.addMember('bob');
});

after(async () => { if (env) await env.stop(); });

/** A fresh session of `who` (per-session display name override, so the
 * tests can tell it from the member's name the spec wants). */
async function session(who) {
  const { peer, ack } = await env.connect(who,
    { session: mc.randomKeypair(), displayName: `${who.name}-laptop` });
  return Object.assign(peer, { presenceId: ack.presenceId });
}

/** Sends `frame` with a fresh _reqId; resolves the reply of `type` (or an
 * error) that echoes it. */
function ask(peer, frame, type) {
  const reqId = `${frame.type}-${++reqCounter}`;
  return peer.request({ ...frame, _reqId: reqId },
    (f) => (f.type === type || f.type === 'error') && f._reqId === reqId);
}

/** Frames of `types` this peer received and no next() took. */
const leftover = (peer, ...types) => peer.frames.map((f) => f.json).filter((f) => types.includes(f.type));

test('§5.1 shared state: set/get/list, state_change to the others only, null stored as null', async () => {
  const a = await session(alice);
  const a2 = await session(alice);   // the setter's sibling session gets it too
  const b = await session(bob);

  const changeAt = (peer, key) => peer.next((f) => f.type === 'state_change' && f.key === key);
  let seenB = changeAt(b, 'build'), seenA2 = changeAt(a2, 'build');
  a.send({ type: 'set_state', key: 'build', value: 'passing', _reqId: 'set-1' });
  const expected = { type: 'state_change', key: 'build', value: 'passing', updatedBy: 'alice' };
  assert.deepEqual(await seenB, expected);
  assert.deepEqual(await seenA2, expected);

  const got = await ask(a, { type: 'get_state', key: 'build' }, 'state_result');
  assert.equal(got.type, 'state_result');
  assert.equal(got.key, 'build');
  assert.equal(got.value, 'passing');
  assert.equal(got.updatedBy, 'alice');
  assert.match(got.updatedAt, ISO);
  // The setter got neither its own state_change nor any state_result but the one it asked for.
  assert.deepEqual(leftover(a, 'state_change', 'state_result', 'error'), []);
  assert.equal(a.seen.filter((t) => JSON.parse(t).type === 'state_result').length, 1);

  // Arbitrary JSON survives the round trip, key order included.
  const value = { z: 1, a: [true, { x: null, y: 'ü' }], n: -2.5 };
  seenB = changeAt(b, 'cfg');
  a.send({ type: 'set_state', key: 'cfg', value });
  assert.equal(JSON.stringify((await seenB).value), JSON.stringify(value));
  const cfg = await ask(b, { type: 'get_state', key: 'cfg' }, 'state_result');
  assert.equal(JSON.stringify(cfg.value), JSON.stringify(value));

  // Deviation 36: null (and a missing value) are stored as JSON null, and a
  // later set overwrites the row (bob is now the writer).
  seenB = changeAt(a, 'build');
  b.send({ type: 'set_state', key: 'build', value: null });
  assert.deepEqual(await seenB, { type: 'state_change', key: 'build', value: null, updatedBy: 'bob' });
  const seenMissing = changeAt(a, 'novalue');
  b.send({ type: 'set_state', key: 'novalue' });
  assert.equal((await seenMissing).value, null);
  assert.equal(env.sql("SELECT value::text || '|' || updated_by_name FROM nexus.state WHERE key = 'build'"),
    'null|bob');
  assert.equal(env.sql("SELECT value::text FROM nexus.state WHERE key = 'novalue'"), 'null');
  const nulled = await ask(a, { type: 'get_state', key: 'build' }, 'state_result');
  assert.equal(nulled.value, null);
  assert.equal(nulled.updatedBy, 'bob');
  assert.match(nulled.updatedAt, ISO);

  // A key never set: the requested key, value null, empty strings.
  const missing = await ask(b, { type: 'get_state', key: 'nope' }, 'state_result');
  assert.deepEqual(missing, { type: 'state_result', key: 'nope', value: null, updatedBy: '', updatedAt: '',
    _reqId: missing._reqId });

  const list = await ask(a2, { type: 'list_state' }, 'state_list');
  assert.deepEqual(list.entries.map((e) => [e.key, e.value, e.updatedBy]),
    [['build', null, 'bob'], ['cfg', value, 'alice'], ['novalue', null, 'bob']]);
  for (const e of list.entries) assert.match(e.updatedAt, ISO);

  const bad = await ask(a, { type: 'set_state', key: 7, value: 1 }, 'never');
  assert.equal(bad.code, 'invalid_frame');
  assert.match(bad.message, /set_state: key must be a string/);
  assert.equal(env.sql('SELECT count(*) FROM nexus.state'), '3');
  assert.deepEqual(leftover(a, 'state_change', 'state_result'), []);
  for (const p of [a, a2, b]) await p.close();
});

test('§5.2 memory: remember/recall ranked by ts_rank, tags searchable, forget', async () => {
  const a = await session(alice);
  const b = await session(bob);
  const remember = async (content, tags) => {
    const r = await ask(a, { type: 'remember', content, ...(tags ? { tags } : {}) }, 'memory_stored');
    assert.equal(r.type, 'memory_stored');
    assert.match(r.id, /^[0-9A-Za-z]{32}$/);
    assert.equal(r.memoryId, r.id);          // deviation 28
    return r.id;
  };
  const recall = async (peer, query) => {
    const r = await ask(peer, { type: 'recall', query }, 'memory_results');
    assert.equal(r.type, 'memory_results');
    return r.memories;
  };
  const weak = await remember('Lunch notes: pizza on Friday, and the deploy is after lunch', ['food']);
  const strong = await remember('Deploy checklist: deploy the API, then deploy the workers', ['ops']);
  const tagged = await remember('Cluster upgrade plan for next quarter', ['kubernetes', 'infra']);
  await remember('Unrelated note about coffee');

  // Better match (three occurrences) first; stemming finds "deploying" too.
  const hits = await recall(b, 'deploying');
  assert.deepEqual(hits.map((m) => m.id), [strong, weak]);
  assert.deepEqual(Object.keys(hits[0]).sort(), ['content', 'id', 'rememberedAt', 'rememberedBy', 'tags']);
  assert.equal(hits[0].content, 'Deploy checklist: deploy the API, then deploy the workers');
  assert.deepEqual(hits[0].tags, ['ops']);
  assert.equal(hits[0].rememberedBy, 'alice');
  assert.match(hits[0].rememberedAt, ISO);

  // A word only in the tags finds the memory; no match → empty list.
  assert.deepEqual((await recall(a, 'kubernetes')).map((m) => m.id), [tagged]);
  assert.deepEqual((await recall(a, 'zebra')), []);

  // forget: an ack echoing the id; the row is soft-deleted and never returned again.
  const ack = await ask(a, { type: 'forget', memoryId: strong }, 'ack');
  assert.deepEqual(ack, { type: 'ack', id: strong, messageId: strong, queued: false, _reqId: ack._reqId });
  assert.deepEqual((await recall(b, 'deploy')).map((m) => m.id), [weak]);
  assert.equal(env.sql(`SELECT forgotten_at IS NOT NULL FROM nexus.memory WHERE id = '${strong}'`), 't');
  // Unknown ids are acknowledged too (§5.2).
  const unknown = await ask(b, { type: 'forget', memoryId: 'no-such-memory' }, 'ack');
  assert.equal(unknown.id, 'no-such-memory');
  assert.equal(unknown.queued, false);

  const bad = await ask(a, { type: 'remember', tags: ['x'] }, 'never');
  assert.equal(bad.code, 'invalid_frame');
  assert.match(bad.message, /remember: content must be a string/);
  await a.close();
  await b.close();
});

test('§5.3 tasks: create, list with filters, claim, complete, error codes', async () => {
  const a = await session(alice);
  const b = await session(bob);
  const created = await ask(a, { type: 'create_task', title: 'Fix CI', assignee: 'bob', tags: ['ci'] },
    'task_created');
  assert.deepEqual(Object.keys(created).sort(), ['_reqId', 'id', 'type']);
  const fix = created.id;
  const docs = (await ask(b, { type: 'create_task', title: 'Write docs', priority: 'high' }, 'task_created')).id;

  const all = await ask(a, { type: 'list_tasks' }, 'task_list');
  assert.deepEqual(all.tasks.map((t) => t.id), [docs, fix]);     // newest first
  const t = all.tasks[1];
  assert.deepEqual({ ...t, createdAt: 'x' }, { id: fix, title: 'Fix CI', assignee: 'bob', claimedBy: null,
    status: 'open', priority: 'normal', createdBy: 'alice', tags: ['ci'], createdAt: 'x' });
  assert.match(t.createdAt, ISO);
  assert.equal(all.tasks[0].priority, 'high');
  assert.equal(all.tasks[0].assignee, null);
  assert.equal(all.tasks[0].createdBy, 'bob');

  const filtered = async (filters) =>
    (await ask(a, { type: 'list_tasks', ...filters }, 'task_list')).tasks.map((x) => x.id);
  assert.deepEqual(await filtered({ assignee: 'bob' }), [fix]);
  assert.deepEqual(await filtered({ status: 'open', assignee: 'bob' }), [fix]);
  assert.deepEqual(await filtered({ status: 'claimed' }), []);

  const claimed = await ask(b, { type: 'claim_task', taskId: fix }, 'task_list');
  assert.equal(claimed.type, 'task_list');
  const after = claimed.tasks.find((x) => x.id === fix);
  assert.equal(after.status, 'claimed');
  assert.equal(after.claimedBy, 'bob');
  assert.equal(claimed.tasks.length, 2);                          // all tasks, no filters
  assert.equal(env.sql(`SELECT claimed_by_presence FROM nexus.task WHERE id = '${fix}'`), b.presenceId);

  const again = await ask(a, { type: 'claim_task', taskId: fix }, 'task_list');
  assert.deepEqual(again, { type: 'error', code: 'task_not_claimable',
    message: 'task is not open or does not exist', _reqId: again._reqId });
  const nothing = await ask(a, { type: 'claim_task', taskId: 'no-such-task' }, 'task_list');
  assert.equal(nothing.code, 'task_not_claimable');
  assert.deepEqual(await filtered({ status: 'claimed' }), [fix]);

  const done = await ask(b, { type: 'complete_task', taskId: fix, result: 'green again' }, 'task_list');
  const finished = done.tasks.find((x) => x.id === fix);
  assert.equal(finished.status, 'done');
  assert.equal(finished.result, 'green again');
  assert.match(env.sql(`SELECT completed_at IS NOT NULL FROM nexus.task WHERE id = '${fix}'`), /^t$/);
  // Any status may be completed (§5.3): an open task too.
  assert.equal((await ask(a, { type: 'complete_task', taskId: docs }, 'task_list')).tasks[0].status, 'done');

  const unknown = await ask(a, { type: 'complete_task', taskId: 'no-such-task' }, 'task_list');
  assert.deepEqual(unknown, { type: 'error', code: 'task_not_found', message: 'task not found in this mesh',
    _reqId: unknown._reqId });
  const bad = await ask(a, { type: 'create_task', title: 'x', tags: 'ci' }, 'task_created');
  assert.equal(bad.code, 'invalid_frame');
  assert.match(bad.message, /create_task: tags must be an array of strings/);
  await a.close();
  await b.close();
});

test('§5.3 claim is atomic: 20 concurrent claims from 20 connections, exactly one wins', async () => {
  const owner = await session(alice);
  const task = (await ask(owner, { type: 'create_task', title: 'Race me' }, 'task_created')).id;
  const peers = [];
  for (let i = 0; i < 20; i++) peers.push(await session(i % 2 ? bob : alice));
  const replies = await Promise.all(peers.map((p, i) => p.request(
    { type: 'claim_task', taskId: task, _reqId: `race-${i}` },
    (f) => (f.type === 'task_list' || f.type === 'error') && f._reqId === `race-${i}`, 10000)));
  const winners = replies.map((r, i) => [r, i]).filter(([r]) => r.type === 'task_list');
  assert.equal(winners.length, 1, JSON.stringify(replies.map((r) => r.type)));
  const losers = replies.filter((r) => r.type === 'error');
  assert.equal(losers.length, 19);
  for (const r of losers) assert.equal(r.code, 'task_not_claimable');
  const [[win, index]] = winners;
  assert.equal(win.tasks.find((x) => x.id === task).status, 'claimed');
  assert.equal(env.sql(`SELECT claimed_by_presence FROM nexus.task WHERE id = '${task}'`),
    peers[index].presenceId);
  for (const p of [owner, ...peers]) await p.close();
});

test('§5.4 contexts: one row per member, state_change to others, search, list', async () => {
  const a = await session(alice);
  const a2 = await session(alice);
  const b = await session(bob);
  const share = async (peer, ctx) => {
    const reqId = `share-${++reqCounter}`;
    peer.send({ type: 'share_context', ...ctx, _reqId: reqId });
    const r = await peer.next('context_shared');
    assert.equal(r._reqId, undefined);                  // §12: context_shared never echoes
    assert.deepEqual(Object.keys(r).sort(), ['id', 'type']);
    return r.id;
  };
  const seen = b.next((f) => f.type === 'state_change' && f.key === '_context:alice');
  const first = await share(a, { summary: 'Refactoring the Auth module', filesRead: ['auth.ts'],
    keyFindings: ['tokens leak'], tags: ['auth'] });
  assert.deepEqual(await seen, { type: 'state_change', key: '_context:alice',
    value: 'Refactoring the Auth module', updatedBy: 'alice' });

  // A second share of the same member (another session) updates the one row.
  const second = await share(a2, { summary: 'Auth module: writing tests', filesRead: ['auth.test.ts'],
    keyFindings: [], tags: ['auth', 'tests'] });
  assert.equal(second, first);
  assert.equal(env.sql(`SELECT count(*) FROM nexus.context WHERE member_id = '${alice.memberId}'`), '1');
  await share(b, { summary: 'Writing the manual', tags: ['docs'] });

  const search = async (query) => {
    const r = await ask(b, { type: 'get_context', query }, 'context_results');
    assert.equal(r.type, 'context_results');
    return r.contexts;
  };
  const auth = await search('AUTH MODULE');                       // case-insensitive substring
  assert.equal(auth.length, 1);
  assert.deepEqual({ ...auth[0], updatedAt: 'x' }, { peerName: 'alice', summary: 'Auth module: writing tests',
    filesRead: ['auth.test.ts'], keyFindings: [], tags: ['auth', 'tests'], updatedAt: 'x' });
  assert.match(auth[0].updatedAt, ISO);
  assert.deepEqual((await search('docs')).map((c) => c.peerName), ['bob']);   // exact tag
  assert.deepEqual((await search('doc')), []);                                // tags match whole
  assert.deepEqual((await search('')).map((c) => c.peerName), ['bob', 'alice']);

  const list = await ask(a, { type: 'list_contexts' }, 'context_list');
  assert.deepEqual(list.contexts.map((c) => Object.keys(c).sort()),
    [['peerName', 'summary', 'tags', 'updatedAt'], ['peerName', 'summary', 'tags', 'updatedAt']]);
  assert.deepEqual(list.contexts.map((c) => [c.peerName, c.summary]),
    [['bob', 'Writing the manual'], ['alice', 'Auth module: writing tests']]);
  // Each session got the others' shares (its sibling's too), never its own:
  // the mesh sends in order, so an own change would sit before these.
  const change = (peer, value) => peer.next((f) => f.type === 'state_change' && f.value === value);
  await change(a, 'Auth module: writing tests');
  await change(a, 'Writing the manual');
  await change(a2, 'Refactoring the Auth module');
  assert.equal((await change(a2, 'Writing the manual')).key, '_context:bob');
  assert.deepEqual(leftover(a, 'state_change'), []);
  assert.deepEqual(leftover(a2, 'state_change'), []);
  for (const p of [a, a2, b]) await p.close();
});

test('every area is scoped to the caller\'s mesh', async () => {
  const otherMesh = env.nexusd(['mesh', 'create', '--name', 'other']).id;
  const eve = { name: 'eve', member: mc.keypairFromSeed(new Uint8Array(32).fill(99)) };
  eve.memberId = env.nexusd(['member', 'add', '--mesh', otherMesh, '--pubkey', eve.member.publicKey,
    '--name', 'eve']).id;
  const e = await WsPeer.connect(env.node.wsUrl);
  e.send(mc.buildHello({ meshId: otherMesh, memberId: eve.memberId, member: eve.member,
    session: mc.randomKeypair() }));
  await e.next('hello_ack');
  const a = await session(alice);
  const task = (await ask(a, { type: 'create_task', title: 'Mine' }, 'task_created')).id;
  await ask(a, { type: 'remember', content: 'secret plans of the collab mesh' }, 'memory_stored');

  assert.deepEqual((await ask(e, { type: 'list_state' }, 'state_list')).entries, []);
  assert.equal((await ask(e, { type: 'get_state', key: 'build' }, 'state_result')).updatedBy, '');
  assert.deepEqual((await ask(e, { type: 'recall', query: 'secret plans' }, 'memory_results')).memories, []);
  assert.equal((await ask(e, { type: 'claim_task', taskId: task }, 'task_list')).code, 'task_not_claimable');
  assert.equal((await ask(e, { type: 'complete_task', taskId: task }, 'task_list')).code, 'task_not_found');
  assert.deepEqual((await ask(e, { type: 'list_tasks' }, 'task_list')).tasks, []);
  assert.deepEqual((await ask(e, { type: 'list_contexts' }, 'context_list')).contexts, []);
  assert.equal(env.sql(`SELECT status FROM nexus.task WHERE id = '${task}'`), 'open');
  // A set_state in the other mesh reaches nobody here.
  e.send({ type: 'set_state', key: 'foreign', value: 1 });
  await ask(e, { type: 'list_state' }, 'state_list');             // barrier: the set committed
  assert.equal((await ask(a, { type: 'get_state', key: 'foreign' }, 'state_result')).value, null);
  assert.deepEqual(leftover(a, 'state_change'), []);
  await e.close();
  await a.close();
});
