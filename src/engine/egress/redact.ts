/**
 * Secret redaction for outbound payloads. Every secret becomes a stable placeholder
 * `[REDACTED:<kind>:<8 hex>]`: the same secret always maps to the same placeholder for the lifetime of
 * a key, so prompts stay byte-identical across turns (prompt caches keep hitting) and the model can
 * still tell two different secrets apart. The hex is an HMAC, not a bare hash, so a short password
 * can't be confirmed by hashing guesses.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { KEY_QUALIFIERS, SECRET_NAME_WORDS, SECRET_RULES } from './secretRules';

export interface RedactionResult {
  text: string;
  count: number;
  kinds: string[];
}

export class Redactor {
  private readonly key: Buffer;

  constructor(key: Buffer = randomBytes(32)) {
    this.key = key;
  }

  placeholder(kind: string, secret: string): string {
    const tag = createHmac('sha256', this.key).update(secret).digest('hex').slice(0, 8);
    return `[REDACTED:${kind}:${tag}]`;
  }

  redactText(input: string): RedactionResult {
    let text = input;
    let count = 0;
    const kinds: string[] = [];
    const note = (kind: string): void => {
      count++;
      if (!kinds.includes(kind)) kinds.push(kind);
    };
    for (const { kind, pattern, group } of SECRET_RULES) {
      text = text.replace(pattern, (...args: unknown[]) => {
        const match = args[0] as string;
        const secret = group === 0 ? match : (args[group] as string | undefined);
        if (!secret) return match;
        note(kind);
        return group === 0 ? this.placeholder(kind, secret) : match.replace(secret, this.placeholder(kind, secret));
      });
    }
    text = text.replace(ASSIGNMENT, (match: string, name: string, quote: string, op: string, quoted?: string, bare?: string) => {
      const value = quoted ?? bare;
      // `f("NAME", "value")` counts (define('AUTH_SALT', …), setdefault…), a bare `a, b` list doesn't.
      if (op === ',' && !quote) return match;
      if (!value || !isSecretName(name) || !looksLikeSecretValue(value)) return match;
      note('secret-assignment');
      const at = match.lastIndexOf(value);
      return match.slice(0, at) + this.placeholder('secret-assignment', value) + match.slice(at + value.length);
    });
    return { text, count, kinds };
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

// name, optional closing quote of a JSON/dict key, operator, an optional wrapping call
// (bytes.fromhex(, []byte(), then a quoted literal or a bare token — all on one line. The bare
// alternative is atomic (lookahead + backreference) so `x = foo.bar(` can't backtrack into a shorter
// "literal" that dodges the not-a-call check.
const ASSIGNMENT =
  /([A-Za-z_][A-Za-z0-9_.-]*)(["']?)[ \t]*(:=|=>|[:=,])[ \t]*(?:[\w.[\]]*\([ \t]*)?(?:["'`]([^"'`\n]{8,200})["'`]|(?=([^\s"'`,;()[\]{}<>]{8,200}))\5(?!\())/g;

function isSecretName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return words.some((w, i) => SECRET_NAME_WORDS.has(w) || (w === 'key' && i > 0 && KEY_QUALIFIERS.has(words[i - 1]!)));
}

/** A literal, not a code reference, with enough entropy to be a credential rather than a word. */
function looksLikeSecretValue(value: string): boolean {
  if (/^[$%{<]|\[REDACTED:/.test(value)) return false;
  if (!/[A-Za-z]/.test(value)) return false; // numbers are counts and ports, not credentials
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(value)) return false; // getenv("OPENAI_API_KEY"): a variable name
  if (/^https?:\/\/[^@\s]*$/.test(value)) return false; // a URL without userinfo is an address
  if (/^[a-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+$/.test(value)) return false; // member expression: code
  if (/^(?:process\.env|os\.environ|os\.getenv|env|config|settings|self|this|getenv|System\.getenv)\b/.test(value)) return false;
  if (/^(?:true|false|null|none|undefined|changeme|password|secret|example|xxx+|\*+)$/i.test(value)) return false;
  if (/\s/.test(value) && value.split(/\s+/).length > 3) return false; // prose, not a passphrase
  return shannonEntropy(value) >= 3;
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
