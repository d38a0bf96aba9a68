/**
 * The "parameterise" fix for Go: SQL built with `+` or fmt.Sprintf becomes a plain string with
 * placeholders, and the values become arguments of the query call — database/sql, sqlx and pgx bind
 * them; nothing is formatted into the text any more.
 *
 * The placeholder depends on the driver, which the call does not name: `$n` for PostgreSQL (lib/pq,
 * pgx), `?` for MySQL, SQLite and gorm. Keel follows, in order, the placeholders the statement already
 * uses, gorm's own rule, and the driver the file imports. When none of these settles it, both fixes are
 * offered and neither is preferred — picking one silently would produce a query that fails at run time.
 *
 * No fix (only the suppression and "Explain & fix with AI") where a rewrite would be a guess: a value
 * in an identifier position (ORDER BY, table names), inside IN (…), a Sprintf that also formats
 * non-SQL-value verbs, or a call whose arguments end in a `args...` spread.
 */
import type { FixWire, TextEditWire } from '../../../protocol';
import type { SyntaxNode } from '../../syntax/treeSitter';
import { insertAt, replaceNode, type FileContext } from '../model';
import { inIdentifierPosition, liftQuotedValue, type OutPart } from '../spliceRewrite';
import type { StaticConstness, StaticPart } from './constness';
import type { Callee } from './spec';

type Style = 'dollar' | 'question';

const DOLLAR_DRIVERS = /"github\.com\/(?:lib\/pq|jackc\/pgx[^"]*)"/;
const QUESTION_DRIVERS = /"(?:github\.com\/go-sql-driver\/mysql|github\.com\/mattn\/go-sqlite3|modernc\.org\/sqlite|gorm\.io\/[^"]*|github\.com\/jinzhu\/gorm)"/;
const GORM_SINKS = new Set(['Raw', 'Where', 'Or', 'Not', 'Having', 'Joins', 'Order', 'Group']);

export interface GoSink {
  call: SyntaxNode;
  callee: Callee;
  /** The argument that carries the SQL text. */
  sqlArg: SyntaxNode;
}

export function goParameterizeFixes(file: FileContext, sink: GoSink, constness: StaticConstness): FixWire[] {
  const sources = constness.sources(sink.sqlArg);
  const pieces = constness.pieces(sink.sqlArg);
  if (sources.length === 0 || sources.length !== pieces.length) return [];
  const argIndex = sink.callee.args.findIndex((a) => a.id === sink.sqlArg.id);
  const extra = sink.callee.args.slice(argIndex + 1);
  if (argIndex < 0 || sink.call.childForFieldName('arguments')?.text.trimEnd().endsWith('...)')) return [];

  const rewrites = placeholderStyles(file, sink, pieces)
    .map((style) => ({ style, edits: rewrite(file, sink, sources, pieces, constness, style, extra) }))
    .filter((r): r is { style: Style; edits: TextEditWire[] } => r.edits !== null);
  return rewrites.map(({ style, edits }) => ({
    title:
      rewrites.length === 1
        ? 'Parameterise the query (bind values instead of formatting them in)'
        : `Parameterise the query with ${style === 'dollar' ? '$1 placeholders (PostgreSQL: lib/pq, pgx)' : '? placeholders (MySQL, SQLite)'}`,
    kind: 'parameterize' as const,
    isPreferred: rewrites.length === 1,
    edits,
  }));
}

function placeholderStyles(file: FileContext, sink: GoSink, pieces: StaticPart[][]): Style[] {
  const text = pieces.flatMap((p) => p.map((x) => (x.kind === 'text' ? x.value : ' '))).join('');
  if (/\$\d/.test(text)) return ['dollar'];
  if (/\?/.test(text.replace(/'[^']*'/g, ''))) return ['question'];
  if (GORM_SINKS.has(sink.callee.name) && !/\b(?:sqlx|pgx)\b/.test(sink.callee.receiver.join('.'))) return ['question'];
  const dollar = DOLLAR_DRIVERS.test(file.text);
  const question = QUESTION_DRIVERS.test(file.text);
  if (dollar !== question) return [dollar ? 'dollar' : 'question'];
  return ['dollar', 'question'];
}

function rewrite(
  file: FileContext,
  sink: GoSink,
  sources: SyntaxNode[],
  pieces: StaticPart[][],
  constness: StaticConstness,
  style: Style,
  extra: SyntaxNode[],
): TextEditWire[] | null {
  const allText = pieces.flatMap((p) => p.map((x) => (x.kind === 'text' ? x.value : ''))).join('');
  let dollar = Math.max(0, ...[...allText.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
  // `?` binds by position: a new value goes after the arguments of the `?`s before it.
  const inserts: Array<{ at: number; text: string }> = [];
  const edits: TextEditWire[] = [];
  let before = '';
  let questionsBefore = 0;
  for (let s = 0; s < sources.length; s++) {
    const parts = mergeText(pieces[s]);
    const fromFormat = sources[s].type === 'call_expression';
    const out: OutPart[] = [];
    let changed = false;
    let parity = 0;
    let skip: string | null = null;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part.kind === 'text') {
        const value = skip !== null ? part.value.slice(skip.length + 1) : part.value;
        skip = null;
        out.push({ kind: 'text', value });
        before += value;
        questionsBefore += (value.replace(/'[^']*'/g, '').match(/\?/g) ?? []).length;
        parity = (parity + [...value].filter((c) => c === "'").length) % 2;
        continue;
      }
      const constant = part.safe || constness.check(part.node) === null;
      const identifier = inIdentifierPosition(before);
      if (constant && !fromFormat) {
        // A constant stays spliced into the `+` chain.
        out.push({ kind: 'expr', text: part.node.text });
        before += 'x';
        continue;
      }
      // A Sprintf becomes a plain string, so each of its values is bound (numbers too: binding one is
      // always valid in a value position); one that is a table or column name cannot be.
      if (identifier || /\bin\s*\(\s*$/i.test(before)) return null;
      let value = part.node.text;
      if (parity === 1) {
        const lifted = liftQuotedValue(out[out.length - 1], parts[i + 1]);
        if (!lifted) return null;
        skip = lifted.suffix;
        parity = 0;
        if (lifted.prefix || lifted.suffix) value = [goString(lifted.prefix), value, goString(lifted.suffix)].filter((x) => x !== '""').join(' + ');
      }
      const placeholder = style === 'dollar' ? `$${++dollar}` : '?';
      out.push({ kind: 'text', value: placeholder });
      before += placeholder;
      inserts.push({ at: style === 'dollar' ? Number.MAX_SAFE_INTEGER : questionsBefore, text: value });
      if (style === 'question') questionsBefore++;
      changed = true;
    }
    if (changed) edits.push(replaceNode(file, sources[s], emitGo(out)));
  }
  if (inserts.length === 0) return null;
  edits.push(...argumentEdits(file, sink, extra, inserts));
  return edits;
}

/** New values into the call's arguments: appended (`$n`), or before the value of the first later `?`. */
function argumentEdits(file: FileContext, sink: GoSink, extra: SyntaxNode[], inserts: Array<{ at: number; text: string }>): TextEditWire[] {
  const byAnchor = new Map<number, string[]>();
  inserts.forEach((v, k) => {
    // `at` counts the `?`s before this one, new ones included; minus the new ones before it = the old argument index.
    const anchor = v.at === Number.MAX_SAFE_INTEGER ? extra.length : Math.min(extra.length, v.at - inserts.slice(0, k).filter((x) => x.at !== Number.MAX_SAFE_INTEGER).length);
    byAnchor.set(anchor, [...(byAnchor.get(anchor) ?? []), v.text]);
  });
  const out: TextEditWire[] = [];
  for (const [anchor, values] of byAnchor) {
    if (anchor >= extra.length) out.push(insertAt(file, (extra[extra.length - 1] ?? sink.sqlArg).endIndex, `, ${values.join(', ')}`));
    else out.push(insertAt(file, extra[anchor].startIndex, `${values.join(', ')}, `));
  }
  return out;
}

/** `%%` and the text around it arrive as separate parts; the quote logic needs them as one. */
function mergeText(parts: StaticPart[]): StaticPart[] {
  const out: StaticPart[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', value: last.value + p.value };
    else out.push(p);
  }
  return out;
}

function emitGo(parts: OutPart[]): string {
  const merged: OutPart[] = [];
  for (const p of parts) {
    const last = merged[merged.length - 1];
    if (p.kind === 'text' && last?.kind === 'text') last.value += p.value;
    else merged.push({ ...p });
  }
  return merged
    .filter((p) => p.kind === 'expr' || p.value !== '')
    .map((p) => (p.kind === 'text' ? goString(p.value) : p.text))
    .join(' + ') || '""';
}

/** A Go interpreted string literal (JSON's escapes are all valid Go escapes). */
function goString(text: string): string {
  return JSON.stringify(text);
}
