'use strict';
// Interop foundation: what an independent Node.js client (ws +
// libsodium-wrappers) can check against the real nexusd before the
// handshake exists. (a) pins the client-side crypto to the PROTOCOL.md
// test vectors, so the §10.7 scenario built on lib/ rests on known-good
// bytes; (b)–(e) talk to a live nexusd on its own fresh database.

const { describe, test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const WebSocket = require('ws');
const sodium = require('libsodium-wrappers');

const cm = require('./lib/claudemesh_crypto');
const { WsPeer } = require('./lib/ws_peer');
const { createTestDatabase, startNode } = require('./lib/node_process');

const NO_HELLO = { type: 'error', code: 'no_hello', message: 'must send hello first' };

describe('claudemesh client crypto reproduces the PROTOCOL.md test vectors', () => {
  before(() => cm.ready());

  test('§2.2: member key from seed 0x01×32 and its hello signature', () => {
    const member = cm.keypairFromSeed(new Uint8Array(32).fill(0x01));
    assert.equal(member.publicKey, '8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c');
    assert.equal(member.secretKey, '01'.repeat(32) + member.publicKey);
    const meshId = 'MESHxxxxxxxxxxxxxxxxxxxxxxxxxxx1';
    const memberId = 'MEMBERaxxxxxxxxxxxxxxxxxxxxxxxx1';
    assert.equal(cm.helloCanonical(meshId, memberId, member.publicKey, 1717459200000),
      `${meshId}|${memberId}|8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c|1717459200000`);
    const { timestamp, signature } = cm.signHello(meshId, memberId, member.publicKey, member.secretKey, 1717459200000);
    assert.equal(timestamp, 1717459200000);
    assert.equal(signature, 'a289fc940ba5e0147d38c5a2617769467ca67fb2a0e14526d49136e5e8ee6a1f' +
      '9fc4f7ecf950d1017cc108be27971999114097fdca2ae1b7392fe77773561c0d');

    // The SDK-shaped frame carries the same signature and only SDK fields.
    const session = cm.keypairFromSeed(new Uint8Array(32).fill(0x03));
    const hello = cm.buildHello({ meshId, memberId, member, session, sessionId: 's1', pid: 42, timestamp: 1717459200000 });
    assert.deepEqual(hello, {
      type: 'hello', meshId, memberId, pubkey: member.publicKey, sessionPubkey: session.publicKey,
      sessionId: 's1', pid: 42, peerType: 'connector', channel: 'sdk', timestamp: 1717459200000, signature,
    });
    assert.ok(sodium.crypto_sign_verify_detached(sodium.from_hex(signature),
      sodium.from_string(cm.helloCanonical(meshId, memberId, member.publicKey, hello.timestamp)),
      sodium.from_hex(member.publicKey)));
  });

  test('§3.11: crypto_box from session A (0x03) to session B (0x04) and back', () => {
    const sessA = cm.keypairFromSeed(new Uint8Array(32).fill(0x03));
    const sessB = cm.keypairFromSeed(new Uint8Array(32).fill(0x04));
    assert.equal(sessB.publicKey, 'ca93ac1705187071d67b83c7ff0efe8108e8ec4530575d7726879333dbdabe7c');
    assert.equal(sodium.to_hex(sodium.crypto_sign_ed25519_pk_to_curve25519(sodium.from_hex(sessB.publicKey))),
      'edd03cade80d29de6ea313a74ab369f4732ecb36649066b78b5b2dd664cb0417');
    assert.equal(sodium.to_hex(sodium.crypto_sign_ed25519_sk_to_curve25519(sodium.from_hex(sessA.secretKey))),
      '98aebbb178a551876bfaf8e1e530dac6aaf6c2ea1c8f8406a3ab37dfb40fbc65');

    const envelope = cm.encryptDirect('hello bob', sessB.publicKey, sessA.secretKey, new Uint8Array(24).fill(0x09));
    assert.deepEqual(envelope, { nonce: 'CQkJCQkJCQkJCQkJCQkJCQkJCQkJCQkJ', ciphertext: 'XGz9m1SeEYTgMGnCesRQf1v59kza9MfZRA==' });
    assert.equal(cm.fromBase64(envelope.ciphertext).length, 25);
    assert.equal(cm.decryptDirect(envelope, sessA.publicKey, sessB.secretKey), 'hello bob');
    // A wrong key does not open it; the SDK path (§10.3) then finds no text.
    assert.equal(cm.decryptDirect(envelope, sessB.publicKey, sessB.secretKey), null);
    assert.equal(cm.decodePush({ type: 'push', senderPubkey: sessA.publicKey, ...envelope }, sessB.secretKey), 'hello bob');
  });

  test('§3.11: broadcasts are base64 plaintext, decoded by the SDK fallback', () => {
    const plain = cm.encodePlain('hello everyone');
    assert.equal(plain.ciphertext, 'aGVsbG8gZXZlcnlvbmU=');
    assert.equal(cm.fromBase64(plain.nonce).length, 24);
    const receiver = cm.randomKeypair();
    const sender = cm.randomKeypair();
    assert.equal(cm.decodePush({ type: 'push', senderPubkey: sender.publicKey, ...plain }, receiver.secretKey), 'hello everyone');
    assert.equal(cm.decodePush({ type: 'push', senderPubkey: 'system', nonce: '', ciphertext: '' }, receiver.secretKey), null);
    assert.match(cm.randomSendId(), /^[0-9a-f]{16}$/);
  });
});

describe('nexusd before the handshake, seen by a ws client', () => {
  let db;
  let node;
  let stopped = false;

  before(async () => {
    db = await createTestDatabase();
    node = await startNode({ databaseUrl: db.url });
  });

  after(async () => {
    // Only reached with a running node when an earlier test failed.
    if (node && !stopped) await node.stop().catch(() => {});
    if (db) await db.drop();
  });

  test('GET /health answers JSON with status ok', async () => {
    const res = await node.http('GET', '/health');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'] ?? '', /application\/json/);
    const body = JSON.parse(res.body);
    assert.equal(body.status, 'ok');
    assert.equal(body.db, 'up');
  });

  test('/ws answers no_hello without id or _reqId, and the socket stays open', async () => {
    const peer = await WsPeer.connect(node.wsUrl);
    try {
      const first = await peer.request({ type: 'list_peers', _reqId: 'r1' }, 'error');
      assert.deepEqual(first, NO_HELLO); // exact: no id, no _reqId (§1.5)
      const second = await peer.request({ type: 'get_state', key: 'k', _reqId: 'r2' }, 'error');
      assert.deepEqual(second, NO_HELLO);
      assert.ok(peer.isOpen, 'no_hello must leave the socket open');
    } finally {
      await peer.close();
    }
  });

  for (const target of ['/ws/', '/ws?x=1', '/']) {
    test(`an upgrade to ${target} gets no HTTP response; the socket is destroyed`, async () => {
      const outcome = await new Promise((resolve) => {
        const ws = new WebSocket(`ws://127.0.0.1:${node.port}${target}`, { perMessageDeflate: false });
        const timer = setTimeout(() => { ws.terminate(); resolve('still pending after 5000 ms'); }, 5000);
        const done = (what) => { clearTimeout(timer); ws.terminate(); resolve(what); };
        ws.on('upgrade', () => done('101 upgrade'));
        ws.on('open', () => done('open'));
        ws.on('unexpected-response', (_req, res) => done(`HTTP ${res.statusCode}`));
        ws.on('error', (err) => done(`error: ${err.code ?? err.message}`));
      });
      assert.match(outcome, /^error: (ECONNRESET|socket hang up)/, `outcome: ${outcome}`);
    });
  }

  test('SIGTERM closes open sockets with 1001 and nexusd exits 0 within 10 s', async () => {
    const peer = await WsPeer.connect(node.wsUrl);
    const stopping = node.stop();
    stopped = true;
    const closed = await peer.waitClose(10000);
    assert.equal(closed.code, 1001);
    await stopping;
  });
});
