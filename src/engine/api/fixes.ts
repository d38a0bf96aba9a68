/**
 * Fixes for the api rules, in the framework's idiom: an RFC 9457 problem-details helper (stable
 * code, retry hint, request id) and the rewrite of an error response to it. The idempotency and
 * validation fixes live in fixIdempotency.ts / fixValidation.ts.
 */
import type { FixWire, TextEditWire } from '../../protocol';
import type { SyntaxNode } from '../syntax/treeSitter';
import { append, edit, goImports } from './fixEdits';
import type { ParsedFile } from './model';
import type { ErrorResponse } from './responses';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST', 401: 'UNAUTHENTICATED', 402: 'PAYMENT_REQUIRED', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 405: 'METHOD_NOT_ALLOWED', 409: 'CONFLICT', 410: 'GONE',
  413: 'PAYLOAD_TOO_LARGE', 415: 'UNSUPPORTED_MEDIA_TYPE', 422: 'VALIDATION_FAILED', 429: 'RATE_LIMIT_EXCEEDED', 500: 'INTERNAL_ERROR', 502: 'BAD_GATEWAY', 503: 'SERVICE_UNAVAILABLE', 504: 'UPSTREAM_TIMEOUT',
};

function codeFor(status: number | null): string {
  return status === null ? 'ERROR' : CODES[status] ?? `HTTP_${status}`;
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
