'use strict';
// `nexus mesh create`, `nexus invite`, `nexus join` (issue 6 items 3 and 5)
// against the identity server side of issue 4 (POST /api/meshes, WS
// invite_create, POST /invites/<code>/claim; docs/identity.md). The node
// allows open mesh creation through its environment (NEXUS_MESH_CREATION).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');

const { createTestDatabase, startNode } = require('./lib/node_process');
const { cliOk, runCli, tempHome } = require('./lib/nexus_cli');

let db, node;
const carol = { name: 'carol' }, dave = { name: 'dave' };

before(async () => {
  db = await createTestDatabase();
  node = await startNode({ databaseUrl: db.url, env: { NEXUS_MESH_CREATION: 'open' } });
  for (const who of [carol, dave]) {
    who.home = tempHome(who.name);
    who.pubkey = (await cliOk(who.home, ['init', '--broker', node.wsUrl, '--name', who.name, '--json'])).json.pubkey;
  }
});

after(async () => {
  if (node) await node.stop();
  if (db) await db.drop();
  for (const who of [carol, dave])
    if (who.home) fs.rmSync(path.dirname(who.home), { recursive: true, force: true });
});

test('mesh create → invite → join → a message each way', async () => {
  const created = await cliOk(carol.home, ['mesh', 'create', 'crew', '--name', 'carol', '--json']);
  assert.equal(created.json.schema_version, 1);
  assert.equal(created.json.role, 'owner');
  assert.equal(created.json.ownerPubkey, carol.pubkey);
  const meshId = created.json.meshId;
  const root = fs.readFileSync(path.join(carol.home, 'meshes', meshId, 'root.key'), 'utf8').trim();
  assert.equal(Buffer.from(root, 'base64url').length, 32);
  assert.equal(fs.statSync(path.join(carol.home, 'meshes', meshId, 'root.key')).mode & 0o777, 0o600);

  const invite = await cliOk(carol.home, ['invite', '--max-uses', '1', '--expires', '1h', '--json']);
  assert.match(invite.json.code, /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
  assert.equal(invite.json.url, `${node.httpUrl}/invites/${invite.json.code}`);

  const joined = await cliOk(dave.home, ['join', invite.json.url, '--name', 'dave', '--json']);
  assert.equal(joined.json.meshId, meshId);
  assert.equal(joined.json.role, 'member');
  // The same root key reached the invitee, sealed to its one-off claim key.
  assert.equal(fs.readFileSync(path.join(dave.home, 'meshes', meshId, 'root.key'), 'utf8').trim(), root);
  // A used-up invite is refused with exit 4 and the §7.2 code.
  const again = await runCli(tempHome('eve'), ['join', invite.json.code, '--broker', node.wsUrl]);
  assert.notEqual(again.code, 0);

  await cliOk(carol.home, ['peers']); // carol is seen, so dave's CLI can name her
  const toCarol = await cliOk(dave.home, ['send', carol.pubkey, 'thanks for the invite', '--json']);
  const inbox = await cliOk(carol.home, ['inbox', '--json']);
  assert.deepEqual(inbox.json.messages.map((m) => [m.messageId, m.from, m.text]),
    [[toCarol.json.messageId, 'dave', 'thanks for the invite']]);
  const toDave = await cliOk(carol.home, ['send', dave.pubkey, 'welcome', '--json']);
  const daveInbox = await cliOk(dave.home, ['inbox', '--json']);
  assert.deepEqual(daveInbox.json.messages.map((m) => [m.messageId, m.text]), [[toDave.json.messageId, 'welcome']]);
});
