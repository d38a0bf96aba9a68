/**
 * Which backend a `store` parameter names. A folder is the local store; a postgres:// URL is the
 * team store; the bare word `postgres` means "the team store whose URL is a secret" — SecretStorage
 * in the editor, KEEL_INDEX_STORE_URL or KEEL_DATABASE_URL elsewhere — so the URL never has to sit
 * in a setting or on a command line.
 */
import * as path from 'node:path';
import { KeelError } from '../../common/errors';
import type { StoreLocation } from './types';

export function isPostgresUrl(value: string): boolean {
  return /^postgres(ql)?:\/\//i.test(value);
}

export function parseStoreLocation(store: string | undefined, secretUrl?: string, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  if (store === undefined || store === '' || store === 'local') return { kind: 'local' };
  if (isPostgresUrl(store)) return { kind: 'postgres', url: store };
  if (store === 'postgres' || store === 'postgresql') {
    const url = secretUrl ?? env.KEEL_INDEX_STORE_URL ?? env.KEEL_DATABASE_URL;
    if (!url) throw new KeelError('INVALID_PARAMS', 'The team store needs a connection URL: set KEEL_INDEX_STORE_URL (or KEEL_DATABASE_URL), or store it with "Keel: Set Database URL".');
    if (!isPostgresUrl(url)) throw new KeelError('INVALID_PARAMS', 'The team store URL must start with postgres://.');
    return { kind: 'postgres', url };
  }
  return { kind: 'local', dir: path.resolve(store) };
}
