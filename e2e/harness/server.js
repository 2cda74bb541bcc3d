// The server: the real `boss` binary on a free loopback port with a throw-away data directory.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { REPO_DIR, bossBinary } from './config.js';
import { isExecutable } from './prerequisites.js';
import { sleep } from './ui.js';

const liveServers = new Set();

// Never leave a server behind, even when the test process dies early. Only our own children.
function killLiveServers() {
  for (const child of liveServers) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveServers.clear();
}
process.on('exit', killLiveServers);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    killLiveServers();
    process.exit(128 + os.constants.signals[signal]);
  });
}

/** A free TCP port on 127.0.0.1 (asks the kernel, then releases it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

// Where a graphical session is. Boss finds a desktop from these (a sway or wayland-N socket in
// the runtime directory is enough, KWin and GNOME Shell are reached over the session bus), so
// from ours it would reach the desktop the tests run in and close windows it did not start.
const SESSION_VARIABLES = [
  'DISPLAY', 'WAYLAND_DISPLAY', 'SWAYSOCK', 'XDG_CURRENT_DESKTOP', 'XDG_RUNTIME_DIR', 'DBUS_SESSION_BUS_ADDRESS',
];

// The server gets our environment without BOSS_* variables (which could point it at the
// developer's own database or settings) and without the graphical session's (it reaches only
// a desktop a test starts; tests pass what they need through `env` or `--display`), with
// colour off so logs read cleanly, and RUST_LOG from our environment or `info`.
function cleanEnv(extra) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('BOSS_') || SESSION_VARIABLES.includes(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1', RUST_LOG: process.env.RUST_LOG || 'info', ...extra };
}

const MAX_LOG_CHARS = 200_000;

/**
 * Starts `boss serve` on a free port of 127.0.0.1 with a new temporary data directory and waits
 * until GET /api/v1/health answers 200.
 *
 * Options: env (extra environment, merged over a copy of ours without BOSS_* or session variables),
 * args (extra arguments after `serve`), timeoutMs (default 20 s), dataDir (use this directory
 * instead of a new one; it is then not removed by stop()).
 *
 * Returns { url, port, dataDir, proc, log(), stop() }. `url` has no trailing slash. `log()` is the
 * server's stdout and stderr so far. `stop()` ends only this child (by its PID: TERM, then KILL
 * after 5 s) and removes the temporary data directory; calling it twice is harmless.
 */
export async function startBoss({ env = {}, args = [], timeoutMs = 20_000, dataDir: givenDataDir } = {}) {
  const bin = bossBinary();
  if (!isExecutable(bin)) {
    throw new Error(`boss binary not found or not executable: ${bin} (build it with \`cargo build\`, or set BOSS_BIN)`);
  }
  const dataDir = givenDataDir || (await mkdtemp(path.join(os.tmpdir(), 'boss-e2e-')));
  const ownsDataDir = !givenDataDir;
  let lastError;
  // A port found free can be taken by someone else before boss binds it: try a few.
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const port = await freePort();
    try {
      const server = await spawnBoss({ bin, port, dataDir, ownsDataDir, env, args, timeoutMs });
      return server;
    } catch (error) {
      lastError = error;
      if (!error.portInUse) break;
    }
  }
  if (ownsDataDir) await rm(dataDir, { recursive: true, force: true });
  throw lastError;
}

async function spawnBoss({ bin, port, dataDir, ownsDataDir, env, args, timeoutMs }) {
  const url = `http://127.0.0.1:${port}`;
  const argv = ['serve', '--bind', `127.0.0.1:${port}`, '--data-dir', dataDir, ...args];
  const proc = spawn(bin, argv, {
    cwd: REPO_DIR,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  liveServers.add(proc);

  let output = '';
  const append = (chunk) => {
    output += chunk.toString();
    if (output.length > MAX_LOG_CHARS) output = output.slice(-MAX_LOG_CHARS);
  };
  proc.stdout.on('data', append);
  proc.stderr.on('data', append);

  let exited = null;
  const exitPromise = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exited = { code, signal };
      liveServers.delete(proc);
      resolve(exited);
    });
    proc.on('error', (error) => {
      // spawn failed (ENOENT, EACCES): there will be no 'exit'
      exited = { code: null, signal: null, error };
      liveServers.delete(proc);
      resolve(exited);
    });
  });

  let stopped = false;
  const stop = async ({ removeDataDir = ownsDataDir } = {}) => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      try {
        process.kill(proc.pid, 'SIGTERM');
      } catch {
        // gone already
      }
      const timer = setTimeout(() => {
        try {
          if (!exited) process.kill(proc.pid, 'SIGKILL');
        } catch {
          // gone already
        }
      }, 5_000);
      await exitPromise;
      clearTimeout(timer);
    }
    if (removeDataDir) await rm(dataDir, { recursive: true, force: true });
  };

  const server = { url, port, dataDir, proc, log: () => output, stop };

  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'no answer yet';
  while (Date.now() < deadline) {
    if (exited) break;
    try {
      const response = await fetch(`${url}/api/v1/health`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) {
        await response.arrayBuffer();
        return server;
      }
      lastProblem = `health answered ${response.status}`;
    } catch (error) {
      lastProblem = error.cause?.code || error.message;
    }
    await sleep(100);
  }

  const how = exited
    ? exited.error
      ? `could not start: ${exited.error.message}`
      : `exited early (code ${exited.code}, signal ${exited.signal})`
    : `did not answer /api/v1/health within ${timeoutMs} ms (${lastProblem})`;
  // Keep the data dir here: startBoss retries with it and removes it after the last attempt.
  await stop({ removeDataDir: false });
  const error = new Error(`boss ${how}\ncommand: ${bin} ${argv.join(' ')}\n--- server log ---\n${output || '(empty)'}`);
  error.portInUse = Boolean(exited) && /address already in use|AddrInUse|os error 98/i.test(output);
  error.serverLog = output;
  throw error;
}
