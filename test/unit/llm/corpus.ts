/** The redaction corpus (test/fixtures/secrets/corpus.json), typed. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CorpusEntry {
  id: string;
  kind: string;
  /** The sensitive part that must never leave the machine. */
  secret: string;
  /** The secret embedded in code. */
  code: string;
  /** The secret embedded in chat text. */
  chat: string;
}

export const corpus = JSON.parse(readFileSync(join(__dirname, '../../fixtures/secrets/corpus.json'), 'utf8')) as {
  secrets: CorpusEntry[];
  negatives: string[];
};
