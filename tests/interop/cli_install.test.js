'use strict';
// `nexus install` / `nexus uninstall` / `nexus hook` (issue 7 item 4) as a
// user runs them: the built `nexus` binary with HOME pointed at a temporary
// directory holding a Claude Code config with keys of its own. Install twice
// (the second run writes nothing), other keys kept, a backup of the original;
// uninstall gives back the original files key for key; `nexus hook working`
// reaches the real node's POST /hook/set-status and the CLI session running
// in that directory shows `working` to another member.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { startCliMesh } = require('./lib/cli_mesh');
const { spawnCli, runCli, cliOk, waitFor, cliPeer } = require('./lib/nexus_cli');

let env, tmp, meshId, ann, ben;

const ORIGINAL_CLAUDE = { numStartups: 7, theme: 'dark',
  mcpServers: { other: { type: 'stdio', command: '/usr/bin/other', args: ['--x'] } },
  projects: { '/src/a': { allowedTools: ['Bash'] } } };
const ORIGINAL_SETTINGS = { model: 'opus', hooks: { Stop: [{ hooks: [{ type: 'command', command: 'echo bye' }] }] } };

const read = (file) => fs.readFileSync(file, 'utf8');
const readJson = (file) => JSON.parse(read(file));
const files = () => {
  const claude = path.join(tmp, 'user', '.claude.json');
  const settings = path.join(tmp, 'user', '.claude', 'settings.json');
  return { claude, settings };
};

before(async () => {
  env = await startCliMesh({ meshName: 'install-team', names: ['ann', 'ben'] });
  ({ meshId, people: { ann, ben } } = env);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-install-'));
  const { claude, settings } = files();
  fs.mkdirSync(path.dirname(settings), { recursive: true });
  fs.writeFileSync(claude, JSON.stringify(ORIGINAL_CLAUDE, null, 2));
  fs.writeFileSync(settings, JSON.stringify(ORIGINAL_SETTINGS, null, 2));
});

after(async () => {
  if (env) await env.stop();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('install twice (idempotent, other keys kept, backup written), uninstall restores exactly', async () => {
  const { claude, settings } = files();
  const env = { HOME: path.join(tmp, 'user') };
  const first = await cliOk(ann.home, ['install', '--hooks', '--json'], { env });
  assert.equal(first.json.changed, true);
  assert.deepEqual(first.json.backups.sort(), [`${claude}.nexus.bak`, `${settings}.nexus.bak`].sort());
  assert.deepEqual(readJson(`${claude}.nexus.bak`), ORIGINAL_CLAUDE);
  assert.deepEqual(readJson(`${settings}.nexus.bak`), ORIGINAL_SETTINGS);

  const installed = readJson(claude);
  const nexus = installed.mcpServers.nexus;
  assert.equal(path.basename(nexus.command), 'nexus-mcp');
  assert.ok(fs.existsSync(nexus.command), nexus.command);
  assert.deepEqual(nexus.args, ['--home', ann.home, '--mesh', meshId]);
  const { nexus: _added, ...others } = installed.mcpServers;
  assert.deepEqual({ ...installed, mcpServers: others }, ORIGINAL_CLAUDE);

  const hooks = readJson(settings).hooks;
  assert.equal(readJson(settings).model, 'opus');
  const commands = (event) => hooks[event].flatMap((g) => g.hooks.map((h) => h.command));
  assert.deepEqual(commands('Stop').filter((c) => c === 'echo bye'), ['echo bye']);
  assert.ok(commands('Stop').some((c) => / hook idle$/.test(c)), JSON.stringify(hooks));
  assert.ok(commands('UserPromptSubmit').some((c) => / hook working$/.test(c)), JSON.stringify(hooks));

  const before = [read(claude), read(settings)];
  const mtimes = [fs.statSync(claude).mtimeMs, fs.statSync(settings).mtimeMs];
  const second = await cliOk(ann.home, ['install', '--hooks', '--json'], { env });
  assert.equal(second.json.changed, false);
  assert.deepEqual(second.json.backups, []);
  assert.deepEqual([read(claude), read(settings)], before);
  assert.deepEqual([fs.statSync(claude).mtimeMs, fs.statSync(settings).mtimeMs], mtimes);

  const removed = await cliOk(ann.home, ['uninstall', '--json'], { env });
  assert.equal(removed.json.changed, true);
  // Key for key and in the same order as before install.
  assert.equal(JSON.stringify(readJson(claude)), JSON.stringify(ORIGINAL_CLAUDE));
  assert.equal(JSON.stringify(readJson(settings)), JSON.stringify(ORIGINAL_SETTINGS));
  const nothingLeft = await cliOk(ann.home, ['uninstall', '--json'], { env });
  assert.equal(nothingLeft.json.changed, false);
  assert.equal(JSON.stringify(readJson(claude)), JSON.stringify(ORIGINAL_CLAUDE));
});

test('nexus hook working reaches /hook/set-status: the session in that directory shows working', async () => {
  const project = fs.mkdtempSync(path.join(tmp, 'project-'));
  const waiting = spawnCli(ann.home, ['inbox', '--wait', '25', '--json'], { cwd: project });
  try {
    await waitFor(async () => (await cliPeer(ben, waiting.child.pid))?.status === 'idle', 15000,
      'ann\'s session to be connected and idle');
    const hook = await runCli(ann.home, ['hook', 'working'], { cwd: project });
    assert.equal(hook.code, 0);
    assert.equal(hook.stderr, ''); // the node answered 200 {"ok":true,...}
    await waitFor(async () => (await cliPeer(ben, waiting.child.pid))?.status === 'working', 5000,
      'ann\'s session to show working');
    // A hook from another directory is the node's "pending" case (§6.4) and
    // leaves this session alone.
    const elsewhere = await runCli(ann.home, ['hook', 'idle'], { cwd: tmp });
    assert.deepEqual([elsewhere.code, elsewhere.stderr], [0, '']);
    assert.equal((await cliPeer(ben, waiting.child.pid)).status, 'working');
    // No node to reach: still exit 0 (a hook must never break Claude Code),
    // the reason on stderr.
    const unreachable = await runCli(ann.home, ['hook', 'idle', '--broker', 'ws://127.0.0.1:1/ws'], { cwd: project });
    assert.equal(unreachable.code, 0);
    assert.match(unreachable.stderr, /^nexus hook: /);
    assert.equal((await cliPeer(ben, waiting.child.pid)).status, 'working');
    const bad = await runCli(ann.home, ['hook', 'busy'], { cwd: project });
    assert.equal(bad.code, 2);
  } finally {
    waiting.child.kill('SIGTERM');
    await waiting.done;
  }
});
