// A throw-away PostgreSQL cluster for the fleet tests (Debian's binaries, like the Rust tests'
// testkit::postgres): initdb and pg_ctl in a temporary directory, listening on a Unix socket
// only, run as the `postgres` user when we are root (initdb refuses root), removed by stop().
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isExecutable } from './prerequisites.js';

const PG_BIN = process.env.BOSS_TEST_PG_BIN || '/usr/lib/postgresql/15/bin';

/** What is missing to start a cluster (empty when nothing). */
export function missingPostgres() {
  return isExecutable(path.join(PG_BIN, 'initdb')) ? [] : [`PostgreSQL (${PG_BIN}/initdb; apt-get install -y postgresql-15)`];
}

function run(asPostgres, tool, args) {
  const bin = path.join(PG_BIN, tool);
  const [command, argv] = asPostgres ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(command, argv, { encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) throw new Error(`${tool} failed: ${result.stdout}${result.stderr}`);
}

/**
 * Starts a cluster with one database; returns { url, stop() }. stop() ends this cluster only
 * (pg_ctl on its own data directory) and removes its directory.
 */
export function startPostgres(database = 'boss') {
  const asPostgres = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'boss-e2e-pg-'));
  if (asPostgres) {
    const id = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
    const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
    chownSync(dir, Number(id.stdout.trim()), Number(gid.stdout.trim()));
  }
  const data = path.join(dir, 'data');
  run(asPostgres, 'initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const options = `-c listen_addresses='' -k ${dir} -c fsync=off`;
  run(asPostgres, 'pg_ctl', ['-D', data, '-l', path.join(dir, 'log'), '-w', '-o', options, 'start']);
  run(asPostgres, 'createdb', ['-h', dir, '-U', 'postgres', database]);
  let stopped = false;
  return {
    url: `postgres://postgres@localhost/${database}?host=${dir}`,
    stop() {
      if (stopped) return;
      stopped = true;
      try {
        run(asPostgres, 'pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
