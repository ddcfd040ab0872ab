'use strict';
// `nexus remind MESSAGE --in|--at|--cron [--to]`, `nexus remind list|cancel`
// (issue 6 item 3) against the node's real scheduler (§5.6, deviation 21) on
// a real PostgreSQL: a reminder to oneself arrives in a running
// `nexus inbox --wait` with subtype "reminder"; list shows pending entries
// exactly; cancel removes one and a second cancel is "not found" (exit 4).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startCliMesh } = require('./lib/cli_mesh');
const { spawnCli, runCli, cliOk, waitFor, cliConnected } = require('./lib/nexus_cli');

let env, ann, ben;

const listIds = async (who) => (await cliOk(who.home, ['remind', 'list', '--json'])).json.reminders;

before(async () => {
  env = await startCliMesh({ meshName: 'remind-team', names: ['ann', 'ben'] });
  ({ people: { ann, ben } } = env);
});

after(async () => {
  if (env) await env.stop();
});

test('a reminder to oneself arrives in a running inbox --wait, marked as a reminder', async () => {
  const waiting = spawnCli(ann.home, ['inbox', '--wait', '25', '--json']);
  await waitFor(() => cliConnected(ben, waiting.child.pid), 15000, 'ann\'s inbox --wait to connect');
  const before = Date.now();
  const set = await cliOk(ann.home, ['remind', 'stretch your legs', '--in', '2s', '--json']);
  assert.equal(set.json.schema_version, 1);
  assert.match(set.json.id, /\S/);
  assert.equal(set.json.to, ann.pubkey);
  assert.equal(set.json.cron, undefined);
  const due = Date.parse(set.json.deliverAt);
  assert.ok(due >= before + 2000 - 50 && due <= Date.now() + 2000 + 50, set.stdout);

  const got = await waiting.done;
  assert.equal(got.code, 0, got.stderr);
  assert.deepEqual(got.json.messages.map((m) => [m.text, m.subtype, m.fromMemberPubkey]),
    [['stretch your legs', 'reminder', ann.pubkey]]);
  // Fired and gone: nothing of ann's is pending any more.
  assert.deepEqual(await listIds(ann), []);
});

test('remind list shows --at, --cron and --to entries; cancel removes exactly one', async () => {
  // 30 days ahead (schedule_ahead_max_ms allows 366), whole seconds.
  const at = new Date(Math.ceil((Date.now() + 30 * 86400000) / 1000) * 1000).toISOString();
  const once = await cliOk(ann.home, ['remind', 'pay the bill', '--at', at, '--json']);
  assert.equal(once.json.deliverAt, at);
  const weekly = await cliOk(ann.home, ['remind', 'stand-up', '--cron', '0 9 * * 1-5', '--json']);
  assert.equal(weekly.json.cron, '0 9 * * 1-5');
  const forBen = await cliOk(ann.home, ['remind', 'review my branch', '--in', '1h', '--to', ben.pubkey, '--json']);
  assert.equal(forBen.json.to, ben.pubkey);

  const rows = (await listIds(ann)).map((r) => [r.id, r.to, r.message, r.cron ?? null]);
  assert.deepEqual(rows.sort(), [
    [once.json.id, ann.pubkey, 'pay the bill', null],
    [weekly.json.id, ann.pubkey, 'stand-up', '0 9 * * 1-5'],
    [forBen.json.id, ben.pubkey, 'review my branch', null],
  ].sort());
  assert.equal((await listIds(ann)).find((r) => r.id === once.json.id).deliverAt, at);
  // Ben sees only his own entries (none): list acts on the caller's.
  assert.deepEqual(await listIds(ben), []);
  // Nor can he cancel ann's.
  assert.equal((await runCli(ben.home, ['remind', 'cancel', weekly.json.id])).code, 4);

  const cancelled = await cliOk(ann.home, ['remind', 'cancel', weekly.json.id, '--json']);
  assert.deepEqual([cancelled.json.id, cancelled.json.cancelled], [weekly.json.id, true]);
  assert.deepEqual((await listIds(ann)).map((r) => r.id).sort(), [once.json.id, forBen.json.id].sort());
  const again = await runCli(ann.home, ['remind', 'cancel', weekly.json.id]);
  assert.equal(again.code, 4, again.stderr);
  assert.match(again.stderr, /no reminder/);

  const human = await cliOk(ann.home, ['remind', 'list']);
  assert.match(human.stdout, /pay the bill/);
  assert.doesNotMatch(human.stdout, /stand-up/);
});

test('remind refuses two times, no time, a bad duration and a bad cron; nothing is stored', async () => {
  assert.equal((await runCli(ann.home, ['remind', 'x', '--in', '1m', '--at', '2099-01-01T00:00:00Z'])).code, 2);
  assert.equal((await runCli(ann.home, ['remind', 'x', '--in', 'soon'])).code, 2);
  assert.equal((await runCli(ann.home, ['remind', 'x'])).code, 2);
  const badCron = await runCli(ann.home, ['remind', 'x', '--cron', '61 * * * *']);
  assert.notEqual(badCron.code, 0);
  assert.match(badCron.stderr, /invalid_cron|cron/);
  // None of these left an entry behind.
  const ids = (await listIds(ann)).map((r) => r.message);
  assert.ok(!ids.includes('x'), JSON.stringify(ids));
});
