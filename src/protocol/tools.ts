/**
 * Tools for agents (issue 17): the same read-only tools served to MCP clients (`keel mcp`), to VS Code's
 * agent mode (`vscode.lm.registerTool`) and to Keel's own chat.
 */

/** One tool as an agent sees it: JSON schemas derived from the engine's zod schemas (src/engine/tools/). */
export interface ToolDescriptor {
  name: string;
  title: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  /** Every Keel tool only reads; kept explicit so clients can skip confirmation prompts. */
  readOnly: true;
}

export interface ToolScope {
  /** The workspace folders the tools may read (absolute). Paths in and out are relative to them. */
  roots: string[];
  /** Index folder override (CLI `--store`). */
  store?: string;
}

export interface ToolCallParams extends ToolScope {
  name: string;
  /** The agent's arguments, validated against the tool's input schema by the engine. */
  arguments: unknown;
}

export interface ToolCallResult {
  /** The tool's output, matching its `outputSchema`. */
  structured: Record<string, unknown>;
  /** The same output as compact text for a model's context (bounded in size). */
  text: string;
}

export interface ToolRequests {
  /** The tools available in this engine (a tool whose capability is absent is not listed). */
  'tools/list': { params: Record<string, never>; result: { tools: ToolDescriptor[] } };
  /** Run one tool. Bad arguments fail with INVALID_PARAMS; refused paths with ACCESS_DENIED. */
  'tools/call': { params: ToolCallParams; result: ToolCallResult };
}
