'use strict';
// Every result cap and bound of the collaboration areas is a config key
// (issue 5 item 2), tested here at its edge on one node started with small
// values: recall_results_max, task_list_max (list_tasks and the claim
// reply), context_search_results_max, clock_speed_min / clock_speed_max,
// audit_query_limit_max, schedules_per_member_max (error `limit`, freed by
// a cancel), scheduled_list_max and schedule_ahead_max_ms. The defaults —
// the spec's 20, 100, 20, [1, 100], 500 — are checked by the unit tests.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const mc = require('./lib/claudemesh_crypto');
const { startMeshEnv } = require('./lib/mesh_env');

const AHEAD_MS = 60000;
let env, alice, bob;
let reqCounter = 0;

before(async () => {
  env = await startMeshEnv({
    meshName: 'bounds',
    args: ['--recall-results-max', '2', '--task-list-max', '2', '--context-search-results-max', '1',
      '--clock-speed-min', '2', '--clock-speed-max', '5', '--audit-query-limit-max', '3',
      '--schedules-per-member-max', '2', '--scheduled-list-max', '1',
      '--schedule-ahead-max-ms', String(AHEAD_MS)],
  });
  alice = env.addMember('alice');
  bob = env.addMember('bob');
});

after(async () => { if (env) await env.stop(); });

async function session(who) {
  const { peer } = await env.connect(who, { session: mc.randomKeypair() });
  return peer;
}

function ask(peer, frame, type) {
  const reqId = `${frame.type}-${++reqCounter}`;
  return peer.request({ ...frame, _reqId: reqId },
    (f) => (f.type === type || f.type === 'error') && f._reqId === reqId);
}

test('recall, list_tasks / claim_task and get_context return at most their configured caps', async () => {
  const a = await session(alice);
  const b = await session(bob);
  for (const n of [1, 2, 3])
    await ask(a, { type: 'remember', content: `alpha note ${n}` }, 'memory_stored');
  assert.equal((await ask(a, { type: 'recall', query: 'alpha' }, 'memory_results')).memories.length, 2);

  const ids = [];
  for (const n of [1, 2, 3])
    ids.push((await ask(a, { type: 'create_task', title: `task ${n}` }, 'task_created')).id);
  const listed = await ask(a, { type: 'list_tasks' }, 'task_list');
  assert.deepEqual(listed.tasks.map((t) => t.title), ['task 3', 'task 2']); // newest first, two
  const claimed = await ask(a, { type: 'claim_task', taskId: ids[0] }, 'task_list');
  assert.equal(claimed.tasks.length, 2);

  for (const [peer, who] of [[a, 'alice'], [b, 'bob']]) // context_shared echoes no _reqId (§12)
    await peer.request({ type: 'share_context', summary: `beta work by ${who}` }, 'context_shared');
  assert.equal((await ask(a, { type: 'get_context', query: 'beta' }, 'context_results')).contexts.length, 1);
  assert.equal((await ask(a, { type: 'list_contexts' }, 'context_list')).contexts.length, 2); // uncapped (§5.4)
  await a.close(); await b.close();
});

test('set_clock clamps to [clock_speed_min, clock_speed_max]', async () => {
  const a = await session(alice);
  const speed = async (s) => (await ask(a, { type: 'set_clock', speed: s }, 'clock_status')).speed;
  assert.equal(await speed(1), 2);
  assert.equal(await speed(2), 2);
  assert.equal(await speed(3), 3);
  assert.equal(await speed(5), 5);
  assert.equal(await speed(50), 5);
  assert.equal(await speed('nonsense'), 2); // not a positive number: 1, then clamped
  await ask(a, { type: 'pause_clock' }, 'clock_status');
  await a.close();
});

test('audit_query returns at most audit_query_limit_max entries', async () => {
  const a = await session(alice);
  const r = await ask(a, { type: 'audit_query', limit: 100 }, 'audit_result');
  assert.ok(r.total > 3, `only ${r.total} entries`);
  assert.equal(r.entries.length, 3);
  assert.equal((await ask(a, { type: 'audit_query', limit: 2 }, 'audit_result')).entries.length, 2);
  await a.close();
});

test('schedules: per-member cap (error limit, freed by cancel), list cap, how far ahead', async () => {
  const a = await session(alice);
  const b = await session(bob);
  const schedule = (peer, frame) =>
    ask(peer, { type: 'schedule', to: '*', message: 'm', ...frame }, 'scheduled_ack');

  const tooFar = await schedule(a, { deliverAt: Date.now() + AHEAD_MS + 5000 });
  assert.deepEqual([tooFar.type, tooFar.code], ['error', 'invalid_argument']);
  assert.equal((await schedule(a, { delayMs: AHEAD_MS + 1 })).code, 'invalid_argument');
  const first = await schedule(a, { delayMs: AHEAD_MS }); // the edge itself is allowed
  assert.equal(first.type, 'scheduled_ack');
  // Daily at an hour 12 h from now: later than `first`, and it cannot fire
  // during the test (Jan 1 00:00 could, once a year, and come before `first`).
  const cron = `0 ${(new Date().getUTCHours() + 12) % 24} * * *`;
  const second = await schedule(a, { deliverAt: 0, cron });
  assert.equal(second.type, 'scheduled_ack');
  const third = await schedule(a, { delayMs: 1000 });
  assert.deepEqual([third.type, third.code], ['error', 'limit']);
  assert.equal((await schedule(b, { deliverAt: 0, cron })).type, 'scheduled_ack'); // bob's own count

  const list = await ask(a, { type: 'list_scheduled' }, 'scheduled_list');
  assert.deepEqual(list.messages.map((m) => m.id), [first.scheduledId]); // one, the earliest

  await ask(a, { type: 'cancel_scheduled', scheduledId: second.scheduledId }, 'cancel_scheduled_ack');
  assert.equal((await schedule(a, { deliverAt: 0, cron })).type, 'scheduled_ack');
  await a.close(); await b.close();
});
