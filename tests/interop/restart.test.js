'use strict';
// Deviation 34: presences that a crash left "connected" are marked
// disconnected when the node starts again, so peers never see ghosts.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const mc = require('./lib/claudemesh_crypto');
const { createTestDatabase, startNode } = require('./lib/node_process');
const { WsPeer } = require('./lib/ws_peer');

test('a SIGKILLed node leaves presences connected; the next start resets them', async () => {
  await mc.ready();
  const db = await createTestDatabase();
  const adminHome = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-interop-admin-'));
  const admin = (args) => JSON.parse(execFileSync(process.env.NEXUSD_BINARY,
    [...args, '--home', adminHome, '--database-url', db.url, '--json'], { encoding: 'utf8' }));
  const sql = (q) => execFileSync('psql', ['-At', db.url, '-c', q], { encoding: 'utf8' }).trim();
  try {
    const meshId = admin(['mesh', 'create', '--name', 'restart']).id;
    const member = mc.keypairFromSeed(new Uint8Array(32).fill(7));
    const memberId = admin(['member', 'add', '--mesh', meshId, '--pubkey', member.publicKey, '--name', 'kim']).id;

    const first = await startNode({ databaseUrl: db.url });
    const peer = await WsPeer.connect(first.wsUrl);
    peer.send(mc.buildHello({ meshId, memberId, member, session: mc.randomKeypair() }));
    const ack = await peer.next('hello_ack');
    first.child.kill('SIGKILL');
    await first.exit;
    fs.rmSync(first.home, { recursive: true, force: true });
    assert.equal(sql(`SELECT count(*) FROM nexus.presence WHERE id = '${ack.presenceId}' AND disconnected_at IS NULL`), '1');

    const second = await startNode({ databaseUrl: db.url });
    try {
      assert.equal(sql('SELECT count(*) FROM nexus.presence WHERE disconnected_at IS NULL'), '0');
      assert.match(second.output, /marked 1 presences left connected by a crash as disconnected/);
    } finally {
      await second.stop();
    }
  } finally {
    fs.rmSync(adminHome, { recursive: true, force: true });
    await db.drop();
  }
});
