/**
 * The "parameterise" fix for Go and Java: SQL built with `+` or a format call (fmt.Sprintf,
 * String.format) becomes a plain string with placeholders, and the values become arguments of the
 * query call — database/sql, sqlx, pgx, gorm and Spring's JdbcTemplate bind them; nothing is formatted
 * into the text any more. Which calls take bound values after the SQL, and which placeholder they
 * expect, is the language's `bindSite` (go.ts, java.ts); the rewrite itself is shared.
 *
 * When the placeholder cannot be told (a Go file that names no driver), both fixes are offered and
 * neither is preferred — picking one silently would produce a query that fails at run time.
 *
 * No fix (only the suppression and "Explain & fix with AI") where a rewrite would be a guess: a value in
 * an identifier position (ORDER BY, table names), inside IN (…), a format call that also formats a name,
 * or bound values that do not line up one-to-one with the statement's placeholders (`args...`, arrays).
 */
import type { FixWire, TextEditWire } from '../../../protocol';
import type { SyntaxNode } from '../../syntax/treeSitter';
import { insertAt, replaceNode, type FileContext } from '../model';
import { highestDollarPlaceholder, inIdentifierPosition, liftQuotedValue, questionPlaceholders, type OutPart } from '../spliceRewrite';
import type { StaticConstness, StaticPart } from './constness';
import type { Callee, PlaceholderStyle, StaticSpec } from './spec';

export interface SqlSink {
  call: SyntaxNode;
  callee: Callee;
  /** The argument that carries the SQL text. */
  sqlArg: SyntaxNode;
}

export function parameterizeFixes(file: FileContext, sink: SqlSink, constness: StaticConstness, spec: StaticSpec): FixWire[] {
  const sources = constness.sources(sink.sqlArg);
  const pieces = constness.pieces(sink.sqlArg);
  const argIndex = sink.callee.args.findIndex((a) => a.id === sink.sqlArg.id);
  if (sources.length === 0 || sources.length !== pieces.length || argIndex < 0) return [];
  const text = sqlText(pieces);
  const site = spec.bindSite?.(sink.call, sink.callee, argIndex, text, file.text);
  if (!site) return [];
  const values = sink.callee.args.slice(site.firstValueArg);
  const rewrites = site.styles
    .filter((style) => (style === 'dollar' ? highestDollarPlaceholder(text) : questionPlaceholders(text)) === values.length)
    .map((style) => ({ style, edits: rewrite(file, sink, sources, pieces, constness, style, values) }))
    .filter((r): r is { style: PlaceholderStyle; edits: TextEditWire[] } => r.edits !== null);
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

/** The statement's text, values as blanks. */
function sqlText(pieces: StaticPart[][]): string {
  return pieces.flatMap((p) => p.map((x) => (x.kind === 'text' ? x.value : ' '))).join('');
}

function rewrite(
  file: FileContext,
  sink: SqlSink,
  sources: SyntaxNode[],
  pieces: StaticPart[][],
  constness: StaticConstness,
  style: PlaceholderStyle,
  bound: SyntaxNode[],
): TextEditWire[] | null {
  let dollar = highestDollarPlaceholder(pieces.flatMap((p) => p.map((x) => (x.kind === 'text' ? x.value : ''))).join(''));
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
        questionsBefore += questionPlaceholders(value);
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
        if (lifted.prefix || lifted.suffix) value = [stringLiteral(lifted.prefix), value, stringLiteral(lifted.suffix)].filter((x) => x !== '""').join(' + ');
      }
      const placeholder = style === 'dollar' ? `$${++dollar}` : '?';
      out.push({ kind: 'text', value: placeholder });
      before += placeholder;
      inserts.push({ at: style === 'dollar' ? Number.MAX_SAFE_INTEGER : questionsBefore, text: value });
      if (style === 'question') questionsBefore++;
      changed = true;
    }
    if (changed) edits.push(replaceNode(file, sources[s], emitConcatenation(out)));
  }
  if (inserts.length === 0) return null;
  edits.push(...argumentEdits(file, sink, bound, inserts));
  return edits;
}

/** New values into the call's arguments: appended (`$n`), or before the value of the first later `?`. */
function argumentEdits(file: FileContext, sink: SqlSink, bound: SyntaxNode[], inserts: Array<{ at: number; text: string }>): TextEditWire[] {
  const byAnchor = new Map<number, string[]>();
  inserts.forEach((v, k) => {
    // `at` counts the `?`s before this one, new ones included; minus the new ones before it = the old argument index.
    const anchor = v.at === Number.MAX_SAFE_INTEGER ? bound.length : Math.min(bound.length, v.at - inserts.slice(0, k).filter((x) => x.at !== Number.MAX_SAFE_INTEGER).length);
    byAnchor.set(anchor, [...(byAnchor.get(anchor) ?? []), v.text]);
  });
  const out: TextEditWire[] = [];
  for (const [anchor, values] of byAnchor) {
    // After the call's last argument: the last bound value, or whatever precedes the values (the SQL,
    // a RowMapper) when there are none yet.
    if (anchor >= bound.length) out.push(insertAt(file, sink.callee.args[sink.callee.args.length - 1].endIndex, `, ${values.join(', ')}`));
    else out.push(insertAt(file, bound[anchor].startIndex, `${values.join(', ')}, `));
  }
  return out;
}

/**
 * Adjacent text parts joined into one: `%%` and the text around it arrive as separate parts (the quote
 * logic needs them as one), and so do a placeholder and the text after it (one literal, not `"a" + "b"`).
 */
function mergeText<P extends StaticPart | OutPart>(parts: readonly P[]): P[] {
  const out: P[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.kind === 'text' && last?.kind === 'text') out[out.length - 1] = { kind: 'text', value: last.value + p.value } as P;
    else out.push(p);
  }
  return out;
}

/** The rewritten SQL as a `+` chain of string literals and the constants that stay spliced. */
function emitConcatenation(parts: OutPart[]): string {
  return (
    mergeText(parts)
      .filter((p) => p.kind === 'expr' || p.value !== '')
      .map((p) => (p.kind === 'text' ? stringLiteral(p.value) : p.text))
      .join(' + ') || '""'
  );
}

/** A Go interpreted / Java string literal (JSON's escapes are valid escapes in both). */
function stringLiteral(text: string): string {
  return JSON.stringify(text);
}
