/**
 * Chunks source code along its syntax tree: each function, method, class … becomes a chunk with its
 * leading doc comments; code between definitions (imports, top-level statements) becomes "glue"
 * chunks so that every line of the file is searchable. A definition too large for one chunk is split:
 * a class-like one into its members (qualified names `Class.method`), a function-like one at statement
 * boundaries, each piece carrying the signature line as context. Files with syntax errors still parse
 * (tree-sitter recovers with ERROR nodes), so broken files are chunked, just less precisely.
 */
import { parse, type GrammarLanguage, type SyntaxNode } from '../syntax/treeSitter';
import { MAX_CHUNK_CHARS, lineWindows, mergeSmall, regionChars, toChunks, type Chunk, type Region } from './chunk';

/** Node types that are definitions worth their own chunk, across Keel's grammars. */
const DEFINITIONS = new Set([
  // TypeScript / JavaScript
  'function_declaration', 'generator_function_declaration', 'class_declaration', 'abstract_class_declaration',
  'interface_declaration', 'type_alias_declaration', 'enum_declaration', 'method_definition', 'internal_module',
  'abstract_method_signature', 'function_signature',
  // Python
  'function_definition', 'class_definition', 'decorated_definition',
  // Go
  'method_declaration', 'type_declaration',
  // Java / C#
  'record_declaration', 'constructor_declaration', 'struct_declaration', 'namespace_declaration',
  // Rust
  'function_item', 'impl_item', 'struct_item', 'enum_item', 'trait_item', 'mod_item',
  // Ruby
  'method', 'singleton_method', 'class', 'module',
  // PHP
  'trait_declaration',
  // C / C++
  'class_specifier', 'struct_specifier', 'namespace_definition',
  // CSS
  'rule_set',
]);

const COMMENTS = new Set(['comment', 'line_comment', 'block_comment', 'doc_comment']);

/** Wrappers whose inner declaration holds the name and body. */
function unwrap(node: SyntaxNode): SyntaxNode {
  if (node.type === 'export_statement') return node.childForFieldName('declaration') ?? node;
  if (node.type === 'decorated_definition') return node.childForFieldName('definition') ?? node;
  if (node.type === 'ambient_declaration') return node.firstNamedChild ?? node; // `declare namespace ts { … }`
  return node;
}

/** Values that make an assignment a definition. */
const DEFINING_VALUES = new Set(['arrow_function', 'function_expression', 'function', 'class', 'generator_function']);

/**
 * `module.exports.userSearch = function …`, `exports.find = async () => …`, `Foo.prototype.bar = …`:
 * the CommonJS way of defining a function. Returns the assigned member, or null.
 */
function assignedFunction(node: SyntaxNode): SyntaxNode | null {
  if (node.type !== 'expression_statement') return null;
  const expr = node.firstNamedChild;
  if (expr?.type !== 'assignment_expression') return null;
  const left = expr.childForFieldName('left');
  const right = expr.childForFieldName('right');
  if (!left || !right || left.type !== 'member_expression' || !DEFINING_VALUES.has(right.type)) return null;
  return left;
}

const ROUTE_VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'head', 'options', 'all']);

/**
 * `router.get('/orders', async (req, res) => …)`: an Express / Koa / Fastify route is the unit a
 * backend question is about, so it is a definition named by its verb and path (`ordersRouter.get /`).
 */
function routeName(node: SyntaxNode): string | null {
  if (node.type !== 'expression_statement') return null;
  const call = node.firstNamedChild;
  if (call?.type !== 'call_expression') return null;
  const fn = call.childForFieldName('function');
  if (fn?.type !== 'member_expression') return null;
  const verb = fn.childForFieldName('property')?.text ?? '';
  if (!ROUTE_VERBS.has(verb)) return null;
  const first = call.childForFieldName('arguments')?.namedChildren[0];
  if (!first || (first.type !== 'string' && first.type !== 'template_string')) return null;
  const object = fn.childForFieldName('object')?.text.replace(/\s+/g, '') ?? '';
  return `${object.split('.').pop()}.${verb} ${first.text.slice(1, -1)}`;
}

/** Class fields: `count = 0;`, `private readonly cache = new Map()`, `handler = () => …` (JS/TS); `x: int = 0` (Python class body). */
const FIELDS = new Set(['public_field_definition', 'field_definition']);

function isDefinition(node: SyntaxNode): boolean {
  const inner = unwrap(node);
  if (DEFINITIONS.has(inner.type)) return true;
  if (assignedFunction(inner) || routeName(inner)) return true;
  // `const handler = async (req, res) => { … }` and `export const x = function () {}`
  if (inner.type === 'lexical_declaration' || inner.type === 'variable_declaration') {
    return inner.namedChildren.some((d) => {
      const value = d?.childForFieldName('value')?.type;
      return value === 'arrow_function' || value === 'function_expression' || value === 'function' || value === 'class';
    });
  }
  return false;
}

function nameOf(node: SyntaxNode): string {
  const inner = unwrap(node);
  const assigned = assignedFunction(inner);
  if (assigned) {
    // module.exports.x / exports.x → x; Foo.prototype.bar → Foo.bar
    const path = assigned.text.replace(/\s+/g, '').replace(/^(?:module\.)?exports\./, '').replace(/\.prototype\./, '.');
    return path === 'module.exports' ? '' : path;
  }
  const route = routeName(inner);
  if (route) return route;
  const named = inner.childForFieldName('name');
  if (named) return named.text;
  switch (inner.type) {
    case 'lexical_declaration':
    case 'variable_declaration':
      return inner.namedChildren[0]?.childForFieldName('name')?.text ?? '';
    case 'impl_item': {
      const type = inner.childForFieldName('type')?.text ?? '';
      const trait = inner.childForFieldName('trait')?.text;
      return trait ? `${trait} for ${type}` : type;
    }
    case 'type_declaration':
      return inner.namedChildren.find((c) => c?.type === 'type_spec')?.childForFieldName('name')?.text ?? '';
    case 'function_definition': {
      // C/C++: the name sits inside nested declarators: `int Foo::bar(int x)` → Foo::bar
      const declarator = inner.childForFieldName('declarator')?.text ?? '';
      return declarator.split('(')[0].replace(/^[*&\s]+/, '').trim();
    }
    case 'rule_set':
      return inner.namedChildren[0]?.text.replace(/\s+/g, ' ').slice(0, 80) ?? '';
    default:
      return '';
  }
}

/** The node holding a definition's members or statements. */
function bodyOf(node: SyntaxNode): SyntaxNode | null {
  const inner = unwrap(node);
  const body = inner.childForFieldName('body');
  if (body) return body;
  if (inner.type === 'lexical_declaration' || inner.type === 'variable_declaration') {
    const value = inner.namedChildren[0]?.childForFieldName('value');
    return value?.childForFieldName('body') ?? null;
  }
  if (assignedFunction(inner)) return inner.firstNamedChild?.childForFieldName('right')?.childForFieldName('body') ?? null;
  return null;
}

/** Names of the methods and fields directly in a class-like definition's body. */
function memberNames(node: SyntaxNode): string[] {
  const body = bodyOf(node);
  if (!body || !body.namedChildren.some((c) => c !== null && (isDefinition(c) || fieldName(c) !== undefined))) return [];
  const names: string[] = [];
  for (const c of body.namedChildren) {
    if (!c) continue;
    const name = isDefinition(c) ? nameOf(c) : fieldName(c);
    if (name && !names.includes(name)) names.push(name);
  }
  return names;
}

/** Names a non-definition member of a class body defines (fields), for the chunk's symbol list. */
function fieldName(node: SyntaxNode): string | undefined {
  if (FIELDS.has(node.type)) return (node.childForFieldName('name') ?? node.childForFieldName('property'))?.text;
  // Python: `name = value` / `name: T = value` directly in a class body
  if (node.type === 'expression_statement') {
    const expr = node.firstNamedChild;
    if (expr?.type === 'assignment') {
      const left = expr.childForFieldName('left');
      if (left?.type === 'identifier') return left.text;
    }
  }
  return undefined;
}

export async function chunkWithGrammar(language: GrammarLanguage, text: string): Promise<Chunk[]> {
  const tree = await parse(language, text);
  try {
    const lines = text.split('\n');
    const regions: Region[] = [];
    collect(tree.rootNode, 0, lines.length - 1, [], undefined, lines, regions);
    regions.sort((a, b) => a.startRow - b.startRow);
    return toChunks(lines, mergeSmall(lines, regions), language);
  } finally {
    tree.delete(); // WASM memory is not garbage-collected
  }
}

/**
 * Emits regions for rows [fromRow, toRow] of `parent`'s children: definitions as their own regions,
 * everything else as glue. `scope` is the qualified name prefix, `context` the enclosing signature.
 */
function collect(
  parent: SyntaxNode, fromRow: number, toRow: number, scope: string[], context: string | undefined,
  lines: readonly string[], out: Region[],
): void {
  const scopeName = scope.join('.');
  let glueStart = fromRow;
  let commentStart: number | undefined; // first row of a run of comments directly above the next node
  let lastEnd = fromRow - 1;
  // Fields declared in the current run of glue (class scope only): the glue chunk defines them.
  let fields: string[] = [];
  const glueSymbol = (): string => {
    const names = fields.length ? fields.map((f) => `${scopeName}.${f}`) : [];
    fields = [];
    return names.length ? names.join(', ') : scopeName;
  };
  for (const child of parent.children) {
    if (!child) continue;
    const start = child.startPosition.row;
    const end = child.endPosition.row;
    if (end < fromRow || start > toRow) continue;
    const field = scope.length ? fieldName(child) : undefined;
    if (field) fields.push(field);
    if (COMMENTS.has(child.type)) {
      if (commentStart === undefined || start > lastEnd + 1) commentStart = start;
      lastEnd = end;
      continue;
    }
    if (isDefinition(child)) {
      const defStart = commentStart !== undefined && start <= lastEnd + 1 ? Math.max(commentStart, glueStart) : start;
      if (defStart > glueStart) out.push(...lineWindows(lines, glueStart, defStart - 1, glueSymbol(), context));
      else fields = [];
      emitDefinition(child, Math.max(defStart, glueStart), Math.min(end, toRow), scope, context, lines, out);
      glueStart = Math.min(end, toRow) + 1;
    }
    commentStart = undefined;
    lastEnd = end;
  }
  if (glueStart <= toRow) out.push(...lineWindows(lines, glueStart, toRow, glueSymbol(), context));
}

function emitDefinition(
  node: SyntaxNode, startRow: number, endRow: number, scope: string[], context: string | undefined,
  lines: readonly string[], out: Region[],
): void {
  if (startRow > endRow) return; // shares its only line with the previous definition: already covered
  const name = nameOf(node) || unwrap(node).type;
  const qualified = [...scope, name].join('.');
  const region: Region = { startRow, endRow, symbol: qualified, context };
  if (regionChars(lines, region) <= MAX_CHUNK_CHARS) {
    // A small class in one chunk defines its members too: `followers_count` must find `User`'s chunk.
    const members = memberNames(node);
    if (members.length) region.symbol = [qualified, ...members.map((m) => `${qualified}.${m}`)].join(', ');
    out.push(region);
    return;
  }
  const body = bodyOf(node);
  const signature = lines[unwrap(node).startPosition.row].trim().slice(0, 200);
  const innerContext = context ? `${context}\n${signature}` : signature;
  if (!body || body.startPosition.row >= endRow) {
    out.push(...lineWindows(lines, startRow, endRow, qualified, context));
    return;
  }
  const bodyStart = body.startPosition.row;
  const hasMembers = body.namedChildren.some((c) => c !== null && isDefinition(c));
  if (hasMembers) {
    // Class-like: the header (through the line that opens the body) is glue of the class scope;
    // members recurse with the class name as scope and the header line as their context.
    out.push(...lineWindows(lines, startRow, bodyStart, qualified, context));
    collect(body, bodyStart + 1, endRow, [...scope, name], innerContext, lines, out);
    return;
  }
  // Function-like: cut at statement boundaries; the first piece holds the signature itself.
  const pieces: Region[] = [];
  let pieceStart = startRow;
  let size = 0;
  for (const stmt of body.namedChildren) {
    if (!stmt) continue;
    const stmtEnd = Math.min(stmt.endPosition.row, endRow);
    const stmtSize = regionChars(lines, { startRow: Math.max(stmt.startPosition.row, pieceStart), endRow: stmtEnd, symbol: '' });
    if (size > 0 && size + stmtSize > MAX_CHUNK_CHARS) {
      const cut = Math.max(pieceStart, stmt.startPosition.row - 1);
      pieces.push({ startRow: pieceStart, endRow: cut, symbol: qualified });
      pieceStart = cut + 1;
      size = 0;
    }
    size += stmtSize;
  }
  pieces.push({ startRow: pieceStart, endRow, symbol: qualified });
  for (const piece of pieces) {
    const ctx = piece.startRow === startRow ? context : innerContext;
    // A single statement can itself be huge (a long object literal): window it.
    if (regionChars(lines, piece) > MAX_CHUNK_CHARS * 1.5) out.push(...lineWindows(lines, piece.startRow, piece.endRow, qualified, ctx));
    else out.push({ ...piece, context: ctx });
  }
}
