/**
 * Splits a SQL script into statements at top-level semicolons — not inside quotes, quoted
 * identifiers, comments or dollar-quoted bodies (PL/pgSQL functions in migrations are full of `;`).
 */
export function splitSqlScript(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === '-' && text[i + 1] === '-') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? n : end + 1;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
    } else if (c === "'" || c === '"') {
      i = skipQuoted(text, i, c);
    } else if (c === '$') {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i, i + 64))?.[0];
      if (tag) {
        const end = text.indexOf(tag, i + tag.length);
        i = end < 0 ? n : end + tag.length;
      } else i++;
    } else if (c === ';') {
      push(text.slice(start, i));
      start = ++i;
    } else i++;
  }
  push(text.slice(start));
  return out;

  function push(statement: string): void {
    const s = statement.replace(/^(\s|--[^\n]*\n)+/, '').trim();
    if (s && !/^(--[^\n]*\s*)+$/.test(s)) out.push(s);
  }
}

function skipQuoted(text: string, i: number, quote: string): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === quote) {
      if (text[j + 1] === quote) j++;
      else return j + 1;
    }
  }
  return text.length;
}
