/**
 * vectra's `FileStorage` (a public extension point of LocalIndex) over the store's journal, so that
 * vectra, used only through its public API, writes its index files into the same crash-safe commit as
 * the catalog and keyword index: an upsert is staged (`<name>.next`), published at the commit point,
 * and a read is verified against the store's checksum registry.
 * Deleting through vectra is refused: LocalIndex deletes whole folders (createIndex with
 * deleteIfExists, deleteIndex), which cannot be part of a journaled commit. The vector store removes a
 * compacted segment itself, with StoreFiles.stageRemoval, in the commit that replaces it.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import type { FileDetails, FileStorage, ListFilesFilter } from 'vectra';
import { KeelError } from '../../common/errors';
import type { StoreFiles } from './storeFiles';

export class JournalStorage implements FileStorage {
  constructor(private readonly files: StoreFiles) {}

  /** Store-relative name of an absolute path vectra hands us (always under the store). */
  private name(filePath: string): string {
    const rel = path.relative(this.files.dir, filePath);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new KeelError('INTERNAL', `vectra asked for ${filePath}, outside the store`);
    return rel.split(path.sep).join('/');
  }

  async createFile(filePath: string, content: Buffer | string): Promise<void> {
    if (await this.pathExists(filePath)) throw new Error(`File already exists: ${filePath}`);
    await this.files.stage(this.name(filePath), content);
  }

  async upsertFile(filePath: string, content: Buffer | string): Promise<void> {
    await this.files.stage(this.name(filePath), content);
  }

  async createFolder(folderPath: string): Promise<void> {
    await fs.mkdir(folderPath, { recursive: true });
  }

  deleteFile(filePath: string): Promise<void> {
    return Promise.reject(new KeelError('INTERNAL', `vectra tried to delete ${filePath}; the store removes files only in a journaled commit`));
  }

  deleteFolder(folderPath: string): Promise<void> {
    return Promise.reject(new KeelError('INTERNAL', `vectra tried to delete ${folderPath}; the store removes files only in a journaled commit`));
  }

  async getDetails(fileOrFolderPath: string): Promise<FileDetails> {
    const stat = await fs.stat(fileOrFolderPath);
    return { name: path.basename(fileOrFolderPath), path: fileOrFolderPath, isFolder: stat.isDirectory() };
  }

  async listFiles(folderPath: string, filter: ListFilesFilter = 'all'): Promise<FileDetails[]> {
    const entries = await fs.readdir(folderPath, { withFileTypes: true });
    return entries
      .filter((e) => filter === 'all' || (filter === 'folders') === e.isDirectory())
      .map((e) => ({ name: e.name, path: path.join(folderPath, e.name), isFolder: e.isDirectory() }));
  }

  async pathExists(fileOrFolderPath: string): Promise<boolean> {
    return fs.access(fileOrFolderPath).then(() => true, () => false);
  }

  async readFile(filePath: string): Promise<Buffer> {
    const bytes = await this.files.read(this.name(filePath));
    if (!bytes) throw new Error(`File not found: ${filePath}`);
    return bytes;
  }
}
