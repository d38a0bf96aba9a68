/**
 * Structured outputs: a schema is defined ONCE with zod; from it we derive the JSON Schema each
 * provider constrains generation with (OpenAI response_format json_schema strict, Anthropic forced
 * tool input), and we validate what comes back with the same zod schema. A model that still answers
 * off-schema gets one repair turn that quotes the validation errors; a second miss is SCHEMA_VIOLATION.
 */
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import type { Usage } from '../../protocol';
import { KeelError } from '../../common/errors';
import type { ChatRequest } from './types';

export interface StructuredSchema<T> {
  /** Function-name-like identifier (letters, digits, _ and -), used as the OpenAI schema / Anthropic tool name. */
  readonly name: string;
  readonly description: string;
  readonly zod: z.ZodType<T>;
  readonly jsonSchema: Record<string, unknown>;
}

export function defineSchema<T>(name: string, description: string, schema: z.ZodType<T>): StructuredSchema<T> {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(name)) throw new Error(`Schema name "${name}" must match [A-Za-z0-9_-]{1,64}`);
  const json = zodToJsonSchema(schema, { $refStrategy: 'none', target: 'jsonSchema7' }) as Record<string, unknown>;
  delete json.$schema;
  assertStrictCompatible(json, name);
  return Object.freeze({ name, description, zod: schema, jsonSchema: json });
}

/**
 * OpenAI's strict mode requires every object to list all its properties as required and to forbid
 * extra ones. Catch violations when the schema is defined (a programming error), not at call time.
 * Use `.nullable()` for optional fields.
 */
function assertStrictCompatible(node: unknown, path: string): void {
  if (!node || typeof node !== 'object') return;
  const n = node as Record<string, unknown>;
  if (n.type === 'object' && n.properties && typeof n.properties === 'object') {
    const keys = Object.keys(n.properties);
    const required = new Set((n.required as string[] | undefined) ?? []);
    const missing = keys.filter((k) => !required.has(k));
    if (missing.length) throw new Error(`Schema ${path}: optional properties (${missing.join(', ')}) are not allowed in strict mode; use .nullable()`);
    if (n.additionalProperties !== false) throw new Error(`Schema ${path}: objects must not allow additional properties`);
  }
  for (const [key, child] of Object.entries(n)) {
    if (Array.isArray(child)) child.forEach((c, i) => assertStrictCompatible(c, `${path}.${key}[${i}]`));
    else if (child && typeof child === 'object') assertStrictCompatible(child, `${path}.${key}`);
  }
}

export type Validation<T> = { ok: true; value: T } | { ok: false; problem: string };

/** Validate a raw answer: a JSON string (OpenAI) or an already-parsed object (Anthropic tool input). */
export function validate<T>(schema: StructuredSchema<T>, raw: unknown): Validation<T> {
  if (raw === undefined) return { ok: false, problem: 'no structured output was returned' };
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      return { ok: false, problem: `not valid JSON (${(error as Error).message})` };
    }
  }
  const parsed = schema.zod.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues.slice(0, 8).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  return { ok: false, problem: issues.join('; ') };
}

/** The follow-up turn asking the model to fix its answer; it sees exactly what was wrong. */
export function repairRequest(request: ChatRequest, schema: StructuredSchema<unknown>, previous: string, problem: string): ChatRequest {
  return {
    ...request,
    messages: [
      ...request.messages,
      { role: 'assistant', content: previous || '(empty)' },
      {
        role: 'user',
        content: `That answer does not match the required "${schema.name}" schema: ${problem}. Answer again with only the corrected JSON.`,
      },
    ],
  };
}

/** SCHEMA_VIOLATION that still reports what both attempts cost, so the ledger can charge for them. */
export class SchemaViolationError extends KeelError {
  constructor(
    message: string,
    readonly usage: Usage,
    provider: string,
  ) {
    super('SCHEMA_VIOLATION', message, { provider, retryable: false });
  }
}

export function schemaViolation(schema: StructuredSchema<unknown>, problem: string, provider: string, usage: Usage): SchemaViolationError {
  return new SchemaViolationError(`The model's output did not match the "${schema.name}" schema after a repair retry: ${problem}`, usage, provider);
}
