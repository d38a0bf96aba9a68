/**
 * The "parameterise" fix for Python: f-strings, `+` chains, `%` and `.format` building SQL become a
 * plain string with the driver's placeholders and the values passed separately — DB-API `%s` (or
 * sqlite3 `?`) with a tuple, SQLAlchemy `text()` `:name` with a dict on the execute call, asyncpg
 * `$n` as extra arguments, Django raw()/RawSQL `%s` with a params list. Literal `%` is doubled when a
 * `%s` driver starts receiving parameters. Identifier positions (ORDER BY {col}) get no fix.
 */
import type { FixWire, TextEditWire } from '../../../protocol';
import type { SyntaxNode } from '../../syntax/treeSitter';
import { insertAt, replaceNode, type FileContext } from '../model';
import type { PyConstness } from './constness';
import type { PyPiece } from './pieces';
import type { PySink } from './sinks';
import { positionalArgs, unwrapPy } from './syntax';
import { freshName, highestDollarPlaceholder, inIdentifierPosition, liftQuotedValue, type OutPart } from '../spliceRewrite';



export function pyParameterizeFix(file: FileContext, sink: PySink, pieces: readonly PyPiece[], constness: PyConstness): FixWire | null {
  if (sink.driver === 'django-extra' || sink.driver === 'pg8000' || sink.driver === 'sqlalchemy') return null;
  const execCall = sink.driver === 'sqlalchemy-text' ? executeCallAround(sink.call) : sink.call;
  if (!execCall) return null;
  const execArgs = positionalArgs(execCall);
  const existingParams = sink.driver === 'sqlalchemy-text' ? execArgs[1] : sink.driver === 'asyncpg' ? execArgs[1] : execArgs[1];
  const style: 'percent' | 'question' | 'named' | 'dollar' =
    sink.driver === 'sqlalchemy-text' ? 'named' : sink.driver === 'sqlite' ? 'question' : sink.driver === 'asyncpg' ? 'dollar' : 'percent';
  if ((style === 'percent' || style === 'question') && existingParams) return null; // would need to merge positional order
  if (pieces.some((p) => (p.form === 'opaque' && constness.check(p.expr)) || p.form === 'percent-dict')) return null;

  const allText = pieces.flatMap((p) => p.parts.map((x) => (x.kind === 'text' ? x.value : ''))).join('');
  let nextDollar = highestDollarPlaceholder(allText);
  const values: Array<{ name: string; text: string }> = [];
  const taken = new Set<string>();
  const edits: TextEditWire[] = [];
  let before = '';
  for (const piece of pieces) {
    const out: OutPart[] = [];
    let changed = false;
    let parity = 0;
    let skip: string | null = null;
    for (let i = 0; i < piece.parts.length; i++) {
      const part = piece.parts[i];
      if (part.kind === 'text') {
        let v = part.value;
        if (skip !== null) {
          v = v.slice(skip.length + 1);
          skip = null;
        }
        out.push({ kind: 'text', value: v });
        before += v;
        parity = (parity + [...v].filter((c) => c === "'").length) % 2;
        continue;
      }
      if (constness.check(part.node) === null) {
        out.push({ kind: 'expr', text: part.node.text });
        before += 'x';
        continue;
      }
      if (inIdentifierPosition(before) || /\bin\s*\(\s*$/i.test(before)) return null;
      let valueText = part.node.text;
      if (parity === 1) {
        const lifted = liftQuotedValue(out[out.length - 1], piece.parts[i + 1]);
        if (!lifted) return null;
        const { prefix, suffix } = lifted;
        skip = suffix;
        parity = 0;
        if (prefix || suffix) valueText = valueText.includes('"') ? `${pyString(prefix)} + str(${valueText}) + ${pyString(suffix)}` : `f"${escF(prefix)}{${valueText}}${escF(suffix)}"`;
      }
      changed = true;
      const name = uniqueName(part.node, taken);
      values.push({ name, text: valueText });
      const placeholder = style === 'named' ? `:${name}` : style === 'question' ? '?' : style === 'dollar' ? `$${++nextDollar}` : '%s';
      out.push({ kind: 'text', value: `\u0000${placeholder}` });
      before += placeholder;
    }
    if (!changed) continue;
    edits.push(replaceNode(file, piece.expr, emitPy(out, style === 'percent' && !existingParams)));
  }
  if (edits.length === 0) return null;
  const valuesEdit = paramsEdit(file, sink, execCall, execArgs, style, values);
  if (!valuesEdit) return null;
  edits.push(valuesEdit);
  return { title: 'Parameterise the query (bind values instead of formatting them in)', kind: 'parameterize', isPreferred: true, edits };
}

/** session.execute(text(…)) / conn.execute(text(…)): the call that receives the bind values. */
function executeCallAround(textCall: SyntaxNode): SyntaxNode | null {
  const args = textCall.parent;
  const call = args?.parent;
  if (args?.type !== 'argument_list' || call?.type !== 'call') return null;
  return positionalArgs(call)[0]?.id === textCall.id ? call : null;
}

function paramsEdit(
  file: FileContext,
  sink: PySink,
  execCall: SyntaxNode,
  execArgs: SyntaxNode[],
  style: string,
  values: Array<{ name: string; text: string }>,
): TextEditWire | null {
  const sqlEnd = (sink.driver === 'sqlalchemy-text' ? sink.call : sink.sqlArg).endIndex;
  if (style === 'named') {
    const entries = values.map((v) => `"${v.name}": ${v.text}`).join(', ');
    const existing = execArgs[1] ? unwrapPy(execArgs[1]) : null;
    if (!existing) return insertAt(file, sqlEnd, `, {${entries}}`);
    if (existing.type === 'dictionary') {
      const empty = existing.namedChildren.filter((c) => c?.type === 'pair').length === 0;
      return insertAt(file, existing.endIndex - 1, empty ? entries : `, ${entries}`);
    }
    return null;
  }
  if (style === 'dollar') return insertAt(file, (execArgs[execArgs.length - 1] ?? sink.sqlArg).endIndex, `, ${values.map((v) => v.text).join(', ')}`);
  const list = values.map((v) => v.text);
  const container = sink.driver === 'django-raw' ? `[${list.join(', ')}]` : `(${list.join(', ')}${list.length === 1 ? ',' : ''})`;
  return insertAt(file, sqlEnd, `, ${container}`);
}


function uniqueName(node: SyntaxNode, taken: Set<string>): string {
  const n = unwrapPy(node);
  return freshName(n.type === 'identifier' ? n.text : n.type === 'attribute' ? (n.childForFieldName('attribute')?.text ?? 'p') : n.type === 'subscript' ? (/['"](\w+)['"]/.exec(n.text)?.[1] ?? 'p') : 'p', taken);
}

function escF(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\{/g, '{{').replace(/\}/g, '}}');
}

function pyString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** Emit parts as a Python string (f-string if constant expressions remain); `\0` marks placeholders. */
function emitPy(parts: OutPart[], doublePercent: boolean): string {
  const hasExpr = parts.some((p) => p.kind === 'expr');
  const text = (v: string): string => {
    let s = v.startsWith('\u0000') ? v.slice(1) : doublePercent ? v.replace(/%/g, '%%') : v;
    s = s.replace(/\\/g, '\\\\');
    if (hasExpr) s = s.replace(/\{/g, '{{').replace(/\}/g, '}}');
    return s;
  };
  const body = parts.map((p) => (p.kind === 'text' ? splitMarked(p.value).map(text).join('') : `{${p.text}}`)).join('');
  const multiline = body.includes('\n');
  const quote = multiline ? '"""' : '"';
  const escaped = multiline ? body.replace(/"""/g, '\\"\\"\\"').replace(/"$/, '\\"') : body.replace(/"/g, '\\"').replace(/\n/g, '\\n');
  return `${hasExpr ? 'f' : ''}${quote}${escaped}${quote}`;
}

/** Text parts may carry a placeholder marker mid-way after merges; split so each is escaped right. */
function splitMarked(value: string): string[] {
  const idx = value.indexOf('\u0000');
  if (idx <= 0) return [value];
  return [value.slice(0, idx), value.slice(idx)];
}
