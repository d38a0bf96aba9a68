/**
 * Keel's own files (index stores, locks, ledger, caches, egress log) hold code, questions and costs:
 * they are created 0600 in 0700 folders, whatever the umask, so another local user can read none of
 * them. An existing folder is tightened when Keel opens it (stores written by older versions).
 */
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';

export const PRIVATE_DIR = 0o700;
export const PRIVATE_FILE = 0o600;

/** mkdir -p with 0700 for every folder it creates, and the leaf tightened to 0700 if it existed. */
export function mkdirPrivateSync(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  tighten(() => fs.chmodSync(dir, PRIVATE_DIR));
}

export async function mkdirPrivate(dir: string): Promise<void> {
  await fsp.mkdir(dir, { recursive: true, mode: PRIVATE_DIR });
  await fsp.chmod(dir, PRIVATE_DIR).catch(() => undefined);
}

function tighten(fn: () => void): void {
  try {
    fn();
  } catch {
    /* not ours (a shared parent), or a platform without modes: the files inside are still 0600 */
  }
}
