/**
 * Persistence of the semantic cache: one JSON file, replaced atomically (write a temp file, fsync,
 * rename) so a crash leaves either the old or the new cache, never half of one. A file that cannot be
 * read is moved aside (`.corrupt`), not deleted, and the cache starts empty.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StoredEntry } from './types';
import { mkdirPrivateSync, PRIVATE_FILE } from '../../privateFs';

export const CACHE_FILE = 'semantic-cache.json';
const FORMAT = 1;

interface FileShape {
  format: number;
  entries: Array<Omit<StoredEntry, 'vector'> & { vector: string }>;
}

export function loadCacheFile(file: string, warn: (message: string) => void): StoredEntry[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  try {
    const parsed = JSON.parse(text) as FileShape;
    if (parsed.format !== FORMAT || !Array.isArray(parsed.entries)) throw new Error(`unknown format ${String(parsed.format)}`);
    return parsed.entries.filter(isStored).map((e) => ({ ...e, vector: decodeVector(e.vector) }));
  } catch (error) {
    const aside = `${file}.corrupt`;
    fs.renameSync(file, aside);
    warn(`Semantic cache file was unreadable (${(error as Error).message}); moved to ${aside} and starting empty.`);
    return [];
  }
}

export function saveCacheFile(file: string, entries: Iterable<StoredEntry>): void {
  const shape: FileShape = { format: FORMAT, entries: [] };
  for (const e of entries) shape.entries.push({ ...e, vector: encodeVector(e.vector) });
  mkdirPrivateSync(path.dirname(file));
  const temp = `${file}.tmp-${process.pid}`;
  const fd = fs.openSync(temp, 'w', PRIVATE_FILE);
  fs.fchmodSync(fd, PRIVATE_FILE); // a temp left by a crash keeps its old mode when reopened
  try {
    fs.writeSync(fd, JSON.stringify(shape));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
}

function encodeVector(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}

function decodeVector(s: string): Float32Array {
  const bytes = Buffer.from(s, 'base64');
  // Copy into an aligned buffer: Buffer slices may not be 4-byte aligned.
  const out = new Float32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}

function isStored(e: unknown): e is Omit<StoredEntry, 'vector'> & { vector: string } {
  if (!e || typeof e !== 'object') return false;
  const o = e as Record<string, unknown>;
  return (
    typeof o.id === 'string' &&
    typeof o.scopeKey === 'string' &&
    typeof o.embedderId === 'string' &&
    typeof o.question === 'string' &&
    typeof o.vector === 'string' &&
    typeof o.createdAt === 'number' &&
    typeof o.lastUsedAt === 'number' &&
    !!o.files &&
    typeof o.files === 'object'
  );
}
