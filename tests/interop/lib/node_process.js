'use strict';
// Test fixtures for running the real nexusd from Node: a fresh PostgreSQL
// database per test file (created and dropped with `psql` against the admin
// URL in NEXUS_TEST_PG_URL, exported by scripts/test.sh), a fresh home
// directory per node, start-up until /health/ready answers 200, and a clean
// SIGTERM stop that must exit 0 within 10 s. Missing NEXUSD_BINARY or
// NEXUS_TEST_PG_URL fails the test with a clear message; nothing is skipped.
// Every wait has a deadline; readiness is polled every 20 ms.

const { spawn, execFile } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const STARTUP_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 10000;
const POLL_MS = 20;
const WS_LINE = /nexusd: WebSocket ws:\/\/127\.0\.0\.1:(\d+)\/ws/;

function requireEnv(name, hint) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: ${hint}`);
  return value;
}

function nexusdBinary() {
  return requireEnv('NEXUSD_BINARY', 'point it at the built nexusd (ctest sets it; run through scripts/test.sh)');
}

/** The built CLI (`nexus`); ctest sets NEXUS_CLI_BINARY like NEXUSD_BINARY. */
function nexusCliBinary() {
  return requireEnv('NEXUS_CLI_BINARY', 'point it at the built nexus CLI (ctest sets it; run through scripts/test.sh)');
}

function adminUrl() {
  return requireEnv('NEXUS_TEST_PG_URL',
    'the superuser URL of a throwaway PostgreSQL (scripts/test.sh exports it)');
}

/** `url` naming database `dbname` instead (URLs and key=value DSNs). */
function withDatabase(url, dbname) {
  if (!/^postgres(ql)?:\/\//.test(url)) return `${url} dbname=${dbname}`; // later keys win in libpq
  const u = new URL(url);
  u.pathname = `/${dbname}`;
  return u.toString();
}

function psql(url, sql) {
  return new Promise((resolve, reject) => {
    execFile('psql', [url, '-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql], { timeout: 30000 },
      (err, _stdout, stderr) => (err ? reject(new Error(`psql failed for "${sql}": ${stderr || err.message}`)) : resolve()));
  });
}

/** A fresh empty database on the test server; call drop() when done. */
async function createTestDatabase() {
  const admin = adminUrl();
  const name = `nexus_interop_${crypto.randomBytes(8).toString('hex')}`;
  await psql(admin, `CREATE DATABASE ${name}`);
  return {
    name,
    url: withDatabase(admin, name),
    drop: () => psql(admin, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/** One HTTP request to 127.0.0.1:port; resolves {status, headers, body}. */
function httpRequest(port, method, urlPath, { body, headers = {}, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, headers, agent: false, timeout: timeoutMs },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
    req.on('timeout', () => req.destroy(new Error(`${method} ${urlPath}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

const running = new Set(); // NexusNode objects not yet stopped
// A crashed test file must not leave a nexusd behind holding a database.
process.on('exit', () => {
  for (const node of running) {
    node.child.kill('SIGKILL');
    if (node.ownsHome) fs.rmSync(node.home, { recursive: true, force: true });
  }
});

class NexusNode {
  constructor(child, home, ownsHome = true) {
    this.child = child;
    this.home = home;
    this.ownsHome = ownsHome; // false: the caller's `home`, kept after stop
    this.port = 0;
    this.output = '';
    this.exit = new Promise((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });
    this.exited = null;
    this.exit.then((e) => { this.exited = e; });
  }

  get wsUrl() { return `ws://127.0.0.1:${this.port}/ws`; }
  get httpUrl() { return `http://127.0.0.1:${this.port}`; }

  /** GET/POST etc. against this node. */
  http(method, urlPath, options) { return httpRequest(this.port, method, urlPath, options); }

  /** Waits until `predicate()` (async allowed) is true, polling every 20 ms. */
  async waitUntil(predicate, timeoutMs, what) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.exited) throw new Error(`nexusd exited (${JSON.stringify(this.exited)}) while waiting for ${what}:\n${this.output}`);
      if (await predicate()) return;
      if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}:\n${this.output}`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  async waitReady(timeoutMs = STARTUP_TIMEOUT_MS) {
    await this.waitUntil(async () => {
      try { return (await this.http('GET', '/health/ready', { timeoutMs: 1000 })).status === 200; } catch { return false; }
    }, timeoutMs, '/health/ready to answer 200');
  }

  /** SIGTERM; asserts exit code 0 within 10 s, then removes the home dir. */
  async stop(timeoutMs = STOP_TIMEOUT_MS) {
    if (!this.exited) this.child.kill('SIGTERM');
    let timer;
    const result = await Promise.race([
      this.exit,
      new Promise((resolve) => { timer = setTimeout(() => resolve(null), timeoutMs); }),
    ]).finally(() => clearTimeout(timer));
    if (this.ownsHome) fs.rmSync(this.home, { recursive: true, force: true });
    running.delete(this);
    if (!result) {
      this.child.kill('SIGKILL');
      throw new Error(`nexusd did not exit within ${timeoutMs} ms of SIGTERM:\n${this.output}`);
    }
    if (result.code !== 0)
      throw new Error(`nexusd exited with ${JSON.stringify(result)} after SIGTERM, expected code 0:\n${this.output}`);
  }
}

/**
 * Starts nexusd on a free loopback port with a fresh home, using
 * `databaseUrl`; resolves once /health/ready is 200 (unless waitReady:false).
 * `home`: an existing directory to use instead (e.g. to restart a node on its
 * embedded PostgreSQL); the caller owns it and it is never removed here.
 */
async function startNode({ databaseUrl, home: fixedHome, args = [], env = {}, waitReady = true,
  timeoutMs = STARTUP_TIMEOUT_MS } = {}) {
  const binary = nexusdBinary();
  try { fs.accessSync(binary, fs.constants.X_OK); } catch { throw new Error(`NEXUSD_BINARY=${binary} is not an executable file`); }
  const home = fixedHome ?? fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-interop-home-'));
  const argv = ['--listen', '127.0.0.1:0', '--home', home];
  if (databaseUrl) argv.push('--database-url', databaseUrl);
  const child = spawn(binary, [...argv, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const node = new NexusNode(child, home, fixedHome === undefined);
  running.add(node);
  const spawnError = new Promise((_, reject) => child.on('error', (err) => reject(new Error(`cannot run ${binary}: ${err.message}`))));
  spawnError.catch(() => {});
  const collect = (chunk) => { node.output += chunk.toString('utf8'); };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  try {
    await Promise.race([spawnError, node.waitUntil(() => {
      const m = WS_LINE.exec(node.output);
      if (m) node.port = Number(m[1]);
      return Boolean(m);
    }, timeoutMs, 'the "nexusd: WebSocket ws://…" line')]);
    if (waitReady) await node.waitReady(timeoutMs);
  } catch (err) {
    child.kill('SIGKILL');
    if (node.ownsHome) fs.rmSync(home, { recursive: true, force: true });
    running.delete(node);
    throw err;
  }
  return node;
}

module.exports = { createTestDatabase, startNode, httpRequest, withDatabase, NexusNode, nexusCliBinary };
