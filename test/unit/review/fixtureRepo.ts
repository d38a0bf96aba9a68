/**
 * The fixture repository for review and provenance tests, built with real git: an auth change without
 * tests, a payment change with tests, a CSS tweak, an AI-written hunk recorded in the ledger (and its
 * acknowledgement), then a rename that moves the AI-written lines down one line into another folder.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface FixtureRepo {
  dir: string;
  commits: { initial: string; auth: string; payment: string; css: string; ai: string; rename: string };
}

export const LOGIN_V0 = `import bcrypt from 'bcryptjs';
import { findUser } from '../db/users';

export async function login(email: string, password: string): Promise<boolean> {
  const user = await findUser(email);
  if (!user) return false;
  return bcrypt.compare(password, user.passwordHash);
}
`;
export const LOGIN_V1 = LOGIN_V0.replace(
  '  if (!user) return false;\n',
  '  if (!user) return false;\n  if (user.failedAttempts > 5) return false;\n  if (user.lockedUntil && user.lockedUntil > Date.now()) return false;\n',
);

const CHARGE_V0 = `import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_KEY ?? '');

export async function chargeCard(customerId: string, amountCents: number): Promise<string> {
  const intent = await stripe.paymentIntents.create({ customer: customerId, amount: amountCents, currency: 'eur' });
  return intent.id;
}
`;
const CHARGE_V1 = CHARGE_V0.replace(
  '  const intent',
  "  if (!Number.isInteger(amountCents) || amountCents <= 0) throw new Error('amount must be a positive number of cents');\n  const intent",
);
const CHARGE_TEST_V0 = `import { chargeCard } from '../../src/payments/charge';

describe('chargeCard', () => {
  it('charges', async () => { await chargeCard('cus_1', 100); });
});
`;
const CHARGE_TEST_V1 = CHARGE_TEST_V0.replace('});\n});\n', "});\n  it('rejects a negative amount', async () => { await expect(chargeCard('cus_1', -1)).rejects.toThrow(); });\n});\n");

export const EXPORT_V0 = `import { db } from '../db';

export async function exportUser(id: string) {
  const user = await db.users.findById(id);
  return { id: user.id };
}
`;
/** What the AI wrote over lines 4–5: line 4 again, unchanged, then two new lines. */
export const AI_TEXT = `  const user = await db.users.findById(id);
  const orders = await db.orders.listByUser(user.id);
  return { id: user.id, email: user.email, dateOfBirth: user.dateOfBirth, orders };`;
export const EXPORT_V1 = EXPORT_V0.replace('  const user = await db.users.findById(id);\n  return { id: user.id };', AI_TEXT);
export const EXPORT_V2 = `// Data subject access requests (GDPR art. 15).\n${EXPORT_V1}`;

export function sh(dir: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, ...env } }).trim();
}

function write(dir: string, rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), text);
}

function commit(dir: string, message: string, date?: string): string {
  const env = date ? { GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : {};
  sh(dir, ['add', '-A'], env);
  sh(dir, ['commit', '-q', '-m', message], env);
  return sh(dir, ['rev-parse', 'HEAD']);
}

/**
 * Build the repository. `recordAi` is called after the AI text is written into src/profile/export.ts
 * and before it is committed (the editor records at the moment it applies).
 */
export async function buildFixtureRepo(recordAi: (dir: string) => Promise<void>): Promise<FixtureRepo> {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'keel-review-')));
  sh(dir, ['init', '-q', '-b', 'main']);
  sh(dir, ['config', 'user.name', 'Ada Reviewer']);
  sh(dir, ['config', 'user.email', 'ada@example.com']);
  sh(dir, ['config', 'commit.gpgsign', 'false']);
  write(dir, 'src/auth/login.ts', LOGIN_V0);
  write(dir, 'src/payments/charge.ts', CHARGE_V0);
  write(dir, 'test/payments/charge.test.ts', CHARGE_TEST_V0);
  write(dir, 'web/styles.css', '.button {\n  color: #333;\n}\n');
  write(dir, 'src/profile/export.ts', EXPORT_V0);
  write(dir, 'README.md', '# shop\n');
  const initial = commit(dir, 'initial', '2026-01-01T10:00:00Z');
  write(dir, 'src/auth/login.ts', LOGIN_V1);
  const auth = commit(dir, 'lock accounts after failed logins', '2026-01-02T10:00:00Z');
  write(dir, 'src/payments/charge.ts', CHARGE_V1);
  write(dir, 'test/payments/charge.test.ts', CHARGE_TEST_V1);
  const payment = commit(dir, 'reject non-positive charges', '2026-01-03T10:00:00Z');
  write(dir, 'web/styles.css', '.button {\n  color: #1a73e8;\n}\n');
  const css = commit(dir, 'brand colour', '2026-01-04T10:00:00Z');
  write(dir, 'src/profile/export.ts', EXPORT_V1);
  await recordAi(dir);
  const ai = commit(dir, 'export orders and contact details');
  fs.mkdirSync(path.join(dir, 'src/privacy'), { recursive: true });
  sh(dir, ['mv', 'src/profile/export.ts', 'src/privacy/exportUser.ts']);
  write(dir, 'src/privacy/exportUser.ts', EXPORT_V2);
  const rename = commit(dir, 'move the export under privacy/');
  return { dir, commits: { initial, auth, payment, css, ai, rename } };
}
