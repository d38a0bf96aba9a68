/**
 * Identifier-aware tokenisation shared by the embedded model's trainer and its runtime (they MUST
 * agree, or the vectors drift) and usable by keyword search. Code names many things with glued words —
 * `getUserById`, `HTTPServer`, `user_id`, `base64Encode`, `src/db/models.py` — while questions use
 * plain words, so both sides are cut into the same lowercase sub-tokens.
 *
 * A hand-written scanner rather than a chain of regexes: this runs on every chunk of every indexed file
 * (the embedder's 2,000 chunks/s budget is mostly spent here).
 */

/** Longer runs are blobs (hashes, base64, minified code), not words: they only add noise. */
export const MAX_TOKEN_LENGTH = 32;

const enum CharClass {
  Separator,
  Lower,
  Upper,
  Digit,
}

const NON_ASCII_LETTER = /[\p{L}\p{M}]/u;

/** Class of every ASCII code unit, looked up instead of compared (this loop is the hot path). */
const ASCII_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  ASCII_CLASS[c] =
    c >= 97 && c <= 122 ? CharClass.Lower : c >= 65 && c <= 90 ? CharClass.Upper : c >= 48 && c <= 57 ? CharClass.Digit : CharClass.Separator;
}

function classify(text: string, i: number): CharClass {
  const code = text.charCodeAt(i);
  if (code < 128) return ASCII_CLASS[code] as CharClass;
  // Non-ASCII letters (accents, CJK, Cyrillic …) are word characters without case-driven splits.
  return NON_ASCII_LETTER.test(text[i]) ? CharClass.Lower : CharClass.Separator;
}

/**
 * Splits `text` into lowercase sub-tokens: separators (anything not a letter or digit, including `_`,
 * `.`, `/`, `-`) end a token; inside a word a lower→upper step (`getUser`), the last capital of an
 * acronym before a lowercase letter (`HTTPServer` → http, server) and any letter↔digit step
 * (`base64` → base, 64) start a new token. Tokens longer than MAX_TOKEN_LENGTH are dropped.
 */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  const n = text.length;
  let start = -1;
  let prev = CharClass.Separator;
  // Only tokens that contain a capital (or non-ASCII) need toLowerCase(): most code tokens do not.
  let needsLower = false;
  for (let i = 0; i <= n; i++) {
    const cls = i < n ? classify(text, i) : CharClass.Separator;
    let cut = -1;
    if (cls === CharClass.Separator) {
      cut = i;
    } else if (start >= 0) {
      if ((prev === CharClass.Lower && cls === CharClass.Upper) || (prev === CharClass.Digit) !== (cls === CharClass.Digit)) cut = i;
      // "HTTPServer": the S belongs to "Server", so the acronym ends one character back.
      else if (prev === CharClass.Upper && cls === CharClass.Lower && i - start >= 2) cut = i - 1;
    }
    if (cut >= 0 && start >= 0) {
      if (cut - start <= MAX_TOKEN_LENGTH) {
        const token = text.slice(start, cut);
        out.push(needsLower ? token.toLowerCase() : token);
      }
      start = -1;
      needsLower = false;
    }
    if (cls !== CharClass.Separator) {
      if (start < 0) {
        start = cut >= 0 && cut < i ? cut : i;
        if (start < i) needsLower = true; // the acronym's last capital opened this token
      }
      if (cls === CharClass.Upper || text.charCodeAt(i) >= 128) needsLower = true;
    }
    prev = cls;
  }
  return out;
}

/**
 * A deliberately light stemmer (plural forms only): "lines"/"line", "queries"/"query", "boxes"/"box".
 * Static embeddings learn one vector per form, and questions and code disagree on number far more
 * often than on meaning; heavier stemming (-ing, -ed) merged unrelated identifiers in code.
 */
export function stem(token: string): string {
  const n = token.length;
  if (n <= 3 || token.charCodeAt(n - 1) !== 115 /* s */) return token;
  if (token.endsWith('ies') && n > 4) return token.slice(0, -3) + 'y';
  if (token.endsWith('sses') || token.endsWith('shes') || token.endsWith('ches') || token.endsWith('xes')) {
    return token.slice(0, -2);
  }
  if (token.endsWith('ss') || token.endsWith('us') || token.endsWith('is')) return token;
  return token.slice(0, -1);
}

/** tokenize() then stem(): the exact token stream the embedded model is trained and run on. */
export function modelTokens(text: string): string[] {
  const tokens = tokenize(text);
  for (let i = 0; i < tokens.length; i++) tokens[i] = stem(tokens[i]);
  return tokens;
}
