'use strict';
// Mesh set-up and database inspection for interop tests: meshes and members
// are made with the real admin CLI (`nexusd mesh create` / `nexusd member
// add`, as an operator would), and the queue table is read with psql, the
// values passed as psql variables (:'name'), never spliced into the SQL.
// Call `await mc.ready()` (claudemesh_crypto) before createMesh.

const { execFileSync, spawn } = require('node:child_process');

const mc = require('./claudemesh_crypto');

/**
 * Runs `nexusd <args> --home <home> [--database-url <url>] --json` and
 * returns its JSON output. Without databaseUrl the CLI uses the embedded
 * PostgreSQL under `home` (the running node's, if one is up).
 */
function nexusdAdmin(args, { home, databaseUrl }) {
  const argv = [...args, '--home', home];
  if (databaseUrl) argv.push('--database-url', databaseUrl);
  argv.push('--json');
  return JSON.parse(execFileSync(process.env.NEXUSD_BINARY, argv, { encoding: 'utf8' }));
}

/**
 * Creates mesh `name` and one member per entry of `members` ({name, seed}:
 * the member key is the ed25519 keypair of 32 bytes of `seed`). Returns
 * {meshId, members: {<name>: {name, member: keypair, memberId}}}.
 */
function createMesh({ home, databaseUrl, name, members }) {
  const meshId = nexusdAdmin(['mesh', 'create', '--name', name], { home, databaseUrl }).id;
  const out = {};
  for (const m of members) {
    const member = mc.keypairFromSeed(new Uint8Array(32).fill(m.seed));
    const memberId = nexusdAdmin(['member', 'add', '--mesh', meshId, '--pubkey', member.publicKey,
      '--name', m.name], { home, databaseUrl }).id;
    out[m.name] = { name: m.name, member, memberId };
  }
  return { meshId, members: out };
}

/**
 * Runs `sql` through psql on `url` with psql variables `vars` ({name: value},
 * referenced as :'name' in the SQL); resolves with the result rows, each an
 * array of column strings (unaligned, tuples only, unit separator between
 * columns). Rejects with psql's stderr on failure or after 30 s.
 */
function psqlRows(url, sql, vars = {}) {
  return new Promise((resolve, reject) => {
    const argv = [url, '-X', '-q', '-A', '-t', '-F', '\x1f', '-v', 'ON_ERROR_STOP=1'];
    for (const [k, v] of Object.entries(vars)) argv.push('-v', `${k}=${v}`);
    const child = spawn('psql', argv, { stdio: ['pipe', 'pipe', 'pipe'], timeout: 30000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code !== 0) return reject(new Error(`psql failed (${code ?? signal}) for "${sql}": ${stderr}`));
      resolve(stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\x1f')));
    });
    child.stdin.end(`${sql}\n`);
  });
}

/**
 * Opens a psql session that runs `BEGIN; <selectForUpdate>` (a SELECT … FOR
 * UPDATE using psql variables `vars`) and keeps the transaction open, so
 * that other sessions' writes to those rows block. Resolves, once the locks
 * are held, with release(): it terminates every backend of the database
 * waiting on a lock (their statements roll back), ends the transaction and
 * resolves when psql has exited. Rejects on a psql failure or after 30 s.
 */
function holdRowLocks(url, selectForUpdate, vars = {}) {
  const argv = [url, '-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1'];
  for (const [k, v] of Object.entries(vars)) argv.push('-v', `${k}=${v}`);
  const child = spawn('psql', argv, { stdio: ['pipe', 'pipe', 'pipe'], timeout: 30000 });
  let stdout = '';
  let stderr = '';
  const exited = new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => (code === 0 ? resolve()
      : reject(new Error(`psql lock holder failed (${code ?? signal}): ${stderr}`))));
  });
  exited.catch(() => {});
  child.stderr.on('data', (c) => { stderr += c; });
  const locked = new Promise((resolve, reject) => {
    child.stdout.on('data', (c) => {
      stdout += c;
      if (stdout.includes('NEXUS_LOCKS_HELD')) resolve();
    });
    exited.then(() => reject(new Error('psql lock holder exited early')), reject);
  });
  child.stdin.write(`BEGIN;\n${selectForUpdate};\n\\echo NEXUS_LOCKS_HELD\n`);
  return locked.then(() => ({
    release: () => {
      child.stdin.end("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE " +
        "datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock';\nROLLBACK;\n");
      return exited;
    },
  }));
}

/** The libpq conninfo of the embedded PostgreSQL of a node home. */
function embeddedDatabaseUrl(home) {
  return `host=${home}/pg/run port=5432 dbname=nexus user=nexus`;
}

module.exports = { nexusdAdmin, createMesh, psqlRows, holdRowLocks, embeddedDatabaseUrl };
