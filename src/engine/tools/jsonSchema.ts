/**
 * zod → JSON Schema for tool descriptors. Inlined (no $ref) and without `$schema`, because MCP clients
 * and VS Code's `languageModelTools.inputSchema` both expect a plain object schema.
 */
import type { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

export function toolJsonSchema(schema: z.ZodTypeAny): Record<string, unknown> {
  const json = zodToJsonSchema(schema, { $refStrategy: 'none', target: 'jsonSchema7' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}
