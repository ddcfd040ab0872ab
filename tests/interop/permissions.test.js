'use strict';
// Roles, permissions, member management and grants (issue 4 items 3–5;
// docs/identity.md) against the real nexusd: every admin-only operation is
// refused to a member with `forbidden`; overrides grant and revoke single
// permissions (send, write_state, invite); member_list with online state and
// session counts; member_update under the self-editable policy with the
// profile_updated push; grants and block with one allowed() for the DM
// pre-flight, broadcasts, state_change and peers_list, counted in metrics.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const mc = require('./lib/claudemesh_crypto');
const { inviteCreateFrame, startIdentityEnv } = require('./lib/identity');

let env, bob, carol;

before(async () => {
  env = await startIdentityEnv({ meshName: 'perms' });
  const { code } = await env.invite(env.owner.peer, env.owner.member, { maxUses: 2 });
  bob = await env.join(code, 'bob');
  carol = await env.join(code, 'carol');
  bob.peer = await env.connect(bob);
  carol.peer = await env.connect(carol);
});
after(async () => {
  for (const who of [bob, carol]) if (who && who.peer) await who.peer.close().catch(() => {});
  if (env) await env.stop();
});

const forbidden = (reply) => reply.type === 'error' && reply.code === 'forbidden';

test('a member is refused every admin-only operation', async () => {
  const { frame } = inviteCreateFrame({ meshId: env.meshId, ownerPubkey: env.owner.member.publicKey, signer: bob.member });
  const refusals = {
    invite_create: frame,
    invite_list: { type: 'invite_list' },
    invite_revoke: { type: 'invite_revoke', code: 'ABCDEFGH' },
    member_update_other: { type: 'member_update', memberId: carol.memberId, displayName: 'x' },
    member_set_role: { type: 'member_set_role', memberId: bob.memberId, role: 'admin' },
    member_set_permissions: { type: 'member_set_permissions', memberId: bob.memberId, permissions: { invite: true } },
    mesh_policy_set: { type: 'mesh_policy', selfEditable: { displayName: true, roleTag: true, groups: true, messageMode: true } },
    kick: { type: 'kick', target: 'carol' },
    disconnect: { type: 'disconnect', target: 'carol' },
    ban: { type: 'ban', target: 'carol' },
    unban: { type: 'unban', target: 'carol' },
  };
  for (const [name, f] of Object.entries(refusals)) {
    const reply = await env.ask(bob.peer, f);
    assert.ok(forbidden(reply), `${name}: ${JSON.stringify(reply)}`);
  }
  assert.equal((await env.ask(bob.peer, refusals.kick)).message, 'only owner or admin can kicked');
  assert.equal((await env.ask(bob.peer, refusals.ban)).message, 'only owner or admin can ban');
  assert.equal((await env.ask(bob.peer, refusals.invite_list)).message,
    'forbidden: invite_list needs the invite permission (your role: member)');
  // Nothing changed: carol is still connected and named carol.
  assert.ok(carol.peer.isOpen);
  const list = await env.ask(env.owner.peer, { type: 'member_list' });
  assert.deepEqual(list.members.map((m) => m.displayName), ['owner', 'bob', 'carol']);
});

test('member_list shows roles, permissions, online state and session counts', async () => {
  const second = await env.connect({ ...bob }); // a second session of bob (own session key)
  try {
    const list = await env.ask(carol.peer, { type: 'member_list' });
    const byName = Object.fromEntries(list.members.map((m) => [m.displayName, m]));
    assert.deepEqual([byName.owner.role, byName.bob.role, byName.carol.role], ['owner', 'member', 'member']);
    assert.deepEqual([byName.bob.online, byName.bob.sessions, byName.carol.sessions], [true, 2, 1]);
    assert.deepEqual(byName.bob.permissions, { invite: false, manage_members: false, write_state: true, send: true,
      moderate: false, manage_services: false });
    assert.equal(byName.owner.permissions.manage_services, true);
    assert.equal(byName.bob.pubkey, bob.member.publicKey);
  } finally {
    await second.close();
  }
});

test('overrides: send and write_state off are refused, invite on is allowed', async () => {
  const off = await env.ask(env.owner.peer, { type: 'member_set_permissions', memberId: bob.memberId,
    permissions: { send: false, write_state: false, invite: true } });
  assert.equal(off.type, 'member_updated');
  assert.deepEqual([off.member.permissions.send, off.member.permissions.invite], [false, true]);
  const id = mc.randomSendId();
  const rejected = bob.peer.next((f) => f.type === 'error' && f.code === 'send_rejected' && f.id === id);
  const ack = await bob.peer.request({ type: 'send', id, targetSpec: '*', priority: 'now', ...mc.encodePlain('x') },
    (f) => f.type === 'ack' && f.id === id);
  await rejected;
  assert.deepEqual([ack.queued, ack.error], [false, 'forbidden: the send permission of this member is off']);
  const state = await env.ask(bob.peer, { type: 'set_state', key: 'k', value: 1 });
  assert.deepEqual([state.code, state.message], ['forbidden', 'forbidden: set_state needs the write_state permission']);
  const { code } = await env.invite(bob.peer, bob.member);
  assert.match(code, /^[A-Z2-9]{8}$/);
  // An admin invite needs manage_members as well.
  const { frame } = inviteCreateFrame({ meshId: env.meshId, ownerPubkey: env.owner.member.publicKey, signer: bob.member, role: 'admin' });
  assert.ok(forbidden(await env.ask(bob.peer, frame)));

  const back = await env.ask(env.owner.peer, { type: 'member_set_permissions', memberId: bob.memberId,
    permissions: { send: null, write_state: null, invite: null } });
  assert.deepEqual(back.member.permissions.send, true);
  const id2 = mc.randomSendId();
  const ok = await bob.peer.request({ type: 'send', id: id2, targetSpec: '*', priority: 'now', ...mc.encodePlain('y') },
    (f) => f.type === 'ack' && f.id === id2);
  assert.equal(ok.queued, true);
  const owner = await env.ask(env.owner.peer, { type: 'member_set_permissions', memberId: env.owner.memberId,
    permissions: { send: false } });
  assert.deepEqual([owner.code, owner.message], ['invalid', "the owner's permissions cannot be changed"]);
});

test('member_update: self within the policy, profile_updated to the member, admins edit others', async () => {
  const mine = await env.ask(bob.peer, { type: 'member_update', displayName: 'robert', messageMode: 'inbox' });
  assert.equal(mine.type, 'member_updated', JSON.stringify(mine));
  assert.deepEqual([mine.member.displayName, mine.member.messageMode], ['robert', 'inbox']);
  const push = await bob.peer.next((f) => f.type === 'push' && f.event === 'profile_updated');
  assert.deepEqual(push.eventData, { displayName: 'robert', messageMode: 'inbox' });
  const tag = await env.ask(bob.peer, { type: 'member_update', roleTag: 'lead' });
  assert.deepEqual([tag.code, tag.message], ['forbidden',
    "forbidden: the mesh's self-editable policy does not let members change roleTag (ask someone with manage_members)"]);
  const policy = await env.ask(env.owner.peer, { type: 'mesh_policy',
    selfEditable: { displayName: true, roleTag: true, groups: false, messageMode: true } });
  assert.deepEqual(policy.selfEditable, { displayName: true, roleTag: true, groups: false, messageMode: true });
  assert.equal((await env.ask(bob.peer, { type: 'member_update', roleTag: 'lead' })).member.roleTag, 'lead');
  const read = await env.ask(carol.peer, { type: 'mesh_policy' });
  assert.equal(read.selfEditable.roleTag, true);

  const byAdmin = await env.ask(env.owner.peer, { type: 'member_update', memberId: carol.memberId,
    groups: [{ name: 'eng', role: 'lead' }], roleTag: null });
  assert.deepEqual([byAdmin.member.groups, byAdmin.member.roleTag], [[{ name: 'eng', role: 'lead' }], null]);
  assert.equal((await env.ask(env.owner.peer, { type: 'member_update', memberId: carol.memberId })).code, 'invalid');
  const role = await env.ask(env.owner.peer, { type: 'member_set_role', memberId: carol.memberId, role: 'admin' });
  assert.deepEqual([role.member.role, role.member.permissions.moderate], ['admin', true]);
  assert.equal((await env.ask(env.owner.peer, { type: 'member_set_role', memberId: carol.memberId, role: 'member' }))
    .member.role, 'member');
  await env.ask(env.owner.peer, { type: 'member_update', memberId: bob.memberId, displayName: 'bob' });
});

async function metric(cap) {
  const text = (await env.node.http('GET', '/metrics')).body;
  const m = new RegExp(`^broker_messages_dropped_by_grant_total\\{cap="${cap}"\\} (\\d+)$`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

test('block and grants: one allowed() for DMs, broadcasts, state and peers_list, with metrics', async () => {
  const before = { dm: await metric('dm'), broadcast: await metric('broadcast'), state: await metric('state-read') };
  const blocked = await env.ask(carol.peer, { type: 'block', peer: bob.member.publicKey });
  assert.deepEqual(blocked.grants, { [bob.member.publicKey]: [] });

  const id = mc.randomSendId();
  const dm = await bob.peer.request({ type: 'send', id, targetSpec: carol.session.publicKey, priority: 'now',
    ...mc.encryptDirect('hi', carol.session.publicKey, bob.session.secretKey) }, (f) => f.type === 'ack' && f.id === id);
  assert.deepEqual([dm.queued, dm.error], [false, 'blocked by recipient grants (sender lacks dm capability)']);

  // A broadcast reaches the owner but not carol; state_change likewise.
  const bid = mc.randomSendId();
  const back = await bob.peer.request({ type: 'send', id: bid, targetSpec: '*', priority: 'now', ...mc.encodePlain('all') },
    (f) => f.type === 'ack' && f.id === bid);
  await env.owner.peer.next((f) => f.type === 'push' && f.messageId === back.messageId);
  bob.peer.send({ type: 'set_state', key: 'color', value: 'blue' });
  await env.owner.peer.next((f) => f.type === 'state_change' && f.key === 'color');
  const peers = await env.ask(bob.peer, { type: 'list_peers' });
  assert.ok(!peers.peers.some((p) => p.memberPubkey === carol.member.publicKey), 'carol hidden from bob');
  assert.ok(peers.peers.some((p) => p.memberPubkey === env.owner.member.publicKey));
  // Carol saw neither: the next frame she gets is the reply to her own request.
  const own = await env.ask(carol.peer, { type: 'list_grants' });
  assert.equal(own.type, 'grants_result');
  assert.ok(!carol.peer.frames.some((f) => f.json && (f.json.messageId === back.messageId || f.json.type === 'state_change')));
  await env.node.waitUntil(async () => (await metric('dm')) === before.dm + 1 &&
    (await metric('broadcast')) === before.broadcast + 1 && (await metric('state-read')) === before.state + 1,
  5000, 'the drop counters');

  // A grant of dm only lets DMs through; unblock restores the defaults.
  const granted = await env.ask(carol.peer, { type: 'grant', peer: bob.member.publicKey, capabilities: ['dm'] });
  assert.deepEqual(granted.grants[bob.member.publicKey], ['dm']);
  const id2 = mc.randomSendId();
  const ok = await bob.peer.request({ type: 'send', id: id2, targetSpec: carol.session.publicKey, priority: 'now',
    ...mc.encryptDirect('now?', carol.session.publicKey, bob.session.secretKey) }, (f) => f.type === 'ack' && f.id === id2);
  assert.equal(ok.queued, true);
  const got = await carol.peer.next((f) => f.type === 'push' && f.messageId === ok.messageId);
  assert.equal(mc.decodePush(got, carol.session.secretKey), 'now?');
  assert.equal((await env.ask(carol.peer, { type: 'grant', peer: bob.member.publicKey, capabilities: ['fly'] })).code, 'invalid');
  const cleared = await env.ask(carol.peer, { type: 'unblock', peer: bob.member.publicKey });
  assert.deepEqual(cleared.grants, {});
});
