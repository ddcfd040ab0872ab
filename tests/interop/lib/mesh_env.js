'use strict';
// Shared setup for the bounds / bad-input / presence / session_hello interop
// tests: one fresh database and one nexusd (with the caller's extra flags),
// a mesh made with `nexusd mesh create`, members added with `nexusd member
// add`, signed hellos and session_hellos, frame predicates, and a psql
// query helper for checking what the broker stored. Every wait has a
// deadline (WsPeer.next / NexusNode.waitUntil); nothing sleeps.
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const mc = require('./claudemesh_crypto');
const { createTestDatabase, startNode } = require('./node_process');
const { WsPeer } = require('./ws_peer');
const { nexusdAdmin } = require('./mesh_fixture');

const isSystem = (event) => (f) => f.type === 'push' && f.subtype === 'system' && f.event === event;
const isMessage = (f) => f.type === 'push' && f.subtype === undefined;
const isAck = (id) => (f) => f.type === 'ack' && f.id === id;
const isError = (pred = {}) => (f) => f.type === 'error' &&
  Object.entries(pred).every(([k, v]) => f[k] === v);

let seedCounter = 10;

/**
 * A running node on a fresh database with one mesh. `args` are extra nexusd
 * flags. Call env.stop() in after().
 */
async function startMeshEnv({ args = [], meshName = 'fixture' } = {}) {
  await mc.ready();
  const env = { members: [] };
  env.db = await createTestDatabase();
  env.adminHome = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-interop-admin-'));
  env.node = await startNode({ databaseUrl: env.db.url, args });
  env.nexusd = (cliArgs) => nexusdAdmin(cliArgs, { home: env.adminHome, databaseUrl: env.db.url });
  env.meshId = env.nexusd(['mesh', 'create', '--name', meshName]).id;

  /** A member {name, member keypair, memberId, session keypair}. */
  env.addMember = (name) => {
    const member = mc.keypairFromSeed(new Uint8Array(32).fill(seedCounter++));
    const memberId = env.nexusd(['member', 'add', '--mesh', env.meshId, '--pubkey', member.publicKey,
      '--name', name]).id;
    const who = { name, member, memberId, session: mc.randomKeypair() };
    env.members.push(who);
    return who;
  };

  /** A signed hello for `who` (fresh session key unless given). */
  env.hello = (who, { session = who.session, ...rest } = {}, overrides = {}) =>
    mc.buildHello({ meshId: env.meshId, memberId: who.memberId, member: who.member, session, ...rest },
      overrides);

  /** Opens a socket, says hello, waits for hello_ack: {peer, ack}. */
  env.connect = async (who, opts = {}, overrides = {}) => {
    const peer = await WsPeer.connect(env.node.wsUrl);
    peer.send(env.hello(who, opts, overrides));
    const ack = await peer.next('hello_ack');
    return { peer, ack };
  };

  /** One scalar from the test database (psql -At). */
  env.sql = (query) => execFileSync('psql', ['-X', '-At', env.db.url, '-c', query],
    { encoding: 'utf8' }).trim();

  env.queueRows = () => Number(env.sql('SELECT count(*) FROM nexus.message_queue'));

  /** A psql session holding the mesh's audit chain head FOR UPDATE: queue
   *  inserts (each audited send moves the head) wait until release(). */
  env.lockAuditHead = () => {
    const child = spawn('psql', [env.db.url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-v', `mesh=${env.meshId}`],
      { stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const locked = new Promise((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (c) => { out += c; if (out.includes('LOCKED')) resolve(); });
      child.on('exit', () => reject(new Error('psql exited before locking')));
    });
    child.stdin.write("BEGIN;\nINSERT INTO nexus.audit_head (mesh_id, prev_hash, last_hash) " +
      "VALUES (:'mesh', 'genesis', 'genesis') ON CONFLICT (mesh_id) DO UPDATE SET mesh_id = EXCLUDED.mesh_id;\n" +
      "\\echo LOCKED\n");
    return locked.then(() => ({ release: () => { child.stdin.end('ROLLBACK;\n'); return exited; } }));
  };

  env.stop = async () => {
    if (env.node) await env.node.stop();
    if (env.db) await env.db.drop();
    fs.rmSync(env.adminHome, { recursive: true, force: true });
  };
  return env;
}

/**
 * The §2.5 session_hello for session keypair `session` of member keypair
 * `member`: attestation signed by the member key, frame signed by the
 * session key. `att` and `overrides` replace fields after signing.
 */
function buildSessionHello({ meshId, member, session, parentMemberId, expiresAt = Date.now() + 12 * 3600e3,
  timestamp = Date.now(), displayName, groups }, att = {}, overrides = {}) {
  const attSig = mc.signDetached(
    `claudemesh-session-attest|${member.publicKey}|${session.publicKey}|${expiresAt}`, member.secretKey);
  const sig = mc.signDetached(
    `claudemesh-session-hello|${meshId}|${member.publicKey}|${session.publicKey}|${timestamp}`, session.secretKey);
  const frame = {
    type: 'session_hello', meshId, parentMemberPubkey: member.publicKey, sessionPubkey: session.publicKey,
    parentAttestation: { sessionPubkey: session.publicKey, parentMemberPubkey: member.publicKey, expiresAt,
      signature: attSig, ...att },
    sessionId: `sess-${session.publicKey.slice(0, 8)}`, pid: 4242, cwd: '/tmp', peerType: 'ai',
    channel: 'claudemesh-session', timestamp, signature: sig,
  };
  if (parentMemberId !== undefined) frame.parentMemberId = parentMemberId;
  if (displayName !== undefined) frame.displayName = displayName;
  if (groups !== undefined) frame.groups = groups;
  return Object.assign(frame, overrides);
}

/** Sends `send` and waits for its ack (by id). */
function sendAndAck(peer, frame, timeoutMs) {
  return peer.request({ type: 'send', priority: 'next', ...frame }, isAck(frame.id), timeoutMs);
}

/** list_peers with a fresh _reqId; resolves the peers array. */
let reqCounter = 0;
async function listPeers(peer) {
  const reqId = `lp${++reqCounter}`;
  const reply = await peer.request({ type: 'list_peers', _reqId: reqId },
    (f) => f.type === 'peers_list' && f._reqId === reqId);
  return reply.peers;
}

module.exports = {
  startMeshEnv, buildSessionHello, sendAndAck, listPeers, isSystem, isMessage, isAck, isError,
};
