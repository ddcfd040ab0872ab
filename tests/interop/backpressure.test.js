'use strict';
// ws_inbound_frames_pending_max at its edge: while the database is stuck,
// a client pipelining sends is no longer read beyond the bound (TCP
// backpressure, so the node's memory cannot grow with it); once the
// database answers again every send is acked, in order, exactly once.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');

const mc = require('./lib/claudemesh_crypto');
const { startMeshEnv, isAck } = require('./lib/mesh_env');

const PENDING_MAX = 4;
const SENDS = 50;
let env;

before(async () => {
  env = await startMeshEnv({ args: ['--ws-inbound-frames-pending-max', String(PENDING_MAX), '--send-rate-per-min', '0'],
    meshName: 'backpressure' });
});
after(async () => { if (env) await env.stop(); });

/** A psql session holding the mesh row FOR UPDATE: queue inserts (whose
 *  foreign key check takes KEY SHARE on it) wait until release(). */
function lockMeshRow(url, meshId) {
  const child = spawn('psql', [url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-v', `mesh=${meshId}`],
    { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const locked = new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => { out += c; if (out.includes('LOCKED')) resolve(); });
    child.on('exit', () => reject(new Error('psql exited before locking')));
  });
  child.stdin.write("BEGIN;\nSELECT id FROM nexus.mesh WHERE id = :'mesh' FOR UPDATE;\n\\echo LOCKED\n");
  return locked.then(() => ({ release: () => { child.stdin.end('ROLLBACK;\n'); return exited; } }));
}

async function framesIn() {
  const body = (await env.node.http('GET', '/metrics')).body;
  return Number(body.match(/^nexus_ws_frames_in_total (\d+)$/m)[1]);
}

test('a stalled connection is not read beyond the bound, and loses nothing', async () => {
  const alice = env.addMember('alice');
  const bob = env.addMember('bob');
  const a = await env.connect(alice);
  const b = await env.connect(bob);
  const lock = await lockMeshRow(env.db.url, env.meshId);
  let released = false;
  try {
    const before = await framesIn();
    for (let i = 0; i < SENDS; ++i)
      a.peer.send({ type: 'send', id: `bp${String(i).padStart(14, '0')}`, targetSpec: bob.session.publicKey,
        priority: 'now', ...mc.encryptDirect(`m${i}`, bob.session.publicKey, alice.session.secretKey) });
    // The node reads until the presence holds the bound (one send in hand,
    // waiting for the database, PENDING_MAX waiting behind it), then stops.
    await env.node.waitUntil(async () => (await framesIn()) - before >= PENDING_MAX, 10000,
      'the first frames to be read');
    const deadline = Date.now() + 1500; // and it stays stopped
    let seen = 0;
    while (Date.now() < deadline) {
      seen = Math.max(seen, (await framesIn()) - before);
      assert.ok(seen <= PENDING_MAX + 2, `read ${seen} frames with the database stalled`);
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(seen < SENDS);
    await lock.release();
    released = true;
    const acks = [];
    for (let i = 0; i < SENDS; ++i) {
      const ack = await a.peer.next(isAck(`bp${String(i).padStart(14, '0')}`), 20000);
      assert.equal(ack.queued, true);
      acks.push(ack.messageId);
    }
    assert.equal(new Set(acks).size, SENDS);
    const got = new Set();
    while (got.size < SENDS) {
      const push = await b.peer.next((f) => f.type === 'push' && f.subtype === undefined, 20000);
      assert.ok(!got.has(push.messageId), 'pushed twice');
      got.add(push.messageId);
    }
  } finally {
    if (!released) await lock.release();
    a.peer.close();
    b.peer.close();
  }
});
