'use strict';
// §5.6 scheduled messages and reminders over real WebSockets against nexusd
// on a real PostgreSQL: scheduled_ack, reminders arriving as `push` with
// subtype "reminder" and priority now (to a direct target, to one's own
// session and member key — deviation 21 — to a group), the unsolicited ack
// to the scheduling connection, a queued direct reminder keeping its
// subtype when drained, cron validation (`invalid_cron`) and the first fire
// time, list_scheduled / cancel_scheduled ownership, a cancelled entry that
// never fires, bad input refused with nothing stored, and the audit chain
// (schedule_created / schedule_cancelled, never the message). Every reply
// is matched by its echoed _reqId; every wait has a deadline.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const mc = require('./lib/claudemesh_crypto');
const { startMeshEnv } = require('./lib/mesh_env');
const { waitFor } = require('./lib/wait');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let env, alice, bob, carol;
let reqCounter = 0;

before(async () => {
  env = await startMeshEnv({ meshName: 'schedules', args: ['--presence-grace-ms', '0'] });
  alice = env.addMember('alice');
  bob = env.addMember('bob');
  carol = env.addMember('carol');
});

after(async () => { if (env) await env.stop(); });

/** A fresh session of `who`; `overrides` replace hello fields (e.g. groups). */
async function session(who, overrides = {}) {
  const keys = mc.randomKeypair();
  const { peer, ack } = await env.connect(who, { session: keys }, overrides);
  return Object.assign(peer, { presenceId: ack.presenceId, session: keys });
}

function ask(peer, frame, type) {
  const reqId = `${frame.type}-${++reqCounter}`;
  return peer.request({ ...frame, _reqId: reqId },
    (f) => (f.type === type || f.type === 'error') && f._reqId === reqId);
}

const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');
const reminder = (text) => (f) => f.type === 'push' && f.ciphertext === b64(text);
const entries = () => Number(env.sql('SELECT count(*) FROM nexus.scheduled_message'));

test('§5.6 one-shot to a direct target: scheduled_ack, push subtype reminder at its time, ack to the scheduler', async () => {
  const a = await session(alice);
  const b = await session(bob);
  b.send({ type: 'set_status', status: 'dnd' }); // priority now passes any status (§3.6)
  const text = `stand-up ${mc.randomSendId()}`;
  const deliverAt = Date.now() + 400;
  const ack = await ask(a, { type: 'schedule', to: bob.member.publicKey, message: text, deliverAt,
    subtype: 'reminder', recurring: false }, 'scheduled_ack');
  assert.match(ack.scheduledId, UUID);
  assert.deepEqual(ack, { type: 'scheduled_ack', scheduledId: ack.scheduledId, deliverAt, _reqId: ack._reqId });

  const push = await b.next(reminder(text), 5000);
  const arrived = Date.now();
  assert.ok(arrived >= deliverAt, `pushed ${deliverAt - arrived} ms early`);
  assert.equal(push.subtype, 'reminder');
  assert.equal(push.priority, 'now');
  assert.equal(push.nonce, '');
  assert.equal(push.senderMemberPubkey, alice.member.publicKey);
  assert.equal(push.senderPubkey, a.session.publicKey);
  assert.equal(push.senderName, 'alice');
  assert.ok(Date.parse(push.createdAt) >= deliverAt);
  // §12.2: the scheduling connection gets the send's ack (id = a fresh UUID)
  const fired = await a.next((f) => f.type === 'ack' && f.messageId === push.messageId);
  assert.match(fired.id, UUID);
  assert.equal(fired.queued, true);
  // fired one-shots are gone
  const list = await ask(a, { type: 'list_scheduled' }, 'scheduled_list');
  assert.deepEqual(list.messages, []);
  assert.equal(Number(env.sql(`SELECT count(*) FROM nexus.message_queue WHERE ciphertext = '${b64(text)}'`)), 1);
  await a.close(); await b.close();
});

test('deviation 21: a reminder to one\'s own session key or member key reaches oneself', async () => {
  const a = await session(alice);
  const a2 = await session(alice);
  const own = `own session ${mc.randomSendId()}`;
  await ask(a, { type: 'schedule', to: a.session.publicKey, message: own, delayMs: 50, subtype: 'reminder' },
    'scheduled_ack');
  const p1 = await a.next(reminder(own), 5000);
  assert.equal(p1.subtype, 'reminder');
  assert.equal(p1.senderPubkey, a.session.publicKey);

  const member = `own member ${mc.randomSendId()}`;
  await ask(a, { type: 'schedule', to: alice.member.publicKey, message: member, delayMs: 0, subtype: 'reminder' },
    'scheduled_ack');
  for (const peer of [a, a2]) assert.equal((await peer.next(reminder(member), 5000)).subtype, 'reminder');
  // the session-key reminder went to that session only
  assert.equal(a2.frames.filter((f) => f.json.type === 'push' && f.json.ciphertext === b64(own)).length, 0);
  await a.close(); await a2.close();
});

test('a group reminder is a live push with subtype reminder to the group only; a plain schedule has none', async () => {
  const a = await session(alice);
  const b = await session(bob, { groups: [{ name: 'team' }] });
  const c = await session(carol);
  const text = `group ${mc.randomSendId()}`;
  const plain = `plain ${mc.randomSendId()}`;
  await ask(a, { type: 'schedule', to: '@team', message: text, deliverAt: 0, subtype: 'reminder' }, 'scheduled_ack');
  await ask(a, { type: 'schedule', to: '@team', message: plain, deliverAt: 1 }, 'scheduled_ack');
  const push = await b.next(reminder(text), 5000);
  assert.equal(push.subtype, 'reminder');
  const other = await b.next(reminder(plain), 5000);
  assert.equal(other.subtype, undefined);
  // carol is not in the group: her own marker arrives, the reminders did not
  const mark = `marker ${mc.randomSendId()}`;
  await ask(a, { type: 'schedule', to: carol.member.publicKey, message: mark, delayMs: 0 }, 'scheduled_ack');
  await c.next(reminder(mark), 5000);
  assert.equal(c.frames.filter((f) => f.json.type === 'push' && f.json.subtype !== 'system').length, 0);
  await a.close(); await b.close(); await c.close();
});

test('a direct reminder to an offline member is queued and drained with its subtype', async () => {
  const a = await session(alice);
  const text = `queued ${mc.randomSendId()}`;
  await ask(a, { type: 'schedule', to: carol.member.publicKey, message: text, delayMs: 0, subtype: 'reminder' },
    'scheduled_ack');
  const fired = await a.next((f) => f.type === 'ack' && UUID.test(f.id) && f.queued === true, 5000);
  const c = await session(carol);
  const push = await c.next(reminder(text), 5000);
  assert.equal(push.messageId, fired.messageId);
  assert.equal(push.subtype, 'reminder');
  assert.equal(push.senderMemberPubkey, alice.member.publicKey);
  await a.close(); await c.close();
});

test('§5.6 cron: invalid_cron, the first fire at the next matching minute, list, cancel and ownership', async () => {
  const a = await session(alice);
  const b = await session(bob);
  for (const cron of ['* * * *', '60 * * * *', '*/0 * * * *', 'L * * * *', '0 0 31 2 *']) {
    const err = await ask(a, { type: 'schedule', to: '*', message: 'x', deliverAt: 0, cron }, 'scheduled_ack');
    assert.deepEqual([err.type, err.code, err.message], ['error', 'invalid_cron', `Invalid cron expression: ${cron}`]);
  }
  // The */5 entry must not fire before it is listed and cancelled below
  // (firedCount 0, the same deliverAt): start at least 30 s before the next
  // whole 5 minutes, waiting up to 30 s for the boundary to pass if need be.
  await waitFor(() => Date.now() % 300000 <= 270000, 40000, 'a moment 30 s or more before the next whole 5 minutes');
  const before = Date.now();
  const ack = await ask(a, { type: 'schedule', to: alice.member.publicKey, message: 'weekly', deliverAt: 0,
    cron: '*/5 * * * *', recurring: true }, 'scheduled_ack');
  const after = Date.now();
  assert.equal(ack.cron, '*/5 * * * *');
  const next = (t) => (Math.floor(t / 300000) + 1) * 300000; // next whole 5 minutes, UTC
  assert.ok([next(before), next(after)].includes(ack.deliverAt), `deliverAt ${ack.deliverAt}`);

  // An hour 12 h from now, so this entry cannot fire during the test.
  const farHour = (new Date().getUTCHours() + 12) % 24;
  const named = await ask(a, { type: 'schedule', to: '*', message: 'names', deliverAt: 0,
    cron: `0 ${farHour} * JAN-DEC mon-fri` }, 'scheduled_ack');
  assert.equal(new Date(named.deliverAt).getUTCHours(), farHour);
  assert.ok([1, 2, 3, 4, 5].includes(new Date(named.deliverAt).getUTCDay()));

  const list = await ask(a, { type: 'list_scheduled' }, 'scheduled_list');
  const mine = list.messages.find((m) => m.id === ack.scheduledId);
  assert.equal(typeof mine.createdAt, 'number');
  assert.deepEqual(mine, { id: ack.scheduledId, to: alice.member.publicKey, message: 'weekly',
    deliverAt: ack.deliverAt, createdAt: mine.createdAt, cron: '*/5 * * * *', firedCount: 0 });
  assert.deepEqual((await ask(b, { type: 'list_scheduled' }, 'scheduled_list')).messages, []);

  // bob cannot cancel alice's entry; an unknown id is not ok; alice can, once
  const notBobs = await ask(b, { type: 'cancel_scheduled', scheduledId: ack.scheduledId }, 'cancel_scheduled_ack');
  assert.deepEqual(notBobs, { type: 'cancel_scheduled_ack', scheduledId: ack.scheduledId, ok: false, _reqId: notBobs._reqId });
  assert.equal((await ask(a, { type: 'cancel_scheduled', scheduledId: 'nope' }, 'cancel_scheduled_ack')).ok, false);
  assert.equal((await ask(a, { type: 'cancel_scheduled', scheduledId: ack.scheduledId }, 'cancel_scheduled_ack')).ok, true);
  assert.equal((await ask(a, { type: 'cancel_scheduled', scheduledId: ack.scheduledId }, 'cancel_scheduled_ack')).ok, false);
  await ask(a, { type: 'cancel_scheduled', scheduledId: named.scheduledId }, 'cancel_scheduled_ack');
  assert.deepEqual((await ask(a, { type: 'list_scheduled' }, 'scheduled_list')).messages, []);
  await a.close(); await b.close();
});

test('a cancelled one-shot never fires (a later one does)', async () => {
  const a = await session(alice);
  const b = await session(bob);
  const gone = `cancelled ${mc.randomSendId()}`, later = `later ${mc.randomSendId()}`;
  // `gone` is due 5 s out, so the second schedule and the cancel (two
  // audited round trips) come well before it on a loaded machine; `later`,
  // due after it, proves the scheduler ran past the time `gone` had.
  const first = await ask(a, { type: 'schedule', to: bob.member.publicKey, message: gone, delayMs: 5000 }, 'scheduled_ack');
  await ask(a, { type: 'schedule', to: bob.member.publicKey, message: later, delayMs: 6000 }, 'scheduled_ack');
  assert.equal((await ask(a, { type: 'cancel_scheduled', scheduledId: first.scheduledId }, 'cancel_scheduled_ack')).ok, true);
  await b.next(reminder(later), 20000);
  assert.equal(b.frames.filter((f) => f.json.ciphertext === b64(gone)).length, 0);
  assert.equal(Number(env.sql(`SELECT count(*) FROM nexus.message_queue WHERE ciphertext = '${b64(gone)}'`)), 0);
  await a.close(); await b.close();
});

test('bad input: a clear error and nothing stored', async () => {
  const a = await session(alice);
  const stored = entries();
  const cases = [
    [{ to: '*', message: 'no time' }, 'invalid_frame', 'schedule: deliverAt is required for a one-shot entry (or give delayMs or cron)'],
    [{ message: 'no target', deliverAt: 0 }, 'invalid_frame', 'schedule: to must be a string'],
    [{ to: '*', message: 5, deliverAt: 0 }, 'invalid_frame', 'schedule: message must be a string'],
    [{ to: '*', message: 'x', deliverAt: 'soon' }, 'invalid_frame', 'schedule: deliverAt must be a number'],
    [{ to: '', message: 'x', deliverAt: 0 }, 'invalid_argument', 'schedule: to must name a target'],
    [{ to: '*', message: 'x', deliverAt: Date.now() + 400 * 86400e3 }, 'invalid_argument', null],
    [{ to: '*', message: 'x', delayMs: 400 * 86400e3 }, 'invalid_argument', null],
    [{ to: '*', message: 'x'.repeat(50000), deliverAt: 0 }, 'invalid_argument', null],
  ];
  for (const [frame, code, message] of cases) {
    const err = await ask(a, { type: 'schedule', ...frame }, 'scheduled_ack');
    assert.equal(err.type, 'error', JSON.stringify(frame).slice(0, 80));
    assert.equal(err.code, code);
    if (message) assert.equal(err.message, message);
  }
  assert.equal(entries(), stored);
  await a.close();
});

test('§8: schedule and cancel append to the audit chain, never the message', async () => {
  const a = await session(alice);
  const secret = `secret text ${mc.randomSendId()}`;
  // Daily at an hour 12 h from now: it cannot fire between schedule and cancel.
  const cron = `0 ${(new Date().getUTCHours() + 12) % 24} * * *`;
  const ack = await ask(a, { type: 'schedule', to: '*', message: secret, deliverAt: 0, cron }, 'scheduled_ack');
  await ask(a, { type: 'cancel_scheduled', scheduledId: ack.scheduledId }, 'cancel_scheduled_ack');
  const rows = env.sql(`SELECT event_type || ' ' || payload::text FROM nexus.audit_log WHERE payload->>'scheduledId' = '${ack.scheduledId}' ORDER BY id`)
    .split('\n');
  assert.deepEqual(rows, [
    `schedule_created {"to": "*", "cron": "${cron}", "deliverAt": ${ack.deliverAt}, "scheduledId": "${ack.scheduledId}"}`,
    `schedule_cancelled {"scheduledId": "${ack.scheduledId}"}`,
  ]);
  assert.equal(env.sql(`SELECT count(*) FROM nexus.audit_log WHERE payload::text LIKE '%${secret}%'`), '0');
  const verify = await ask(a, { type: 'audit_verify' }, 'audit_verify_result');
  assert.equal(verify.valid, true);
  await a.close();
});
