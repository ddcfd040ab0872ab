'use strict';
// A send the database does not answer in time: its presence's sweep timer
// acks it with an error at 2 × storage_request_timeout_ms (there is no CAF
// request timeout per send), in the order sent, and the connection keeps
// working once the database answers again.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const mc = require('./lib/claudemesh_crypto');
const { startMeshEnv, isAck, isMessage } = require('./lib/mesh_env');

// storage_request_timeout_ms, node-wide: mesh load, hello and the send after
// the release must not trip it on a loaded machine, so not much below 3 s.
// A send's deadline is twice that; every wait below scales with it.
const TIMEOUT_MS = 3000;
const SENDS = 3;
let env;

before(async () => {
  env = await startMeshEnv({ args: ['--storage-request-timeout-ms', String(TIMEOUT_MS), '--send-pipeline-max', '4',
    '--send-rate-per-min', '0'], meshName: 'deadline' });
});
after(async () => { if (env) await env.stop(); });

test('sends stuck behind a locked database are acked "broker busy" in order at their deadline', async () => {
  const alice = env.addMember('alice');
  const bob = env.addMember('bob');
  const a = await env.connect(alice);
  const b = await env.connect(bob);
  const lock = await env.lockAuditHead();
  let released = false;
  const id = (i) => `dl${String(i).padStart(14, '0')}`;
  const sealed = (text) => mc.encryptDirect(text, bob.session.publicKey, alice.session.secretKey);
  try {
    const started = Date.now();
    for (let i = 0; i < SENDS; ++i)
      a.peer.send({ type: 'send', id: id(i), targetSpec: bob.session.publicKey, priority: 'now', ...sealed(`m${i}`) });
    for (let i = 0; i < SENDS; ++i) {
      const ack = await a.peer.next(isAck(id(i)), 4 * TIMEOUT_MS + 5000);
      assert.equal(ack.queued, false, JSON.stringify(ack));
      assert.match(ack.error, /^broker busy, retry/);
    }
    const waited = Date.now() - started;
    assert.ok(waited >= 2 * TIMEOUT_MS - 50, `answered after ${waited} ms, before the deadline`);
    const ackOrder = a.peer.seen.map((t) => JSON.parse(t)).filter((f) => f.type === 'ack').map((f) => f.id);
    assert.deepEqual(ackOrder, Array.from({ length: SENDS }, (_, i) => id(i)));

    await lock.release();
    released = true;
    // The connection is not stuck: the next send commits and is delivered.
    const ack = await a.peer.request({ type: 'send', id: id(SENDS), targetSpec: bob.session.publicKey,
      priority: 'now', ...sealed('after') }, isAck(id(SENDS)), 4 * TIMEOUT_MS + 5000);
    assert.equal(ack.queued, true);
    const push = await b.peer.next((f) => isMessage(f) && f.messageId === ack.messageId, 10000);
    assert.equal(mc.decryptDirect(push, alice.session.publicKey, bob.session.secretKey), 'after');
  } finally {
    if (!released) await lock.release();
    a.peer.close();
    b.peer.close();
  }
});
