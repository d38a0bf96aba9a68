/**
 * The code identifiers a question names. Two questions can be near-identical in meaning space and still
 * need different answers because they name different code: "how does `OrderService` compute totals"
 * vs "how does `InvoiceService` compute totals". Embeddings blur that (one token of many), so a cached
 * answer is only served when both questions name the same identifiers.
 *
 * An identifier is anything written like code: a backticked span, camelCase / PascalCase with an inner
 * capital, snake_case, dotted or slashed paths (`orders.total`, `src/db.ts`), tokens mixing letters and
 * digits (`v2`, `oauth2`), and numbers of two or more digits (ports, ids, limits).
 */
const BACKTICKED = /`([^`\n]+)`/g;
/** "e.g.", "i.e.", "a.m." are prose, not paths. */
const ABBREVIATION = /^(?:[a-z]\.)+[a-z]?$/i;

export function identifiersOf(question: string): string[] {
  const found = new Set<string>();
  for (const m of question.matchAll(BACKTICKED)) found.add(clean(m[1]));
  const rest = question.replace(BACKTICKED, ' ');
  for (const raw of rest.split(/[\s,;:!?"'()[\]{}<>]+/)) {
    const token = raw.replace(/^[.\-/]+|[.\-/]+$/g, '');
    if (!token || ABBREVIATION.test(token)) continue;
    if (
      /[a-z][A-Z]/.test(token) || // camelCase, PascalCase with an inner capital
      /\w_\w/.test(token) || // snake_case
      /\w[./]\w/.test(token) || // dotted or slashed
      (/[A-Za-z]/.test(token) && /\d/.test(token)) || // v2, oauth2, h264
      /^\d{2,}$/.test(token) // ports, limits, ids
    ) {
      found.add(clean(token));
    }
  }
  return [...found].filter(Boolean).sort();
}

export function sameIdentifiers(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function clean(s: string): string {
  return s.trim().replace(/\(\)$/, '').toLowerCase();
}
