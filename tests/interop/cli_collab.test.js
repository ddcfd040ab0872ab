'use strict';
// The CLI's shared-area commands against a real nexusd: state, memory,
// tasks (one claimer wins), info, status and summary as others see them,
// verify (both sides compute the same number), completions, and --help
// that matches what parses.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startCliMesh } = require('./lib/cli_mesh');
const { cliOk, runCli } = require('./lib/nexus_cli');

let env, meshId, ann, ben;

before(async () => {
  env = await startCliMesh({ meshName: 'collab', names: ['ann', 'ben'], nodeArgs: ['--presence-grace-ms', '60000'] });
  ({ meshId, people: { ann, ben } } = env);
});

after(async () => {
  if (env) await env.stop();
});

test('state set/get/list: JSON values stay JSON, text becomes a string', async () => {
  await cliOk(ann.home, ['state', 'set', 'build', '{"ok":true,"n":3}']);
  await cliOk(ann.home, ['state', 'set', 'owner', 'ann on call']);
  const got = await cliOk(ben.home, ['state', 'get', 'build', '--json']);
  assert.deepEqual(got.json.entry.value, { ok: true, n: 3 });
  assert.equal(got.json.entry.updatedBy, 'ann');
  assert.equal((await cliOk(ben.home, ['state', 'get', 'owner'])).stdout, '"ann on call"\n');
  const list = await cliOk(ben.home, ['state', 'list', '--json']);
  assert.deepEqual(list.json.entries.map((e) => e.key), ['build', 'owner']);
  const missing = await runCli(ben.home, ['state', 'get', 'nope']);
  assert.equal(missing.code, 4);
});

test('remember, recall, forget', async () => {
  const id = (await cliOk(ann.home, ['remember', 'the staging database restarts nightly', '--tags', 'ops,db', '--json'])).json.id;
  const found = await cliOk(ben.home, ['recall', 'staging', '--json']);
  assert.deepEqual(found.json.memories.map((m) => [m.id, m.rememberedBy, m.tags]), [[id, 'ann', ['ops', 'db']]]);
  await cliOk(ben.home, ['forget', id]);
  assert.deepEqual((await cliOk(ann.home, ['recall', 'staging', '--json'])).json.memories, []);
});

test('tasks: create, one claimer wins, complete, list with a filter', async () => {
  const id = (await cliOk(ann.home, ['task', 'create', 'Fix CI', '--assignee', 'ben', '--json'])).json.id;
  await cliOk(ben.home, ['task', 'claim', id]);
  const second = await runCli(ann.home, ['task', 'claim', id]);
  assert.equal(second.code, 1);
  assert.match(second.stderr, /task_not_claimable/);
  await cliOk(ben.home, ['task', 'complete', id, '--result', 'green again']);
  const done = await cliOk(ann.home, ['task', 'list', '--status', 'done', '--json']);
  assert.deepEqual(done.json.tasks.map((t) => [t.id, t.status, t.claimedBy, t.result]), [[id, 'done', 'ben', 'green again']]);
  const unknown = await runCli(ann.home, ['task', 'complete', 'x'.repeat(32)]);
  assert.equal(unknown.code, 4);
});

test('status and summary are kept in the home and seen by others', async () => {
  await cliOk(ann.home, ['status', 'working']);
  await cliOk(ann.home, ['summary', 'fixing the build']);
  const peers = (await cliOk(ben.home, ['peers', '--json'])).json.peers.filter((p) => p.name === 'ann');
  const newest = peers.sort((a, b) => Date.parse(b.connectedAt) - Date.parse(a.connectedAt))[0];
  assert.equal(newest.status, 'working');
  assert.equal(newest.summary, 'fixing the build');
  assert.equal((await cliOk(ann.home, ['status', '--json'])).json.status, 'working');
  assert.equal((await runCli(ann.home, ['status', 'busy'])).code, 2);
  await cliOk(ann.home, ['status', 'idle']);
});

test('info, and verify giving both sides the same safety number', async () => {
  const info = await cliOk(ann.home, ['info', '--json']);
  assert.equal(info.json.meshId, meshId);
  assert.equal(info.json.yourName, 'ann');
  const a = await cliOk(ann.home, ['verify', 'ben', '--json']);
  const b = await cliOk(ben.home, ['verify', ann.pubkey.slice(0, 8), '--json']);
  assert.match(a.json.safetyNumber, /^(\d{5} ){11}\d{5}$/);
  assert.equal(a.json.safetyNumber, b.json.safetyNumber);
  assert.equal(a.json.theirPubkey, ben.pubkey);
});

test('completions and help come from the command table', async () => {
  const bash = await cliOk(ann.home, ['completions', 'bash']);
  assert.match(bash.stdout, /complete -F _nexus nexus/);
  for (const word of ['send', 'inbox', 'doctor', 'remind', 'task']) assert.ok(bash.stdout.includes(word), word);
  assert.match((await cliOk(ann.home, ['completions', 'zsh'])).stdout, /#compdef nexus/);
  assert.match((await cliOk(ann.home, ['completions', 'fish'])).stdout, /complete -c nexus/);
  assert.equal((await runCli(ann.home, ['completions', 'tcsh'])).code, 2);
  const help = await cliOk(ann.home, ['send', '--help']);
  assert.match(help.stdout, /^Usage: nexus send TO MESSAGE \[--priority now\|next\|low\]/);
  const bad = await runCli(ann.home, ['send', 'ben', 'x', '--urgent']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown option --urgent for nexus send/);
});
