'use strict';
// Schedules survive SIGKILL (§5.6, deviation 21). Alice schedules a
// one-shot reminder to bob (a few seconds ahead) and a cron entry "every
// minute" to her own member key; nexusd is killed with SIGKILL at once.
//   * The cron entry is then made overdue by five minutes in the database —
//     what a node that stayed down across five fire times leaves behind.
//   * Restart 1: the overdue cron entry fires once (not five times, not
//     never), while alice is offline, so it is queued and reaches her — with
//     subtype "reminder" — at her hello; it is re-armed at the next whole
//     minute. The one-shot reaches bob once, not before its time.
//   * SIGKILL again, restart 2: the cron entry fires at that next minute, as
//     a live push — it keeps firing on schedule after a recovery (the
//     reference fires recovered cron entries once) — and nothing else
//     arrives: the one-shot is gone.
// Every fire is counted as queue rows: exactly one per fire, never two.
// Each wait has a deadline; the longest is the next whole minute.
// Restart 1 until the second kill must come before the minute the entry is
// re-armed for, or the entry fires live to the first connection and
// restart 2 has nothing at "the next minute" (CI saw this when the test
// began at second ~55): the schedules are sent in a minute's first half
// (after the database, node and members are set up, so their start-up does
// not eat the margin), and the test says so if it overran anyway.
const { test } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');

const mc = require('./lib/claudemesh_crypto');
const { startNode } = require('./lib/node_process');
const { startMeshEnv } = require('./lib/mesh_env');
const { waitFor } = require('./lib/wait');

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const pushOf = (text) => (f) => f.type === 'push' && f.ciphertext === b64(text);

test('a one-shot fires once at its time and a cron entry keeps its schedule across SIGKILL', { timeout: 200000 }, async () => {
  const env = await startMeshEnv({ meshName: 'durable-schedules', args: ['--presence-grace-ms', '0'] });
  const killAndRestart = async () => {
    env.node.child.kill('SIGKILL');
    const exit = await env.node.exit;
    assert.equal(exit.signal, 'SIGKILL');
    fs.rmSync(env.node.home, { recursive: true, force: true });
    // A commit the dead node already sent completes in its backend: read
    // (and write) the database only once those sessions are gone.
    await waitFor(() => env.sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() " +
      "AND pid <> pg_backend_pid() AND backend_type = 'client backend'") === '0', 10000, 'the dead node\'s sessions to end');
  };
  try {
    const alice = env.addMember('alice');
    const bob = env.addMember('bob');
    const once = `one-shot ${mc.randomSendId()}`;
    const cron = `every minute ${mc.randomSendId()}`;
    const rows = (text) => Number(env.sql(`SELECT count(*) FROM nexus.message_queue WHERE ciphertext = '${b64(text)}'`));

    const { peer: a } = await env.connect(alice);
    // From here to the second kill takes ~10 s (the one-shot alone is 6 s),
    // under load ~20 s; it must end before the minute after the fire.
    const latestStartSecond = 30;
    await waitFor(() => (Date.now() % 60000) / 1000 <= latestStartSecond, 61000,
      `a minute's first ${latestStartSecond} s, so restart 1 fits before the next whole minute`);
    const deliverAt = Date.now() + 6000;
    a.send({ type: 'schedule', to: bob.member.publicKey, message: once, deliverAt, subtype: 'reminder', _reqId: 'o' });
    a.send({ type: 'schedule', to: alice.member.publicKey, message: cron, deliverAt: 0, cron: '* * * * *',
      subtype: 'reminder', _reqId: 'c' });
    const cronAck = await a.next((f) => f.type === 'scheduled_ack' && f._reqId === 'c');
    await a.next((f) => f.type === 'scheduled_ack' && f._reqId === 'o');
    await killAndRestart();
    env.sql(`UPDATE nexus.scheduled_message SET deliver_at = now() - interval '5 minutes' WHERE id = '${cronAck.scheduledId}'`);

    // --- restart 1 ---
    const restarted = Date.now();
    env.node = await startNode({ databaseUrl: env.db.url, args: ['--presence-grace-ms', '0'] });
    await waitFor(() => rows(cron) === 1, 10000, 'the overdue cron entry to fire');
    const { peer: a1 } = await env.connect(alice);
    const drained = await a1.next(pushOf(cron), 5000);
    assert.equal(drained.subtype, 'reminder');
    assert.equal(drained.senderMemberPubkey, alice.member.publicKey);
    // The server re-arms from the moment it fires: after `restarted`, and
    // just before its transaction (fired_at = that transaction's now()).
    // Both bound that moment, so the next whole minute after it is known
    // exactly unless a minute began in between (then it is one of two).
    const minuteAfter = (ms) => (Math.floor(ms / 60000) + 1) * 60000;
    const armed = env.sql(`SELECT fired_count || ' ' || floor(extract(epoch FROM deliver_at) * 1000)::bigint ` +
      `|| ' ' || floor(extract(epoch FROM fired_at) * 1000)::bigint ` +
      `FROM nexus.scheduled_message WHERE id = '${cronAck.scheduledId}'`).split(' ').map(Number);
    assert.equal(armed[0], 1);
    const firedAt = armed[2];
    assert.ok(firedAt >= restarted, 'the overdue entry fired before the restart');
    assert.ok(armed[1] % 60000 === 0 && armed[1] >= minuteAfter(restarted) && armed[1] <= minuteAfter(firedAt),
      `re-armed for ${new Date(armed[1]).toISOString()}, not the whole minute after the fire ` +
      `(${new Date(firedAt).toISOString()})`);

    const { peer: b1 } = await env.connect(bob);
    const push = await b1.next(pushOf(once), 15000);
    assert.ok(Date.now() >= deliverAt, 'the one-shot fired early');
    assert.equal(push.subtype, 'reminder');
    assert.equal(rows(once), 1);
    // Let both deliveries be recorded before the next kill, so a redelivery
    // of the same rows cannot be mistaken for a second fire.
    await waitFor(() => env.sql(`SELECT count(*) FROM nexus.message_queue WHERE delivered_at IS NULL`) === '0', 5000,
      'the deliveries to be recorded');
    assert.ok(Date.now() < armed[1] - 1000, `restart 1 ran past the minute the entry was re-armed for ` +
      `(${new Date(armed[1]).toISOString()}): the test starts too late in the minute for this machine`);
    await killAndRestart();

    // --- restart 2 ---
    env.node = await startNode({ databaseUrl: env.db.url, args: ['--presence-grace-ms', '0'] });
    const { peer: a2 } = await env.connect(alice);
    const { peer: b2 } = await env.connect(bob);
    const live = await a2.next(pushOf(cron), armed[1] - Date.now() + 15000);
    assert.ok(Date.now() >= armed[1], 'the cron entry fired before its minute');
    assert.equal(live.subtype, 'reminder');
    assert.notEqual(live.messageId, drained.messageId);
    assert.equal(rows(cron), 2);
    assert.equal(rows(once), 1);
    assert.equal(env.sql(`SELECT fired_count FROM nexus.scheduled_message WHERE id = '${cronAck.scheduledId}'`), '2');
    assert.equal(env.sql('SELECT count(*) FROM nexus.scheduled_message'), '1'); // the one-shot is gone
    assert.equal(b2.frames.filter((f) => f.json.type === 'push' && f.json.subtype !== 'system').length, 0);
    assert.equal(a2.frames.filter((f) => f.json.type === 'push' && f.json.subtype !== 'system').length, 0);
  } finally {
    await env.stop();
  }
});
