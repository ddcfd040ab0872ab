#!/usr/bin/env node
'use strict';
// The benchmark sweep of bench/run.sh (issue 8): 10×100, 50×100, 100×100
// and 100×1000 (three runs) in burst mode and 100 peers paced at 1000 msgs/s
// for 30 s (three runs), each on a fresh nexusd and a fresh database with
// the send rate limit off.
// Writes every result to --out (JSON) and the table between the markers of
// --results-md, with the machine and the reference's published figures.
//   node bench/sweep.js --out bench/results/X.json --results-md bench/RESULTS.md [--only 100x1000]

const fs = require('node:fs');
const os = require('node:os');
const { runLoad, describe, parseArgs } = require('./loadgen');
const { renderTable, replaceBetweenMarkers } = require('./lib/report');

const CASES = [
  { name: '10x100', args: ['--peers', '10', '--msgs', '100', '--drain-timeout-ms', '30000'] },
  { name: '50x100', args: ['--peers', '50', '--msgs', '100', '--drain-timeout-ms', '30000'] },
  { name: '100x100', args: ['--peers', '100', '--msgs', '100', '--drain-timeout-ms', '30000'] },
  { name: '100x1000', runs: 3, key: (r) => r.durationS,
    args: ['--peers', '100', '--msgs', '1000', '--drain-timeout-ms', '90000'] },
  { name: 'paced-100@1000/s-30s', runs: 3, key: (r) => r.sendToPushMs.p99,
    args: ['--peers', '100', '--mode', 'paced', '--rate', '1000', '--duration', '30', '--drain-timeout-ms', '30000'] },
];

/** The run whose `key` is the median of `runs` (lower middle for an even count). */
function medianRun(runs, key) {
  const sorted = [...runs].sort((a, b) => key(a) - key(b));
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** What every run of a repeated case says, for the JSON and the report. */
function runSummary(r) {
  return { durationS: r.durationS, delivered: r.delivered, messages: r.messages, drained: r.drained,
    sendToPushP99Ms: r.sendToPushMs.p99, duplicates: r.errors.duplicates, errors: r.errors.total,
    nodePeakRssMb: (r.resources || {}).nodePeakRssMb, nodeCpuSeconds: (r.resources || {}).nodeCpuSeconds,
    postgresCpuSeconds: (r.resources || {}).postgresCpuSeconds, generatorCpuSeconds: r.generatorCpuSeconds };
}

function machine() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = (cpuinfo.match(/^model name\s*:\s*(.+)$/m) || [])[1] || 'unknown';
  return { cores: os.cpus().length, cpuModel: model.trim(), memGb: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(), node: process.version, nexusd: process.env.NEXUSD_BINARY };
}

async function main() {
  const argv = process.argv.slice(2);
  const opt = (name) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const out = opt('--out');
  const md = opt('--results-md');
  const only = opt('--only');
  if (!out) throw new Error('--out FILE is required');
  const results = { startedAt: new Date().toISOString(), machine: machine(),
    postgres: process.env.NEXUS_BENCH_PG_SETTINGS || 'NEXUS_TEST_PG_URL', cases: [] };
  let failed = 0;
  // The two headline cases run three times on this noisy kind of machine
  // (identical runs differ by ±15 %): the table shows the median run, and
  // every run's figures stay in the JSON and beside the table.
  for (const c of CASES.filter((x) => !only || x.name === only)) {
    const runs = [];
    for (let k = 1; k <= (c.runs || 1); ++k) {
      console.log(`\n== ${c.name}${c.runs ? ` (run ${k} of ${c.runs})` : ''}`);
      try {
        const r = await runLoad(parseArgs(c.args));
        console.log(describe(r));
        runs.push(r);
      } catch (err) {
        failed += 1;
        console.error(`${c.name} failed: ${err.stack || err}`);
        runs.push({ failed: String(err.message || err) });
      }
    }
    const ok = runs.filter((r) => !r.failed);
    // Every case lists its runs (one for most), so the report checks them
    // all the same way; the case's own figures are the median run's.
    if (!ok.length) {
      results.cases.push({ name: c.name, failed: runs[0].failed });
    } else {
      results.cases.push({ name: c.name, ...(c.runs ? medianRun(ok, c.key) : ok[0]),
        ...(c.runs ? { medianOf: ok.length } : {}),
        runs: runs.map((r) => (r.failed ? { failed: r.failed } : runSummary(r))) });
    }
    fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`); // keep what we have so far
  }
  results.finishedAt = new Date().toISOString();
  fs.writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
  if (md) {
    const text = fs.existsSync(md) ? fs.readFileSync(md, 'utf8') : '<!-- results:begin -->\n<!-- results:end -->\n';
    fs.writeFileSync(md, replaceBetweenMarkers(text, renderTable(results, out)));
    console.log(`updated ${md}`);
  }
  if (failed) process.exitCode = 1;
}

// Bounded: the cases' drain deadlines sum to a few minutes; this is the backstop.
setTimeout(() => { console.error('sweep: still running after 15 min, giving up'); process.exit(1); }, 15 * 60000).unref();
main().catch((err) => { console.error(`sweep: ${err.stack || err}`); process.exitCode = 1; });
