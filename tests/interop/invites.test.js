'use strict';
// Invites v2 (§6.6, §7.2, deviation 32 fixed; docs/identity.md) against the
// real nexusd and PostgreSQL: the full claim round trip with libsodium (the
// unsealed key is the mesh root key and the new member can hello and
// exchange messages), the preview, tampered capabilities, expiry,
// revocation, 20 concurrent claims of a single-use invite, and the exact
// status codes and error strings. Every wait has a deadline.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');

const mc = require('./lib/claudemesh_crypto');
const { claimBody, openSealed, x25519Keypair, startIdentityEnv } = require('./lib/identity');

let env;
const sql = (query, vars = {}) => {
  const argv = ['-X', '-At', env.db.url, '-v', 'ON_ERROR_STOP=1'];
  for (const [k, v] of Object.entries(vars)) argv.push('-v', `${k}=${v}`);
  return execFileSync('psql', [...argv, '-c', query], { encoding: 'utf8' }).trim();
};
// psql -c does not interpolate variables; feed the query on stdin instead.
const sqlVars = (query, vars) => {
  const argv = ['-X', '-At', env.db.url, '-v', 'ON_ERROR_STOP=1'];
  for (const [k, v] of Object.entries(vars)) argv.push('-v', `${k}=${v}`);
  return execFileSync('psql', argv, { input: query, encoding: 'utf8' }).trim();
};
const membersWithKey = (pubkey) => Number(sqlVars(
  "SELECT count(*) FROM nexus.member WHERE peer_pubkey = :'k' AND revoked_at IS NULL;", { k: pubkey }));

before(async () => { env = await startIdentityEnv(); });
after(async () => { if (env) await env.stop(); });

test('full claim round trip: the sealed key opens to the root key and the new member talks', async () => {
  const { code, reply } = await env.invite(env.owner.peer, env.owner.member,
    { preset: { roleTag: 'reviewer', groups: [{ name: 'eng' }] } });
  assert.match(code, /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{8}$/);
  assert.equal(reply.invite.createdBy, 'owner');
  assert.equal(reply.invite.usedCount, 0);

  const bob = await env.join(code, 'bob');
  assert.equal(bob.res.status, 200, JSON.stringify(bob.res.body));
  const body = bob.res.body;
  assert.deepEqual(Object.keys(body).sort(),
    ['canonical_v2', 'display_name', 'member_id', 'mesh_id', 'owner_pubkey', 'role', 'sealed_root_key']);
  assert.equal(body.mesh_id, env.meshId);
  assert.equal(body.owner_pubkey, env.owner.member.publicKey);
  assert.equal(body.role, 'member');
  assert.equal(body.display_name, 'bob');
  assert.equal(body.canonical_v2, reply.canonical);
  const rootKey = openSealed(body.sealed_root_key, bob.x);
  assert.equal(rootKey.length, 32);
  assert.deepEqual(Buffer.from(rootKey), Buffer.from(env.rootKey));
  // The row holds a usable identity with the preset applied.
  assert.equal(sqlVars("SELECT peer_pubkey || ' ' || role || ' ' || role_tag || ' ' || default_groups::text " +
    "FROM nexus.member WHERE id = :'id';", { id: bob.memberId }),
  `${bob.member.publicKey} member reviewer [{"name": "eng"}]`);

  // The new member says hello and exchanges direct messages both ways.
  const bobPeer = await env.connect(bob);
  try {
    const id1 = mc.randomSendId();
    const toBob = mc.encryptDirect('hello bob', bob.session.publicKey, env.owner.session.secretKey);
    const ack1 = await env.owner.peer.request({ type: 'send', id: id1, targetSpec: bob.session.publicKey,
      priority: 'now', ...toBob }, (f) => f.type === 'ack' && f.id === id1);
    assert.equal(ack1.queued, true);
    const push1 = await bobPeer.next((f) => f.type === 'push' && f.messageId === ack1.messageId);
    assert.equal(mc.decodePush(push1, bob.session.secretKey), 'hello bob');

    const id2 = mc.randomSendId();
    const toOwner = mc.encryptDirect('hi owner', env.owner.session.publicKey, bob.session.secretKey);
    const ack2 = await bobPeer.request({ type: 'send', id: id2, targetSpec: env.owner.session.publicKey,
      priority: 'now', ...toOwner }, (f) => f.type === 'ack' && f.id === id2);
    assert.equal(ack2.queued, true);
    const push2 = await env.owner.peer.next((f) => f.type === 'push' && f.messageId === ack2.messageId);
    assert.equal(mc.decodePush(push2, env.owner.session.secretKey), 'hi owner');
  } finally {
    await bobPeer.close();
  }

  // Claiming again with the same identity is idempotent and consumes nothing.
  const again = await env.post(`/invites/${code}/claim`, claimBody({ code, member: bob.member, x: bob.x, displayName: 'bob' }));
  assert.equal(again.status, 200);
  assert.equal(again.body.already_member, true);
  assert.equal(again.body.member_id, bob.memberId);
  // The single use is gone for anybody else.
  const late = await env.join(code, 'late');
  assert.deepEqual([late.res.status, late.res.body.error], [410, 'exhausted']);
});

test('GET /invites/<code> previews the invite without secrets', async () => {
  const { code, reply } = await env.invite(env.owner.peer, env.owner.member, { role: 'admin', maxUses: 3 });
  const res = await env.get(`/invites/${code}`);
  assert.equal(res.status, 200);
  const members = Number(sqlVars("SELECT count(*) FROM nexus.member WHERE mesh_id = :'m' AND revoked_at IS NULL;",
    { m: env.meshId }));
  assert.deepEqual(res.body, {
    code, mesh_id: env.meshId, mesh_name: 'identity', inviter: 'owner', role: 'admin',
    expires_at: reply.invite.expiresAt, member_count: members, max_uses: 3, used_count: 0,
    owner_pubkey: env.owner.member.publicKey,
  });
  assert.deepEqual((await env.get('/invites/ZZZZZZZZ')).status, 404);
  assert.deepEqual((await env.get('/invites/ZZZZZZZZ')).body.error, 'not_found');
  assert.equal((await env.get(`/invites/${code}?x=1`)).status, 404);
});

test('a tampered capability or claim is bad_signature and consumes nothing', async () => {
  // Another key's signature stored in the row.
  const { code } = await env.invite(env.owner.peer, env.owner.member);
  const forged = mc.signDetached('something else', mc.randomKeypair().secretKey);
  sqlVars("UPDATE nexus.invite SET capability_v2 = jsonb_set(capability_v2, '{signature}', to_jsonb(:'s'::text)) " +
    "WHERE code = :'c';", { s: forged, c: code });
  const bad = await env.join(code, 'mallory');
  assert.deepEqual([bad.res.status, bad.res.body.error], [400, 'bad_signature']);

  // The row's role raised behind the issuer's back: canonical no longer matches.
  const second = await env.invite(env.owner.peer, env.owner.member);
  sqlVars("UPDATE nexus.invite SET role = 'admin' WHERE code = :'c';", { c: second.code });
  const escalated = await env.join(second.code, 'mallory');
  assert.deepEqual([escalated.res.status, escalated.res.body.error], [400, 'bad_signature']);

  // A claim signed by another key than peer_pubkey.
  const third = await env.invite(env.owner.peer, env.owner.member);
  const who = { member: mc.randomKeypair(), x: x25519Keypair() };
  const body = claimBody({ code: third.code, member: who.member, x: who.x });
  body.peer_pubkey = mc.randomKeypair().publicKey;
  const res = await env.post(`/invites/${third.code}/claim`, body);
  assert.deepEqual([res.status, res.body.error], [400, 'bad_signature']);
  assert.equal(sql(`SELECT used_count FROM nexus.invite WHERE code IN ('${code}', '${second.code}', '${third.code}') ` +
    'GROUP BY used_count'), '0');
});

test('expired and revoked invites answer 410 with the spec strings', async () => {
  const expired = await env.invite(env.owner.peer, env.owner.member);
  sqlVars("UPDATE nexus.invite SET expires_at = now() - interval '1 second' WHERE code = :'c';", { c: expired.code });
  // The canonical signs the expiry: put the signature right again so only the time decides.
  const row = sqlVars("SELECT id || ' ' || floor(extract(epoch FROM expires_at))::bigint FROM nexus.invite WHERE code = :'c';",
    { c: expired.code }).split(' ');
  const canonical = `v=2|${env.meshId}|${row[0]}|${row[1]}|member|${env.owner.member.publicKey}`;
  sqlVars("UPDATE nexus.invite SET capability_v2 = jsonb_build_object('canonical', :'k'::text, 'signature', :'s'::text) " +
    "WHERE code = :'c';", { k: canonical, s: mc.signDetached(canonical, env.owner.member.secretKey), c: expired.code });
  const late = await env.join(expired.code, 'late');
  assert.deepEqual([late.res.status, late.res.body.error], [410, 'expired']);
  assert.equal((await env.get(`/invites/${expired.code}`)).status, 410);

  const revoked = await env.invite(env.owner.peer, env.owner.member);
  const r = await env.ask(env.owner.peer, { type: 'invite_revoke', code: revoked.code });
  assert.equal(r.type, 'invite_revoked');
  assert.ok(r.invite.revokedAt);
  const again = await env.ask(env.owner.peer, { type: 'invite_revoke', code: revoked.code });
  assert.equal(again.invite.revokedAt, r.invite.revokedAt); // idempotent
  const gone = await env.join(revoked.code, 'nope');
  assert.deepEqual([gone.res.status, gone.res.body.error], [410, 'revoked']);
  const unknown = await env.ask(env.owner.peer, { type: 'invite_revoke', code: 'ZZZZZZZZ' });
  assert.deepEqual([unknown.type, unknown.code], ['error', 'not_found']);

  const list = await env.ask(env.owner.peer, { type: 'invite_list' });
  assert.equal(list.type, 'invite_list_result');
  const mine = list.invites.find((i) => i.code === revoked.code);
  assert.ok(mine && mine.revokedAt);
  assert.equal(list.invites[0].code, revoked.code); // newest first
});

test('20 concurrent claims of a max-uses-1 invite admit exactly one member', async () => {
  const { code } = await env.invite(env.owner.peer, env.owner.member);
  const claims = await Promise.all(Array.from({ length: 20 }, (_, i) => env.join(code, `racer${i}`)));
  const ok = claims.filter((c) => c.res.status === 200);
  const refused = claims.filter((c) => c.res.status === 410);
  assert.equal(ok.length, 1, JSON.stringify(claims.map((c) => c.res)));
  assert.equal(refused.length, 19);
  assert.ok(refused.every((c) => c.res.body.error === 'exhausted'));
  assert.equal(sql("SELECT count(*) FROM nexus.member WHERE display_name LIKE 'racer%'"), '1');
  assert.equal(membersWithKey(ok[0].member.publicKey), 1);
  assert.equal(sqlVars("SELECT used_count || '/' || max_uses FROM nexus.invite WHERE code = :'c';", { c: code }), '1/1');
});

test('claim bodies: malformed, not_found, and bounds of invite_create', async () => {
  const { code } = await env.invite(env.owner.peer, env.owner.member);
  const post = (c, body) => env.node.http('POST', `/invites/${c}/claim`, { body })
    .then((r) => ({ status: r.status, body: JSON.parse(r.body) }));
  assert.deepEqual(await post(code, '{}'), { status: 400, body: { error: 'malformed',
    detail: 'claim: recipient_x25519_pubkey must be a string' } });
  assert.equal((await post(code, 'not json')).body.error, 'malformed');
  const who = { member: mc.randomKeypair(), x: x25519Keypair() };
  const shortKey = claimBody({ code, member: who.member, x: who.x });
  shortKey.recipient_x25519_pubkey = 'abc';
  assert.deepEqual([(await post(code, JSON.stringify(shortKey))).status, (await post(code, JSON.stringify(shortKey))).body.error],
    [400, 'malformed']);
  const noPeer = claimBody({ code, member: who.member, x: who.x });
  delete noPeer.peer_pubkey;
  assert.equal((await post(code, JSON.stringify(noPeer))).body.error, 'malformed');
  const elsewhere = claimBody({ code: 'ZZZZZZZZ', member: who.member, x: who.x });
  assert.deepEqual(await post('ZZZZZZZZ', JSON.stringify(elsewhere)), { status: 404,
    body: { error: 'not_found', detail: 'no invite ZZZZZZZZ' } });
  assert.equal(sqlVars("SELECT used_count FROM nexus.invite WHERE code = :'c';", { c: code }), '0');

  const now = Math.floor(Date.now() / 1000);
  const tooMany = await env.ask(env.owner.peer, require('./lib/identity').inviteCreateFrame({
    meshId: env.meshId, ownerPubkey: env.owner.member.publicKey, signer: env.owner.member, maxUses: 1001 }).frame);
  assert.deepEqual([tooMany.code, tooMany.message], ['invalid', 'maxUses must be 1..1000']);
  const past = await env.ask(env.owner.peer, require('./lib/identity').inviteCreateFrame({
    meshId: env.meshId, ownerPubkey: env.owner.member.publicKey, signer: env.owner.member, expiresAt: now - 1 }).frame);
  assert.equal(past.code, 'invalid');
  const wrongKey = await env.ask(env.owner.peer, require('./lib/identity').inviteCreateFrame({
    meshId: env.meshId, ownerPubkey: env.owner.member.publicKey, signer: mc.randomKeypair() }).frame);
  assert.equal(wrongKey.code, 'bad_signature');
});
