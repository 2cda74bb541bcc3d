// Where things are (the repository, the server binary, the browser, artifacts) and the
// constants every test shares.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// This file is in e2e/harness/; E2E_DIR is e2e/.
export const E2E_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_DIR = path.resolve(E2E_DIR, '..');
export const ARTIFACTS_DIR = path.resolve(process.env.ARTIFACTS_DIR || path.join(E2E_DIR, 'artifacts'));

/** Path of the server binary: $BOSS_BIN, else ../target/debug/boss next to this folder. */
export function bossBinary() {
  return path.resolve(process.env.BOSS_BIN || path.join(REPO_DIR, 'target', 'debug', 'boss'));
}

/** Path of the browser: $CHROMIUM, else Debian's /usr/bin/chromium. */
export function chromiumPath() {
  return process.env.CHROMIUM || '/usr/bin/chromium';
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', // we run as root in CI; the sandbox refuses root
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const DEFAULT_PASSWORD = 'correct horse battery staple';
