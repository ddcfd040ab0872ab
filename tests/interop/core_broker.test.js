'use strict';
// The §10.7 reference scenario, played by an independent client (npm `ws` +
// `libsodium-wrappers`, the crypto exactly as the reference SDK does it)
// against the real nexusd on a real PostgreSQL: signed hellos, peers,
// direct messages sealed with crypto_box_easy and opened on receipt,
// broadcast, status gating (held until idle — released at once, no stall),
// the grace window, offline queueing and delivery on reconnect.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const mc = require('./lib/claudemesh_crypto');
const { createTestDatabase, startNode } = require('./lib/node_process');
const { WsPeer } = require('./lib/ws_peer');

// Steps 12 and 14 must finish inside the grace window: 5 s leaves room for
// a loaded machine, and step 12 waits it out once (for peer_left).
const GRACE_MS = 5000;
let db, node, adminHome, meshId;
const alice = {}, bob = {};

function nexusd(args) {
  const out = execFileSync(process.env.NEXUSD_BINARY,
    [...args, '--home', adminHome, '--database-url', db.url, '--json'], { encoding: 'utf8' });
  return JSON.parse(out);
}

async function connect(who, sessionKey = who.session) {
  const peer = await WsPeer.connect(node.wsUrl);
  peer.send(mc.buildHello({ meshId, memberId: who.memberId, member: who.member, session: sessionKey }));
  const ack = await peer.next('hello_ack');
  return { peer, ack };
}

const isSystem = (event) => (f) => f.type === 'push' && f.subtype === 'system' && f.event === event;
const isMessage = (f) => f.type === 'push' && f.subtype === undefined;

before(async () => {
  await mc.ready();
  db = await createTestDatabase();
  adminHome = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-interop-admin-'));
  node = await startNode({ databaseUrl: db.url, args: ['--presence-grace-ms', String(GRACE_MS)] });
  meshId = nexusd(['mesh', 'create', '--name', 'interop']).id;
  for (const [who, seed, name] of [[alice, 1, 'alice'], [bob, 2, 'bob']]) {
    who.member = mc.keypairFromSeed(new Uint8Array(32).fill(seed));
    who.session = mc.randomKeypair();
    who.name = name;
    who.memberId = nexusd(['member', 'add', '--mesh', meshId, '--pubkey', who.member.publicKey,
      '--name', name]).id;
  }
});

after(async () => {
  if (node) await node.stop();
  if (db) await db.drop();
  if (adminHome) fs.rmSync(adminHome, { recursive: true, force: true });
});

test('§10.7: hello, peers, direct, broadcast, gating, grace, offline queue, reattach', async () => {
  // 1–2: A connects, then B; A sees peer_joined with name, displayName and B's session key.
  const a = await connect(alice);
  assert.equal(a.ack.restored, undefined);
  assert.ok(a.ack.presenceId.length >= 20);
  const joinedSeen = a.peer.next(isSystem('peer_joined'));
  const b = await connect(bob);
  const joined = await joinedSeen;
  assert.equal(joined.eventData.name, 'bob');
  assert.equal(joined.eventData.displayName, 'bob');
  assert.equal(joined.eventData.pubkey, bob.session.publicKey);
  assert.equal(joined.senderPubkey, 'system');
  assert.equal(joined.nonce, '');

  // 3: peers with session keys as pubkey and member keys as memberPubkey.
  const peers = await a.peer.request({ type: 'list_peers', _reqId: 'r1' }, 'peers_list');
  assert.equal(peers._reqId, 'r1');
  assert.deepEqual(peers.peers.map((p) => p.pubkey).sort(),
    [alice.session.publicKey, bob.session.publicKey].sort());
  const bobEntry = peers.peers.find((p) => p.pubkey === bob.session.publicKey);
  assert.equal(bobEntry.memberPubkey, bob.member.publicKey);
  assert.equal(bobEntry.displayName, 'bob');
  assert.equal(bobEntry.peerRole, 'session'); // deviation 23
  assert.equal(bobEntry.status, 'idle');

  // 4: a sealed DM, opened by B with its session key.
  const sealed = mc.encryptDirect('hello bob', bob.session.publicKey, alice.session.secretKey);
  const pushSeen = b.peer.next(isMessage);
  const ack = await a.peer.request({ type: 'send', id: 'aaaaaaaaaaaaaaaa', targetSpec: bob.session.publicKey,
    priority: 'next', ...sealed }, (f) => f.type === 'ack' && f.id === 'aaaaaaaaaaaaaaaa');
  assert.equal(ack.queued, true);
  assert.equal(ack.messageId.length, 32);
  const push = await pushSeen;
  assert.equal(push.messageId, ack.messageId);
  assert.equal(push.senderPubkey, alice.session.publicKey);
  assert.equal(push.senderMemberPubkey, alice.member.publicKey); // deviation 20
  assert.equal(mc.decodePush(push, bob.session.secretKey), 'hello bob');

  // The broker stored only ciphertext: its copy equals what A sent, byte for byte.
  const stored = execFileSync('psql', ['-At', db.url, '-c',
    `SELECT ciphertext FROM nexus.message_queue WHERE id = '${ack.messageId}'`], { encoding: 'utf8' }).trim();
  assert.equal(stored, sealed.ciphertext);
  assert.ok(!stored.includes('hello'));

  // 6: broadcast reaches B through the base64 fallback; A gets only its ack.
  const bcastSeen = b.peer.next(isMessage);
  const bAck = await a.peer.request({ type: 'send', id: 'bbbbbbbbbbbbbbbb', targetSpec: '*', priority: 'next',
    ...mc.encodePlain('hello everyone') }, (f) => f.type === 'ack' && f.id === 'bbbbbbbbbbbbbbbb');
  assert.equal(bAck.queued, true);
  const bcast = await bcastSeen;
  assert.equal(bcast.senderName, 'alice');
  assert.equal(mc.decodePush(bcast, bob.session.secretKey), 'hello everyone');

  // 10: unknown 64-hex target → send_rejected error (deviation 25), then the rejection ack.
  const rejectedErr = a.peer.next((f) => f.type === 'error' && f.id === 'cccccccccccccccc');
  const nack = await a.peer.request({ type: 'send', id: 'cccccccccccccccc', targetSpec: 'f'.repeat(64),
    priority: 'next', ...mc.encodePlain('x') }, (f) => f.type === 'ack' && f.id === 'cccccccccccccccc');
  assert.equal((await rejectedErr).code, 'send_rejected');
  assert.equal(nack.queued, false);
  assert.match(nack.error, /^no connected peer for target/);
  // deviation 41: an invalid priority is answered with an ack, not silence.
  const bad = await a.peer.request({ type: 'send', id: 'dddddddddddddddd', targetSpec: '*', priority: 'urgent',
    ...mc.encodePlain('x') }, (f) => f.type === 'ack' && f.id === 'dddddddddddddddd');
  assert.equal(bad.error, 'invalid priority');

  // 11: B is dnd → a `next` DM is held; `now` passes; idle releases the held one at once.
  b.peer.send({ type: 'set_status', status: 'dnd' });
  // set_status has no reply and travels on B's socket: poll A's view of it.
  for (let i = 0, deadline = Date.now() + 5000; ; ++i) {
    const list = await a.peer.request({ type: 'list_peers', _reqId: `dnd-${i}` },
      (f) => f.type === 'peers_list' && f._reqId === `dnd-${i}`);
    if (list.peers.some((p) => p.pubkey === bob.session.publicKey && p.status === 'dnd')) break;
    assert.ok(Date.now() < deadline, 'B never showed as dnd');
  }
  const held = mc.encryptDirect('held one', bob.session.publicKey, alice.session.secretKey);
  const heldAck = await a.peer.request({ type: 'send', id: 'eeeeeeeeeeeeeeee', targetSpec: bob.session.publicKey,
    priority: 'next', ...held }, (f) => f.type === 'ack' && f.id === 'eeeeeeeeeeeeeeee');
  const urgentSeen = b.peer.next(isMessage);
  const urgent = mc.encryptDirect('urgent', bob.session.publicKey, alice.session.secretKey);
  await a.peer.request({ type: 'send', id: 'ffffffffffffffff', targetSpec: bob.session.publicKey,
    priority: 'now', ...urgent }, (f) => f.type === 'ack' && f.id === 'ffffffffffffffff');
  assert.equal(mc.decodePush(await urgentSeen, bob.session.secretKey), 'urgent'); // the held one did not overtake
  const releasedSeen = b.peer.next(isMessage);
  b.peer.send({ type: 'set_status', status: 'idle' });
  const released = await releasedSeen;
  assert.equal(released.messageId, heldAck.messageId);
  assert.equal(mc.decodePush(released, bob.session.secretKey), 'held one');

  // 12: B disconnects: during the grace window DMs are still accepted.
  b.peer.close();
  const leftSeen = a.peer.next(isSystem('peer_left'), GRACE_MS + 5000);
  const during = mc.encryptDirect('while away', bob.session.publicKey, alice.session.secretKey);
  const duringAck = await a.peer.request({ type: 'send', id: '1111111111111111', targetSpec: bob.session.publicKey,
    priority: 'next', ...during }, (f) => f.type === 'ack' && f.id === '1111111111111111');
  assert.equal(duringAck.queued, true);
  const left = await leftSeen;
  assert.equal(left.eventData.pubkey, bob.session.publicKey);
  assert.equal(left.eventData.displayName, 'bob');

  // After eviction, a DM to B's member key is queued (the reference refuses it).
  const offline = mc.encryptDirect('queued for later', bob.member.publicKey, alice.session.secretKey);
  const offAck = await a.peer.request({ type: 'send', id: '2222222222222222', targetSpec: bob.member.publicKey,
    priority: 'low', ...offline }, (f) => f.type === 'ack' && f.id === '2222222222222222');
  assert.equal(offAck.queued, true);

  // 13: B returns (new session key): restored state, A sees peer_returned,
  // and B gets everything queued for its member key right after hello_ack.
  bob.session = mc.randomKeypair();
  const returnedSeen = a.peer.next(isSystem('peer_returned'));
  const b2 = await WsPeer.connect(node.wsUrl);
  b2.send(mc.buildHello({ meshId, memberId: bob.memberId, member: bob.member, session: bob.session }));
  const ack2 = await b2.next('hello_ack');
  assert.equal(ack2.restored, true);
  assert.ok(ack2.lastSeenAt);
  const queued = await b2.next(isMessage);
  assert.equal(queued.messageId, offAck.messageId);
  assert.equal(mc.decryptDirect(queued, alice.session.publicKey, bob.member.secretKey), 'queued for later');
  assert.equal((await returnedSeen).eventData.name, 'bob');

  // 14: a reconnect within the grace window reattaches: same presenceId, no event for A.
  b2.close();
  const b3 = await WsPeer.connect(node.wsUrl);
  b3.send(mc.buildHello({ meshId, memberId: bob.memberId, member: bob.member, session: bob.session }));
  const ack3 = await b3.next('hello_ack');
  assert.equal(ack3.presenceId, ack2.presenceId);
  const peers2 = await a.peer.request({ type: 'list_peers', _reqId: 'r3' }, 'peers_list');
  assert.equal(peers2.peers.filter((p) => p.memberPubkey === bob.member.publicKey).length, 1);

  // Metrics (issue item 8): routed by priority, rejected by reason, hello
  // failures by reason, connections per mesh, held messages.
  const metrics = (await node.http('GET', '/metrics')).body;
  const value = (re) => Number((metrics.match(re) || [])[1]);
  assert.ok(value(/broker_messages_routed_total\{priority="next"\} (\d+)/) >= 3, metrics);
  assert.equal(value(/broker_messages_routed_total\{priority="now"\} (\d+)/), 1);
  assert.equal(value(/broker_messages_rejected_total\{reason="no_recipient"\} (\d+)/), 1);
  assert.equal(value(/broker_messages_rejected_total\{reason="invalid_priority"\} (\d+)/), 1);
  assert.equal(value(new RegExp(`nexus_mesh_connections\\{mesh="${meshId}"\\} (\\d+)`)), 2);
  assert.equal(value(/nexus_held_messages (-?\d+)/), 0);

  a.peer.close();
  b3.close();
});

test('handshake refusals carry the spec codes and close codes', async () => {
  // bad signature → error then close 1008 "bad_signature"
  const p1 = await WsPeer.connect(node.wsUrl);
  const hello = mc.buildHello({ meshId, memberId: alice.memberId, member: alice.member, session: mc.randomKeypair() });
  hello.signature = hello.signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
  p1.send(hello);
  const err = await p1.next('error');
  assert.equal(err.code, 'bad_signature');
  assert.equal(err.message, 'hello rejected: bad_signature');
  assert.deepEqual(await p1.waitClose(), { code: 1008, reason: 'bad_signature' });

  // a stranger's key → unauthorized
  const stranger = mc.randomKeypair();
  const p2 = await WsPeer.connect(node.wsUrl);
  p2.send(mc.buildHello({ meshId, memberId: 'x', member: stranger, session: mc.randomKeypair() }));
  assert.equal((await p2.next('error')).code, 'unauthorized');
  assert.equal((await p2.waitClose()).code, 1008);

  // skew beyond 60 s → timestamp_skew
  const p3 = await WsPeer.connect(node.wsUrl);
  p3.send(mc.buildHello({ meshId, memberId: alice.memberId, member: alice.member, session: mc.randomKeypair(),
    timestamp: Date.now() - 61000 }));
  assert.equal((await p3.next('error')).code, 'timestamp_skew');

  // a replayed hello → refused
  const aliceSession = mc.randomKeypair();
  const good = mc.buildHello({ meshId, memberId: alice.memberId, member: alice.member, session: aliceSession });
  const p4 = await WsPeer.connect(node.wsUrl);
  p4.send(good);
  await p4.next('hello_ack');
  const p5 = await WsPeer.connect(node.wsUrl);
  p5.send(good);
  const replay = await p5.next('error');
  assert.equal(replay.code, 'bad_signature');
  assert.match(replay.message, /replayed/);

  // malformed: a pubkey that is not 64 hex chars
  const p7 = await WsPeer.connect(node.wsUrl);
  p7.send(mc.buildHello({ meshId, memberId: alice.memberId, member: alice.member, session: mc.randomKeypair() },
    { pubkey: 'abcd' }));
  assert.equal((await p7.next('error')).code, 'malformed');
  assert.deepEqual(await p7.waitClose(), { code: 1008, reason: 'malformed' });

  // deviation 1: a session key held by another member's connection is refused
  const p8 = await WsPeer.connect(node.wsUrl);
  p8.send(mc.buildHello({ meshId, memberId: bob.memberId, member: bob.member, session: aliceSession }));
  const stolen = await p8.next('error');
  assert.equal(stolen.code, 'bad_session_pubkey');
  assert.equal((await p8.waitClose()).code, 1008);

  // revoked member → error revoked, close 4002 "banned"
  const carol = mc.keypairFromSeed(new Uint8Array(32).fill(3));
  const carolId = nexusd(['member', 'add', '--mesh', meshId, '--pubkey', carol.publicKey, '--name', 'carol']).id;
  execFileSync(process.env.NEXUSD_BINARY, ['member', 'revoke', '--mesh', meshId, '--member', carolId,
    '--home', adminHome, '--database-url', db.url]);
  const p6 = await WsPeer.connect(node.wsUrl);
  p6.send(mc.buildHello({ meshId, memberId: carolId, member: carol, session: mc.randomKeypair() }));
  const revoked = await p6.next('error');
  assert.equal(revoked.code, 'revoked');
  assert.match(revoked.message, /You've been removed from "interop"/);
  assert.deepEqual(await p6.waitClose(), { code: 4002, reason: 'banned' });
  p4.close();

  const metrics = (await node.http('GET', '/metrics')).body;
  for (const reason of ['bad_signature', 'unauthorized', 'timestamp_skew', 'revoked'])
    assert.match(metrics, new RegExp(`broker_connections_rejected_total\\{reason="${reason}"\\} [1-9]`));
});
