/**
 * What a Keel tool is: a name, zod schemas for its input and output, and a read-only `run`. The MCP
 * server, VS Code's language-model tools and the agentic chat all take their tools from this one
 * definition, so a schema or a bound changes in one place.
 */
import type { z } from 'zod';
import type { Engine } from '../engine';

export interface ToolContext {
  readonly engine: Engine;
  /** Absolute workspace folders; every path a tool takes or returns is relative to them. */
  readonly roots: readonly string[];
  readonly store?: string;
  readonly signal: AbortSignal;
}

export interface ToolOutput<O> {
  structured: O;
  /** Compact text for a model's context; bounded by the tool. */
  text: string;
}

export interface ToolDefinition<I extends z.ZodTypeAny = z.ZodTypeAny, O extends z.ZodTypeAny = z.ZodTypeAny> {
  name: string;
  title: string;
  /** Written for a model choosing between tools: what it answers and when to use it. */
  description: string;
  input: I;
  output: O;
  /** Whether the capability behind the tool is present (e.g. query plans need a database connection). */
  available?(engine: Engine): boolean;
  run(input: z.infer<I>, ctx: ToolContext): Promise<ToolOutput<z.infer<O>>>;
}

/** Erases the schema types so definitions of different tools fit one list. */
export function defineTool<I extends z.ZodTypeAny, O extends z.ZodTypeAny>(tool: ToolDefinition<I, O>): ToolDefinition {
  return tool as unknown as ToolDefinition;
}
