'use strict';
// Moderation (§5.19, deviations 22 and 42; docs/identity.md) against the
// real nexusd: kick and disconnect close with 4001/1000 and run the normal
// eviction (peer_left to the others, connection gauge back down); kick never
// matches the caller; ban closes every session of the member with 4002, its
// next hello is refused (error revoked, close 4002), list_bans shows it and
// unban lets it back in; the error strings of §5.19.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const mc = require('./lib/claudemesh_crypto');
const { WsPeer } = require('./lib/ws_peer');
const { startIdentityEnv } = require('./lib/identity');

let env, dave, erin;

before(async () => {
  env = await startIdentityEnv({ meshName: 'moderation' });
  const { code } = await env.invite(env.owner.peer, env.owner.member, { maxUses: 2 });
  dave = await env.join(code, 'dave');
  erin = await env.join(code, 'erin');
});
after(async () => { if (env) await env.stop(); });

async function connections() {
  const text = (await env.node.http('GET', '/metrics')).body;
  const m = new RegExp(`^nexus_mesh_connections\\{mesh="${env.meshId}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : -1;
}

const peerLeft = (who) => (f) => f.type === 'push' && f.event === 'peer_left' && f.eventData.pubkey === who.session.publicKey;

test('kick closes with 4001, evicts (peer_left), and never matches the caller', async () => {
  const davePeer = await env.connect(dave);
  const erinPeer = await env.connect(erin);
  assert.equal(await connections(), 3);
  const left = env.owner.peer.next(peerLeft(dave));
  const erinSees = erinPeer.next(peerLeft(dave));
  const ack = await env.ask(env.owner.peer, { type: 'kick', target: 'dave' });
  assert.deepEqual([ack.type, ack.kicked, ack.affected], ['kick_ack', ['dave'], ['dave']]);
  assert.deepEqual(await davePeer.waitClose(), { code: 4001, reason: 'kicked' });
  await left;
  await erinSees;
  await env.node.waitUntil(async () => (await connections()) === 2, 5000, 'the gauge to drop to 2');

  // The owner kicks by its own name: the calling connection is never matched.
  const self = await env.ask(env.owner.peer, { type: 'kick', target: 'owner' });
  assert.deepEqual([self.kicked, self.affected], [[], []]);
  assert.ok(env.owner.peer.isOpen);
  // By pubkey prefix; disconnect is the soft form (1000).
  const soft = await env.ask(env.owner.peer, { type: 'disconnect', target: erin.member.publicKey.slice(0, 12) });
  assert.deepEqual([soft.type, soft.affected], ['disconnect_ack', ['erin']]);
  assert.deepEqual(await erinPeer.waitClose(), { code: 1000, reason: 'disconnected' });
  await env.owner.peer.next(peerLeft(erin));
  const missing = await env.ask(env.owner.peer, { type: 'kick' });
  assert.deepEqual([missing.code, missing.message], ['invalid', 'give target, stale or all']);
});

test('ban closes every session with 4002, refuses the next hello, unban lets it back', async () => {
  const one = await env.connect(dave);
  const two = await env.connect(dave);
  const ack = await env.ask(env.owner.peer, { type: 'ban', target: 'dave', reason: 'spam' });
  assert.deepEqual([ack.type, ack.banned], ['ban_ack', 'dave']);
  assert.deepEqual(await one.waitClose(), { code: 4002, reason: 'banned' });
  assert.deepEqual(await two.waitClose(), { code: 4002, reason: 'banned' });
  await env.node.waitUntil(async () => (await connections()) === 1, 5000, 'the gauge to drop to 1');

  const again = await WsPeer.connect(env.node.wsUrl);
  again.send(mc.buildHello({ meshId: env.meshId, memberId: dave.memberId, member: dave.member, session: mc.randomKeypair() }));
  const err = await again.next('error');
  assert.deepEqual([err.code, err.message], ['revoked', 'You\'ve been removed from "moderation". Contact the mesh owner to rejoin.']);
  assert.deepEqual(await again.waitClose(), { code: 4002, reason: 'banned' });

  const bans = await env.ask(env.owner.peer, { type: 'list_bans' });
  assert.equal(bans.type, 'list_bans_result');
  assert.deepEqual(bans.bans.map((b) => [b.name, b.pubkey]), [['dave', dave.member.publicKey]]);
  assert.match(bans.bans[0].revokedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

  const audit = await env.ask(env.owner.peer, { type: 'audit_query', eventType: 'member_banned' });
  assert.deepEqual(audit.entries.map((e) => e.payload), [{ target: 'dave', targetPubkey: dave.member.publicKey }]);

  const unban = await env.ask(env.owner.peer, { type: 'unban', target: 'dave' });
  assert.deepEqual([unban.type, unban.unbanned], ['unban_ack', 'dave']);
  const back = await env.connect(dave);
  assert.equal(dave.ack.type, 'hello_ack');
  await back.close();
  assert.deepEqual((await env.ask(env.owner.peer, { type: 'list_bans' })).bans, []);
});

test('ban and unban refusals use the spec strings', async () => {
  const ask = (f) => env.ask(env.owner.peer, f);
  assert.deepEqual(await ask({ type: 'ban' }).then((r) => [r.code, r.message]), ['invalid', 'target required']);
  assert.deepEqual(await ask({ type: 'ban', target: 'nobody' }).then((r) => [r.code, r.message]),
    ['not_found', 'peer "nobody" not found']);
  assert.deepEqual(await ask({ type: 'ban', target: 'owner' }).then((r) => [r.code, r.message]),
    ['invalid', 'cannot ban yourself']);
  assert.deepEqual(await ask({ type: 'unban', target: 'erin' }).then((r) => [r.code, r.message]),
    ['not_found', 'no banned peer "erin"']);
  // An admin who is not the owner cannot ban the owner.
  await ask({ type: 'member_set_role', memberId: erin.memberId, role: 'admin' });
  const erinPeer = await env.connect(erin);
  const r = await env.ask(erinPeer, { type: 'ban', target: env.owner.member.publicKey });
  assert.deepEqual([r.code, r.message], ['forbidden', 'cannot ban the mesh owner']);
  await erinPeer.close();
});
