/**
 * Language-neutral steps of the parameterise fix, shared by the JavaScript, Python and Go/Java
 * rewriters: where a spliced value sits in the SQL text (a value can be bound; an identifier cannot),
 * how a value spliced inside '…' loses its quotes, the placeholders a statement already has, and
 * fresh names for the bound values.
 */

/** An element of the rewritten SQL: literal text, or an expression that becomes a bound value. */
export type OutPart = { kind: 'text'; value: string } | { kind: 'expr'; text: string };

const IDENTIFIER_KEYWORDS = /\b(order\s+by|group\s+by|from|join|into|update|table|select|distinct)\b/gi;
// A comma continues whatever list it is in, so it is not a value marker on its own.
const VALUE_KEYWORDS = /\b(where|and|or|on|set|values|having|limit|offset|like|ilike|between|when|then|else|not|is)\b|[=<>(+\-*/|]/gi;

/** Is the next token after `before` an identifier (column/table name) rather than a value? */
export function inIdentifierPosition(before: string): boolean {
  const t = before.trimEnd();
  if (/["`.]$/.test(t) || /\b(asc|desc)$/i.test(t)) return true;
  let lastIdent = -1;
  for (const m of t.matchAll(IDENTIFIER_KEYWORDS)) lastIdent = m.index! + m[0].length;
  let lastValue = -1;
  for (const m of t.matchAll(VALUE_KEYWORDS)) lastValue = m.index! + m[0].length;
  return lastIdent > lastValue;
}

/**
 * A value spliced between quotes (`'…${v}…'`): drop the quotes from the text around it. The text that
 * sat inside the quotes next to the value (`prefix`, `suffix`) must become part of the bound value, and
 * `suffix` must be skipped from the following text. Null when the quotes are not where they should be.
 */
export function liftQuotedValue(prev: OutPart | undefined, next: OutPart | { kind: string; value?: string } | undefined): { prefix: string; suffix: string } | null {
  if (prev?.kind !== 'text' || next?.kind !== 'text' || typeof next.value !== 'string') return null;
  const open = prev.value.lastIndexOf("'");
  const close = next.value.indexOf("'");
  if (open < 0 || close < 0) return null;
  const prefix = prev.value.slice(open + 1);
  const suffix = next.value.slice(0, close);
  prev.value = prev.value.slice(0, open);
  return { prefix, suffix };
}

/** A bound-value name derived from `base`, unique among `taken` (which it joins). */
export function freshName(base: string, taken: Set<string>): string {
  const clean = base.replace(/\W/g, '') || 'p';
  let name = clean;
  for (let i = 2; taken.has(name); i++) name = `${clean}${i}`;
  taken.add(name);
  return name;
}

/** The highest `$n` placeholder in `text` (0 if none): new ones continue from there. */
export function highestDollarPlaceholder(text: string): number {
  return Math.max(0, ...[...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
}

/** How many `?` placeholders `text` has outside '…' literals. */
export function questionPlaceholders(text: string): number {
  return (text.replace(/'[^']*'/g, '').match(/\?/g) ?? []).length;
}
