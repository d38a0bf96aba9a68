import * as fs from 'node:fs';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');
export const DEMO = path.join(REPO, 'test/fixtures/demo-backend');
export const SQL_FIXTURES = path.join(REPO, 'test/fixtures/sql');

export function read(abs: string): string {
  return fs.readFileSync(abs, 'utf8');
}
