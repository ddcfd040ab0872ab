'use strict';
// session_hello (§2.5) over a real WebSocket: a member-signed attestation
// of a session key plus a session-signed hello. The accepted path (hello_ack
// without `services`, peerRole "session"), every refusal with its exact
// code, message and close (1008, the code as reason) in the spec's check
// order, and replacement: a second session_hello with the same session key
// closes the first socket 1000 "session_replaced" and keeps the presenceId.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const mc = require('./lib/claudemesh_crypto');
const { WsPeer } = require('./lib/ws_peer');
const { startMeshEnv, buildSessionHello, listPeers, isSystem } = require('./lib/mesh_env');

let env, alice, bob, observer;

before(async () => {
  env = await startMeshEnv({ meshName: 'sessions' });
  alice = env.addMember('alice');
  bob = env.addMember('bob');
  observer = (await env.connect(bob)).peer;
});
after(async () => {
  if (observer) await observer.close();
  if (env) await env.stop();
});

/** A session_hello of `member` (keypair) for a fresh (or given) session key. */
function sessionHello(opts = {}, att = {}, overrides = {}) {
  return buildSessionHello({ meshId: env.meshId, member: alice.member, session: mc.randomKeypair(), ...opts },
    att, overrides);
}

test('a valid session_hello is admitted as a "session" presence', async () => {
  const session = mc.randomKeypair();
  const joined = observer.next(isSystem('peer_joined'));
  const p = await WsPeer.connect(env.node.wsUrl);
  p.send(sessionHello({ session, parentMemberId: alice.memberId, displayName: 'alice-cc',
    groups: [{ name: 'eng', role: 'dev' }] }));
  const ack = await p.next('hello_ack');
  assert.ok(ack.presenceId.length >= 20);
  assert.equal(ack.memberDisplayName, 'alice-cc');
  assert.equal('services' in ack, false); // hello path only (§2.7)
  assert.equal('restored' in ack, false);
  assert.equal(typeof ack.memberProfile, 'object');
  assert.equal((await joined).eventData.pubkey, session.publicKey);

  const me = (await listPeers(observer)).find((x) => x.pubkey === session.publicKey);
  assert.equal(me.memberPubkey, alice.member.publicKey);
  assert.equal(me.peerRole, 'session');
  assert.equal(me.displayName, 'alice-cc');
  assert.equal(me.channel, 'claudemesh-session');
  assert.equal(me.peerType, 'ai');
  assert.deepEqual(me.groups, [{ name: 'eng', role: 'dev' }]);
  await p.close();
});

/** Sends `frame` on a new socket; asserts the error frame and the 1008 close. */
async function refusedWith(frame, code, message) {
  const p = await WsPeer.connect(env.node.wsUrl);
  p.send(frame);
  assert.deepEqual(await p.next('error'), { type: 'error', code, message }, code);
  assert.deepEqual(await p.waitClose(), { code: 1008, reason: code }, code);
}

test('each refusal carries its code, message and close 1008', async () => {
  const start = env.sql('SELECT count(*) FROM nexus.presence');
  const upper = mc.randomKeypair();
  const upperKey = upper.publicKey.toUpperCase();
  await refusedWith(sessionHello({ session: upper }, { sessionPubkey: upperKey }, { sessionPubkey: upperKey }),
    'bad_session_pubkey', 'sessionPubkey must be 64 lowercase hex chars');
  const upperParent = alice.member.publicKey.toUpperCase();
  await refusedWith(sessionHello({}, { parentMemberPubkey: upperParent }, { parentMemberPubkey: upperParent }),
    'bad_parent_pubkey', 'session_hello rejected: bad_parent_pubkey');
  await refusedWith(sessionHello({}, { sessionPubkey: mc.randomKeypair().publicKey }),
    'attestation_mismatch', 'session_hello rejected: attestation_mismatch');
  await refusedWith(sessionHello({}, {}, { parentAttestation: undefined }),
    'attestation_mismatch', 'session_hello rejected: attestation_mismatch');
  await refusedWith(sessionHello({}, {}, { parentAttestation: 'signed' }),
    'attestation_mismatch', 'session_hello rejected: attestation_mismatch');
  await refusedWith(sessionHello({ expiresAt: Date.now() - 1000 }),
    'expired', 'attestation rejected: expired');
  await refusedWith(sessionHello({ expiresAt: Date.now() + 25 * 3600e3 }),
    'ttl_too_long', 'attestation rejected: ttl_too_long');
  await refusedWith(sessionHello({}, { expiresAt: '2099' }),
    'malformed', 'attestation rejected: malformed');
  await refusedWith(sessionHello({}, { signature: 'ab' }),
    'malformed', 'attestation rejected: malformed');
  // The attestation signed by another member's key.
  const s1 = mc.randomKeypair();
  const exp = Date.now() + 3600e3;
  const forged = mc.signDetached(`claudemesh-session-attest|${alice.member.publicKey}|${s1.publicKey}|${exp}`,
    bob.member.secretKey);
  await refusedWith(sessionHello({ session: s1, expiresAt: exp }, { signature: forged }),
    'bad_signature', 'attestation rejected: bad_signature');
  await refusedWith(sessionHello({ timestamp: Date.now() - 61000 }),
    'timestamp_skew', 'session_hello rejected: timestamp_skew');
  await refusedWith(sessionHello({}, {}, { timestamp: '1717459200000' }),
    'timestamp_skew', 'session_hello rejected: timestamp_skew');
  // The session signature made by the member key instead of the session key.
  const s2 = mc.randomKeypair();
  const ts = Date.now();
  await refusedWith(sessionHello({ session: s2, timestamp: ts }, {}, { signature: mc.signDetached(
    `claudemesh-session-hello|${env.meshId}|${alice.member.publicKey}|${s2.publicKey}|${ts}`, alice.member.secretKey) }),
  'bad_signature', 'session_hello rejected: bad_signature');
  await refusedWith(sessionHello({}, {}, { signature: 'f'.repeat(127) }),
    'malformed', 'session_hello rejected: malformed');
  await refusedWith(sessionHello({ parentMemberId: bob.memberId }),
    'parent_member_id_mismatch', 'session_hello rejected: parent_member_id_mismatch');
  const stranger = mc.randomKeypair();
  await refusedWith(buildSessionHello({ meshId: env.meshId, member: stranger, session: mc.randomKeypair() }),
    'unauthorized', 'parent pubkey not found in mesh');
  assert.equal(env.sql('SELECT count(*) FROM nexus.presence'), start);
});

test('a second session_hello with the same session key replaces the first', async () => {
  const session = mc.randomKeypair();
  const t0 = Date.now();
  const p1 = await WsPeer.connect(env.node.wsUrl);
  p1.send(sessionHello({ session, timestamp: t0 }));
  const ack1 = await p1.next('hello_ack');
  await listPeers(observer);
  const framesBefore = observer.seen.length;

  const p2 = await WsPeer.connect(env.node.wsUrl);
  p2.send(sessionHello({ session, timestamp: t0 + 5 }));
  const ack2 = await p2.next('hello_ack');
  assert.deepEqual(await p1.waitClose(), { code: 1000, reason: 'session_replaced' });
  assert.equal(ack2.presenceId, ack1.presenceId);
  assert.equal('memberProfile' in ack2, false); // new presence only (§2.7)

  const peers = await listPeers(observer);
  assert.equal(peers.filter((x) => x.pubkey === session.publicKey).length, 1);
  // Peers never saw it leave: no peer_left / peer_joined for the swap (§2.6a).
  const events = observer.seen.slice(framesBefore).map((t) => JSON.parse(t)).filter((f) => f.subtype === 'system');
  assert.deepEqual(events, []);
  // The replacement socket works.
  assert.ok((await listPeers(p2)).some((x) => x.pubkey === session.publicKey));
  await p2.close();
});
