/**
 * Fixes for the api rules, in the framework's idiom: an RFC 9457 problem-details helper (stable
 * code, retry hint, request id) and the rewrite of an error response to it; an idempotency
 * middleware (key header, stored response, TTL, conflict on a different body) wired to the route;
 * a strict zod schema generated from the body fields the handler reads.
 */
import type { FixWire, TextEditWire } from '../../protocol';
import type { SyntaxNode } from '../syntax/treeSitter';
import type { Route } from './discover';
import type { ParsedFile } from './model';
import type { ErrorResponse } from './responses';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST', 401: 'UNAUTHENTICATED', 402: 'PAYMENT_REQUIRED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 409: 'CONFLICT', 410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 422: 'VALIDATION_FAILED', 429: 'RATE_LIMIT_EXCEEDED', 500: 'INTERNAL_ERROR', 502: 'BAD_GATEWAY', 503: 'SERVICE_UNAVAILABLE', 504: 'UPSTREAM_TIMEOUT',
};

function codeFor(status: number | null): string {
  return status === null ? 'ERROR' : CODES[status] ?? `HTTP_${status}`;
}

function pos(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let last = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    last = i + 1;
  }
  return { line, column: offset - last + 1 };
}

function edit(file: ParsedFile, start: number, end: number, newText: string): TextEditWire {
  const a = pos(file.text, start);
  const b = pos(file.text, end);
  return { path: file.path, line: a.line, column: a.column, endLine: b.line, endColumn: b.column, newText };
}

function append(file: ParsedFile, text: string): TextEditWire {
  const end = file.text.length;
  return edit(file, end, end, `${file.text.endsWith('\n') ? '' : '\n'}${text}`);
}

function isTs(file: ParsedFile): boolean {
  return file.language === 'typescript' || file.language === 'tsx';
}

// ---------------------------------------------------------------------------------------------
// Structured errors
// ---------------------------------------------------------------------------------------------

const JS_HELPER = 'sendProblem';
const PY_HELPER = 'problem';
const GO_HELPER = 'writeProblem';

function jsHelper(ts: boolean): string {
  const t = (s: string): string => (ts ? s : '');
  return `
/**
 * RFC 9457 problem details with a stable machine-readable code, a retry hint for 429/503 and the
 * request id (from X-Request-Id, or a new one echoed back), so callers and agents can act on errors.
 */
function ${JS_HELPER}(req${t(': { headers?: Record<string, unknown> } | undefined')}, res${t(': any')}, status${t(': number')}, code${t(': string')}, detail${t(': string')}, retryAfterSeconds${t('?: number')})${t(': void')} {
  const header = req?.headers?.['x-request-id'];
  const requestId = typeof header === 'string' && header ? header : require('node:crypto').randomUUID();
  const setHeader = (name${t(': string')}, value${t(': string')}) => (typeof res.setHeader === 'function' ? res.setHeader(name, value) : res.header(name, value));
  setHeader('X-Request-Id', requestId);
  setHeader('Content-Type', 'application/problem+json');
  if (retryAfterSeconds !== undefined || status === 429 || status === 503) setHeader('Retry-After', String(retryAfterSeconds ?? 30));
  res.status(status).send(JSON.stringify({ type: \`https://errors.example/\${code.toLowerCase()}\`, title: code, status, code, detail, request_id: requestId, ...(retryAfterSeconds !== undefined ? { retry_after_seconds: retryAfterSeconds } : {}) }));
}
`;
}

const PY_FASTAPI_HELPER = `

class Problem(HTTPException):
    """RFC 9457 problem details: a stable code, a retry hint for 429/503 and a request id."""

    def __init__(self, status: int, code: str, detail: str, retry_after: int | None = None):
        import uuid

        request_id = str(uuid.uuid4())
        headers = {"X-Request-Id": request_id}
        if retry_after is not None or status in (429, 503):
            headers["Retry-After"] = str(retry_after or 30)
        super().__init__(status, {"type": f"https://errors.example/{code.lower()}", "title": code, "status": status, "code": code, "detail": detail, "request_id": request_id}, headers)
`;

const PY_FLASK_HELPER = `

def ${PY_HELPER}(status, code, detail, retry_after=None):
    """RFC 9457 problem details: a stable code, a retry hint for 429/503 and the request id."""
    import uuid

    from flask import jsonify, request

    request_id = request.headers.get("X-Request-Id") or str(uuid.uuid4())
    headers = {"X-Request-Id": request_id, "Content-Type": "application/problem+json"}
    if retry_after is not None or status in (429, 503):
        headers["Retry-After"] = str(retry_after or 30)
    response = jsonify(type=f"https://errors.example/{code.lower()}", title=code, status=status, code=code, detail=detail, request_id=request_id)
    return response, status, headers
`;

const GO_GIN_HELPER = `

// writeProblem sends RFC 9457 problem details: a stable code, a retry hint for 429/503 and the request id.
func writeProblem(c *gin.Context, status int, code string, detail string) {
	requestID := c.GetHeader("X-Request-Id")
	if requestID == "" {
		requestID = fmt.Sprintf("%d", time.Now().UnixNano())
	}
	c.Header("X-Request-Id", requestID)
	if status == 429 || status == 503 {
		c.Header("Retry-After", "30")
	}
	c.Header("Content-Type", "application/problem+json")
	c.AbortWithStatusJSON(status, gin.H{"type": "https://errors.example/" + strings.ToLower(code), "title": code, "status": status, "code": code, "detail": detail, "request_id": requestID})
}
`;

/** The detail expression of an error body: the string itself, or the message/error/detail value of an object. */
function detailOf(r: ErrorResponse): string {
  const b = r.body;
  const leaks = r.leak !== null && (r.status === null || r.status >= 500);
  if (!b) return JSON.stringify(codeFor(r.status).toLowerCase().replace(/_/g, ' '));
  if (r.kind === 'string') return leaks ? JSON.stringify('internal error') : b.text;
  const m = /["']?(message|error|detail|msg|description)["']?\s*[:=]\s*(["'`][^"'`]*["'`]|[\w.()]+)/.exec(b.text);
  if (!m) return leaks ? JSON.stringify('internal error') : b.type === 'call_expression' || b.type === 'call' ? b.text : JSON.stringify(codeFor(r.status).toLowerCase().replace(/_/g, ' '));
  return leaks && /\.(message|Error\(\))|str\(/.test(m[2]) ? JSON.stringify('internal error') : m[2];
}

function requestVar(fn: SyntaxNode | null): string {
  const params = (fn?.childForFieldName('parameters')?.namedChildren ?? []).filter((p): p is SyntaxNode => !!p).map((p) => (p.childForFieldName('pattern') ?? p).text.split(':')[0].trim());
  if (params.length === 4) return params[1];
  if (params.length >= 2 && /req|request/i.test(params[0])) return params[0];
  return 'undefined';
}

export function errorHelperFix(file: ParsedFile, r: ErrorResponse): FixWire[] {
  const status = r.status === null ? null : r.status;
  const code = codeFor(status);
  const statusText = r.status === null ? statusExpr(r) : String(r.status);
  if (!statusText) return [];
  const edits: TextEditWire[] = [];
  if (r.framework === 'js' || r.framework === 'fastify') {
    const res = /^([\w.]+)\.(status|code)\(/.exec(r.node.text)?.[1] ?? 'res';
    edits.push(edit(file, r.node.startIndex, r.node.endIndex, `${JS_HELPER}(${requestVar(r.fn)}, ${res}, ${statusText}, '${code}', ${detailOf(r)})`));
    if (!new RegExp(`function ${JS_HELPER}\\(`).test(file.text)) edits.push(append(file, jsHelper(file.language === 'typescript' || file.language === 'tsx')));
  } else if (r.framework === 'fastapi' && /HTTPException/.test(r.node.text)) {
    edits.push(edit(file, r.node.startIndex, r.node.endIndex, `Problem(${statusText}, "${code}", ${detailOf(r)})`));
    if (!/class Problem\(HTTPException\)/.test(file.text)) edits.push(append(file, PY_FASTAPI_HELPER));
  } else if (r.framework === 'flask' && r.node.type === 'return_statement') {
    edits.push(edit(file, r.node.startIndex, r.node.endIndex, `return ${PY_HELPER}(${statusText}, "${code}", ${detailOf(r)})`));
    if (!new RegExp(`def ${PY_HELPER}\\(`).test(file.text)) edits.push(append(file, PY_FLASK_HELPER));
  } else if (r.framework === 'go' && /^\w+\.(JSON|AbortWithStatusJSON)\(/.test(r.node.text)) {
    const c = /^(\w+)\./.exec(r.node.text)?.[1] ?? 'c';
    edits.push(edit(file, r.node.startIndex, r.node.endIndex, `${GO_HELPER}(${c}, ${statusText}, "${code}", ${detailOf(r)})`));
    if (!new RegExp(`func ${GO_HELPER}\\(`).test(file.text)) edits.push(append(file, GO_GIN_HELPER), ...goImports(file, ['fmt', 'strings', 'time']));
  } else return [];
  return [{ title: `Return RFC 9457 problem details with code ${code}`, kind: 'error-helper', isPreferred: true, edits }];
}

function statusExpr(r: ErrorResponse): string | undefined {
  if (r.framework === 'js' || r.framework === 'fastify') return /^[\w.]+\.(?:status|code)\(([^()]*(?:\([^()]*\))?[^()]*)\)/.exec(r.node.text)?.[1];
  return undefined;
}

function goImports(file: ParsedFile, wanted: string[]): TextEditWire[] {
  const missing = wanted.filter((w) => !new RegExp(`"${w}"`).test(file.text));
  if (missing.length === 0) return [];
  const m = /import\s*\(\n/.exec(file.text);
  if (m) return [edit(file, m.index + m[0].length, m.index + m[0].length, missing.map((w) => `\t"${w}"\n`).join(''))];
  const single = /import\s+"[^"]+"\n/.exec(file.text);
  if (single) return [edit(file, single.index + single[0].length, single.index + single[0].length, missing.map((w) => `import "${w}"\n`).join(''))];
  return [];
}

// ---------------------------------------------------------------------------------------------
// Idempotency
// ---------------------------------------------------------------------------------------------

function jsIdempotency(ts: boolean): string {
  const t = (s: string): string => (ts ? s : '');
  return `
/**
 * Idempotency-Key middleware: the first response for a key is stored for \`ttlMs\` and replayed to
 * retries with the same body; the same key with a different body is a 422, a retry while the first
 * request still runs a 409. Replace the in-memory map with a shared store when running replicas.
 */
function idempotency(ttlMs = 24 * 60 * 60 * 1000) {
  const seen = new Map${t('<string, { fingerprint: string; expires: number; status?: number; body?: unknown }>')}();
  return (req${t(': any')}, res${t(': any')}, next${t(': (err?: unknown) => void')}) => {
    const key = req.get?.('Idempotency-Key') ?? req.headers?.['idempotency-key'];
    if (!key) return next();
    const now = Date.now();
    for (const [k, v] of seen) if (v.expires < now) seen.delete(k);
    const fingerprint = require('node:crypto').createHash('sha256').update(JSON.stringify(req.body ?? null)).digest('hex');
    const scoped = \`\${req.method} \${req.originalUrl ?? req.url} \${key}\`;
    const hit = seen.get(scoped);
    if (hit && hit.fingerprint !== fingerprint) return res.status(422).json({ code: 'IDEMPOTENCY_KEY_REUSED', detail: 'this Idempotency-Key was used with a different request body' });
    if (hit && hit.status === undefined) return res.status(409).json({ code: 'REQUEST_IN_PROGRESS', detail: 'a request with this Idempotency-Key is still running' });
    if (hit) return res.status(hit.status).set('Idempotent-Replayed', 'true').json(hit.body);
    const entry${t(': { fingerprint: string; expires: number; status?: number; body?: unknown }')} = { fingerprint, expires: now + ttlMs };
    seen.set(scoped, entry);
    const json = res.json.bind(res);
    res.json = (body${t(': unknown')}) => {
      if (res.statusCode < 500) Object.assign(entry, { status: res.statusCode, body });
      else seen.delete(scoped);
      return json(body);
    };
    next();
  };
}
`;
}

export function idempotencyFix(r: Route): FixWire[] {
  const file = r.file;
  if (r.framework !== 'express' || r.anchor.type !== 'call_expression') return [];
  const args = r.anchor.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => !!a && a.type !== 'comment') ?? [];
  const handler = args[args.length - 1];
  if (!handler || args.length < 2) return [];
  const edits = [edit(file, handler.startIndex, handler.startIndex, 'idempotency(), ')];
  if (!/function idempotency\(/.test(file.text)) edits.push(append(file, jsIdempotency(isTs(file))));
  return [{ title: 'Require an Idempotency-Key: store and replay the first response', kind: 'idempotency', isPreferred: true, edits }];
}

// ---------------------------------------------------------------------------------------------
// Validation
// ---------------------------------------------------------------------------------------------

/** Fields the handler reads from the body: `req.body.x`, `req.body['x']`, `const { x, y } = req.body`. */
export function bodyFields(text: string): string[] {
  const fields = new Set<string>();
  for (const m of text.matchAll(/\b(?:req|request)\.body\.(\w+)|\b(?:req|request)\.body\[['"](\w+)['"]\]/g)) fields.add(m[1] ?? m[2]);
  for (const m of text.matchAll(/(?:const|let|var)\s*\{([^}]*)\}\s*=\s*(?:req|request)\.body\b/g)) {
    for (const part of m[1].split(',')) {
      const name = part.split(/[:=]/)[0].trim().replace(/^\.\.\./, '');
      if (/^\w+$/.test(name)) fields.add(name);
    }
  }
  return [...fields];
}

function zodType(field: string): string {
  if (/email/i.test(field)) return 'z.string().email()';
  if (/(^id$|Id$|_id$|count|qty|quantity|amount|price|total|cents|age|limit|offset|size|number|num)/i.test(field)) return 'z.number()';
  if (/^(is|has|can|should)[A-Z_]|enabled|active|flag/i.test(field)) return 'z.boolean()';
  if (/(At|_at|date)$/i.test(field)) return 'z.string().datetime()';
  if (/(items|list|tags|ids)$/i.test(field)) return 'z.array(z.unknown())';
  return 'z.string()';
}

export function validationFix(r: Route): FixWire[] {
  const file = r.file;
  if (r.framework !== 'express' || r.anchor.type !== 'call_expression') return [];
  const handler = r.handlers[0];
  const body = handler?.childForFieldName('body');
  if (!handler || body?.type !== 'statement_block' || !file.text.slice(handler.startIndex, handler.endIndex).includes('.body')) return [];
  const fields = bodyFields(handler.text);
  if (fields.length === 0) return [];
  const base = r.path.split('/').filter((s) => s && !s.startsWith(':')).map((s) => s.replace(/[^A-Za-z0-9]/g, '')).map((s) => s[0]?.toUpperCase() + s.slice(1)).join('');
  const name = `${r.method[0]}${r.method.slice(1).toLowerCase()}${base || 'Root'}Body`;
  const statement = enclosingStatement(r.anchor);
  const params = handler.childForFieldName('parameters')?.namedChildren ?? [];
  const req = (params[0]?.childForFieldName('pattern') ?? params[0])?.text.split(':')[0].trim() ?? 'req';
  const schema = `const ${name} = z.object({\n${fields.map((f) => `  ${f}: ${zodType(f)},`).join('\n')}\n}).strict();\n\n`;
  const edits: TextEditWire[] = [edit(file, statement.startIndex, statement.startIndex, schema)];
  edits.push(edit(file, body.startIndex + 1, body.startIndex + 1, `\n  const body = ${name}.parse(${req}.body);`));
  for (const m of body.text.matchAll(new RegExp(`\\b${req}\\.body\\b`, 'g'))) {
    const at = body.startIndex + (m.index ?? 0);
    edits.push(edit(file, at, at + m[0].length, 'body'));
  }
  if (!/from\s+['"]zod['"]|require\(['"]zod['"]\)/.test(file.text)) {
    const esm = /^\s*import\s/m.test(file.text);
    edits.push(edit(file, 0, 0, esm ? "import { z } from 'zod';\n" : "const { z } = require('zod');\n"));
  }
  return [{ title: `Validate the body with a strict zod schema (${fields.join(', ')})`, kind: 'validation', isPreferred: true, edits }];
}

function enclosingStatement(n: SyntaxNode): SyntaxNode {
  let s = n;
  while (s.parent && s.parent.type !== 'program' && s.parent.type !== 'statement_block') s = s.parent;
  return s;
}
