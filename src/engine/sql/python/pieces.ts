/**
 * SQL text as it is built in Python source — f-strings, `+` chains, `"…" % args`, `"…".format(…)`
 * and variables assembled with `sql = …; sql += …` — flattened into literal text and expression
 * holes (for the SQL parser and for the parameterise fix).
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { HOLE } from '../sqlText';
import { assembledPieces, percentFormatParts, pushText, type TextPart } from '../textParts';
import type { PyConstness } from './constness';
import { positionalArgs, unwrapPy } from './syntax';

export type PyPart = TextPart;

export interface PyPiece {
  expr: SyntaxNode;
  parts: PyPart[];
  /** How the piece formats values: f-string/concat holes, or `%`/`.format` templates. */
  form: 'fstring' | 'concat' | 'percent' | 'percent-dict' | 'format' | 'literal' | 'opaque';
}

/** Literal text of a string node: escapes cooked, f-string `{{`/`}}` collapsed. */
export function cookedPieces(str: SyntaxNode): PyPart[] {
  const start = str.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '"';
  const prefix = start.replace(/['"]+$/, '').toLowerCase();
  const raw = prefix.includes('r');
  const isF = prefix.includes('f');
  const parts: PyPart[] = [];
  for (const c of str.namedChildren) {
    if (!c) continue;
    if (c.type === 'string_content') {
      let v = raw ? c.text : cook(c.text);
      if (isF) v = v.replace(/\{\{/g, '{').replace(/\}\}/g, '}');
      pushText(parts, v);
    } else if (c.type === 'interpolation') {
      const inner = c.childForFieldName('expression') ?? c.namedChildren[0];
      if (inner) parts.push({ kind: 'expr', node: inner });
    }
  }
  return parts;
}

function cook(text: string): string {
  const table: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0', '\n': '' };
  return text.replace(/\\(.)/gs, (m, c: string) => (c in table ? table[c] : m));
}


export function flattenPy(expr: SyntaxNode): PyPiece | null {
  const n = unwrapPy(expr);
  if (n.type === 'string') {
    const parts = cookedPieces(n);
    return { expr: n, parts, form: parts.some((p) => p.kind === 'expr') ? 'fstring' : 'literal' };
  }
  if (n.type === 'concatenated_string') {
    const parts: PyPart[] = [];
    for (const s of n.namedChildren) if (s?.type === 'string') for (const p of cookedPieces(s)) p.kind === 'text' ? pushText(parts, p.value) : parts.push(p);
    return { expr: n, parts, form: parts.some((p) => p.kind === 'expr') ? 'fstring' : 'literal' };
  }
  if (n.type === 'binary_operator') {
    const op = n.childForFieldName('operator')?.text;
    const left = n.childForFieldName('left')!;
    const right = n.childForFieldName('right')!;
    if (op === '+') {
      const l = flattenPy(left)?.parts ?? [{ kind: 'expr', node: left } as PyPart];
      const r = flattenPy(right)?.parts ?? [{ kind: 'expr', node: right } as PyPart];
      if (!l.some((p) => p.kind === 'text') && !r.some((p) => p.kind === 'text')) return null;
      const parts = [...l];
      for (const p of r) p.kind === 'text' ? pushText(parts, p.value) : parts.push(p);
      return { expr: n, parts, form: 'concat' };
    }
    if (op === '%') {
      const fmt = flattenPy(left);
      if (!fmt || fmt.form !== 'literal') return null;
      const r = unwrapPy(right);
      const values = r.type === 'tuple' ? r.namedChildren.filter((c): c is SyntaxNode => c !== null) : [r];
      if (r.type === 'dictionary') return percentDict(n, (fmt.parts[0] as { value: string } | undefined)?.value ?? '', r);
      const text = (fmt.parts[0] as { value: string } | undefined)?.value ?? '';
      const parts = percentFormatParts(text, /%%|%[sdrif]/g, values, true);
      return parts ? { expr: n, parts, form: 'percent' } : null;
    }
    return null;
  }
  if (n.type === 'call') {
    const fn = n.childForFieldName('function');
    if (fn?.type !== 'attribute' || fn.childForFieldName('attribute')?.text !== 'format') return null;
    const fmt = flattenPy(fn.childForFieldName('object')!);
    if (!fmt || fmt.form !== 'literal') return null;
    const text = (fmt.parts[0] as { value: string } | undefined)?.value ?? '';
    const positional = positionalArgs(n);
    const keywords = new Map<string, SyntaxNode>();
    for (const c of n.childForFieldName('arguments')?.namedChildren ?? []) {
      if (c?.type === 'keyword_argument') keywords.set(c.childForFieldName('name')!.text, c.childForFieldName('value')!);
    }
    const parts: PyPart[] = [];
    let auto = 0;
    let last = 0;
    for (const m of text.matchAll(/\{\{|\}\}|\{([^{}!:]*)(?:![rsa])?(?::[^{}]*)?\}/g)) {
      pushText(parts, text.slice(last, m.index));
      last = m.index! + m[0].length;
      if (m[0] === '{{' || m[0] === '}}') {
        pushText(parts, m[0][0]);
        continue;
      }
      const field = m[1];
      const node = field === '' ? positional[auto++] : /^\d+$/.test(field) ? positional[Number(field)] : keywords.get(field);
      if (!node) return null;
      parts.push({ kind: 'expr', node });
    }
    pushText(parts, text.slice(last));
    return { expr: n, parts, form: 'format' };
  }
  return null;
}

/** `"… '%(name)s' …" % {'name': name}`: each `%(key)s` is the dict's value for that key (reported, not rewritten). */
function percentDict(n: SyntaxNode, text: string, dict: SyntaxNode): PyPiece | null {
  const values = new Map<string, SyntaxNode>();
  for (const pair of dict.namedChildren) {
    const k = pair?.type === 'pair' ? pair.childForFieldName('key') : null;
    const v = pair?.childForFieldName('value');
    if (k?.type === 'string' && v) values.set(cookedPieces(k).map((p) => (p.kind === 'text' ? p.value : '')).join(''), v);
  }
  const parts: PyPart[] = [];
  let last = 0;
  for (const m of text.matchAll(/%%|%\(([^)]*)\)[-#0 +]*\d*(?:\.\d+)?[sdrif]/g)) {
    pushText(parts, text.slice(last, m.index));
    last = m.index! + m[0].length;
    if (m[0] === '%%') {
      pushText(parts, '%');
      continue;
    }
    const v = values.get(m[1]);
    if (!v) return null;
    parts.push({ kind: 'expr', node: v });
  }
  pushText(parts, text.slice(last));
  return { expr: n, parts, form: 'percent-dict' };
}

const PY_RESTARTS: ReadonlySet<string> = new Set(['assign']);

/** The pieces of SQL passed as `arg` (following `sql = …` / `sql += …` before the use). */
export function pyPieces(arg: SyntaxNode, constness: PyConstness): PyPiece[] {
  const n = unwrapPy(arg);
  if (n.type === 'identifier') {
    return assembledPieces(n, constness.lookup(n), PY_RESTARTS, (_d, value): PyPiece => flattenPy(value) ?? { expr: value, parts: [{ kind: 'expr', node: value }], form: 'opaque' });
  }
  const piece = flattenPy(n);
  return piece ? [piece] : [];
}

export function pySqlText(pieces: readonly PyPiece[]): string {
  let holes = 0;
  return pieces.map((p) => p.parts.map((x) => (x.kind === 'text' ? x.value : `${HOLE}${holes++}`)).join('')).join('');
}
