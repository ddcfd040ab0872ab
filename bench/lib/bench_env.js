'use strict';
// One benchmark environment: a fresh database on the PostgreSQL server named
// by NEXUS_TEST_PG_URL (bench/run.sh starts a durable one; ctest passes the
// test server), a fresh nexusd (NEXUSD_BINARY) with the caller's flags, one
// mesh and `peers` members seeded with the real admin CLI (`nexusd mesh
// create`, `nexusd member add`, as an operator would), and `peers` open,
// hello'd WebSocket connections. Reuses the interop test client's fixtures
// and npm packages (tests/interop/node_modules, installed by scripts/test.sh
// or bench/run.sh with `npm ci`). Every wait has a deadline.

const crypto = require('node:crypto');
const { execFile } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const INTEROP = path.join(__dirname, '..', '..', 'tests', 'interop');
const mc = require(path.join(INTEROP, 'lib', 'claudemesh_crypto'));
const { createTestDatabase, startNode } = require(path.join(INTEROP, 'lib', 'node_process'));
const WebSocket = require(require.resolve('ws', { paths: [INTEROP] }));

const HELLO_TIMEOUT_MS = 10000;
const CLI_PARALLEL = 4; // member adds in flight: bounded, the CLI opens one DB connection each

function nexusdCli(args, { home, databaseUrl }) {
  return new Promise((resolve, reject) => {
    execFile(process.env.NEXUSD_BINARY, [...args, '--home', home, '--database-url', databaseUrl, '--json'],
      { encoding: 'utf8', timeout: 30000 }, (err, stdout, stderr) => {
        if (err) return reject(new Error(`nexusd ${args.join(' ')} failed: ${stderr || err.message}`));
        try { resolve(JSON.parse(stdout)); } catch (e) { reject(new Error(`nexusd ${args[0]}: not JSON: ${stdout}`)); }
      });
  });
}

/** Runs `fn` over `items`, at most `limit` at once; resolves the results in order. */
async function mapLimit(items, limit, fn) {
  const out = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Opens `url`, sends `hello`, resolves {ws, ack} at hello_ack. */
function connectPeer(url, hello) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('no hello_ack within 10 s')); }, HELLO_TIMEOUT_MS);
    ws.once('open', () => ws.send(JSON.stringify(hello)));
    ws.once('error', (err) => { clearTimeout(timer); reject(err); });
    const onMessage = (data) => {
      const f = JSON.parse(data.toString('utf8'));
      if (f.type === 'hello_ack') {
        clearTimeout(timer);
        ws.off('message', onMessage);
        resolve({ ws, ack: f });
      } else if (f.type === 'error') {
        clearTimeout(timer);
        ws.terminate();
        reject(new Error(`hello refused: ${JSON.stringify(f)}`));
      }
    };
    ws.on('message', onMessage);
  });
}

/**
 * Starts the environment. Returns {node, peers: [{index, member, session,
 * memberId, ws}], seedSeconds, stop()}. `nodeArgs`: extra nexusd flags.
 */
async function startBenchEnv({ peers, nodeArgs = [] }) {
  await mc.ready();
  const env = { peers: [] };
  env.db = await createTestDatabase();
  env.adminHome = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-bench-admin-'));
  env.stop = async () => {
    for (const p of env.peers) if (p.ws) p.ws.terminate();
    if (env.node) await env.node.stop(30000);
    await env.db.drop();
    fs.rmSync(env.adminHome, { recursive: true, force: true });
  };
  try {
    env.node = await startNode({ databaseUrl: env.db.url, args: nodeArgs });
    const cli = { home: env.adminHome, databaseUrl: env.db.url };
    const seedStart = Date.now();
    const meshId = (await nexusdCli(['mesh', 'create', '--name', 'bench'], cli)).id;
    const people = Array.from({ length: peers }, (_, index) => ({
      index, member: mc.keypairFromSeed(crypto.randomBytes(32)), session: mc.randomKeypair(),
    }));
    await mapLimit(people, CLI_PARALLEL, async (p) => {
      p.memberId = (await nexusdCli(['member', 'add', '--mesh', meshId, '--pubkey', p.member.publicKey,
        '--name', `peer${p.index}`], cli)).id;
    });
    env.seedSeconds = (Date.now() - seedStart) / 1000;
    env.meshId = meshId;
    // Connect one by one: each hello is a signed, replay-guarded handshake.
    for (const p of people) {
      const hello = mc.buildHello({ meshId, memberId: p.memberId, member: p.member, session: p.session,
        displayName: `peer${p.index}` });
      p.ws = (await connectPeer(env.node.wsUrl, hello)).ws;
      env.peers.push(p);
    }
  } catch (err) {
    await env.stop().catch(() => {});
    throw err;
  }
  return env;
}

module.exports = { startBenchEnv, mc };
