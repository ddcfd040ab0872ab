'use strict';
// Renders a sweep's results (bench/sweep.js) as the Markdown table of
// bench/RESULTS.md, beside the reference broker's published figures (issue
// 8: its own load test, v0.1.0, on a laptop), and checks the issue's targets.

const BEGIN = '<!-- results:begin -->';
const END = '<!-- results:end -->';

// The reference's published figures; null where it published none.
const REFERENCE = {
  '10x100': 'p50 780 ms',
  '50x100': '—',
  '100x100': 'p99 4.66 s, 99.78 % delivered',
  '100x1000': 'p50 12.9 s, p99 23 s, 88.8 % delivered within 15 min, peak RSS 1156 MB',
  'paced-100@1000/s-30s': '—',
};

const ms = (x) => (x === null || x === undefined ? '—' : x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(1)} ms`);

function row(c) {
  if (c.failed) return `| ${c.name} | failed: ${c.failed} ||||||||||||`;
  const r = c.resources || {};
  const a = c.sendToAckMs;
  const p = c.sendToPushMs;
  const median = c.medianOf > 1 ? ` (median of ${c.medianOf})` : '';
  return `| ${c.name}${median} | ${c.messages} | ${c.deliveredPct} %${c.drained ? '' : ' (not drained)'} | ${c.durationS} s | ` +
    `${c.deliveredPerS} | ${ms(a.p50)} / ${ms(a.p99)} | ${ms(p.p50)} / ${ms(p.p95)} / ${ms(p.p99)} / ${ms(p.max)} | ` +
    `${r.nodePeakRssMb} MB | ${r.nodeCpuSeconds} s | ${r.postgresCpuSeconds ?? '—'} s | ` +
    `${c.generatorCpuSeconds ?? '—'} s | ${c.errors.duplicates} | ` +
    `${c.errors.total} | ${REFERENCE[c.name] ?? '—'} |`;
}

/** "met" or "missed by …" for a value against an upper bound. */
function verdict(value, limit, unit) {
  if (value === null || value === undefined) return 'not measured';
  return value < limit ? `met (${value} ${unit} < ${limit} ${unit})`
    : `MISSED by ${(value - limit).toFixed(1)} ${unit} (${value} ${unit}, target < ${limit} ${unit}, ×${(value / limit).toFixed(1)})`;
}

/** How much of the machine the three processes used during a case. */
function cpuBound(c, cores) {
  const r = c.resources || {};
  const total = (r.nodeCpuSeconds || 0) + (r.postgresCpuSeconds || 0) + (c.generatorCpuSeconds || 0);
  if (!total || !cores) return '';
  const share = Math.round((100 * total) / (cores * c.durationS));
  return ` — node, PostgreSQL and generator used ${total.toFixed(1)} CPU-seconds in it, ${share} % of all ${cores} cores`;
}

/** A case run more than once (bench/sweep.js lists every case's runs). */
const repeatedCase = (c) => c.runs.length > 1;

/** The runs of a case that completed. */
const runsOf = (c) => c.runs.filter((r) => !r.failed);

/** " (runs: a / b / c)" for a repeated case; `pick` formats one run's value. */
function spread(c, pick) {
  return repeatedCase(c) ? ` (runs: ${c.runs.map((r) => (r.failed ? 'failed' : pick(r))).join(' / ')})` : '';
}

/** One line per repeated case: what each run measured. */
function repeated(results) {
  return results.cases.filter((c) => !c.failed && repeatedCase(c)).map((c) =>
    `- ${c.name}, ${c.runs.length} runs (the table shows the median): ` + c.runs.map((r, i) => (r.failed
      ? `run ${i + 1} failed: ${r.failed}`
      : `run ${i + 1} ${r.durationS} s, p99 send→push ${ms(r.sendToPushP99Ms)}, CPU node ${r.nodeCpuSeconds} / ` +
        `PG ${r.postgresCpuSeconds ?? '—'} / generator ${r.generatorCpuSeconds ?? '—'} s`)).join('; '));
}

function targets(results) {
  const cores = results.machine && results.machine.cores;
  const big = results.cases.find((c) => c.name === '100x1000' && !c.failed);
  const paced = results.cases.find((c) => c.name.startsWith('paced') && !c.failed);
  const dups = results.cases.reduce((s, c) => s + (c.failed ? 0 : runsOf(c).reduce((t, r) => t + r.duplicates, 0)), 0);
  const lines = [];
  if (big) {
    const short = runsOf(big).filter((r) => r.delivered !== r.messages).map((r) => `${r.delivered}/${r.messages}`);
    const failedRuns = big.runs.filter((r) => r.failed).length;
    if (failedRuns) short.push(`${failedRuns} of ${big.runs.length} runs failed`);
    lines.push(`- 100 × 1000 burst, 100 % delivered: ${short.length === 0 ? 'met' + (repeatedCase(big) ? ' (every run)' : '')
      : `MISSED (${short.join(', ')})`}`);
    lines.push(`- 100 × 1000 burst, fully drained in under 5 s: ${verdict(big.durationS, 5, 's')}` +
      `${spread(big, (r) => `${r.durationS} s`)}${cpuBound(big, cores)}`);
    const rss = Math.max(...runsOf(big).map((r) => r.nodePeakRssMb));
    lines.push(`- 100 × 1000 burst, node peak RSS under 100 MB: ${verdict(rss, 100, 'MB')}` +
      `${repeatedCase(big) ? ' (the highest run)' : ''}`);
  }
  if (paced) {
    lines.push(`- paced 1000 msgs/s, p99 send→push under 20 ms: ${verdict(paced.sendToPushMs.p99, 20, 'ms')}` +
      `${spread(paced, (r) => ms(r.sendToPushP99Ms))}`);
  }
  lines.push(`- no message delivered twice: ${dups === 0 ? 'met (0 duplicates in every case)' : `MISSED (${dups} duplicates)`}`);
  return lines.join('\n');
}

/** The Markdown block for `results` (written to `jsonPath`). */
function renderTable(results, jsonPath) {
  const m = results.machine;
  return [
    BEGIN,
    `Run ${results.startedAt} (\`${jsonPath}\`), generated by \`bench/run.sh\`.`,
    '',
    `Machine: ${m.cores} cores, ${m.cpuModel}, ${m.memGb} GB RAM, Linux ${m.kernel}, Node ${m.node}; ` +
      'the node, PostgreSQL and the load generator share it.',
    `PostgreSQL: ${results.postgres}.`,
    '',
    '| case | msgs | delivered | drained in | msgs/s | send→ack p50 / p99 | send→push p50 / p95 / p99 / max | ' +
      'node peak RSS | node CPU | PG CPU | generator CPU | dups | errors | reference (v0.1.0, laptop) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...results.cases.map(row),
    ...(results.cases.some((c) => !c.failed && repeatedCase(c)) ? ['', ...repeated(results)] : []),
    '',
    'Targets (issue 8, 2-core machine; a repeated case by its median run):',
    '',
    targets(results),
    END,
  ].join('\n');
}

function replaceBetweenMarkers(text, block) {
  const b = text.indexOf(BEGIN);
  const e = text.indexOf(END);
  if (b < 0 || e < b) return `${text.trimEnd()}\n\n${block}\n`;
  return text.slice(0, b) + block + text.slice(e + END.length);
}

module.exports = { renderTable, replaceBetweenMarkers, REFERENCE };
