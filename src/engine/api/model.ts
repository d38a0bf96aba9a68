/**
 * What route discovery hands the rules: each route with the syntax nodes of its handler(s), while
 * the trees of the scan are alive (the scan deletes them when the rules have run).
 */
import type { ApiFramework } from '../../protocol';
import type { GrammarLanguage, SyntaxNode } from '../syntax/treeSitter';

export interface ParsedFile {
  /** Path shown in findings (cwd-relative in scans). */
  path: string;
  abs: string;
  text: string;
  language: GrammarLanguage;
  root: SyntaxNode;
}

/** A router (app, router, blueprint, group …) a route hangs off; prefixes are resolved over mounts. */
export interface RouterKey {
  file: string;
  name: string;
}

export interface Mount {
  parent: RouterKey;
  child: RouterKey;
  prefix: string;
  /** Flask: `register_blueprint(bp, url_prefix=…)` replaces the blueprint's own url_prefix. */
  replaceOwn?: boolean;
}

export interface RawRoute {
  method: string;
  /** The path as written on its router (without the router's mount prefixes). */
  path: string;
  router: RouterKey;
  file: ParsedFile;
  /** Where the route is declared (the finding anchor for route-level rules). */
  anchor: SyntaxNode;
  framework: ApiFramework;
  /** Function nodes that handle the request (inline or resolved by name). */
  handlers: SyntaxNode[];
  /** Handler references not resolved yet (resolved across the workspace by name). */
  handlerNames: string[];
  /** Text of the middleware / options in the route declaration (validation, idempotency middleware). */
  middleware: string;
  /** Validation declared on the route itself (Fastify schema.body, Nest DTO, Pydantic parameter …). */
  declaredValidation?: { name: string; any: boolean } | null;
}

export interface FileDiscovery {
  routes: RawRoute[];
  mounts: Mount[];
  /** Own prefix of a router (Koa `new Router({ prefix })`, Flask `Blueprint(url_prefix=)`, FastAPI `APIRouter(prefix=)`, Nest global prefix …). */
  prefixes: Array<{ router: RouterKey; prefix: string }>;
  /** Exported name → local router variable (`export default router`, `module.exports = router`). */
  exports: Array<{ exported: string; local: string }>;
}

export function emptyDiscovery(): FileDiscovery {
  return { routes: [], mounts: [], prefixes: [], exports: [] };
}

export const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Joins path segments with exactly one slash between them; '' stays '' so roots compose. */
export function joinPath(...parts: string[]): string {
  let out = '';
  for (const p of parts) {
    if (!p) continue;
    const piece = p.startsWith('/') ? p : `/${p}`;
    out = out.endsWith('/') ? out + piece.slice(1) : out + piece;
  }
  return out;
}

/** The text of a string literal node, or undefined when it is not a constant string. */
export function stringValue(node: SyntaxNode | null | undefined): string | undefined {
  if (!node) return undefined;
  const t = node.type;
  if (t === 'string' || t === 'interpreted_string_literal' || t === 'raw_string_literal' || t === 'template_string') {
    if (t === 'template_string' && node.text.includes('${')) return undefined;
    if (t === 'string' && node.childCount > 0 && node.children.some((c) => c?.type === 'interpolation')) return undefined;
    const raw = node.text;
    const m = /^[rRbBuU]{0,2}("""|'''|"|'|`)([\s\S]*)\1$/.exec(raw);
    return m ? m[2] : undefined;
  }
  if (t === 'concatenated_string') {
    const parts = node.namedChildren.map((c) => stringValue(c));
    return parts.every((p) => p !== undefined) ? parts.join('') : undefined;
  }
  return undefined;
}

/** Depth-first nodes of `types` under `root` (including root). */
export function descendants(root: SyntaxNode, types: readonly string[]): SyntaxNode[] {
  return root.descendantsOfType(types as string[]).filter((n): n is SyntaxNode => !!n);
}

export function enclosing(node: SyntaxNode, types: ReadonlySet<string>): SyntaxNode | null {
  for (let p = node.parent; p; p = p.parent) if (types.has(p.type)) return p;
  return null;
}
