'use strict';
// Client side of identity and membership (docs/identity.md) for the interop
// tests, written the way a client must do it with libsodium-wrappers: the
// signed mesh creation request, the invite capability an admin signs with
// its member key, the signed claim with a fresh x25519 keypair, and
// opening the sealed root key. Plus a node with an identity-ready mesh:
// created over HTTP by its owner, who is then connected.
// Call `await mc.ready()` first.

const sodium = require('libsodium-wrappers');

const mc = require('./claudemesh_crypto');
const { createTestDatabase, startNode } = require('./node_process');
const { WsPeer } = require('./ws_peer');

const B64URL = () => sodium.base64_variants.URLSAFE_NO_PADDING;
const BASE62 = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';

/** A fresh x25519 keypair {publicKey (base64url), privateKey, publicRaw}. */
function x25519Keypair() {
  const kp = sodium.crypto_box_keypair();
  return { publicKey: sodium.to_base64(kp.publicKey, B64URL()), publicRaw: kp.publicKey, privateKey: kp.privateKey };
}

/** crypto_box_seal_open of a base64url sealed box → raw bytes (throws on failure). */
function openSealed(sealedB64url, x) {
  return sodium.crypto_box_seal_open(sodium.from_base64(sealedB64url, B64URL()), x.publicRaw, x.privateKey);
}

function randomId(n = 32) {
  const bytes = sodium.randombytes_buf(n);
  return Array.from(bytes, (b) => BASE62[b % 62]).join('');
}

/** The POST /api/meshes body, signed by `creator` (an ed25519 keypair). */
function meshCreateBody({ name, displayName, creator, x, timestamp = Date.now(), operatorToken }) {
  const canonical = `nexus-mesh-create|${creator.publicKey}|${timestamp}|${x.publicKey}|${name}|${displayName}`;
  const body = {
    name, pubkey: creator.publicKey, display_name: displayName, recipient_x25519_pubkey: x.publicKey,
    timestamp, signature: mc.signDetached(canonical, creator.secretKey),
  };
  if (operatorToken !== undefined) body.operator_token = operatorToken;
  return body;
}

/** The invite_create frame an admin (member keypair `signer`) signs (§7.2 canonical). */
function inviteCreateFrame({ meshId, ownerPubkey, signer, role = 'member', maxUses = 1,
  expiresAt = Math.floor(Date.now() / 1000) + 3600, inviteId = randomId(), preset, reqId = 'ic' }) {
  const canonical = `v=2|${meshId}|${inviteId}|${expiresAt}|${role}|${ownerPubkey}`;
  const frame = { type: 'invite_create', inviteId, expiresAt, role, maxUses,
    signature: mc.signDetached(canonical, signer.secretKey), _reqId: reqId };
  if (preset) frame.preset = preset;
  return { frame, canonical };
}

/** The claim body for `code` by `member` (ed25519 keypair) with x25519 keypair `x`. */
function claimBody({ code, member, x, displayName = '' }) {
  const canonical = `nexus-invite-claim|${code}|${x.publicKey}|${member.publicKey}|${displayName}`;
  const body = { recipient_x25519_pubkey: x.publicKey, peer_pubkey: member.publicKey,
    signature: mc.signDetached(canonical, member.secretKey) };
  if (displayName) body.display_name = displayName;
  return body;
}

const json = (res) => ({ status: res.status, body: JSON.parse(res.body) });

/**
 * A node (extra `args`) on a fresh database, and a mesh created over HTTP by
 * `owner` (an ed25519 keypair), who is connected. Resolves
 * {db, node, meshId, owner: {member, memberId, peer}, rootKey, stop()}.
 */
async function startIdentityEnv({ args = ['--mesh-creation', 'open'], meshName = 'identity' } = {}) {
  await mc.ready();
  const env = {};
  env.db = await createTestDatabase();
  env.node = await startNode({ databaseUrl: env.db.url, args });
  env.post = async (path, body, headers = {}) => json(await env.node.http('POST', path,
    { body: JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers } }));
  env.get = async (path) => json(await env.node.http('GET', path));

  const member = mc.randomKeypair();
  const x = x25519Keypair();
  const created = await env.post('/api/meshes', meshCreateBody({ name: meshName, displayName: 'owner', creator: member, x }));
  if (created.status !== 201) throw new Error(`mesh creation failed: ${JSON.stringify(created)}`);
  env.meshId = created.body.mesh_id;
  env.rootKey = openSealed(created.body.sealed_root_key, x);
  env.owner = { name: 'owner', member, memberId: created.body.member_id };

  /** Opens a socket for `who` ({member, memberId}), says hello, resolves the peer. */
  env.connect = async (who, opts = {}) => {
    who.session = opts.session ?? mc.randomKeypair();
    const peer = await WsPeer.connect(env.node.wsUrl);
    peer.send(mc.buildHello({ meshId: env.meshId, memberId: who.memberId, member: who.member,
      session: who.session, displayName: opts.displayName }));
    who.ack = await peer.next('hello_ack');
    return peer;
  };

  let req = 0;
  /** Sends `frame` with a fresh _reqId; resolves the reply or error with that _reqId. */
  env.ask = (peer, frame, timeoutMs) => {
    const reqId = `r${++req}`;
    return peer.request({ ...frame, _reqId: reqId }, (f) => f._reqId === reqId, timeoutMs);
  };

  /** An invite registered by `peer` (signed by `signer`): resolves {code, reply}. */
  env.invite = async (peer, signer, opts = {}) => {
    const { frame } = inviteCreateFrame({ meshId: env.meshId, ownerPubkey: env.owner.member.publicKey, signer, ...opts });
    const reply = await env.ask(peer, frame);
    if (reply.type !== 'invite_created') throw new Error(`invite_create failed: ${JSON.stringify(reply)}`);
    return { code: reply.invite.code, reply };
  };

  /** Claims `code` as a new identity: {member, memberId, x, res}. */
  env.join = async (code, displayName = '') => {
    const who = { member: mc.randomKeypair(), x: x25519Keypair(), name: displayName };
    who.res = await env.post(`/invites/${code}/claim`, claimBody({ code, member: who.member, x: who.x, displayName }));
    who.memberId = who.res.body.member_id;
    return who;
  };

  env.stop = async () => {
    if (env.owner.peer && env.owner.peer.isOpen) await env.owner.peer.close().catch(() => {});
    if (env.node) await env.node.stop();
    if (env.db) await env.db.drop();
  };
  env.owner.peer = await env.connect(env.owner);
  return env;
}

module.exports = { x25519Keypair, openSealed, randomId, meshCreateBody, inviteCreateFrame, claimBody,
  startIdentityEnv };
