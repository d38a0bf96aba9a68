/**
 * The "parameterise" fix for JS/TS: rewrites SQL built by interpolation into the driver's
 * placeholder form and passes the values separately — pg `$n` + values array, mysql/sqlite/knex `?`
 * + array, Sequelize `?` + `{ replacements }`, TypeORM `:name` + parameters object, Prisma
 * `$queryRawUnsafe(\`…${x}…\`)` → `$queryRaw\`…${x}…\`` (the tagged form binds every `${}`).
 * Quotes around a spliced value (`'${name}'`, `'%${q}%'`) move into the bound value, so behaviour is
 * kept. Values in identifier positions (ORDER BY ${col}, table names) cannot be bound: no fix then.
 */
import type { FixWire, TextEditWire } from '../../../protocol';
import type { SyntaxNode } from '../../syntax/treeSitter';
import { insertAt, replaceNode, type FileContext } from '../model';
import type { JsConstness } from './constness';
import type { Part, SqlPiece } from './pieces';
import type { JsSink } from './sinks';
import { argumentsOf, calleeOf, calleeName, unwrap } from './syntax';
import { freshName, highestDollarPlaceholder, inIdentifierPosition, liftQuotedValue, type OutPart } from '../spliceRewrite';

type Style = 'dollar' | 'question' | 'named' | 'tagged';

export function parameterizeFix(file: FileContext, sink: JsSink, pieces: readonly SqlPiece[], constness: JsConstness): FixWire | null {
  let style = styleFor(sink);
  if (!style) return null;
  const args = argumentsOf(sink.call);
  if (style === 'tagged' && !(pieces.length === 1 && pieces[0].expr.id === unwrap(sink.sqlArg).id && args.length === 1)) style = 'dollar';
  if (style === 'tagged' && safeHoleInIdentifierPosition(pieces, constness)) style = 'dollar';

  const allText = pieces.flatMap((p) => p.parts.filter((x): x is Extract<Part, { kind: 'text' }> => x.kind === 'text').map((x) => x.value)).join(' ');
  let nextDollar = highestDollarPlaceholder(allText);
  if (style === 'question' && allText.includes('?')) return null; // existing positional binds: order unknowable
  const values: string[] = [];
  const names = new Set<string>();
  const edits: TextEditWire[] = [];
  let before = '';

  for (const piece of pieces) {
    const out: OutPart[] = [];
    let changed = false;
    let quoteParity = 0;
    let skipSuffix: string | null = null;
    for (let i = 0; i < piece.parts.length; i++) {
      const part = piece.parts[i];
      if (part.kind === 'text') {
        let value = part.value;
        if (skipSuffix !== null) {
          value = value.slice(skipSuffix.length + 1);
          skipSuffix = null;
        }
        out.push({ kind: 'text', value });
        before += value;
        quoteParity = (quoteParity + count(value, "'")) % 2;
        continue;
      }
      const tainted = constness.check(part.node) !== null;
      if (!tainted) {
        out.push({ kind: 'expr', text: part.node.text });
        before += 'x';
        continue;
      }
      if (inIdentifierPosition(before) || /\bin\s*\(\s*$/i.test(before)) return null;
      let valueText = part.node.text;
      if (quoteParity === 1) {
        const lifted = liftQuotedValue(out[out.length - 1], piece.parts[i + 1]);
        if (!lifted) return null;
        const { prefix, suffix } = lifted;
        skipSuffix = suffix;
        quoteParity = 0;
        if (prefix || suffix) valueText = `\`${escapeTemplate(prefix)}\${${valueText}}${escapeTemplate(suffix)}\``;
      }
      changed = true;
      if (style === 'tagged') {
        out.push({ kind: 'expr', text: valueText });
        continue;
      }
      values.push(valueText);
      const placeholder = style === 'dollar' ? `$${++nextDollar}` : style === 'question' ? '?' : `:${uniqueName(part.node, names)}`;
      out.push({ kind: 'text', value: placeholder });
      before += placeholder;
    }
    if (!changed) continue;
    if (style === 'tagged') {
      edits.push(...taggedEdits(file, sink, out));
    } else {
      const asTemplate = out.some((p) => p.kind === 'expr') || piece.expr.type === 'template_string';
      edits.push(replaceNode(file, piece.expr, asTemplate ? emitTemplate(out) : emitQuoted(out)));
    }
  }
  if (edits.length === 0) return null;
  if (style !== 'tagged') {
    const valuesEdit = valuesArgumentEdit(file, sink, args, style, values, [...names]);
    if (!valuesEdit) return null;
    edits.push(valuesEdit);
  }
  return {
    title: style === 'tagged' ? `Use ${calleeName(sink.call)?.replace('Unsafe', '')}\`…\` (binds every value)` : 'Parameterise the query (bind values instead of splicing them)',
    kind: 'parameterize',
    isPreferred: true,
    edits,
  };
}

function styleFor(sink: JsSink): Style | null {
  switch (sink.driver) {
    case 'pg':
      return 'dollar';
    case 'mysql':
    case 'sqlite':
    case 'knex':
      return 'question';
    case 'sequelize':
      return sink.api.endsWith('literal') ? null : 'question';
    case 'typeorm':
      return sink.shape === 'fragment' ? 'named' : 'dollar';
    case 'prisma':
      return sink.api.endsWith('Unsafe') ? 'tagged' : null;
    default:
      return null;
  }
}


function safeHoleInIdentifierPosition(pieces: readonly SqlPiece[], constness: JsConstness): boolean {
  let before = '';
  for (const piece of pieces) {
    for (const part of piece.parts) {
      if (part.kind === 'text') before += part.value;
      else {
        if (constness.check(part.node) === null && inIdentifierPosition(before)) return true;
        before += 'x';
      }
    }
  }
  return false;
}

function taggedEdits(file: FileContext, sink: JsSink, out: OutPart[]): TextEditWire[] {
  const callee = calleeOf(sink.call);
  const prop = callee?.type === 'member_expression' ? callee.childForFieldName('property') : null;
  const args = sink.call.childForFieldName('arguments');
  if (!prop || !args) return [];
  return [replaceNode(file, prop, prop.text.replace('Unsafe', '')), replaceNode(file, args, emitTemplate(out))];
}

function valuesArgumentEdit(
  file: FileContext,
  sink: JsSink,
  args: SyntaxNode[],
  style: Style,
  values: string[],
  names: string[],
): TextEditWire | null {
  const list = values.join(', ');
  const sqlEnd = sink.sqlArg.endIndex;
  const second = args[1];
  if (style === 'named') {
    if (second) return null;
    return insertAt(file, sqlEnd, `, { ${names.map((n, i) => (n === values[i] ? n : `${n}: ${values[i]}`)).join(', ')} }`);
  }
  if (sink.driver === 'sequelize') {
    if (!second) return insertAt(file, sqlEnd, `, { replacements: [${list}] }`);
    if (second.type === 'object' && !/\breplacements\b|\bbind\b/.test(second.text)) return insertAt(file, second.startIndex + 1, ` replacements: [${list}],`);
    return null;
  }
  if (sink.driver === 'prisma') return insertAt(file, args[args.length - 1].endIndex, `, ${list}`);
  if (!second) return insertAt(file, sqlEnd, `, [${list}]`);
  if (second.type === 'array') {
    const hasItems = second.namedChildren.some((c) => c && c.type !== 'comment');
    const close = second.endIndex - 1;
    return insertAt(file, close, hasItems ? `, ${list}` : list);
  }
  // mysql-style query(sql, callback): values go between them.
  if (sink.driver === 'mysql' || sink.driver === 'sqlite') return insertAt(file, sqlEnd, `, [${list}]`);
  return null;
}

function uniqueName(node: SyntaxNode, taken: Set<string>): string {
  const n = unwrap(node);
  return freshName(n.type === 'identifier' ? n.text : n.type === 'member_expression' ? (n.childForFieldName('property')?.text ?? 'p') : 'p', taken);
}

function count(text: string, ch: string): number {
  let n = 0;
  for (const c of text) if (c === ch) n++;
  return n;
}

function escapeTemplate(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${');
}

function emitTemplate(parts: OutPart[]): string {
  return `\`${parts.map((p) => (p.kind === 'text' ? escapeTemplate(p.value) : `\${${p.text}}`)).join('')}\``;
}

function emitQuoted(parts: OutPart[]): string {
  const text = parts.map((p) => (p.kind === 'text' ? p.value : '')).join('');
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}
