'use strict';
// ws_inbound_frames_pending_max and send_pipeline_max at their edges: while
// the database is stuck, a client pipelining sends has send_pipeline_max of
// them in flight and ws_inbound_frames_pending_max waiting, and is not read
// beyond that (TCP backpressure, so the node's memory cannot grow with it);
// once the database answers again every send is acked, in the order sent,
// exactly once.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const mc = require('./lib/claudemesh_crypto');
const { startMeshEnv, isAck } = require('./lib/mesh_env');

const PENDING_MAX = 4;
const PIPELINE_MAX = 3;
const SENDS = 50;
let env;

before(async () => {
  env = await startMeshEnv({ args: ['--ws-inbound-frames-pending-max', String(PENDING_MAX), '--send-pipeline-max', String(PIPELINE_MAX),
    '--send-rate-per-min', '0'],
    meshName: 'backpressure' });
});
after(async () => { if (env) await env.stop(); });

async function framesIn() {
  const body = (await env.node.http('GET', '/metrics')).body;
  return Number(body.match(/^nexus_ws_frames_in_total (\d+)$/m)[1]);
}

test('a stalled connection is not read beyond the bound, and loses nothing', async () => {
  const alice = env.addMember('alice');
  const bob = env.addMember('bob');
  const a = await env.connect(alice);
  const b = await env.connect(bob);
  const lock = await env.lockAuditHead();
  let released = false;
  try {
    const before = await framesIn();
    for (let i = 0; i < SENDS; ++i)
      a.peer.send({ type: 'send', id: `bp${String(i).padStart(14, '0')}`, targetSpec: bob.session.publicKey,
        priority: 'now', ...mc.encryptDirect(`m${i}`, bob.session.publicKey, alice.session.secretKey) });
    // The node reads until the presence holds the bound (PIPELINE_MAX sends
    // with the mesh, waiting for the database, PENDING_MAX waiting behind
    // them), then stops.
    const bound = PIPELINE_MAX + PENDING_MAX;
    await env.node.waitUntil(async () => (await framesIn()) - before >= bound, 10000,
      'the first frames to be read');
    const deadline = Date.now() + 1500; // and it stays stopped
    let seen = 0;
    while (Date.now() < deadline) {
      seen = Math.max(seen, (await framesIn()) - before);
      assert.ok(seen <= bound + 2, `read ${seen} frames with the database stalled (bound ${bound})`);
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
    // Pipelined, yet acked in the order sent.
    const ackOrder = a.peer.seen.map((t) => JSON.parse(t)).filter((f) => f.type === 'ack').map((f) => f.id);
    assert.deepEqual(ackOrder, Array.from({ length: SENDS }, (_, i) => `bp${String(i).padStart(14, '0')}`));
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
