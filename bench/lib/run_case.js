'use strict';
// One load run over open, hello'd peers (bench_env.js): every message is
// sealed (crypto_box_easy, sender session key → recipient session key, both
// converted to X25519, as the SDK does) and serialised BEFORE the clock
// starts. Then, per message, the send time (ws.send handed the frame over),
// the ack time (sender's ack) and the push time (recipient's push) are
// recorded. Burst: every peer writes all its messages at once, in rounds of
// up to 8 messages per peer written corked (one socket write per peer and
// round; the event loop turns between rounds so acks and pushes are
// timestamped as they come, and a send time is at most one round early).
// Paced: message k leaves
// at t0 + k / rate, from peer k mod N. Frames on one connection are handled
// by the broker strictly in order, so a peer's pipelined sends queue behind
// each other's commits; that queueing is part of what send→ack measures.
// The run ends when every ack and push is in, or at the drain deadline.

const { performance } = require('node:perf_hooks');

/** Nearest-rank percentiles (ms) of the finite values of `values`. */
function summarize(values) {
  const v = Float64Array.from(values.filter((x) => Number.isFinite(x))).sort();
  const pick = (p) => (v.length ? v[Math.min(v.length - 1, Math.ceil((p / 100) * v.length) - 1)] : null);
  const r = (x) => (x === null ? null : Math.round(x * 100) / 100);
  return { count: v.length, p50: r(pick(50)), p95: r(pick(95)), p99: r(pick(99)), max: r(v.length ? v[v.length - 1] : null) };
}

/** Plaintext of message `i` (padded to `bytes`). */
function plaintextOf(i, bytes) {
  const head = `bench:${i}:`;
  return head + 'x'.repeat(Math.max(0, bytes - head.length));
}

/**
 * Runs the load. opts: {mode: 'burst'|'paced', msgsPerPeer (burst), rate and
 * durationS (paced), payloadBytes, priority, drainTimeoutMs, verifyMax,
 * settleMs, onClockStart(), onClockStop() → resource figures}.
 * Resolves the raw result (figures, error list); never rejects on a broker
 * misbehaviour, which is counted instead.
 */
async function runCase(env, mc, opts) {
  const { peers } = env;
  const n = peers.length;
  if (n < 2) throw new Error('need at least 2 peers');
  const sodium = await mc.ready();
  const total = opts.mode === 'paced' ? Math.round(opts.rate * opts.durationS) : n * opts.msgsPerPeer;

  // --- before the clock: keys, recipients, sealed and serialised frames ---
  const xpk = peers.map((p) => sodium.crypto_sign_ed25519_pk_to_curve25519(sodium.from_hex(p.session.publicKey)));
  const xsk = peers.map((p) => sodium.crypto_sign_ed25519_sk_to_curve25519(sodium.from_hex(p.session.secretKey)));
  const from = new Int32Array(total);
  const to = new Int32Array(total);
  const frames = new Array(total);
  const sealStart = performance.now();
  for (let i = 0; i < total; ++i) {
    // burst: peer p sends messages p, p+n, p+2n, …; paced: k mod n likewise.
    const s = i % n;
    let r = Math.floor(Math.random() * (n - 1));
    if (r >= s) r += 1;
    from[i] = s;
    to[i] = r;
    const nonce = sodium.randombytes_buf(sodium.crypto_box_NONCEBYTES);
    const ct = sodium.crypto_box_easy(sodium.from_string(plaintextOf(i, opts.payloadBytes)), nonce, xpk[r], xsk[s]);
    frames[i] = JSON.stringify({
      type: 'send', id: i.toString(16).padStart(16, '0'), targetSpec: peers[r].session.publicKey,
      priority: opts.priority, nonce: mc.toBase64(nonce), ciphertext: mc.toBase64(ct),
    });
  }
  const sealSeconds = (performance.now() - sealStart) / 1000;

  const sendT = new Float64Array(total).fill(NaN);
  const ackT = new Float64Array(total).fill(NaN);
  const pushT = new Float64Array(total).fill(NaN);
  const pushCount = new Uint16Array(total);
  const idOf = new Map();           // messageId → index, from acks
  const early = new Map();          // messageId → [{peer, t}] pushes seen before their ack
  const samples = [];               // pushes kept for decryption after the clock stops
  const errors = { refused: 0, errorFrames: 0, closed: 0, unknownPush: 0, wrongRecipient: 0,
    duplicates: 0, badAck: 0, decryptFailed: 0, examples: [] };
  const note = (kind, detail) => {
    errors[kind] += 1;
    if (errors.examples.length < 10) errors.examples.push(`${kind}: ${detail}`);
  };
  let acked = 0, queued = 0, delivered = 0, lastEventT = 0;
  let finish = () => {};

  const recordPush = (i, peer, t) => {
    if (to[i] !== peer) { note('wrongRecipient', `message ${i} for peer ${to[i]} pushed to ${peer}`); return; }
    pushCount[i] += 1;
    if (pushCount[i] > 1) { note('duplicates', `message ${i} pushed ${pushCount[i]} times`); return; }
    pushT[i] = t;
    delivered += 1;
    lastEventT = Math.max(lastEventT, t);
  };
  const checkDone = () => { if (acked === total && delivered + errors.refused >= total) finish(); };

  const onFrame = (peer, data) => {
    const t = performance.now();
    let f;
    try { f = JSON.parse(data.toString('utf8')); } catch { note('errorFrames', 'non-JSON frame'); return; }
    if (f.type === 'ack') {
      const i = parseInt(f.id, 16);
      if (!(i >= 0 && i < total) || from[i] !== peer || !Number.isNaN(ackT[i])) { note('badAck', JSON.stringify(f)); return; }
      ackT[i] = t;
      acked += 1;
      lastEventT = Math.max(lastEventT, t);
      if (f.queued !== true) { note('refused', `${i}: ${f.error}`); checkDone(); return; }
      queued += 1;
      idOf.set(f.messageId, i);
      for (const e of early.get(f.messageId) || []) recordPush(i, e.peer, e.t);
      early.delete(f.messageId);
      checkDone();
    } else if (f.type === 'push') {
      if (f.subtype === 'system') return; // peer_joined and friends
      if (samples.length < opts.verifyMax) samples.push({ peer, push: f });
      const i = idOf.get(f.messageId);
      if (i === undefined) {
        // The push may overtake its ack: they travel on different sockets.
        if (!early.has(f.messageId)) early.set(f.messageId, []);
        early.get(f.messageId).push({ peer, t });
        return;
      }
      recordPush(i, peer, t);
      checkDone();
    } else if (f.type === 'error') {
      note('errorFrames', JSON.stringify(f));
    }
  };
  const listeners = peers.map((p, k) => {
    const onMessage = (data) => onFrame(k, data);
    const onClose = (code) => { note('closed', `peer ${k} socket closed ${code}`); finish(); };
    p.ws.on('message', onMessage);
    p.ws.on('close', onClose);
    return { onMessage, onClose };
  });

  // --- the clock starts ---
  if (opts.onClockStart) opts.onClockStart();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let sent = 0, maxLagMs = 0;
  const sendOne = (i) => {
    sendT[i] = performance.now();
    peers[from[i]].ws.send(frames[i]);
    sent += 1;
  };
  const done = new Promise((resolve) => { finish = resolve; });
  let sending;
  if (opts.mode === 'paced') {
    const intervalMs = 1000 / opts.rate;
    sending = new Promise((resolve) => {
      const tick = () => {
        const now = performance.now();
        while (sent < total && t0 + sent * intervalMs <= now) {
          maxLagMs = Math.max(maxLagMs, now - (t0 + sent * intervalMs));
          sendOne(sent);
        }
        if (sent < total) setTimeout(tick, 1); else resolve();
      };
      tick();
    });
  } else {
    // Each round writes up to 8 messages per peer with the sockets corked,
    // so a peer's frames leave in one write (one syscall, few TCP segments)
    // as a client flushing a backlog would.
    const perRound = n * 8;
    const sockets = peers.map((p) => p.ws._socket);
    sending = new Promise((resolve) => {
      const round = () => {
        const end = Math.min(total, sent + perRound);
        for (const s of sockets) s.cork();
        while (sent < end) sendOne(sent);
        for (const s of sockets) s.uncork();
        if (sent < total) setImmediate(round); else resolve();
      };
      round();
    });
  }
  await sending;
  const sendEndT = performance.now();
  let drainTimer;
  const timedOut = new Promise((resolve) => { drainTimer = setTimeout(() => resolve('timeout'), opts.drainTimeoutMs); });
  checkDone();
  const outcome = await Promise.race([done.then(() => 'drained'), timedOut]);
  clearTimeout(drainTimer);
  const endT = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const resources = opts.onClockStop ? opts.onClockStop() : null;
  // --- the clock stops ---
  // Keep listening a little longer: a late duplicate push must still count.
  await new Promise((resolve) => setTimeout(resolve, opts.settleMs ?? 300));

  for (const [k, p] of peers.entries()) {
    p.ws.off('message', listeners[k].onMessage);
    p.ws.off('close', listeners[k].onClose);
  }
  for (const [messageId, list] of early) note('unknownPush', `${messageId} pushed to peer ${list[0].peer}, never acked`);
  for (const { peer, push } of samples) {
    const i = idOf.get(push.messageId);
    if (i === undefined) continue; // counted as unknownPush
    const plain = mc.decryptDirect(push, peers[from[i]].session.publicKey, peers[peer].session.secretKey);
    if (plain !== plaintextOf(i, opts.payloadBytes)) note('decryptFailed', `message ${i}: ${plain}`);
  }

  const lastT = Math.max(lastEventT, sendEndT);
  const durationS = (lastT - t0) / 1000;
  const sendToAck = [], sendToPush = [];
  for (let i = 0; i < total; ++i) {
    sendToAck.push(ackT[i] - sendT[i]);
    sendToPush.push(pushT[i] - sendT[i]);
  }
  return {
    mode: opts.mode, peers: n, messages: total, msgsPerPeer: opts.mode === 'paced' ? null : opts.msgsPerPeer,
    rate: opts.mode === 'paced' ? opts.rate : null, durationTargetS: opts.mode === 'paced' ? opts.durationS : null,
    sent, acked, queued, delivered,
    deliveredPct: Math.round((delivered / total) * 100000) / 1000,
    drained: outcome === 'drained' && delivered === total,
    durationS: Math.round(durationS * 1000) / 1000,
    sendPhaseS: Math.round(((sendEndT - t0) / 1000) * 1000) / 1000,
    waitedS: Math.round(((endT - t0) / 1000) * 1000) / 1000,
    deliveredPerS: Math.round(delivered / durationS),
    sendToAckMs: summarize(sendToAck),
    sendToPushMs: summarize(sendToPush),
    pacingMaxLagMs: opts.mode === 'paced' ? Math.round(maxLagMs * 100) / 100 : null,
    sealSeconds: Math.round(sealSeconds * 100) / 100,
    generatorCpuSeconds: Math.round(((cpu.user + cpu.system) / 1e6) * 100) / 100,
    verifiedPushes: samples.length,
    resources,
    errors: { ...errors, total: errors.refused + errors.errorFrames + errors.closed + errors.unknownPush +
      errors.wrongRecipient + errors.duplicates + errors.badAck + errors.decryptFailed },
  };
}

module.exports = { runCase, summarize };
