// A private headless sway for the Wayland browser tests, as the Rust test kit makes it
// (crates/testkit/src/sway.rs): sway refuses to run as root, so it runs as the system user
// `boss-test-sway` (created once, idempotently) with its own runtime directory in a temporary
// directory; clients (foot) run as the test's user. Everything started here is ended by its
// handle in stop(), and the directory removed.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { missingPrerequisites, onPath, skipUnlessPresent } from './prerequisites.js';
import { stopChild, trackChild } from './desktop.js';
import { waitUntil } from './ui.js';

const SWAY_USER = 'boss-test-sway';
const SWAY_PROGRAMS = ['sway', 'foot', 'setpriv', 'useradd'];

/** Like desktopPrerequisites(), for the sway tests (apt-get install -y sway foot). */
export function swayPrerequisites() {
  return skipUnlessPresent(
    'sway tests',
    [...missingPrerequisites(), ...SWAY_PROGRAMS.filter((p) => !onPath(p)).map((p) => `\`${p}\``)],
    'apt-get install -y sway foot',
  );
}

function swayUser() {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const id = spawnSync('id', ['-u', SWAY_USER], { encoding: 'utf8' });
    if (id.status === 0) {
      const gid = spawnSync('id', ['-g', SWAY_USER], { encoding: 'utf8' });
      return { uid: Number(id.stdout.trim()), gid: Number(gid.stdout.trim()) };
    }
    // Another test run may be adding it at the same moment: try again.
    spawnSync('useradd', ['--system', '--no-create-home', '--shell', '/usr/sbin/nologin', SWAY_USER], { stdio: 'ignore' });
  }
  throw new Error(`could not create the user ${SWAY_USER}`);
}

/**
 * Starts sway headless. Returns { env (the session's variables, for Boss: XDG_RUNTIME_DIR,
 * WAYLAND_DISPLAY, SWAYSOCK, XDG_CURRENT_DESKTOP), spawn(command, args), stop() }.
 */
export async function startSway({ timeoutMs = 15_000 } = {}) {
  const { uid, gid } = swayUser();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'boss-e2e-sway-'));
  chmodSync(dir, 0o711);
  const runtime = path.join(dir, 'runtime');
  mkdirSync(runtime, { mode: 0o700 });
  chownSync(runtime, uid, gid);
  const config = path.join(dir, 'config');
  writeFileSync(config, 'output HEADLESS-1 resolution 1280x800\n', { mode: 0o644 });
  const started = [];
  const stop = async () => {
    for (const child of started.reverse()) await stopChild(child);
    started.length = 0;
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const sway = trackChild(
      spawn('setpriv', [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', 'sway', '-c', config], {
        env: {
          PATH: process.env.PATH,
          HOME: runtime,
          XDG_RUNTIME_DIR: runtime,
          WLR_BACKENDS: 'headless',
          WLR_RENDERER: 'pixman',
          WLR_LIBINPUT_NO_DEVICES: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
      'sway',
    );
    started.push(sway);
    let env;
    await waitUntil(
      async () => {
        const names = readdirSync(runtime);
        const wayland = names.find((n) => /^wayland-\d+$/.test(n));
        const ipc = names.find((n) => n.startsWith('sway-ipc.') && n.endsWith('.sock'));
        if (!wayland || !ipc) return false;
        env = {
          XDG_RUNTIME_DIR: runtime,
          WAYLAND_DISPLAY: wayland,
          SWAYSOCK: path.join(runtime, ipc),
          XDG_CURRENT_DESKTOP: 'sway',
          DISPLAY: '',
        };
        return true;
      },
      { timeout: timeoutMs, interval: 50, message: `sway to start\n${sway.output}` },
    );
    const spawnClient = (command, args = []) => {
      const child = trackChild(
        spawn(command, args, { env: { ...process.env, ...env, DISPLAY: undefined }, stdio: ['ignore', 'pipe', 'pipe'] }),
        `${command} ${args.join(' ')}`,
      );
      started.push(child);
      return child;
    };
    return { env, spawn: spawnClient, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
