#!/usr/bin/env node
'use strict';
// The Nexus load generator (issue 8). Starts a fresh nexusd (NEXUSD_BINARY)
// on a fresh database of the PostgreSQL server at NEXUS_TEST_PG_URL, seeds
// N members with `nexusd member add`, connects N peers and runs one load:
//
//   node bench/loadgen.js --peers 10 --msgs 100                   # burst
//   node bench/loadgen.js --peers 100 --mode paced --rate 1000 --duration 30
//
// Prints delivered %, send→ack and send→push p50/p95/p99/max, delivered
// msgs/s, duration, errors, and the node's peak RSS and CPU seconds (and
// PostgreSQL's CPU seconds with --pg-data-dir). --json FILE writes the
// result. --strict: exit 1 unless 100 % delivered, no duplicate, no error
// (the ctest smoke run). Always stops by itself: the drain has a deadline.

const { startBenchEnv, mc } = require('./lib/bench_env');
const { runCase } = require('./lib/run_case');
const { ProcSampler, postmasterPid } = require('./lib/proc_stats');
const fs = require('node:fs');
const { spawn } = require('node:child_process');

const DEFAULTS = {
  peers: 10, msgs: 100, mode: 'burst', rate: 1000, duration: 30, payloadBytes: 100, priority: 'next',
  drainTimeoutMs: 60000, verifyMax: 2000, pgDataDir: process.env.NEXUS_BENCH_PG_DATA || '', json: '',
  strict: false, nodeArgs: ['--send-rate-per-min', '0'],
};

function parseArgs(argv) {
  const o = { ...DEFAULTS, nodeArgs: [...DEFAULTS.nodeArgs] };
  const num = (v, name) => {
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new Error(`--${name} needs a positive number, got ${v}`);
    return x;
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const v = () => { if (i + 1 >= argv.length) throw new Error(`${a} needs a value`); return argv[++i]; };
    switch (a) {
      case '--peers': o.peers = num(v(), 'peers'); break;
      case '--msgs': o.msgs = num(v(), 'msgs'); break;
      case '--mode': o.mode = v(); if (!['burst', 'paced'].includes(o.mode)) throw new Error('--mode burst|paced'); break;
      case '--rate': o.rate = num(v(), 'rate'); break;
      case '--duration': o.duration = num(v(), 'duration'); break;
      case '--payload-bytes': o.payloadBytes = num(v(), 'payload-bytes'); break;
      case '--priority': o.priority = v(); break;
      case '--drain-timeout-ms': o.drainTimeoutMs = num(v(), 'drain-timeout-ms'); break;
      case '--verify-max': o.verifyMax = Number(v()); break;
      case '--pg-data-dir': o.pgDataDir = v(); break;
      case '--json': o.json = v(); break;
      case '--strict': o.strict = true; break;
      case '--perf': o.perf = v(); break; // perf record -g of the node during the clock, to FILE
      case '--node-arg': o.nodeArgs.push(v()); break; // repeatable: extra nexusd flags
      case '-h': case '--help':
        console.log(fs.readFileSync(__filename, 'utf8').split('\n').filter((l) => l.startsWith('//')).join('\n'));
        process.exit(0);
        break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

/** The printable summary of a result. */
function describe(r) {
  const lat = (s) => `p50 ${s.p50} p95 ${s.p95} p99 ${s.p99} max ${s.max} ms`;
  const res = r.resources || {};
  const what = r.mode === 'paced' ? `${r.peers} peers paced ${r.rate}/s for ${r.durationTargetS} s`
    : `${r.peers} peers × ${r.msgsPerPeer} msgs burst`;
  return [
    `${what}: ${r.messages} messages`,
    `  delivered   ${r.delivered}/${r.messages} (${r.deliveredPct} %)${r.drained ? '' : ' — NOT fully drained'}`,
    `  send→ack    ${lat(r.sendToAckMs)}`,
    `  send→push   ${lat(r.sendToPushMs)}`,
    `  throughput  ${r.deliveredPerS} delivered msgs/s over ${r.durationS} s (send phase ${r.sendPhaseS} s)`,
    `  node        peak RSS ${res.nodePeakRssMb} MB (sampled ${res.nodeSampledPeakRssMb} MB), CPU ${res.nodeCpuSeconds} s` +
      (res.postgresCpuSeconds === null || res.postgresCpuSeconds === undefined ? '' : `; postgres CPU ${res.postgresCpuSeconds} s`) +
      `; generator CPU ${r.generatorCpuSeconds} s`,
    `  errors      ${r.errors.total}` + (r.errors.total ? ` ${JSON.stringify(r.errors)}` : '') +
      ` (${r.verifiedPushes} pushes decrypted and checked)`,
  ].join('\n');
}

/** Runs one configured load end to end; resolves the result object. */
async function runLoad(o) {
  const env = await startBenchEnv({ peers: o.peers, nodeArgs: o.nodeArgs });
  try {
    const sampler = new ProcSampler({ nodePid: env.node.child.pid,
      postgresPid: o.pgDataDir ? postmasterPid(o.pgDataDir) : null });
    let perf = null;
    const result = await runCase(env, mc, {
      mode: o.mode, msgsPerPeer: o.msgs, rate: o.rate, durationS: o.duration, payloadBytes: o.payloadBytes,
      priority: o.priority, drainTimeoutMs: o.drainTimeoutMs, verifyMax: o.verifyMax,
      onClockStart: () => {
        if (o.perf) perf = spawn('perf', ['record', '-g', '-F', '999', '-o', o.perf, '-p', String(env.node.child.pid)],
          { stdio: 'ignore' });
        sampler.start();
      },
      onClockStop: () => {
        if (perf) perf.kill('SIGINT');
        return sampler.stop();
      },
    });
    if (perf && perf.exitCode === null) {
      // perf may take a while to write its file; it must not hold the run.
      await new Promise((resolve) => {
        const timer = setTimeout(() => { perf.kill('SIGKILL'); resolve(); }, 20000);
        perf.once('exit', () => { clearTimeout(timer); resolve(); });
      });
    }
    result.seedSeconds = env.seedSeconds;
    result.nodeArgs = o.nodeArgs;
    return result;
  } finally {
    await env.stop();
  }
}

/** True when a result meets the smoke bar: all delivered once, no error. */
function strictPass(r) {
  return r.drained && r.delivered === r.messages && r.errors.total === 0 && r.errors.duplicates === 0;
}

async function main(o) {
  const r = await runLoad(o);
  console.log(describe(r));
  if (o.json) fs.writeFileSync(o.json, `${JSON.stringify(r, null, 2)}\n`);
  if (o.strict && !strictPass(r)) {
    console.error('loadgen: FAIL — strict run needs 100 % delivered, no duplicate and no error');
    process.exitCode = 1;
  }
}

if (require.main === module) {
  // A hard stop on top of the drain deadline: never hang a test run.
  let o;
  try { o = parseArgs(process.argv.slice(2)); } catch (err) { console.error(`loadgen: ${err.message}`); process.exit(2); }
  const limitMs = o.drainTimeoutMs + (o.mode === 'paced' ? o.duration * 1000 : 0) + 180000;
  setTimeout(() => { console.error(`loadgen: FAIL — still running after ${limitMs} ms`); process.exit(1); }, limitMs).unref();
  main(o).catch((err) => { console.error(`loadgen: ${err.stack || err}`); process.exitCode = 1; });
}

module.exports = { runLoad, describe, strictPass, parseArgs };
