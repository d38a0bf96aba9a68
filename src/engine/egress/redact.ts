/**
 * Secret redaction for outbound payloads (and, through `mask`, for text before it is indexed). Every
 * secret becomes a stable placeholder `[REDACTED:<kind>:<8 hex>]`: the same secret always maps to the
 * same placeholder for the lifetime of a key, so prompts stay byte-identical across turns (prompt
 * caches keep hitting) and the model can still tell two different secrets apart. The hex is an HMAC,
 * not a bare hash, so a short password can't be confirmed by hashing guesses.
 *
 * Detection finds spans on the original text — by format, by context, by entropy (secretRules.ts
 * explains the families) — merges overlapping ones, and replaces each once. Every pass is linear in
 * the text's length: 100 KB of any shape redacts in milliseconds (test/bench/redact.bench.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { wordlist as BIP39_WORDS } from '@scure/bip39/wordlists/english.js';
import {
  ENCODING_SUFFIXES, isTemplate, KEY_QUALIFIERS, PLACEHOLDER_VALUES, SECRET_RULES, STRONG_NAME_WORDS, STRONG_SUFFIXES,
  WEAK_NAME_WORDS,
} from './secretRules';

export interface RedactionResult {
  text: string;
  count: number;
  kinds: string[];
}

export interface SecretSpan {
  start: number;
  end: number;
  kind: string;
}

export class Redactor {
  private readonly key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
  }

  /** Tags by secret: an HMAC costs ~50 µs, and the same secrets recur in every turn of a chat. */
  private readonly tags = new Map<string, string>();

  placeholder(kind: string, secret: string): string {
    let tag = this.tags.get(secret);
    if (tag === undefined) {
      tag = createHmac('sha256', this.key).update(secret).digest('hex').slice(0, 8);
      if (this.tags.size >= 10_000) this.tags.clear();
      this.tags.set(secret, tag);
    }
    return `[REDACTED:${kind}:${tag}]`;
  }

  redactText(input: string): RedactionResult {
    const spans = findSecretSpans(input);
    if (spans.length === 0) return { text: input, count: 0, kinds: [] };
    const kinds: string[] = [];
    for (const s of spans) if (!kinds.includes(s.kind)) kinds.push(s.kind);
    return { text: this.replace(input, spans, false), count: spans.length, kinds };
  }

  /**
   * The text with secrets replaced but every line break kept, so line numbers stay true: what the
   * indexer stores and embeds instead of the raw text.
   */
  mask(input: string): string {
    const spans = findSecretSpans(input);
    return spans.length === 0 ? input : this.replace(input, spans, true);
  }

  private replace(input: string, spans: readonly SecretSpan[], keepLines: boolean): string {
    const out: string[] = [];
    let at = 0;
    for (const { start, end, kind } of spans) {
      const secret = input.slice(start, end);
      out.push(input.slice(at, start), this.placeholder(kind, secret));
      if (keepLines) for (let i = secret.indexOf('\n'); i >= 0; i = secret.indexOf('\n', i + 1)) out.push('\n');
      at = end;
    }
    out.push(input.slice(at));
    return out.join('');
  }

  /**
   * Redact a request body. JSON bodies are walked value by value (so escapes like "\n" inside a PEM
   * key are seen decoded) and re-serialised only if something changed — an unchanged body is sent
   * byte-for-byte as the SDK built it.
   */
  redactBody(body: string): RedactionResult {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return this.redactText(body);
    }
    let count = 0;
    const kinds: string[] = [];
    const walk = (value: unknown): unknown => {
      if (typeof value === 'string') {
        const r = this.redactText(value);
        count += r.count;
        for (const k of r.kinds) if (!kinds.includes(k)) kinds.push(k);
        return r.text;
      }
      if (Array.isArray(value)) return value.map(walk);
      if (value && typeof value === 'object') {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = walk(v);
        return out;
      }
      return value;
    };
    const redacted = walk(parsed);
    return count === 0 ? { text: body, count: 0, kinds } : { text: JSON.stringify(redacted), count, kinds };
  }
}

/**
 * `text` with every secret replaced by `[REDACTED:<kind>]` and line breaks kept: what the indexer
 * chunks, tokenises and embeds. No tag: the index is a file on disk, and a keyed tag stored next to
 * a fixed key would let anyone holding the file confirm a guessed password.
 */
export function maskSecrets(text: string): string {
  const spans = findSecretSpans(text);
  if (spans.length === 0) return text;
  const out: string[] = [];
  let at = 0;
  for (const { start, end, kind } of spans) {
    out.push(text.slice(at, start), `[REDACTED:${kind}]`);
    for (let i = text.indexOf('\n', start); i >= 0 && i < end; i = text.indexOf('\n', i + 1)) out.push('\n');
    at = end;
  }
  out.push(text.slice(at));
  return out.join('');
}

// `d` gives capture-group offsets, so a rule's secret is located exactly, without re-searching.
const RULES = SECRET_RULES.map((r) => ({ ...r, pattern: new RegExp(r.pattern.source, `${r.pattern.flags.replace('d', '')}d`) }));

/** Secret spans of `text`, sorted, overlaps merged (the first rule's kind wins). */
export function findSecretSpans(text: string): SecretSpan[] {
  const spans: SecretSpan[] = [];
  const add = (start: number, end: number, kind: string): void => {
    if (end > start) spans.push({ start, end, kind });
  };
  for (const { kind, pattern, group, check } of RULES) {
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
      const secret = m[group];
      const at = m.indices?.[group];
      if (secret && at && (!check || check(secret, m[0]))) add(at[0], at[1], kind);
    }
  }
  assignments(text, add);
  seedPhrases(text, add);
  highEntropy(text, add);
  return merge(spans);
}

function merge(spans: SecretSpan[]): SecretSpan[] {
  if (spans.length < 2) return spans;
  // stable sort keeps rule order among equal starts, so the more specific rule names the span
  const sorted = spans.map((s, i) => ({ s, i })).sort((a, b) => a.s.start - b.s.start || a.i - b.i).map((x) => x.s);
  const out: SecretSpan[] = [{ ...sorted[0] }];
  for (const s of sorted.slice(1)) {
    const last = out[out.length - 1];
    if (s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ ...s });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Context: values assigned to secret-ish names
// ---------------------------------------------------------------------------------------------

type Add = (start: number, end: number, kind: string) => void;

// name, optional closing quote/bracket of a key, optional type annotation, operator, an optional
// wrapping call (bytes.fromhex(, []byte(, tuple), then a quoted literal — all on one line.
const QUOTED =
  /(?<![A-Za-z0-9_$.-])([A-Za-z_$@][A-Za-z0-9_$.-]{0,80})(["'`]?)\]?[ \t]{0,10}(?::[ \t]{0,5}[A-Za-z_][\w.<>[\]|? ]{0,40}?[ \t]{0,5}(?==))?(:=|=>|===?|!==?|=|:|,|\()[ \t]{0,10}(?:[A-Za-z_][\w.[\]]{0,40}\([ \t]{0,5}|\(|\[)?(["'`])((?:(?!\4)[^\n]){1,300})\4/dg;
// env / INI / YAML / properties lines with a bare value: `KEY=value`, `key: value`, `- pw: value`
const BARE_LINE =
  /^[ \t]{0,40}(?:export[ \t]+|set[ \t]+|-[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]{0,80})[ \t]{0,10}(=|:)[ \t]{0,10}([^\s'"`#;][^\s'"`]{0,299})[ \t]*(?:[#;].*)?$/dgm;
// shell-style env assignment anywhere on a line: `PGPASSWORD=secret psql …`
const INLINE_ENV = /(?<![A-Za-z0-9_$.-])([A-Z][A-Z0-9_]{1,60})=([^\s'"`$;&|<>(){}]{3,200})(?=[\s;&|]|$)/dg;
// <password>value</password>
const XML_ELEMENT = /<([A-Za-z_][\w.:-]{0,60})(?:\s[^<>]{0,200})?>([^<>\n]{1,300})<\/\1>/dg;
// <add key="ApiSecret" value="…"/>, <entry name="password" value="…">
const XML_KEY_VALUE = /(?:key|name)\s{0,3}=\s{0,3}"([^"\n]{1,80})"\s{1,10}value\s{0,3}=\s{0,3}"([^"\n]{1,300})"/dg;

function assignments(text: string, add: Add): void {
  // bare: 'code' when a plain word is probably a variable (`password = hashed`, `pw: pw,`), 'data'
  // when the syntax has no variables (YAML `pw: hunter`), false for quoted literals
  const judge = (name: string, value: string, start: number, bare: false | 'code' | 'data'): void => {
    const strength = nameStrength(name);
    if (!strength) return;
    const trimmed = bare ? value.replace(/[,;]+$/, '') : value;
    if (looksLikeSecretValue(trimmed, strength, bare, name)) add(start, start + trimmed.length, 'secret-assignment');
  };
  for (const m of text.matchAll(QUOTED)) {
    const [, name, quote, op] = m;
    // `f("NAME", "value")` counts (define('AUTH_SALT', …), put("password", …)); a bare `a, b` list doesn't
    if (op === ',' && !quote) continue;
    // `name("value")` only for setters: setPassword("…"), withToken("…"); getPassword("id") is a lookup
    if (op === '(' && !/^(?:set|with|use)[A-Z_]/.test(name.slice(name.lastIndexOf('.') + 1))) continue;
    // in a list (`['apiKey', 'authToken', 'credentials']`) a plain word is another name, not a value
    if (op === ',' && /^[A-Za-z_][\w.-]*$/.test(m[5]) && !/\d/.test(m[5])) continue;
    // `typeof apiKey !== 'function'`, `token === 'undefined'`: a comparison with a type or keyword
    if (/^[!=]==?$/.test(op) && /^[a-z]+$/.test(m[5])) continue;
    judge(name, m[5], m.indices![5][0], false);
  }
  for (const m of text.matchAll(BARE_LINE)) judge(m[1], m[3], m.indices![3][0], m[2] === ':' && !/[,;]$/.test(m[3]) ? 'data' : 'code');
  for (const m of text.matchAll(INLINE_ENV)) judge(m[1], m[2], m.indices![2][0], 'code');
  for (const m of text.matchAll(XML_ELEMENT)) judge(m[1], m[2].trim(), m.indices![2][0] + m[2].indexOf(m[2].trim()), false);
  for (const m of text.matchAll(XML_KEY_VALUE)) judge(m[1], m[2], m.indices![2][0], false);
}

function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** How strongly a name says "secret": judged by its head (last) word, encoding suffixes dropped. */
export function nameStrength(name: string): 'strong' | 'weak' | undefined {
  const words = nameWords(name);
  while (words.length > 1 && (ENCODING_SUFFIXES.has(words[words.length - 1]) || words[words.length - 1] === 'base')) words.pop();
  const head = words[words.length - 1];
  if (!head) return undefined;
  const prev = words[words.length - 2];
  if (STRONG_NAME_WORDS.has(head) || STRONG_SUFFIXES.some((s) => head.endsWith(s) && head.length > s.length + 1)) return 'strong';
  if ((head === 'key' || head === 'keys') && prev && (KEY_QUALIFIERS.has(prev) || STRONG_NAME_WORDS.has(prev))) return 'strong';
  if (WEAK_NAME_WORDS.has(head)) return 'weak';
  return undefined;
}

const TYPE_NAMES = /^(?:string|number|boolean|bool|str|int|integer|float|double|bytes|byte\[\]|char\[\]|any|object|unknown|void|String|Integer|Boolean|Optional\[.*\]|Option<.*>|List\[.*\]|None|SecretStr|SecretBytes|Secret<.*>)\??$/;

/** A literal, not a code reference, placeholder or label; for weak names also random-looking. */
function looksLikeSecretValue(value: string, strength: 'strong' | 'weak', bare: false | 'code' | 'data', name: string): boolean {
  const v = value.trim();
  const lower = v.toLowerCase();
  if (v.length < (strength === 'strong' ? 4 : 12) || v.length > 300) return false;
  if (isTemplate(v) || PLACEHOLDER_VALUES.has(lower) || TYPE_NAMES.test(v)) return false;
  if (/^(?:your|my|the|some|enter|insert|replace|put)[_\- ]|example|placeholder|dummy|redacted|xxxx|\*\*\*|^<.*>$|^\(.*\)$/i.test(v)) return false;
  if (/^(.)\1*$/.test(v)) return false; // 'xxxxxxxx', '00000000'
  if (lower === name.toLowerCase() || nameWords(name).includes(lower)) return false;
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v)) return false; // getenv("OPENAI_API_KEY"): a variable name
  if (/^https?:\/\/[^@\s]*$/.test(v) || /^urn:/i.test(v)) return false; // a URL without userinfo, a URN: an address
  if (/^(?:\.{0,2}\/|~\/|[A-Za-z]:\\)/.test(v)) return false; // a file path (password_file: /run/secrets/db)
  if (/^[a-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(v)) return false; // member expression: code
  if (/^(?:process\.env|os\.environ|os\.getenv|env|config|settings|self|this|getenv|System\.getenv)\b/.test(v)) return false;
  if (/^-?\d+(?:\.\d+)?$/.test(v)) return false; // numbers are counts and ports, not credentials
  if (/\s/.test(v) && (v.split(/\s+/).length > 3 || /^[A-Za-z]+(?:\s+[A-Za-z]+)+[.:!?]?$/.test(v))) return false; // prose, labels
  if (/^[A-Z][a-z]+[:?.!]?$/.test(v)) return false; // a label: "Password", "Token:"
  if (bare) {
    if (/[()[\]{}]/.test(v)) return false; // a call or an expression
    if (bare === 'code' && /^[A-Za-z_][\w.]*$/.test(v) && !/\d/.test(v)) return false; // `password = hashed`: another variable
  }
  if (strength === 'weak') return randomLooking(v);
  return true;
}

function randomLooking(v: string): boolean {
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v)) return false; // an id
  if (!/\d/.test(v) && !/[^A-Za-z0-9]/.test(v)) return false;
  return shannonEntropy(v) >= 3 && classTransitions(v) >= 0.3;
}

// ---------------------------------------------------------------------------------------------
// Shape: seed phrases, random-looking tokens
// ---------------------------------------------------------------------------------------------

const BIP39 = new Set(BIP39_WORDS);
const WORD_RUN = /(?<![A-Za-z])[a-z]{3,8}(?:[ \t]{1,3}[a-z]{3,8}){11,23}(?![A-Za-z])/g;

/** 12–24 words, every one from the BIP39 list: a wallet seed phrase (prose always has "the", "of" …). */
function seedPhrases(text: string, add: Add): void {
  for (const m of text.matchAll(WORD_RUN)) {
    if (m[0].split(/[ \t]+/).every((w) => BIP39.has(w))) add(m.index!, m.index! + m[0].length, 'seed-phrase');
  }
}

const MAX_TOKEN = 512;

/** Characters of a base64 / base64url / alphanumeric token. */
function tokenChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 95 || c === 45;
}

/**
 * Random-looking tokens that no rule explained. Tuned against what ordinary code is full of: hex
 * (commit ids, content hashes, lockfile digests — only a name makes hex secret), UUIDs, SRI
 * integrity strings, identifiers in camelCase or snake_case, paths, and base64 of plain text.
 * A hand-written scan: the equivalent regex costs several times more on identifier-dense code.
 */
function highEntropy(text: string, add: Add): void {
  for (let i = 0; i < text.length; ) {
    if (!tokenChar(text.charCodeAt(i))) {
      i++;
      continue;
    }
    let end = i;
    while (end < text.length && tokenChar(text.charCodeAt(end))) end++;
    let padded = end;
    while (padded < text.length && padded - end < 2 && text.charCodeAt(padded) === 61) padded++;
    const start = i;
    i = padded;
    if (padded < text.length && text.charCodeAt(padded) === 61) continue; // `a=b` continues: not one token
    const length = end - start;
    if (length < 20 || length > MAX_TOKEN) continue;
    const token = text.slice(start, end);
    if (!isRandomToken(token)) continue;
    const before = text.slice(Math.max(0, start - 8), start);
    if (/(?:base64,|h1:|sha\d{1,3}[-:]|md5[-:])$/i.test(before)) continue;
    add(start, padded, 'high-entropy');
  }
}

export function isRandomToken(token: string): boolean {
  if (token.length < 20) return false;
  if (/^[0-9a-f]+$/i.test(token) || /^[0-9a-f-]+$/i.test(token)) return false;
  if (!/\d/.test(token) || !/[a-z]/.test(token) || !/[A-Z]/.test(token)) return false;
  if (/^(?:sha\d{1,3}|md5)-/i.test(token)) return false;
  if (ID_PREFIX.test(token)) return false; // msg_01XFDUDYJgAACzvnptvVoYEL: an object id, not a key
  if (token.includes('/') && token.split('/').filter((seg) => /^[a-z][a-z0-9_.-]{1,}$|^[A-Z][a-z]+$/.test(seg)).length >= 2) return false; // a path
  if (wordCoverage(token) >= 0.5) return false; // JsonSchema7ArrayType: words with a digit in between
  const segments = token.split(/[_\-+/]/).filter(Boolean);
  if (segments.length > 1 && segments.every((seg) => seg.length < 20 && !isRandomish(seg))) return false; // snake/kebab words
  if (classTransitions(token) < 0.4) return false; // camelCase words change class every few letters, random text every other
  const bitsNeeded = 0.8 * Math.log2(Math.min(token.length, 64));
  if (shannonEntropy(token) < bitsNeeded) return false;
  if (base64OfText(token)) return false;
  return true;
}

/** Prefixes of object ids in common APIs (messages, files, workspaces, charges …): random, but public. */
const ID_PREFIX = /^(?:msg|toolu|srvtoolu|wrkspc|env|file|batch|req|chatcmpl|cmpl|asst|thread|run|call|resp|org|user|proj|ft|ftjob|evt|cus|ch|pi|pm|in|sub|price|prod|acct|txn|vs|sess|ws|dep|ctx|item|node|span|trace)[_-][A-Za-z0-9]{12,}$/;

/** Share of the token covered by dictionary-like words (a capital, then 2+ lower case letters with a vowel). */
function wordCoverage(token: string): number {
  let covered = 0;
  for (const m of token.matchAll(/[A-Z]?[a-z]{2,}/g)) if (m[0].length >= 3 && /[aeiouy]/i.test(m[0])) covered += m[0].length;
  return covered / token.length;
}

function isRandomish(seg: string): boolean {
  return seg.length >= 8 && /\d/.test(seg) && /[A-Za-z]/.test(seg) && classTransitions(seg) >= 0.4;
}

/** Base64 that decodes to printable text is data (a fixture, an encoded message), not a key. */
function base64OfText(token: string): boolean {
  if (!/^[A-Za-z0-9+/]+$/.test(token) || token.length % 4 === 1) return false;
  const bytes = Buffer.from(token, 'base64');
  if (bytes.length < 12) return false;
  let printable = 0;
  for (const b of bytes) if ((b >= 0x20 && b < 0x7f) || b === 0x0a || b === 0x0d || b === 0x09) printable++;
  return printable / bytes.length >= 0.95 && !/^[^:\s]{1,64}:[^\s]{3,}$/.test(bytes.toString('latin1'));
}

/** Share of adjacent characters that change class (lower, upper, digit, other). */
export function classTransitions(s: string): number {
  if (s.length < 2) return 0;
  const cls = (c: number): number => (c >= 97 && c <= 122 ? 0 : c >= 65 && c <= 90 ? 1 : c >= 48 && c <= 57 ? 2 : 3);
  let changes = 0;
  let prev = cls(s.charCodeAt(0));
  for (let i = 1; i < s.length; i++) {
    const c = cls(s.charCodeAt(i));
    if (c !== prev) changes++;
    prev = c;
  }
  return changes / (s.length - 1);
}

export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}
