/**
 * The one list of Keel's tools and the one way to run them. Every surface (MCP, VS Code agent mode,
 * Keel's chat) goes through `runTool`, so argument validation, the scope check, output bounds and
 * the output contract hold everywhere. A tool whose capability is missing (`available`) is neither
 * listed nor callable — `explain_query` joins the list by defining `available` once query plans exist.
 */
import * as path from 'node:path';
import type { z } from 'zod';
import type { ToolCallParams, ToolCallResult, ToolDescriptor } from '../../protocol';
import type { Engine } from '../engine';
import { KeelError, throwIfCancelled } from '../../common/errors';
import { costSummary } from './costSummary';
import { findSymbol } from './findSymbol';
import { indexStatus } from './indexStatus';
import { toolJsonSchema } from './jsonSchema';
import { clip, LIMITS } from './limits';
import { readCode } from './readCode';
import { searchCode } from './searchCode';
import { sqlFindings } from './sqlFindings';
import type { ToolDefinition } from './types';

export const TOOLS: readonly ToolDefinition[] = [searchCode, readCode, findSymbol, sqlFindings, indexStatus, costSummary];

export function availableTools(engine: Engine, tools: readonly ToolDefinition[] = TOOLS): ToolDefinition[] {
  return tools.filter((t) => t.available?.(engine) ?? true);
}

export function describeTool(tool: ToolDefinition): ToolDescriptor {
  return {
    name: tool.name,
    title: tool.title,
    description: tool.description,
    inputSchema: toolJsonSchema(tool.input),
    outputSchema: toolJsonSchema(tool.output),
    readOnly: true,
  };
}

export async function runTool(engine: Engine, params: ToolCallParams, signal: AbortSignal, tools: readonly ToolDefinition[] = TOOLS): Promise<ToolCallResult> {
  if (!params || typeof params.name !== 'string') throw new KeelError('INVALID_PARAMS', '`name` must name a tool.');
  const tool = tools.find((t) => t.name === params.name);
  if (!tool) throw new KeelError('INVALID_PARAMS', `Unknown tool: ${params.name}. Tools: ${tools.map((t) => t.name).join(', ')}.`);
  if (tool.available && !tool.available(engine)) throw new KeelError('NOT_AVAILABLE', `${tool.name} is not available in this workspace.`);
  const roots = validateRoots(params.roots);
  const parsed = tool.input.safeParse(params.arguments ?? {});
  if (!parsed.success) throw new KeelError('INVALID_PARAMS', `Invalid arguments for ${tool.name}: ${describeIssues(parsed.error)}`);
  throwIfCancelled(signal);
  const out = await tool.run(parsed.data, { engine, roots, store: params.store, signal });
  throwIfCancelled(signal);
  // The output schema is a published contract (MCP outputSchema): never send what it does not describe.
  const checked = tool.output.safeParse(out.structured);
  if (!checked.success) throw new KeelError('INTERNAL', `${tool.name} produced output outside its schema: ${describeIssues(checked.error)}`);
  const text = clip(out.text, LIMITS.textChars);
  return { structured: checked.data as Record<string, unknown>, text: text.truncated ? `${text.text}\n(output cut at ${LIMITS.textChars} characters)` : text.text };
}

function validateRoots(roots: unknown): string[] {
  if (!Array.isArray(roots) || roots.length === 0 || roots.some((r) => typeof r !== 'string' || !path.isAbsolute(r))) {
    throw new KeelError('INVALID_PARAMS', '`roots` must be a non-empty array of absolute workspace folders.');
  }
  return roots.map((r: string) => path.resolve(r));
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.join('.') : '(arguments)'}: ${i.message}`)
    .join('; ');
}
