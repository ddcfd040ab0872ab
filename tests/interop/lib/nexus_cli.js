'use strict';
// Running the built `nexus` CLI from a test: one home directory per person,
// every run with --home, and the outcome as {code, stdout, stderr, json}
// (json: stdout parsed when --json was given). Runs have a deadline; a CLI
// that outlives it is killed and the test fails with what it printed.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { nexusCliBinary } = require('./node_process');
const { waitFor } = require('./wait');

const RUN_TIMEOUT_MS = 30000;

/** Starts `nexus <args> --home <home>` (in `cwd` if given); {child, done: Promise<result>}. */
function spawnCli(home, args, { env = {}, cwd, timeoutMs = RUN_TIMEOUT_MS } = {}) {
  const argv = [...args, '--home', home];
  const child = spawn(nexusCliBinary(), argv, {
    cwd, env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=0', ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => { stdout += c; });
  child.stderr.on('data', (c) => { stderr += c; });
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`nexus ${argv.join(' ')} still running after ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      let json;
      if (args.includes('--json') && stdout.trim()) {
        try { json = JSON.parse(stdout); } catch { json = undefined; }
      }
      resolve({ code, signal, stdout, stderr, json, argv });
    });
  });
  return { child, done };
}

/** Runs the CLI to completion. */
function runCli(home, args, options) {
  return spawnCli(home, args, options).done;
}

/** Like runCli, but fails unless the exit code is `code` (default 0). */
async function cliOk(home, args, { code = 0, ...options } = {}) {
  const r = await runCli(home, args, options);
  if (r.code !== code)
    throw new Error(`nexus ${r.argv.join(' ')} exited ${r.code} (${r.signal ?? ''}), expected ${code}:\n` +
      `stdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** A fresh temporary directory for a home (the CLI creates it on init). */
function tempHome(label) {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), `nexus-cli-${label}-`)), 'home');
}

/** The peers entry of the CLI process `pid` as `observer` sees it (its sessionId names the pid). */
async function cliPeer(observer, pid) {
  const r = await runCli(observer.home, ['peers', '--json']);
  return r.code === 0 ? r.json.peers.find((p) => p.sessionId.startsWith(`nexus-cli-${pid}-`)) : undefined;
}

/** Whether the CLI process `pid` is connected, as `observer` sees it. */
async function cliConnected(observer, pid) {
  return (await cliPeer(observer, pid)) !== undefined;
}

module.exports = { spawnCli, runCli, cliOk, tempHome, waitFor, cliPeer, cliConnected };
