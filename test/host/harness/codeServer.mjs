// Starts and stops code-server (the real VS Code server) on a loopback port with every directory it
// writes to isolated under one run folder, so runs never touch the user's own VS Code state.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { CODE_SERVER_BIN, HOST_DIR } from './paths.mjs';

/** A quiet, trusted, offline workbench: no welcome page, no trust prompt, no update or telemetry calls. */
export const HOST_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'workbench.enableExperiments': false,
  'chat.disableAIFeatures': true,
  'git.openRepositoryInParentFolders': 'never',
};

/**
 * Newer code-server releases (VS Code > 1.100) honour ?payload=extensionDevelopmentPath/extensionTestsPath
 * only with the smoke-test driver on, passed through `--vscode-option`. 4.100.3 has no such flag (it
 * rejects it) and honours the payload as is, so ask the installed code-server which applies.
 */
export function smokeTestDriverArgs() {
  const cli = path.join(HOST_DIR, 'node_modules', 'code-server', 'out', 'node', 'cli.js');
  const supported = fs.existsSync(cli) && fs.readFileSync(cli, 'utf8').includes('"vscode-option"');
  return supported ? ['--vscode-option', 'enable-smoke-test-driver'] : [];
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

export function isPortFree(port) {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function waitUntil(check, { timeoutMs, intervalMs = 100, what }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

// If this process dies without calling stop() (a crash, SIGKILL), the detached server group would live
// on; a tiny watchdog process polls for our exit and then ends the group.
function guardAgainstOrphaning(groupId) {
  const script = `const [parent, group] = process.argv.slice(1).map(Number);
    const alive = (pid) => { try { process.kill(pid, 0); return true; } catch { return false; } };
    setInterval(() => {
      if (!alive(-group)) process.exit(0);
      if (!alive(parent)) { try { process.kill(-group, 'SIGTERM'); } catch {} process.exit(0); }
    }, 500);`;
  spawn(process.execPath, ['-e', script, String(process.pid), String(groupId)], { stdio: 'ignore' }).unref();
}

/**
 * @param {{ runDir: string, port?: number, userDataDir?: string, extensionsDir?: string,
 *           extraArgs?: string[], settings?: object, onOutput?: (text: string) => void,
 *           startTimeoutMs?: number }} o
 */
export async function startCodeServer(o) {
  const port = o.port ?? (await freePort());
  const userDataDir = o.userDataDir ?? path.join(o.runDir, 'user-data');
  const extensionsDir = o.extensionsDir ?? path.join(o.runDir, 'extensions');
  const tmp = path.join(o.runDir, 'tmp'); // VS Code puts IPC sockets and caches in $TMPDIR
  for (const d of [path.join(userDataDir, 'User'), extensionsDir, tmp]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...HOST_SETTINGS, ...o.settings }, null, 2));

  const args = ['--config', path.join(o.runDir, 'config.yaml'), '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    ...(o.extraArgs ?? [])];
  const xdg = (d) => path.join(o.runDir, 'xdg', d);
  // detached: code-server forks the VS Code server and extension hosts; killing the group stops them all.
  const child = spawn(CODE_SERVER_BIN, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    // EXTENSIONS_GALLERY={}: no marketplace at all (code-server would otherwise query open-vsx.org); offline by default.
    env: { ...process.env, EXTENSIONS_GALLERY: '{}', XDG_CONFIG_HOME: xdg('config'), XDG_DATA_HOME: xdg('data'), XDG_CACHE_HOME: xdg('cache'), TMPDIR: tmp },
  });
  let output = '';
  const onData = (d) => { output += d; o.onOutput?.(String(d)); };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  guardAgainstOrphaning(child.pid);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  let hasExited = false;
  void exited.then(() => { hasExited = true; });

  const stop = async (timeoutMs = 5000) => {
    if (hasExited) return;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } }, timeoutMs);
    await exited;
    clearTimeout(timer);
  };

  const origin = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(async () => {
      if (hasExited) throw new Error(`code-server exited before it was ready:\n${output}`);
      try { return (await fetch(`${origin}/healthz`)).ok; } catch { return false; }
    }, { timeoutMs: o.startTimeoutMs ?? 60_000, what: `code-server on ${origin}` });
  } catch (error) {
    await stop();
    throw error;
  }
  return { origin, port, pid: child.pid, userDataDir, extensionsDir, exited, stop, output: () => output };
}

export { waitUntil };
