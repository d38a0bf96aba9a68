/**
 * A real PostgreSQL 15 server for one test run: initdb into a temp folder, start on a free loopback
 * port as Debian's `postgres` user (PostgreSQL refuses to run as root), stop and delete at the end.
 * The packages come from scripts/setup-postgres.sh, which `npm test` runs first.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

const BIN = '/usr/lib/postgresql/15/bin';

export interface PgServer {
  port: number;
  /** The data directory (postmaster.pid: the server's process, for CPU accounting in benchmarks). */
  dataDir: string;
  /** Superuser URL (trust auth over the socket is off: password auth over TCP). */
  url(user?: string, password?: string, database?: string): string;
  psql(sql: string, database?: string): string;
  stop(): void;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function asPostgres(cmd: string, args: string[], input?: string): string {
  const asRoot = process.getuid?.() === 0;
  const r = asRoot
    ? spawnSync('runuser', ['-u', 'postgres', '--', cmd, ...args], { encoding: 'utf8', input })
    : spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`${path.basename(cmd)} failed (${r.status}): ${r.stderr || r.stdout}`);
  return r.stdout;
}

export async function startPostgres(): Promise<PgServer> {
  if (!fs.existsSync(path.join(BIN, 'postgres'))) throw new Error('PostgreSQL 15 is not installed: run bash scripts/setup-postgres.sh');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-pg-'));
  fs.chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', dir]);
  const pwfile = path.join(dir, 'pw');
  fs.writeFileSync(pwfile, 'keel-super\n');
  if (process.getuid?.() === 0) execFileSync('chown', ['postgres:postgres', pwfile]);
  asPostgres(path.join(BIN, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C.UTF-8']);
  const port = await freePort();
  fs.appendFileSync(
    path.join(data, 'postgresql.conf'),
    `\nlisten_addresses = '127.0.0.1'\nport = ${port}\nunix_socket_directories = '${dir}'\nshared_preload_libraries = ''\nfsync = off\n`,
  );
  asPostgres(path.join(BIN, 'pg_ctl'), ['-D', data, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);
  const server: PgServer = {
    port,
    dataDir: data,
    url: (user = 'postgres', password = 'keel-super', database = 'postgres') =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`,
    psql: (sql, database = 'postgres') =>
      execFileSync(path.join(BIN, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-At', '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', database, '-c', sql], {
        encoding: 'utf8',
        env: { ...process.env, PGPASSWORD: 'keel-super' },
      }),
    stop: () => {
      try {
        asPostgres(path.join(BIN, 'pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return server;
}
