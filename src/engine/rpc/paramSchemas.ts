/**
 * The shape of every request's params, checked where requests arrive over a transport (serveEngine):
 * a handler never sees a string where the protocol promises an array. Types only, not policy: ranges
 * and meanings stay with the handlers, and unknown fields pass (the protocol is extended compatibly).
 * The map is complete by type, so a new method cannot be served without a schema.
 */
import { z } from 'zod';
import type { RequestMethod } from '../../protocol';
import { KeelError } from '../../common/errors';

const obj = <T extends z.ZodRawShape>(shape: T) => z.object(shape).passthrough();
const strings = z.array(z.string());
const usage = obj({ input: z.number(), cacheWrite: z.number(), cacheRead: z.number(), output: z.number() });
const store = { store: z.string().optional() };
const rules = z.record(z.string()).optional();
const finding = obj({
  path: z.string(),
  line: z.number(),
  column: z.number(),
  endLine: z.number(),
  endColumn: z.number(),
  category: z.string(),
  code: z.string(),
  severity: z.string(),
  message: z.string(),
  fixes: z.array(z.unknown()),
});

export const PARAM_SCHEMAS: Record<RequestMethod, z.ZodTypeAny> = {
  'engine/ping': obj({ echo: z.string().optional() }),
  'engine/configure': obj({ settings: z.record(z.unknown()).optional(), secrets: z.record(z.string().nullable()).optional() }),
  'engine/shutdown': obj({}),
  'embed/texts': obj({ texts: strings, embedder: z.string().optional() }),
  'index/build': obj({ roots: strings, ...store, embedder: z.string().optional(), maxFileSizeKB: z.number().optional(), exclude: strings.optional() }),
  'index/status': obj({ ...store, roots: strings.optional() }),
  'index/update': obj({ changed: strings, deleted: strings, ...store }),
  'buffers/sync': obj({ dirty: z.array(obj({ path: z.string(), text: z.string() })), clean: strings }),
  'search/query': obj({
    query: z.string(),
    dir: z.string(),
    ...store,
    ensureIndex: z.boolean().optional(),
    top: z.number().optional(),
    mode: z.string().optional(),
    rerank: z.string().optional(),
    candidates: z.number().optional(),
    rrfK: z.number().optional(),
    weights: obj({ bm25: z.number().optional(), vector: z.number().optional() }).optional(),
    maxPerFile: z.number().optional(),
    language: strings.optional(),
    path: strings.optional(),
    openFiles: strings.optional(),
    recentFiles: strings.optional(),
    preview: z.boolean().optional(),
  }),
  'sql/analyze': obj({ path: z.string(), text: z.string(), languageId: z.string().optional(), rules }),
  'sql/scan': obj({ paths: strings, cwd: z.string(), rules }),
  'sql/aiFixRequest': obj({ finding, text: z.string() }),
  'sql/aiFix': obj({ finding, text: z.string() }),
  'api/scan': obj({ paths: strings, cwd: z.string(), rules }),
  'api/analyze': obj({ path: z.string(), text: z.string(), languageId: z.string().optional(), rules }),
  'api/openapi': obj({ paths: strings, cwd: z.string(), rules }),
  'chat/ask': obj({
    question: z.string(),
    root: z.string(),
    ...store,
    history: z.array(obj({ question: z.string(), answer: z.string() })).optional(),
    attachments: z.array(obj({ kind: z.string(), path: z.string().optional(), startLine: z.number().optional(), text: z.string() })).optional(),
    excludedPassages: strings.optional(),
    tier: z.string().optional(),
    bypassCache: z.boolean().optional(),
    provider: z.string().optional(),
    model: z.string().optional(),
    localOnly: z.boolean().optional(),
  }),
  'cost/summary': obj(store),
  'cost/team': obj({ store: z.string().optional(), repo: z.string().optional(), since: z.string().optional() }),
  'cost/record': obj({
    ...store,
    call: obj({
      feature: z.string(),
      taskKind: z.string(),
      provider: z.string(),
      model: z.string(),
      tier: z.string(),
      usage,
      latencyMs: z.number(),
      time: z.string().optional(),
      cacheHit: z.boolean().optional(),
      avoidedUsage: usage.optional(),
      avoidedModel: z.string().optional(),
      routedFrom: z.string().optional(),
      costUsd: z.number().optional(),
    }),
  }),
  'cache/clear': obj(store),
  'egress/log': obj({ limit: z.number().optional() }),
  'tools/list': obj({}),
  'db/explain': obj({
    sql: z.string().optional(),
    file: z.string().optional(),
    line: z.number().optional(),
    text: z.string().optional(),
    root: z.string().optional(),
    db: z.string().optional(),
    rows: z.number().optional(),
    analyze: z.boolean().optional(),
    allowWrites: z.boolean().optional(),
    statementTimeoutS: z.number().optional(),
  }),
  'db/sql': obj({
    question: z.string(),
    root: z.string().optional(),
    db: z.string().optional(),
    rows: z.number().optional(),
    statementTimeoutS: z.number().optional(),
    tier: z.enum(['auto', 'fast', 'reasoning']).optional(),
  }),
  'review/run': obj({ cwd: z.string(), range: z.string().optional(), llm: z.boolean().optional(), ledger: z.string().optional() }),
  'review/classify': obj({ path: z.string(), text: z.string(), fileText: z.string().optional() }),
  'provenance/record': obj({
    root: z.string(),
    path: z.string(),
    startLine: z.number(),
    endLine: z.number(),
    text: z.string(),
    feature: z.string(),
    provider: z.string(),
    model: z.string(),
    tier: z.string(),
    requestId: z.string().optional(),
    prompt: z.string().optional(),
    kind: z.enum(['ai-write', 'acknowledgement']).optional(),
    areas: strings.optional(),
    ledger: z.string().optional(),
  }),
  'provenance/report': obj({ root: z.string(), since: z.string().optional(), path: z.string().optional(), ledger: z.string().optional() }),
  'tools/call': obj({ name: z.string(), arguments: z.unknown(), roots: strings, store: z.string().optional() }),
  'completions/inline': obj({
    path: z.string(),
    languageId: z.string(),
    text: z.string(),
    offset: z.number(),
    recentEdits: z.array(obj({ path: z.string(), text: z.string() })).optional(),
    explicit: z.boolean().optional(),
  }),
  'completions/accepted': obj({ id: z.string(), kind: z.enum(['full', 'partial']).optional(), acceptedChars: z.number().optional() }),
  'completions/stats': obj({}),
};

/** `params` if it fits `method`'s schema (absent params count as `{}`); INVALID_PARAMS otherwise. */
export function checkParams(method: RequestMethod, params: unknown): unknown {
  // Methods outside the protocol (tests register some) bring their own checks.
  const schema = (PARAM_SCHEMAS as Partial<Record<string, z.ZodTypeAny>>)[method] ?? z.object({}).passthrough();
  const result = schema.safeParse(params ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length ? `\`${issue.path.join('.')}\`` : 'params';
  throw new KeelError('INVALID_PARAMS', `Invalid params for ${method}: ${where}: ${issue.message}`);
}
