'use strict';
// The presence surface over real WebSockets (§3.8, §3.10, §4.1–§4.4):
// summary/status/visibility/profile/stats as other peers see them in
// list_peers, peer_hidden/peer_visible, groups and group fan-out with
// sub-groups (deviation 39), broadcasts that skip the sender's own member,
// message_status for every kind of row, and client_ack from a daemon
// connection (whose pushes are only recorded delivered when it acks).
//
// Absence of a push is proven with a barrier: the mesh actor sends a push to
// a presence before it answers that presence's later list_peers (one sender,
// one receiver: CAF keeps the order), so a list_peers round trip on the
// would-be recipient after the sender's ack shows that nothing was pushed.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const mc = require('./lib/claudemesh_crypto');
const { startMeshEnv, sendAndAck, listPeers, isSystem, isMessage } = require('./lib/mesh_env');

let env, alice, bob, carol, dave, erin;
let idCounter = 0;
const nextId = () => `p${String(++idCounter).padStart(15, '0')}`;

before(async () => {
  env = await startMeshEnv({ args: ['--send-rate-per-min', '0'] });
  [alice, bob, carol, dave, erin] = ['alice', 'bob', 'carol', 'dave', 'erin'].map((n) => env.addMember(n));
});
after(async () => { if (env) await env.stop(); });

const entry = (peers, pubkey) => peers.find((p) => p.pubkey === pubkey);

/** Pushes received by `peer` so far and until a list_peers round trip completes. */
async function pushesAfterBarrier(peer) {
  await listPeers(peer);
  const out = [];
  for (let i = peer.frames.length - 1; i >= 0; --i)
    if (peer.frames[i].json && isMessage(peer.frames[i].json)) out.unshift(peer.frames.splice(i, 1)[0].json);
  return out;
}

test('summary, status, visibility, profile and stats as others see them', async () => {
  const a = (await env.connect(alice)).peer;
  const a2Key = mc.randomKeypair();
  const a2 = (await env.connect(alice, { session: a2Key })).peer;
  const b = (await env.connect(bob)).peer;

  a.send({ type: 'set_summary', summary: 'refactoring the codec' });
  a.send({ type: 'set_status', status: 'dnd' });
  await listPeers(a); // a's updates reach the mesh before this request
  let seen = entry(await listPeers(b), alice.session.publicKey);
  assert.equal(seen.summary, 'refactoring the codec');
  assert.equal(seen.status, 'dnd');
  assert.equal(seen.visible, true);
  assert.equal(seen.stats, undefined);
  assert.equal(seen.profile, undefined);

  const hiddenAtB = b.next(isSystem('peer_hidden'));
  const hiddenAtA2 = a2.next(isSystem('peer_hidden')); // same member, other session: told too
  const ack = await a.request({ type: 'set_visible', visible: false, _reqId: 'v1' }, 'ack');
  assert.deepEqual(ack, { type: 'ack', id: 'v1', messageId: '', queued: false, _reqId: 'v1' });
  for (const ev of [await hiddenAtB, await hiddenAtA2]) {
    assert.equal(ev.eventData.name, 'alice');
    assert.equal(ev.eventData.pubkey, alice.session.publicKey);
  }
  assert.equal(entry(await listPeers(b), alice.session.publicKey), undefined);
  const own = entry(await listPeers(a2), alice.session.publicKey);
  assert.equal(own.visible, false);

  // Hidden: no broadcast reaches it, a DM still does.
  const bAck = await sendAndAck(b, { id: nextId(), targetSpec: '*', ...mc.encodePlain('to all') });
  assert.equal(bAck.queued, true);
  assert.deepEqual(await pushesAfterBarrier(a), []);
  assert.deepEqual((await pushesAfterBarrier(a2)).map((p) => p.messageId), [bAck.messageId]);
  const dmSeen = a.next(isMessage);
  const dm = await sendAndAck(b, { id: nextId(), targetSpec: alice.session.publicKey, priority: 'now',
    ...mc.encryptDirect('psst', alice.session.publicKey, bob.session.secretKey) });
  assert.equal((await dmSeen).messageId, dm.messageId);

  const visibleAtB = b.next(isSystem('peer_visible'));
  const ack2 = await a.request({ type: 'set_visible', visible: true }, 'ack');
  assert.deepEqual(ack2, { type: 'ack', id: '', messageId: '', queued: false });
  assert.equal((await visibleAtB).eventData.pubkey, alice.session.publicKey);

  const pAck = await a.request({ type: 'set_profile', avatar: '🦊', title: 'codec', bio: 'b', capabilities: ['rust', 'c++'],
    _reqId: 'pf' }, (f) => f.type === 'ack' && f._reqId === 'pf');
  assert.equal(pAck.id, 'pf');
  await a.request({ type: 'set_profile', title: 'lead', _reqId: 'pf2' }, (f) => f._reqId === 'pf2'); // merges
  a.send({ type: 'set_stats', stats: { messagesIn: 3, messagesOut: 5, toolCalls: 7, uptime: 11, errors: 0 } });
  await listPeers(a);
  seen = entry(await listPeers(b), alice.session.publicKey);
  assert.equal(seen.visible, true);
  assert.deepEqual(seen.profile, { avatar: '🦊', title: 'lead', bio: 'b', capabilities: ['rust', 'c++'] });
  assert.deepEqual(seen.stats, { messagesIn: 3, messagesOut: 5, toolCalls: 7, uptime: 11, errors: 0 });
  a.send({ type: 'set_stats', stats: { toolCalls: 1 } }); // replaces, not merges
  await listPeers(a);
  assert.deepEqual(entry(await listPeers(b), alice.session.publicKey).stats, { toolCalls: 1 });
  await Promise.all([a.close(), a2.close(), b.close()]);
});

test('groups: join/leave, roles, and @group fan-out with sub-groups (deviation 39)', async () => {
  const keys = {};
  const conn = async (who) => { keys[who.name] = mc.randomKeypair(); return (await env.connect(who, { session: keys[who.name] })).peer; };
  const [a, b, c, d] = [await conn(alice), await conn(bob), await conn(carol), await conn(dave)];
  b.send({ type: 'join_group', name: 'eng/backend', role: 'lead' });
  c.send({ type: 'join_group', name: 'engineering' });
  d.send({ type: 'join_group', name: 'eng', role: '' });
  d.send({ type: 'join_group', name: 'ops' });
  await Promise.all([b, c, d].map(listPeers)); // each one's updates reach the mesh first
  const peers = await listPeers(a);
  assert.deepEqual(entry(peers, keys.bob.publicKey).groups, [{ name: 'eng/backend', role: 'lead' }]);
  assert.deepEqual(entry(peers, keys.carol.publicKey).groups, [{ name: 'engineering' }]);
  assert.deepEqual(entry(peers, keys.dave.publicKey).groups, [{ name: 'eng' }, { name: 'ops' }]);

  const send = await sendAndAck(a, { id: nextId(), targetSpec: '@eng', ...mc.encodePlain('to eng') });
  assert.equal(send.queued, true);
  assert.deepEqual((await pushesAfterBarrier(b)).map((p) => p.messageId), [send.messageId]);
  assert.deepEqual((await pushesAfterBarrier(d)).map((p) => p.messageId), [send.messageId]);
  assert.deepEqual(await pushesAfterBarrier(c), []);
  const sub = await sendAndAck(a, { id: nextId(), targetSpec: '@eng/backend', ...mc.encodePlain('to backend') });
  assert.deepEqual((await pushesAfterBarrier(b)).map((p) => p.messageId), [sub.messageId]);
  assert.deepEqual(await pushesAfterBarrier(d), []); // a parent does not get its sub-group's messages

  b.send({ type: 'leave_group', name: 'eng/backend' });
  d.send({ type: 'leave_group', name: 'ops' });
  await Promise.all([b, d].map(listPeers));
  const after = await listPeers(a);
  assert.deepEqual(entry(after, keys.bob.publicKey).groups, []);
  assert.deepEqual(entry(after, keys.dave.publicKey).groups, [{ name: 'eng' }]);
  const again = await sendAndAck(a, { id: nextId(), targetSpec: '@eng', ...mc.encodePlain('again') });
  assert.deepEqual(await pushesAfterBarrier(b), []);
  assert.deepEqual((await pushesAfterBarrier(d)).map((p) => p.messageId), [again.messageId]);
  await Promise.all([a, b, c, d].map((p) => p.close()));
});

test('a broadcast never reaches other sessions of the sender\'s member', async () => {
  const k1 = mc.randomKeypair(), k2 = mc.randomKeypair(), kb = mc.randomKeypair();
  const a1 = (await env.connect(alice, { session: k1 })).peer;
  const a2 = (await env.connect(alice, { session: k2 })).peer;
  const b = (await env.connect(bob, { session: kb })).peer;
  for (const target of ['*', '@all']) {
    const ack = await sendAndAck(a1, { id: nextId(), targetSpec: target, ...mc.encodePlain('hi') });
    assert.deepEqual(await pushesAfterBarrier(a2), [], target);
    assert.deepEqual(await pushesAfterBarrier(a1), [], target);
    const got = await pushesAfterBarrier(b);
    assert.deepEqual(got.map((p) => p.messageId), [ack.messageId], target);
    assert.equal(got[0].senderMemberPubkey, alice.member.publicKey);
  }
  await Promise.all([a1.close(), a2.close(), b.close()]);
});

async function status(peer, messageId, reqId) {
  return peer.request({ type: 'message_status', messageId, _reqId: reqId }, (f) => f._reqId === reqId);
}
const undeliveredRow = (id) => env.sql(`SELECT delivered_at IS NULL FROM nexus.message_queue WHERE id = '${id}'`) === 't';

test('message_status: delivered, held, broadcast, unknown, ambiguous prefix, invalid id', async () => {
  const ka = mc.randomKeypair(), kb = mc.randomKeypair();
  const a = (await env.connect(alice, { session: ka })).peer;
  const b = (await env.connect(bob, { session: kb })).peer;

  const seen = b.next(isMessage);
  const dm = await sendAndAck(a, { id: nextId(), targetSpec: kb.publicKey, ...mc.encryptDirect('x', kb.publicKey, ka.secretKey) });
  assert.equal((await seen).messageId, dm.messageId);
  await env.node.waitUntil(() => !undeliveredRow(dm.messageId), 5000, 'the DM recorded delivered (written to an SDK socket)');
  const s1 = await status(a, dm.messageId, 's1');
  assert.ok(!Number.isNaN(Date.parse(s1.deliveredAt)));
  assert.deepEqual({ ...s1, deliveredAt: 'T' }, { type: 'message_status_result', messageId: dm.messageId,
    targetSpec: kb.publicKey, delivered: true, deliveredAt: 'T',
    recipients: [{ name: 'bob', pubkey: kb.publicKey, status: 'delivered' }], _reqId: 's1' });

  b.send({ type: 'set_status', status: 'dnd' });
  await listPeers(b); // processed in order: dnd is set before this answer
  const held = await sendAndAck(a, { id: nextId(), targetSpec: kb.publicKey, ...mc.encryptDirect('y', kb.publicKey, ka.secretKey) });
  assert.deepEqual(await pushesAfterBarrier(b), []);
  assert.deepEqual(await status(a, held.messageId, 's2'), { type: 'message_status_result', messageId: held.messageId,
    targetSpec: kb.publicKey, delivered: false, deliveredAt: null,
    recipients: [{ name: 'bob', pubkey: kb.publicKey, status: 'held' }], _reqId: 's2' });

  const bc = await sendAndAck(a, { id: nextId(), targetSpec: '*', ...mc.encodePlain('z') });
  const s3 = await status(a, bc.messageId, 's3');
  assert.equal(s3.delivered, true);
  const listed = (await listPeers(a)).map((p) => ({ name: p.displayName, pubkey: p.pubkey, status: 'delivered' }));
  assert.deepEqual(s3.recipients, listed); // one entry per listed peer, caller included

  assert.deepEqual(await status(a, 'Z'.repeat(32), 's4'),
    { type: 'error', code: 'not_found', message: 'message not found', _reqId: 's4' });
  assert.deepEqual(await status(a, 'abc', 's5'), { type: 'error', code: 'invalid_argument',
    message: 'messageId must be 8-32 base62 chars (got 3)', _reqId: 's5' });
  assert.equal((await status(a, 'abcdefgh-', 's6')).message, 'messageId must be 8-32 base62 chars (got 9)');
  assert.equal((await status(a, 'a'.repeat(33), 's7')).message, 'messageId must be 8-32 base62 chars (got 33)');

  // Two rows sharing an 8-char prefix cannot be made through the broker's
  // random ids, so they are copied in with SQL from the held DM.
  env.sql(`CREATE TEMP TABLE t AS SELECT * FROM nexus.message_queue WHERE id = '${held.messageId}';
    UPDATE t SET id = 'Ambigpfx' || repeat('1', 24); INSERT INTO nexus.message_queue SELECT * FROM t;
    UPDATE t SET id = 'Ambigpfx' || repeat('2', 24); INSERT INTO nexus.message_queue SELECT * FROM t;`);
  assert.deepEqual(await status(a, 'Ambigpfx', 's8'), { type: 'error', code: 'ambiguous_prefix',
    message: 'prefix matched 2 messages — use a longer id', _reqId: 's8' });
  const unique = await status(a, 'Ambigpfx2', 's9');
  assert.equal(unique.messageId, 'Ambigpfx2');
  assert.equal(unique.targetSpec, kb.publicKey);
  await Promise.all([a.close(), b.close()]);
});

test('client_ack: a daemon connection\'s pushes are delivered only once it acks', async () => {
  const ka = mc.randomKeypair();
  const a = (await env.connect(alice, { session: ka })).peer;
  const daemon = (await env.connect(erin, { channel: 'claudemesh-daemon' })).peer;
  const seen = daemon.next(isMessage);
  const dm = await sendAndAck(a, { id: nextId(), targetSpec: erin.session.publicKey, client_message_id: 'cm-1',
    ...mc.encryptDirect('d', erin.session.publicKey, ka.secretKey) });
  const push = await seen;
  assert.equal(push.client_message_id, 'cm-1');
  await listPeers(daemon); // the push is long written; a delivery record would be due
  assert.equal(undeliveredRow(dm.messageId), true);
  assert.equal((await status(a, dm.messageId, 'c1')).delivered, false);

  daemon.send({ type: 'client_ack', clientMessageId: 'cm-1', brokerMessageId: push.messageId });
  await env.node.waitUntil(() => !undeliveredRow(dm.messageId), 5000, 'the client_ack recorded');
  const s = await status(a, dm.messageId, 'c2');
  assert.equal(s.delivered, true);
  assert.deepEqual(s.recipients, [{ name: 'erin', pubkey: erin.session.publicKey, status: 'delivered' }]);
  assert.equal(daemon.frames.filter((f) => f.json && f.json.type !== 'peers_list').length, 0, 'client_ack got a reply');
  await Promise.all([a.close(), daemon.close()]);
});
