/**
 * The schema as chat context (issue 16): when a question is about data — it names a table, or talks
 * about queries, indexes, columns, migrations — the chat sends the DDL of the tables that matter
 * beside the retrieved code, so "is this query indexed?" is answered from the schema, not guessed.
 * Small by design (a few hundred tokens): the tables the question or the retrieved code name, and
 * only a list of the other table names.
 *
 * Discovering the schema walks the workspace, so it is cached per root and refreshed in the
 * background; a question never waits more than a moment for it.
 */
import type { ChatAttachment } from '../../protocol';
import { discoverSchema } from './schema/discover';
import type { WorkspaceSchema } from './schema/model';

const DATA_WORDS = /\b(sql|quer(?:y|ies)|tables?|columns?|index(?:es|ed)?|indices|joins?|schema|database|db|migrations?|n\+1|select|insert|update|delete|foreign key|primary key|orm|prisma|knex|typeorm|sqlalchemy|django models?|explain|full scan|seq(?:uential)? scan)\b/i;
/** About 1,500 tokens of DDL at most. */
const MAX_CHARS = 6000;
const REFRESH_MS = 5 * 60_000;
/** How long a question waits for a first discovery before going without the schema. */
const FIRST_WAIT_MS = 1500;

interface Entry {
  at: number;
  schema: Promise<WorkspaceSchema>;
  settled?: WorkspaceSchema;
}

export class ChatSchemaCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly discover: (root: string) => Promise<WorkspaceSchema> = discoverSchema) {}

  /** The schema attachment for this question, or undefined when it is not about data or there is no schema. */
  async attachmentFor(root: string, question: string, passageTexts: readonly string[], signal?: AbortSignal): Promise<ChatAttachment | undefined> {
    const schema = await this.schemaOf(root, signal);
    if (!schema?.ddl.length) return undefined;
    const text = schemaContext(schema, question, passageTexts);
    return text ? { kind: 'schema', path: schema.origin[0]?.paths[0], text } : undefined;
  }

  private async schemaOf(root: string, signal?: AbortSignal): Promise<WorkspaceSchema | undefined> {
    let entry = this.entries.get(root);
    if (!entry || Date.now() - entry.at > REFRESH_MS) {
      const fresh: Entry = { at: Date.now(), schema: this.discover(root) };
      fresh.schema.then((s) => (fresh.settled = s), () => this.entries.get(root) === fresh && this.entries.delete(root));
      // Stale while revalidating: the previous schema answers until the new one is read.
      if (entry?.settled) fresh.settled ??= entry.settled;
      this.entries.set(root, fresh);
      entry = fresh;
    }
    if (entry.settled) return entry.settled;
    const wait = AbortSignal.any([AbortSignal.timeout(FIRST_WAIT_MS), ...(signal ? [signal] : [])]);
    const stop = new Promise<undefined>((resolve) => wait.addEventListener('abort', () => resolve(undefined), { once: true }));
    return Promise.race([entry.schema.catch(() => undefined), stop]);
  }
}

const tableOf = (statement: string): string | undefined =>
  /^\s*(?:create\s+(?:unlogged\s+)?table(?:\s+if\s+not\s+exists)?|alter\s+table(?:\s+only)?|create\s+(?:unique\s+)?index\s+(?:concurrently\s+)?(?:if\s+not\s+exists\s+)?(?:"?\w+"?\s+)?on)\s+(?:"?\w+"?\.)?"?(\w+)"?/i
    .exec(statement)?.[1];

/** DDL for the tables the question or the retrieved code name; undefined when the question is not about data. */
export function schemaContext(schema: WorkspaceSchema, question: string, passageTexts: readonly string[]): string | undefined {
  const tables = [...new Set(schema.ddl.map(tableOf).filter((t): t is string => Boolean(t)))];
  if (!tables.length) return undefined;
  const words = (text: string): Set<string> => new Set(text.toLowerCase().match(/[a-z_][a-z0-9_]*/g) ?? []);
  const asked = words(question);
  const named = (table: string, in_: Set<string>): boolean => {
    const t = table.toLowerCase();
    return in_.has(t) || in_.has(t.replace(/s$/, '')) || in_.has(`${t}s`) || (t.includes('_') && in_.has(t.split('_').pop()!));
  };
  const inQuestion = tables.filter((t) => named(t, asked));
  if (!inQuestion.length && !DATA_WORDS.test(question)) return undefined;
  const code = words(passageTexts.join('\n'));
  const relevant = new Set([...inQuestion, ...tables.filter((t) => named(t, code))]);
  const picked: string[] = [];
  let size = 0;
  for (const statement of schema.ddl) {
    const t = tableOf(statement);
    if (!t || !relevant.has(t) || size + statement.length > MAX_CHARS) continue;
    picked.push(`${statement.trim().replace(/;\s*$/, '')};`);
    size += statement.length + 2;
  }
  const others = tables.filter((t) => !picked.some((s) => tableOf(s) === t));
  const from = schema.origin.map((o) => `${o.kind}: ${o.paths.slice(0, 3).join(', ')}${o.paths.length > 3 ? ', …' : ''}`).join('; ');
  return [
    `-- Database schema of this workspace (read from ${from || 'the workspace'}).`,
    ...picked,
    ...(others.length ? [`-- Other tables: ${others.slice(0, 60).join(', ')}${others.length > 60 ? ', …' : ''}`] : []),
  ].join('\n');
}
