'use strict';
// Issue 6 item 5: the `nexus` CLI against a real nexusd on a real
// PostgreSQL, with two homes (alice, bob) whose identities an operator added
// with `nexusd member add` and that adopted them with `nexus mesh import`.
// Messages both ways, `inbox --wait` for a message sent after it started,
// `peers --json`, an ambiguous name, doctor on a 0644 key, exit code 3
// without a broker, and a node restart in the middle of a conversation.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const mc = require('./lib/claudemesh_crypto');
const { createTestDatabase, startNode } = require('./lib/node_process');
const { nexusdAdmin, psqlRows } = require('./lib/mesh_fixture');
const { WsPeer } = require('./lib/ws_peer');
const { spawnCli, runCli, cliOk, tempHome, waitFor, cliConnected } = require('./lib/nexus_cli');

const GRACE_MS = 1500;
let db, node, nodeHome, adminHome, port, meshId;
const alice = { name: 'alice' }, bob = { name: 'bob' };

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port: p } = srv.address();
      srv.close(() => resolve(p));
    });
  });
}

const nodeArgs = () => ['--listen', `127.0.0.1:${port}`, '--presence-grace-ms', String(GRACE_MS)];
const admin = (args) => nexusdAdmin(args, { home: adminHome, databaseUrl: db.url });

before(async () => {
  await mc.ready();
  db = await createTestDatabase();
  adminHome = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-cli-admin-'));
  nodeHome = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-cli-node-'));
  port = await freePort();
  node = await startNode({ databaseUrl: db.url, home: nodeHome, args: nodeArgs() });
  meshId = admin(['mesh', 'create', '--name', 'cli-team']).id;
  for (const who of [alice, bob]) {
    who.home = tempHome(who.name);
    const init = await cliOk(who.home, ['init', '--broker', node.wsUrl, '--name', who.name, '--json']);
    assert.equal(init.json.schema_version, 1);
    assert.equal(init.json.created, true);
    who.pubkey = init.json.pubkey;
    who.memberId = admin(['member', 'add', '--mesh', meshId, '--pubkey', who.pubkey, '--name', who.name]).id;
    await cliOk(who.home, ['mesh', 'import', meshId, '--member-id', who.memberId, '--label', 'cli-team']);
  }
});

after(async () => {
  if (node) await node.stop();
  if (db) await db.drop();
  for (const dir of [adminHome, nodeHome, alice.home && path.dirname(alice.home), bob.home && path.dirname(bob.home)])
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('init writes a 0700 home with 0600 files, and whoami is local', async () => {
  assert.equal(fs.statSync(alice.home).mode & 0o777, 0o700);
  for (const f of ['identity.key', 'config.json', `meshes/${meshId}/mesh.json`])
    assert.equal(fs.statSync(path.join(alice.home, f)).mode & 0o777, 0o600, f);
  const who = await cliOk(alice.home, ['whoami', '--json']);
  assert.equal(who.json.pubkey, alice.pubkey);
  assert.equal(who.json.meshId, meshId);
  assert.equal(who.json.memberId, alice.memberId);
});

test('two homes exchange direct messages both ways, online and offline, end-to-end encrypted', async () => {
  // Bob waits for mail; alice sees him online (and remembers his key).
  const bobWaits = spawnCli(bob.home, ['inbox', '--wait', '25', '--json']);
  await waitFor(() => cliConnected(alice, bobWaits.child.pid), 15000, 'bob to connect');
  const sent = await cliOk(alice.home, ['send', 'bob', 'hello bob, from alice', '--json']);
  assert.equal(sent.json.schema_version, 1);
  assert.equal(sent.json.target, bob.pubkey);
  assert.equal(sent.json.encrypted, true);
  assert.match(sent.json.messageId, /^[0-9A-Za-z]{20,32}$/);
  const live = await bobWaits.done;
  assert.equal(live.code, 0, live.stderr);
  assert.deepEqual(live.json.messages.map((m) => [m.messageId, m.from, m.kind, m.text]),
    [[sent.json.messageId, 'alice', 'direct', 'hello bob, from alice']]);
  assert.equal(live.json.messages[0].fromMemberPubkey, alice.pubkey);

  // Bob is offline now: the name still resolves to his member key, the node
  // queues the message, and his next inbox gets it — shown once.
  const queued = await cliOk(alice.home, ['send', 'Bob', 'while you were away', '--json']);
  const later = await cliOk(bob.home, ['inbox', '--json']);
  assert.deepEqual(later.json.messages.map((m) => [m.messageId, m.text]),
    [[queued.json.messageId, 'while you were away']]);
  // The node records the delivery after the write, asynchronously: a second
  // inbox before that may be handed the row again (at-least-once). Once it
  // is recorded, it must not be.
  await waitFor(async () => (await psqlRows(db.url, 'SELECT delivered_at IS NOT NULL FROM nexus.message_queue ' +
    `WHERE id = '${queued.json.messageId}'`))[0]?.[0] === 't', 15000, 'the queued message recorded delivered');
  assert.deepEqual((await cliOk(bob.home, ['inbox', '--json'])).json.messages, []);

  // And back: alice waits, bob answers by name with priority now.
  const aliceWaits = spawnCli(alice.home, ['inbox', '--wait', '25', '--json']);
  await waitFor(() => cliConnected(bob, aliceWaits.child.pid), 15000, 'alice to connect');
  const back = await cliOk(bob.home, ['send', 'ALICE', 'hi alice, bob here', '--priority', 'now', '--json']);
  const got = await aliceWaits.done;
  assert.equal(got.code, 0, got.stderr);
  assert.deepEqual(got.json.messages.map((m) => [m.messageId, m.from, m.text, m.priority]),
    [[back.json.messageId, 'bob', 'hi alice, bob here', 'now']]);
  // The text never reached the database in the clear.
  const rows = require('node:child_process').execFileSync('psql', ['-X', '-At', db.url, '-c',
    'SELECT ciphertext FROM nexus.message_queue'], { encoding: 'utf8' });
  assert.ok(!rows.includes(Buffer.from('hi alice, bob here').toString('base64')));
});

test('inbox --wait receives a message sent after it started', async () => {
  const started = Date.now();
  const waiting = spawnCli(bob.home, ['inbox', '--wait', '25', '--json']);
  await waitFor(() => cliConnected(alice, waiting.child.pid), 15000, 'bob\'s inbox --wait to connect');
  const sent = await cliOk(alice.home, ['send', bob.pubkey.slice(0, 10), 'sent while you waited', '--json']);
  const r = await waiting.done;
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.json.messages.map((m) => [m.messageId, m.text]),
    [[sent.json.messageId, 'sent while you waited']]);
  assert.ok(Date.parse(r.json.messages[0].createdAt) >= started - 1000);
});

test('peers --json parses: both people, keys, the caller marked self', async () => {
  const r = await cliOk(alice.home, ['peers', '--json']);
  assert.equal(r.json.schema_version, 1);
  assert.equal(r.json.meshId, meshId);
  const self = r.json.peers.filter((p) => p.self);
  assert.equal(self.length, 1);
  assert.equal(self[0].name, 'alice');
  assert.equal(self[0].pubkey, alice.pubkey);
  for (const p of r.json.peers) {
    assert.ok(['alice', 'bob'].includes(p.name), p.name);
    assert.equal(p.memberPubkey, p.name === 'alice' ? alice.pubkey : bob.pubkey);
    assert.ok(['idle', 'working', 'dnd'].includes(p.status));
    assert.ok(Array.isArray(p.groups));
    assert.ok(!Number.isNaN(Date.parse(p.connectedAt)));
  }
  const human = await cliOk(alice.home, ['peers']);
  assert.match(human.stdout, /^NAME\s+STATUS\s+KEY\s+SESSIONS/);
  assert.match(human.stdout, /alice \(you\)/);
});

test('send to an ambiguous name fails with exit 2 and lists the candidates', async () => {
  const sams = [];
  for (const [seed, name] of [[40, 'sam'], [41, 'Sam']]) {
    const member = mc.keypairFromSeed(new Uint8Array(32).fill(seed));
    const memberId = admin(['member', 'add', '--mesh', meshId, '--pubkey', member.publicKey, '--name', name]).id;
    const session = mc.randomKeypair();
    const peer = await WsPeer.connect(node.wsUrl);
    peer.send(mc.buildHello({ meshId, memberId, member, session }));
    await peer.next('hello_ack');
    sams.push({ peer, session });
  }
  try {
    const r = await runCli(alice.home, ['send', 'sam', 'which one?']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line on stderr');
    assert.match(r.stderr, /"sam" matches 2 peers/);
    for (const s of sams) assert.ok(r.stderr.includes(s.session.publicKey.slice(0, 12)), r.stderr);
    // A key prefix picks one, and that SDK-style peer can open it.
    const pick = await cliOk(alice.home, ['send', sams[0].session.publicKey.slice(0, 16), 'you, sam']);
    assert.match(pick.stdout, /end-to-end encrypted/);
    const push = await sams[0].peer.next((f) => f.type === 'push' && f.senderPubkey === alice.pubkey);
    assert.equal(mc.decodePush(push, sams[0].session.secretKey), 'you, sam');
  } finally {
    for (const s of sams) await s.peer.close();
  }
});

test('doctor passes on a healthy home and reports a 0644 key file with a fix', async () => {
  const ok = await cliOk(bob.home, ['doctor', '--json']);
  assert.equal(ok.json.ok, true);
  assert.deepEqual(ok.json.checks.map((c) => [c.name, c.status]),
    [['home', 'ok'], ['permissions', 'ok'], ['identity', 'ok'], ['config', 'ok'], ['mesh', 'ok'],
      ['broker', 'ok'], ['hello', 'ok'], ['clock', 'ok']]);
  const key = path.join(bob.home, 'identity.key');
  fs.chmodSync(key, 0o644);
  try {
    const bad = await runCli(bob.home, ['doctor', '--json']);
    assert.equal(bad.code, 1);
    assert.equal(bad.json.ok, false);
    const perm = bad.json.checks.find((c) => c.name === 'permissions');
    assert.equal(perm.status, 'fail');
    assert.ok(perm.detail.includes(`${key} is 0644`), perm.detail);
    assert.match(perm.fix, /chmod 600/);
    // Every other command refuses the key, with the hint, on one line.
    const refused = await runCli(bob.home, ['peers']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^nexus: .*identity\.key is mode 0644.* — chmod 600 /);
    // --fix tightens it and says so.
    const fixed = await cliOk(bob.home, ['doctor', '--fix', '--json']);
    assert.match(fixed.json.checks.find((c) => c.name === 'permissions').detail, /fixed .*identity\.key 0644 → 0600/);
    assert.equal(fs.statSync(key).mode & 0o777, 0o600);
  } finally {
    fs.chmodSync(key, 0o600);
  }
});

test('no broker: exit 3 with a hint, after the request timeout', async () => {
  const dead = await freePort();
  const r = await runCli(alice.home, ['peers', '--broker', `ws://127.0.0.1:${dead}/ws`,
    '--request-timeout-ms', '800', '--reconnect-min-ms', '100']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /^nexus: not connected to ws:\/\/127\.0\.0\.1:\d+\/ws within 800 ms: cannot connect/);
  const usage = await runCli(alice.home, ['send', 'bob']);
  assert.equal(usage.code, 2);
  const unknown = await runCli(alice.home, ['send', 'nobody-here', 'x']);
  assert.equal(unknown.code, 4);
});

test('a node restart mid-conversation: both links reconnect and what was queued is delivered', async () => {
  const fast = ['--reconnect-min-ms', '100', '--reconnect-max-ms', '400'];
  const waiting = spawnCli(bob.home, ['inbox', '--wait', '60', '--json', ...fast], { timeoutMs: 90000 });
  await waitFor(() => cliConnected(alice, waiting.child.pid), 15000, 'bob\'s inbox --wait to connect');
  await node.stop();
  // Alice sends while the node is down: her link buffers the send and
  // retries the connection until the node is back.
  const sending = spawnCli(alice.home, ['send', bob.pubkey, 'queued across a restart', '--json',
    '--request-timeout-ms', '60000', ...fast], { timeoutMs: 90000 });
  await waitFor(async () => (await runCli(alice.home, ['doctor', '--json'])).json.checks
    .find((c) => c.name === 'broker').status === 'fail', 5000, 'the node to be down');
  node = await startNode({ databaseUrl: db.url, home: nodeHome, args: nodeArgs() });
  const sent = await sending.done;
  assert.equal(sent.code, 0, sent.stderr);
  const got = await waiting.done;
  assert.equal(got.code, 0, got.stderr);
  assert.deepEqual(got.json.messages.map((m) => [m.messageId, m.from, m.text]),
    [[sent.json.messageId, 'alice', 'queued across a restart']]);
});
