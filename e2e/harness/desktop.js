// A throw-away X desktop (Xvfb + openbox) for the Windows tests.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { apiRequest } from './api.js';
import { missingPrerequisites, onPath, skipUnlessPresent } from './prerequisites.js';
import { waitUntil } from './ui.js';

const DESKTOP_PROGRAMS = ['Xvfb', 'openbox', 'xterm', 'python3'];

/** Names what is missing to run a test desktop (Xvfb, openbox, xterm, python3 with Tk). */
export function missingDesktopPrerequisites() {
  const missing = DESKTOP_PROGRAMS.filter((p) => !onPath(p)).map((p) => `\`${p}\``);
  if (onPath('python3')) {
    const probe = spawnSync('python3', ['-c', 'import tkinter'], { stdio: 'ignore', timeout: 10_000 });
    if (probe.status !== 0) missing.push('python3-tk (Tkinter)');
  }
  return missing;
}

/**
 * Like prerequisites(), for tests that also need a desktop: false when the browser, the binary
 * and Xvfb, openbox, xterm and python3-tk are all there; otherwise a skip message, or a thrown
 * error when CI is set. Install with `apt-get install -y xvfb openbox xterm python3-tk`.
 */
export function desktopPrerequisites() {
  return skipUnlessPresent(
    'desktop tests',
    [...missingPrerequisites(), ...missingDesktopPrerequisites()],
    'apt-get install -y xvfb openbox xterm python3-tk',
  );
}

const liveDesktopChildren = new Set();
process.on('exit', () => {
  for (const child of liveDesktopChildren) {
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  liveDesktopChildren.clear();
});

export function trackChild(child, name) {
  child.label = name;
  child.output = '';
  const append = (chunk) => {
    child.output += chunk.toString();
    if (child.output.length > 50_000) child.output = child.output.slice(-50_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  child.exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      liveDesktopChildren.delete(child);
      resolve({ code, signal });
    });
    child.once('error', (error) => {
      liveDesktopChildren.delete(child);
      resolve({ code: null, signal: null, error });
    });
  });
  liveDesktopChildren.add(child);
  return child;
}

/** True while a child spawned here has not exited. */
export function isRunning(child) {
  return child.exitCode === null && child.signalCode === null;
}

/** Ends one child by its handle: TERM, then KILL after `graceMs`; resolves when it has exited. */
export async function stopChild(child, { graceMs = 3_000 } = {}) {
  if (!child || !isRunning(child)) return child?.exited;
  try {
    child.kill('SIGTERM');
  } catch {
    // gone already
  }
  const timer = setTimeout(() => {
    if (isRunning(child)) {
      try {
        child.kill('SIGKILL');
      } catch {
        // gone already
      }
    }
  }, graceMs);
  const result = await child.exited;
  clearTimeout(timer);
  return result;
}

/**
 * Starts a private X server (`Xvfb -displayfd 3`, which picks a free display and writes its
 * number to fd 3) and, unless `windowManager: false`, `openbox --sm-disable` on it.
 *
 * Returns { display (":N"), xvfb, wm, spawn(command, args), waitForWindowManager(boss, cookie),
 * stop() }. `spawn` starts a program on this display (tracked: `child.exited`, `child.output`).
 * `waitForWindowManager` proves openbox manages windows: it opens a probe xterm and polls
 * GET /api/v1/windows until the probe is listed with a window manager, then ends the probe.
 * `stop()` ends every process started here, by its handle, newest first (never by name).
 */
export async function startDesktop({ windowManager = true, timeoutMs = 15_000 } = {}) {
  const started = [];
  const stop = async () => {
    for (const child of started.reverse()) await stopChild(child);
    started.length = 0;
  };
  try {
    const xvfb = trackChild(
      spawn('Xvfb', ['-displayfd', '3', '-nolisten', 'tcp', '-screen', '0', '1280x1024x24'], {
        stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      }),
      'Xvfb',
    );
    started.push(xvfb);
    const number = await new Promise((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error(`Xvfb gave no display number within ${timeoutMs} ms\n${xvfb.output}`)), timeoutMs);
      xvfb.stdio[3].on('data', (chunk) => {
        text += chunk.toString();
        const match = /^(\d+)\n/.exec(text);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      xvfb.exited.then(({ code, signal, error }) => {
        clearTimeout(timer);
        reject(new Error(`Xvfb ended early (code ${code}, signal ${signal}${error ? `, ${error.message}` : ''})\n${xvfb.output}`));
      });
    });
    const display = `:${number}`;
    const env = { ...process.env, DISPLAY: display };
    delete env.WAYLAND_DISPLAY;

    const spawnOnDisplay = (command, args = [], options = {}) => {
      const child = trackChild(
        spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...options }),
        `${command} ${args.join(' ')}`,
      );
      started.push(child);
      return child;
    };

    const wm = windowManager ? spawnOnDisplay('openbox', ['--sm-disable']) : null;

    async function waitForWindowManager(boss, cookie, { timeout = timeoutMs } = {}) {
      const title = `boss-e2e-probe-${process.pid}-${Date.now()}`;
      const probe = spawnOnDisplay('xterm', ['-T', title, '-e', 'sleep', '60']);
      try {
        await waitUntil(
          async () => {
            if (wm && !isRunning(wm)) throw new Error(`openbox ended early\n${wm.output}`);
            const answer = await apiRequest(boss, '/windows', { cookie });
            const body = answer.body || {};
            return answer.status === 200 && body.window_manager && body.windows?.some((w) => w.title === title);
          },
          { timeout, interval: 150, message: `openbox to manage a probe window on ${display}` },
        );
      } finally {
        await stopChild(probe);
      }
      // The probe's window is gone from the list too, so tests start from a clean desktop.
      await waitUntil(
        async () => !(await apiRequest(boss, '/windows', { cookie })).body?.windows?.some((w) => w.title === title),
        { timeout, message: 'the probe window to go away' },
      );
    }

    return { display, xvfb, wm, env, spawn: spawnOnDisplay, waitForWindowManager, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The Tk window that refuses to close: the one script the Rust tests use too
 * (crates/testkit/fixtures/refuser.py; prints `ready`, then `close-request N` per refused
 * close; SIGTERM ends it). Returns its path (`dir` is kept for callers that pass a scratch
 * directory).
 */
export async function writeRefuserScript(_dir) {
  return REFUSER_SCRIPT_PATH;
}

export const REFUSER_SCRIPT_PATH = fileURLToPath(new URL('../../crates/testkit/fixtures/refuser.py', import.meta.url));
