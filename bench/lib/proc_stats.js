'use strict';
// Resource figures of other processes, read from /proc (Linux only): the
// node's RSS (sampled every 100 ms while a run lasts, plus the kernel's own
// high-water mark VmHWM, which no sampling can miss) and CPU seconds
// (utime + stime of /proc/<pid>/stat, in clock ticks). For PostgreSQL the
// CPU is summed over the postmaster and its live children (backends,
// walwriter, checkpointer, …); children that exited during the window are
// counted through the postmaster's cutime/cstime once reaped.

const fs = require('node:fs');
const { execFileSync } = require('node:child_process');

let ticksPerSecond = 100;
try {
  ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
} catch { /* 100 is the Linux default */ }

/** Fields of /proc/<pid>/stat after the command name, or null if gone. */
function statFields(pid) {
  let text;
  try { text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { return null; }
  // comm may contain spaces and parentheses: split after the last ')'.
  return text.slice(text.lastIndexOf(')') + 2).split(' ');
}

// Indexes into statFields(): field N of proc(5) is index N - 3.
const PPID = 1, UTIME = 11, STIME = 12, CUTIME = 13, CSTIME = 14;

/** CPU seconds of `pid` (own, plus reaped children if `withChildren`). */
function cpuSeconds(pid, withChildren = false) {
  const f = statFields(pid);
  if (!f) return 0;
  let ticks = Number(f[UTIME]) + Number(f[STIME]);
  if (withChildren) ticks += Number(f[CUTIME]) + Number(f[CSTIME]);
  return ticks / ticksPerSecond;
}

/** {rssKb, hwmKb} from /proc/<pid>/status, or null if gone. */
function memoryKb(pid) {
  let text;
  try { text = fs.readFileSync(`/proc/${pid}/status`, 'utf8'); } catch { return null; }
  const kb = (key) => Number((text.match(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm')) || [])[1] || 0);
  return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
}

/** CPU seconds of a PostgreSQL postmaster and every live child of it. */
function postgresCpuSeconds(postmasterPid) {
  let total = cpuSeconds(postmasterPid, true);
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const f = statFields(name);
    if (f && Number(f[PPID]) === postmasterPid) total += cpuSeconds(name);
  }
  return total;
}

/** The postmaster pid of a data directory (first line of postmaster.pid). */
function postmasterPid(dataDir) {
  return Number(fs.readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0]);
}

/**
 * Samples `nodePid` every `intervalMs` between start() and stop(); stop()
 * returns {nodeCpuSeconds, nodePeakRssMb (VmHWM), nodeSampledPeakRssMb,
 * postgresCpuSeconds (null without a postmaster pid), samples}.
 */
class ProcSampler {
  constructor({ nodePid, postgresPid = null, intervalMs = 100 }) {
    Object.assign(this, { nodePid, postgresPid, intervalMs });
    this.sampledPeakKb = 0;
    this.samples = 0;
  }

  start() {
    this.cpu0 = cpuSeconds(this.nodePid);
    this.pg0 = this.postgresPid ? postgresCpuSeconds(this.postgresPid) : null;
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  sample() {
    const m = memoryKb(this.nodePid);
    if (!m) return;
    this.samples += 1;
    this.sampledPeakKb = Math.max(this.sampledPeakKb, m.rssKb);
  }

  stop() {
    clearInterval(this.timer);
    this.sample();
    const m = memoryKb(this.nodePid) || { hwmKb: 0 };
    return {
      nodeCpuSeconds: round(cpuSeconds(this.nodePid) - this.cpu0, 2),
      nodePeakRssMb: round(m.hwmKb / 1024, 1),
      nodeSampledPeakRssMb: round(this.sampledPeakKb / 1024, 1),
      postgresCpuSeconds: this.postgresPid ? round(postgresCpuSeconds(this.postgresPid) - this.pg0, 2) : null,
      samples: this.samples,
    };
  }
}

function round(x, digits) {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

module.exports = { ProcSampler, cpuSeconds, memoryKb, postgresCpuSeconds, postmasterPid, round };
