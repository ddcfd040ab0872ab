'use strict';
// A real nexusd on a fresh database with one operator-made mesh and one CLI
// home per person: each runs `nexus init`, the operator adds the key with
// `nexusd member add`, and the home adopts it with `nexus mesh import`.
// stop() stops the node, drops the database and removes every directory.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { createTestDatabase, startNode } = require('./node_process');
const { nexusdAdmin } = require('./mesh_fixture');
const { cliOk, tempHome } = require('./nexus_cli');

/** {db, node, meshId, people: {<name>: {name, home, pubkey, memberId}}, stop()} */
async function startCliMesh({ meshName, names, nodeArgs = [] }) {
  const env = { people: {} };
  const adminHome = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-cli-admin-'));
  env.stop = async () => {
    if (env.node) await env.node.stop();
    if (env.db) await env.db.drop();
    fs.rmSync(adminHome, { recursive: true, force: true });
    for (const who of Object.values(env.people))
      fs.rmSync(path.dirname(who.home), { recursive: true, force: true });
  };
  env.db = await createTestDatabase();
  env.node = await startNode({ databaseUrl: env.db.url, args: nodeArgs });
  const admin = (args) => nexusdAdmin(args, { home: adminHome, databaseUrl: env.db.url });
  env.meshId = admin(['mesh', 'create', '--name', meshName]).id;
  for (const name of names) {
    const who = { name, home: tempHome(name) };
    env.people[name] = who;
    who.pubkey = (await cliOk(who.home, ['init', '--broker', env.node.wsUrl, '--name', name, '--json'])).json.pubkey;
    who.memberId = admin(['member', 'add', '--mesh', env.meshId, '--pubkey', who.pubkey, '--name', name]).id;
    await cliOk(who.home, ['mesh', 'import', env.meshId, '--member-id', who.memberId]);
  }
  return env;
}

module.exports = { startCliMesh };
