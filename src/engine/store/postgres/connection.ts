/**
 * The team store's connection pool: one pg.Pool per URL, with connect and statement timeouts the
 * user sets, local-only enforcement (the same rule as `keel explain`'s database), errors mapped to
 * stable codes, and retries for what is worth retrying (a serialization failure, a deadlock, a
 * connection that dropped) — a reader never sees a raw driver error.
 */
import { isIP } from 'node:net';
import { Pool, type PoolClient, type QueryResultRow } from 'pg';
import { KeelError } from '../../../common/errors';
import { redactDatabaseUrl } from '../../db/database';
import { isLocalhostName, isLoopbackHost } from '../../egress/hosts';

export interface PgConnectOptions {
  /** Connect and statement timeout, seconds. */
  timeoutS: number;
  /** Local-only mode: only a loopback server may be contacted. */
  localOnly: boolean;
  /** Pool size (20 readers share it in the benchmark). */
  max?: number;
  /** Attempts for retryable failures (first try included). */
  attempts?: number;
}

/** SQLSTATEs worth a retry: serialization failure, deadlock, and the server dropping the session. */
const RETRY_STATES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);

export class PgPool {
  readonly label: string;
  private readonly pool: Pool;
  private readonly attempts: number;

  constructor(url: string, readonly options: PgConnectOptions) {
    this.label = redactDatabaseUrl(url);
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new KeelError('BAD_INPUT', `Not a PostgreSQL connection URL: ${this.label}`);
    }
    const host = parsed.hostname || 'localhost';
    const socket = parsed.searchParams.get('host')?.startsWith('/') ?? false;
    if (options.localOnly && !socket && !isLoopbackHost(host)) {
      throw new KeelError('EGRESS_BLOCKED', `Local-only mode: the team store ${this.label} is not on this machine.`);
    }
    const hostOverride = !socket && (isLocalhostName(host) || (isLoopbackHost(host) && isIP(host.replace(/^\[|\]$/g, '')) === 0)) ? { host: '127.0.0.1' } : {};
    const timeoutMs = Math.max(1, options.timeoutS) * 1000;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.pool = new Pool({
      connectionString: url,
      ...hostOverride,
      max: options.max ?? 10,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      statement_timeout: timeoutMs,
      idleTimeoutMillis: 30_000,
      application_name: 'keel-store',
    });
    // An idle client whose server went away emits here; the next checkout reconnects.
    this.pool.on('error', () => undefined);
  }

  /** One statement, retried on retryable failures. Named statements are prepared once per connection. */
  async query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[], name?: string): Promise<R[]> {
    return this.retry(async () => (await this.pool.query<R>(name ? { name, text, values } : { text, values })).rows);
  }

  /** Runs `fn` on one client (a transaction is the caller's); retried as a whole when it may be. */
  async withClient<T>(fn: (client: PoolClient) => Promise<T>, retry = true): Promise<T> {
    const once = async (): Promise<T> => {
      let client: PoolClient;
      try {
        client = await this.pool.connect();
      } catch (error) {
        throw toStoreError(error, this.label);
      }
      let broken = false;
      // A session that dies between two statements of `fn` emits 'error' on the checked-out client;
      // unheard, that would take the whole process down. The next statement fails and is mapped.
      const onError = (): void => {
        broken = true;
      };
      client.on('error', onError);
      try {
        return await fn(client);
      } catch (error) {
        broken ||= isConnectionError(error);
        throw toStoreError(error, this.label);
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    };
    return retry ? this.retry(once) : once();
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => undefined);
  }

  private async retry<T>(fn: () => Promise<T>): Promise<T> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        return await fn();
      } catch (error) {
        last = toStoreError(error, this.label);
        if (!(last as KeelError).retryable || attempt === this.attempts) break;
        await new Promise((r) => setTimeout(r, 50 * 2 ** (attempt - 1)));
      }
    }
    throw last;
  }
}

function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  if (e?.code && (e.code.startsWith('08') || e.code.startsWith('57P'))) return true;
  return /Connection terminated|ECONNRESET|ECONNREFUSED|EPIPE|not queryable|Client has encountered a connection error/i.test(e?.message ?? '');
}

/** A driver or server failure as a KeelError with a stable code. */
export function toStoreError(error: unknown, label: string): KeelError {
  if (error instanceof KeelError) return error;
  const e = error as { code?: string; message?: string };
  const code = e?.code;
  if (code === '28P01' || code === '28000') return new KeelError('DB_AUTH_FAILED', `${label}: the server refused the credentials.`, { cause: error });
  if (code === '3D000') return new KeelError('DB_UNAVAILABLE', `${label}: no such database.`, { cause: error });
  if (code === '42501') return new KeelError('ACCESS_DENIED', `${label}: this role may not do that (${e.message}).`, { cause: error });
  if (code === '57014' || /timeout/i.test(e?.message ?? '')) return new KeelError('TIMEOUT', `${label}: no answer in time.`, { cause: error, retryable: true });
  if ((code && RETRY_STATES.has(code)) || isConnectionError(error)) {
    return new KeelError('DB_UNAVAILABLE', `${label}: the connection failed (${code ?? e?.message ?? 'unknown'}); retrying may help.`, { cause: error, retryable: true });
  }
  if (code === '42P01' || code === '3F000') return new KeelError('INDEX_NOT_FOUND', `${label}: the Keel schema is missing; run \`keel index --store …\` with a writer role first.`, { cause: error });
  return new KeelError('INTERNAL', `${label}: ${e?.message ?? String(error)}`, { cause: error });
}
