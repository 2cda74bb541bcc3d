// What the browser tests need (the server binary and Chromium): a skip message, or a failure
// when CI is set.
import { accessSync, constants as fsConstants } from 'node:fs';
import path from 'node:path';
import { bossBinary, chromiumPath } from './config.js';

/** Whether `file` exists and may be executed. */
export function isExecutable(file) {
  try {
    accessSync(file, fsConstants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `program` is an executable file in a directory of PATH. */
export function onPath(program) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => dir && isExecutable(path.join(dir, program)));
}

/**
 * The `skip` option for `describe` from what is `missing` (a list of names): false when nothing
 * is; otherwise "skipped: <what> need ...", or a thrown error when the CI environment variable is
 * set (a CI run must not pass by skipping). `install` says how to get it, if anything.
 */
export function skipUnlessPresent(what, missing, install = '') {
  if (missing.length === 0) return false;
  const message = `${what} need ${missing.join(' and ')}${install ? ` (${install})` : ''}`;
  if (process.env.CI) throw new Error(`${message} (CI is set, so this is a failure, not a skip)`);
  return `skipped: ${message}`;
}

/** Names what is missing to run the browser tests, or returns an empty list. */
export function missingPrerequisites() {
  const missing = [];
  const bin = bossBinary();
  if (!isExecutable(bin)) {
    missing.push(`the boss binary ${bin} (build it with \`cargo build\`, or set BOSS_BIN)`);
  }
  const browser = chromiumPath();
  if (!isExecutable(browser)) {
    missing.push(`Chromium at ${browser} (install it with \`apt-get install -y chromium\`, or set CHROMIUM)`);
  }
  return missing;
}

/**
 * For `describe(name, { skip: prerequisites() }, ...)`. Returns false when everything is there.
 * When something is missing: throws if the CI environment variable is set (a CI run must not
 * pass by skipping), else returns a skip message that node:test prints.
 */
export function prerequisites() {
  return skipUnlessPresent('browser tests', missingPrerequisites());
}
