'use strict';
// Mesh creation by a user (issue 4 item 1; docs/identity.md) against the
// real nexusd: POST /api/meshes under the `operator` policy (token in the
// body or as a Bearer header, constant-time compared, redacted by
// --print-config) and the `open` policy; the creator becomes the owner and
// an admin member, receives the root key sealed to its x25519 key, and can
// hello; signature, skew and replay refusals; the same over WS.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');

const mc = require('./lib/claudemesh_crypto');
const { createTestDatabase, startNode } = require('./lib/node_process');
const { WsPeer } = require('./lib/ws_peer');
const { meshCreateBody, openSealed, x25519Keypair, startIdentityEnv } = require('./lib/identity');

const TOKEN = 'op-token-for-tests-0123456789';
let db, node, open;

async function post(target, body, headers = {}) {
  const res = await target.http('POST', '/api/meshes', { body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers } });
  return { status: res.status, body: JSON.parse(res.body) };
}

before(async () => {
  await mc.ready();
  db = await createTestDatabase();
  node = await startNode({ databaseUrl: db.url, args: ['--operator-token', TOKEN] });
  open = await startIdentityEnv({ meshName: 'open-policy' });
});
after(async () => {
  if (node) await node.stop();
  if (db) await db.drop();
  if (open) await open.stop();
});

test('operator policy: the token is required, and the creator becomes owner and admin', async () => {
  const creator = mc.randomKeypair();
  const x = x25519Keypair();
  const fresh = () => meshCreateBody({ name: 'team', displayName: 'alice', creator, x });
  assert.deepEqual(await post(node, fresh()), { status: 403,
    body: { error: 'forbidden', detail: 'operator token missing or wrong' } });
  assert.equal((await post(node, { ...fresh(), operator_token: `${TOKEN}x` })).status, 403);
  assert.equal((await post(node, fresh(), { authorization: 'Bearer nope' })).status, 403);

  const created = await post(node, fresh(), { authorization: `Bearer ${TOKEN}` });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const b = created.body;
  assert.deepEqual(Object.keys(b).sort(), ['member_id', 'mesh_id', 'name', 'owner_pubkey', 'role', 'sealed_root_key', 'slug']);
  assert.deepEqual([b.name, b.slug, b.owner_pubkey, b.role], ['team', 'team', creator.publicKey, 'admin']);
  assert.equal(openSealed(b.sealed_root_key, x).length, 32);
  const row = execFileSync('psql', ['-X', '-At', db.url, '-c',
    `SELECT m.owner_pubkey = p.peer_pubkey, p.role, p.display_name, length(m.root_key_enc) FROM nexus.mesh m ` +
    `JOIN nexus.member p ON p.mesh_id = m.id WHERE m.id = '${b.mesh_id}'`], { encoding: 'utf8' }).trim();
  assert.equal(row, 't|admin|alice|72'); // 24-byte nonce ‖ 32-byte key ‖ 16-byte tag: never plaintext

  // The creator can hello at once and is the owner.
  const peer = await WsPeer.connect(node.wsUrl);
  peer.send(mc.buildHello({ meshId: b.mesh_id, memberId: b.member_id, member: creator, session: mc.randomKeypair() }));
  const ack = await peer.next('hello_ack');
  assert.equal(ack.memberDisplayName, 'alice');
  const list = await peer.request({ type: 'member_list', _reqId: 'm' }, (f) => f._reqId === 'm');
  assert.deepEqual(list.members.map((m) => [m.displayName, m.role, m.online, m.sessions]), [['alice', 'owner', true, 1]]);
  await peer.close();
});

test('--print-config redacts the operator token', () => {
  const out = execFileSync(process.env.NEXUSD_BINARY, ['--operator-token', TOKEN, '--print-config'], { encoding: 'utf8' });
  const cfg = JSON.parse(out);
  assert.equal(cfg.operator_token, '***');
  assert.equal(cfg.mesh_creation, 'operator');
  assert.ok(!out.includes(TOKEN));
});

test('signature, skew and replay are refused; bodies are checked', async () => {
  const creator = mc.randomKeypair();
  const x = x25519Keypair();
  const body = meshCreateBody({ name: 'team', displayName: 'alice', creator, x, operatorToken: TOKEN });
  assert.deepEqual((await post(node, { ...body, name: 'other' })).body.error, 'bad_signature');
  const old = meshCreateBody({ name: 'team', displayName: 'alice', creator, x, operatorToken: TOKEN,
    timestamp: Date.now() - 61000 });
  assert.deepEqual((await post(node, old)).body.error, 'timestamp_skew');
  assert.equal((await post(node, body)).status, 201);
  assert.deepEqual(await post(node, body), { status: 400, body: { error: 'bad_signature', detail: 'replayed signature' } });
  const pipe = meshCreateBody({ name: 'a|b', displayName: 'alice', creator, x, operatorToken: TOKEN });
  assert.deepEqual(await post(node, pipe), { status: 400, body: { error: 'malformed', detail: "name must not contain '|'" } });
  const { signature, ...unsigned } = body;
  assert.equal(signature.length, 128);
  assert.deepEqual(await post(node, unsigned), { status: 400,
    body: { error: 'malformed', detail: 'POST /api/meshes: signature must be a string' } });
});

test('open policy needs no token; create_mesh works over WS too', async () => {
  const creator = mc.randomKeypair();
  const x = x25519Keypair();
  const res = await open.post('/api/meshes', meshCreateBody({ name: 'free', displayName: 'zoe', creator, x }));
  assert.equal(res.status, 201);

  const ws = meshCreateBody({ name: 'via-ws', displayName: 'yan', creator, x });
  const reply = await open.ask(open.owner.peer, { type: 'create_mesh', name: ws.name, pubkey: ws.pubkey,
    displayName: ws.display_name, recipientX25519Pubkey: ws.recipient_x25519_pubkey, timestamp: ws.timestamp,
    signature: ws.signature });
  assert.equal(reply.type, 'mesh_created', JSON.stringify(reply));
  assert.deepEqual([reply.name, reply.ownerPubkey, reply.role], ['via-ws', creator.publicKey, 'admin']);
  assert.equal(openSealed(reply.sealedRootKey, x).length, 32);
  const again = await open.ask(open.owner.peer, { type: 'create_mesh', name: ws.name, pubkey: ws.pubkey,
    displayName: ws.display_name, recipientX25519Pubkey: ws.recipient_x25519_pubkey, timestamp: ws.timestamp,
    signature: ws.signature });
  assert.deepEqual([again.type, again.code], ['error', 'bad_signature']);
});
