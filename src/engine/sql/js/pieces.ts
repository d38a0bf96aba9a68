/**
 * SQL text as it is built in JS source: a template, a `+` chain, or a variable assembled with
 * `let sql = …; sql += …`. Flattened into literal text and expression holes, so the analyzers can
 * read the SQL (for the SQL parser) and the fixer can rewrite holes into placeholders.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { HOLE } from '../sqlText';
import { assembledPieces, percentFormatParts, pushText, type TextPart } from '../textParts';
import type { JsConstness } from './constness';
import { cookEscape, stringValue, unwrap } from './syntax';

export type Part = TextPart;

/** Elements of a local array (its initialiser and later `push`es), for `parts.join('')`. */
export type ArrayResolver = (id: SyntaxNode) => SyntaxNode[] | null;

/** Literal/template/concatenation → parts; null if `expr` is not string-building syntax. */
export function flatten(expr: SyntaxNode, arrays?: ArrayResolver): Part[] | null {
  const n = unwrap(expr);
  if (n.type === 'call_expression') {
    const fn = n.childForFieldName('function');
    const prop = fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : undefined;
    const args = n.childForFieldName('arguments')?.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment') ?? [];
    if (fn && prop === 'concat') {
      const head = flatten(fn.childForFieldName('object')!, arrays);
      if (head?.some((p) => p.kind === 'text')) {
        const out = [...head];
        for (const a of args) for (const p of flatten(a, arrays) ?? [{ kind: 'expr', node: a } as Part]) p.kind === 'text' ? pushText(out, p.value) : out.push(p);
        return out;
      }
    }
    if (fn && prop === 'join' && (args.length === 0 || unwrap(args[0]).type === 'string')) {
      const sep = args.length === 0 ? ',' : stringValue(unwrap(args[0]));
      const recv = unwrap(fn.childForFieldName('object')!);
      const elements = recv.type === 'array' ? recv.namedChildren.filter((c): c is SyntaxNode => c !== null && c.type !== 'comment') : recv.type === 'identifier' && arrays ? arrays(recv) : null;
      if (elements && elements.length > 0) {
        const out: Part[] = [];
        elements.forEach((el, i) => {
          if (i > 0) pushText(out, sep);
          const inner = el.type === 'spread_element' ? null : flatten(el, arrays);
          for (const p of inner ?? [{ kind: 'expr', node: el } as Part]) p.kind === 'text' ? pushText(out, p.value) : out.push(p);
        });
        if (out.some((p) => p.kind === 'text')) return out;
      }
    }
  }
  if (n.type === 'string') return [{ kind: 'text', value: stringValue(n) }];
  if (n.type === 'template_string') {
    const parts: Part[] = [];
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'string_fragment') pushText(parts, c.text);
      else if (c.type === 'escape_sequence') pushText(parts, cookEscape(c.text));
      else if (c.type === 'template_substitution' && c.namedChildren[0]) parts.push({ kind: 'expr', node: c.namedChildren[0] });
    }
    return parts;
  }
  if (n.type === 'binary_expression' && n.childForFieldName('operator')?.text === '+') {
    const left = n.childForFieldName('left')!;
    const right = n.childForFieldName('right')!;
    const l = flatten(left) ?? [{ kind: 'expr', node: left } as Part];
    const r = flatten(right) ?? [{ kind: 'expr', node: right } as Part];
    // `a + b` of two non-strings is arithmetic, not SQL building.
    if (!l.some((p) => p.kind === 'text') && !r.some((p) => p.kind === 'text')) return null;
    const out = [...l];
    for (const p of r) if (p.kind === 'text') pushText(out, p.value);
    else out.push(p);
    return out;
  }
  if (n.type === 'call_expression' && /^(util\.)?format$/.test(n.childForFieldName('function')?.text ?? '')) {
    const args = n.childForFieldName('arguments')?.namedChildren.filter((c): c is SyntaxNode => c !== null) ?? [];
    const fmt = args[0] ? unwrap(args[0]) : null;
    if (fmt?.type !== 'string') return null;
    return percentFormatParts(stringValue(fmt), /%%|%[sdifjoO]/g, args.slice(1), false);
  }
  return null;
}


/** One place SQL text is written: the expression and the parts it flattens to. */
export interface SqlPiece {
  expr: SyntaxNode;
  parts: Part[];
  /** The declaration/assignment node holding it, when the SQL is assembled in a variable. */
  holder?: SyntaxNode;
}

const JS_RESTARTS: ReadonlySet<string> = new Set(['init', 'assign']);

/**
 * The pieces making up the SQL passed as `arg`, in source order: the argument itself, or the
 * initialiser and `+=` appends of the variable it names (an `=` reassignment restarts the text).
 */
export function sqlPieces(arg: SyntaxNode, constness: JsConstness): SqlPiece[] {
  const n = unwrap(arg);
  if (n.type === 'identifier') {
    return assembledPieces(n, constness.lookup(n), JS_RESTARTS, (d, value) => ({ expr: value, parts: flatten(value, (id) => constness.arrayElements(id)) ?? [{ kind: 'expr', node: value }], holder: d.node }));
  }
  const parts = flatten(n, (id) => constness.arrayElements(id));
  return parts ? [{ expr: n, parts }] : [];
}

/** SQL text of the pieces with every expression replaced by a hole (constant identifiers inlined). */
export function sqlTextOf(pieces: readonly SqlPiece[], constness: JsConstness, depth = 0): string {
  let text = '';
  let holes = 0;
  for (const piece of pieces) {
    for (const p of piece.parts) {
      if (p.kind === 'text') {
        text += p.value;
        continue;
      }
      const inner = unwrap(p.node);
      if (depth < 2 && inner.type === 'identifier' && constness.check(inner) === null) {
        const sub = sqlPieces(inner, constness);
        if (sub.length > 0) {
          text += sqlTextOf(sub, constness, depth + 1);
          continue;
        }
      }
      text += `${HOLE}${holes++}`;
    }
  }
  return text;
}
