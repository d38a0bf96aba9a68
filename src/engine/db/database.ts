/**
 * A configured dev database (`--db`, `KEEL_DATABASE_URL`, SecretStorage in the editor), reached with
 * node-postgres. One client per request: the plan check is interactive, not a pool workload, and a
 * client that is always closed leaves nothing open behind a failed or cancelled request.
 */
import { isIP } from 'node:net';
import { Client } from 'pg';
import { KeelError } from '../../common/errors';
import { isLocalhostName, isLoopbackHost } from '../egress/hosts';
import type { Queryable } from './catalog';
import { toPlanError } from './plan';

export interface LiveDatabase extends Queryable {
  readonly label: string;
  readonly serverVersion: number;
  close(): Promise<void>;
}

/** The URL as it may be printed: never a password, in the userinfo or in the query string. */
export function redactDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '****';
    for (const key of [...u.searchParams.keys()]) {
      if (/pass|secret|token|key/i.test(key)) u.searchParams.set(key, '****');
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:****@').replace(/(password=)[^&\s]+/gi, '$1****');
  }
}

export interface ConnectOptions {
  timeoutS: number;
  /** Local-only mode: only a loopback server may be contacted. */
  localOnly: boolean;
  signal?: AbortSignal;
}

export async function connectDatabase(url: string, options: ConnectOptions): Promise<LiveDatabase> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KeelError('BAD_INPUT', `Not a PostgreSQL connection URL: ${redactDatabaseUrl(url)}`);
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol)) throw new KeelError('BAD_INPUT', `Only postgres:// URLs are supported (got ${parsed.protocol}).`);
  const host = parsed.hostname || 'localhost';
  // A socket directory (host=/var/run/postgresql) is local by definition.
  const socket = parsed.searchParams.get('host')?.startsWith('/') ?? false;
  if (options.localOnly && !socket && !isLoopbackHost(host)) {
    throw new KeelError('EGRESS_BLOCKED', `Local-only mode: ${redactDatabaseUrl(url)} is not on this machine.`);
  }
  const timeoutMs = Math.max(1, options.timeoutS) * 1000;
  // `localhost` / `*.localhost` never go to DNS (as in the egress door): they are loopback by definition.
  const hostOverride = !socket && (isLocalhostName(host) || (isLoopbackHost(host) && isIP(host.replace(/^\[|\]$/g, '')) === 0)) ? { host: '127.0.0.1' } : {};
  const client = new Client({ connectionString: url, ...hostOverride, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, application_name: 'keel' });
  const label = redactDatabaseUrl(url);
  const abort = (): void => void client.end().catch(() => undefined);
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    await client.connect();
    const version = Number((await client.query('SHOW server_version_num')).rows[0]?.server_version_num ?? 0);
    return {
      label,
      serverVersion: version,
      query: async (sql, params) => {
        try {
          return (await client.query(sql, params as unknown[])) as never;
        } catch (error) {
          throw toPlanError(error);
        }
      },
      close: async () => {
        options.signal?.removeEventListener('abort', abort);
        await client.end().catch(() => undefined);
      },
    };
  } catch (error) {
    options.signal?.removeEventListener('abort', abort);
    await client.end().catch(() => undefined);
    if (options.signal?.aborted) throw new KeelError('CANCELLED', 'The request was cancelled.');
    const e = error as { code?: string; message?: string };
    if (e?.code === '28P01' || e?.code === '28000') throw new KeelError('DB_AUTH_FAILED', `${label}: the server refused the credentials.`, { cause: error });
    if (e?.code === '3D000') throw new KeelError('DB_UNAVAILABLE', `${label}: no such database.`, { cause: error });
    if (/timeout/i.test(e?.message ?? '')) throw new KeelError('TIMEOUT', `${label}: no answer within ${options.timeoutS} s.`, { cause: error });
    throw new KeelError('DB_UNAVAILABLE', `${label}: cannot connect (${e?.code ?? e?.message ?? 'unknown error'}).`, { cause: error, retryable: true });
  }
}
