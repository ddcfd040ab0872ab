#!/usr/bin/env node
'use strict';
// The benchmark sweep of bench/run.sh (issue 8): 10×100, 50×100, 100×100
// and 100×1000 in burst mode and 100 peers paced at 1000 msgs/s for 30 s,
// each on a fresh nexusd and a fresh database with the send rate limit off.
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
  { name: '100x1000', args: ['--peers', '100', '--msgs', '1000', '--drain-timeout-ms', '90000'] },
  { name: 'paced-100@1000/s-30s', args: ['--peers', '100', '--mode', 'paced', '--rate', '1000', '--duration', '30',
    '--drain-timeout-ms', '30000'] },
];

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
  for (const c of CASES.filter((x) => !only || x.name === only)) {
    console.log(`\n== ${c.name}`);
    try {
      const r = await runLoad(parseArgs(c.args));
      console.log(describe(r));
      results.cases.push({ name: c.name, ...r });
    } catch (err) {
      failed += 1;
      console.error(`${c.name} failed: ${err.stack || err}`);
      results.cases.push({ name: c.name, failed: String(err.message || err) });
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
