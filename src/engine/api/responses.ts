/**
 * Error responses in a file, per framework idiom: what status they send and what their body says
 * (a human string, an object with or without a machine-readable code / request id, a leaked stack
 * or driver message). Bodies the analyzer cannot see into (a variable, a helper's result) are
 * `opaque` and never reported: a custom error class that carries a code looks exactly like that.
 */
import type { SyntaxNode } from '../syntax/treeSitter';
import { descendants, stringValue, type ParsedFile } from './model';

export interface ErrorResponse {
  node: SyntaxNode;
  /** Literal status, or null when computed (then only reported inside error handlers / catch blocks). */
  status: number | null;
  body: SyntaxNode | null;
  kind: 'string' | 'object' | 'opaque' | 'none';
  hasCode: boolean;
  hasRequestId: boolean;
  leak: 'stack' | 'message' | null;
  /** The enclosing function (for Retry-After and for fixes). */
  fn: SyntaxNode | null;
  /** A computed status taken from the error itself (err.status): an HTTP error meant for the client. */
  statusFromError?: boolean;
  framework: 'js' | 'koa' | 'fastify' | 'flask' | 'fastapi' | 'django' | 'go' | 'echo' | 'nethttp';
}

const CODE_KEY = /(^|[{,\s])["']?(code|error_?code|errorCode|err_?code|errCode|type|error_?type|errorType|reason|errno_code|slug)["']?\s*[:=]/;
const CONST_VALUE = /(^|[{,\s])["']?(error|err|status|kind)["']?\s*[:=]\s*(["'`])([A-Za-z][A-Za-z0-9]*(?:[_.:-][A-Za-z0-9]+)+|[A-Z][A-Z0-9_]{2,})\3/;
const REQUEST_ID = /request_?id|requestId|trace_?id|traceId|correlation_?id|correlationId|["']instance["']|\binstance\s*:/i;
const STACK = /\.stack\b|traceback\.|format_exc|print_exc|debug\.Stack|runtime\.Stack|exc_info/;
const MESSAGE = /\b(err|error|e|ex|exc|exception|dbErr|dbError)\.(message\b|Error\(\)|detail\b|sqlMessage\b|args\b)|\bstr\(\s*(e|err|exc|ex|error|exception)\s*\)|\brepr\(\s*(e|err|exc|ex)\s*\)|\{(e|err|exc|ex|error)(\.message)?\}|\$\{(err|error|e)(\.message)?\}|\bString\(\s*(err|error|e)\s*\)|fmt\.Sprint\w*\([^)]*\berr\b/;

const HTTP_STATUS: Record<string, number> = {
  BadRequest: 400, Unauthorized: 401, PaymentRequired: 402, Forbidden: 403, NotFound: 404, MethodNotAllowed: 405, NotAcceptable: 406, Conflict: 409, Gone: 410,
  UnprocessableEntity: 422, TooManyRequests: 429, InternalServerError: 500, NotImplemented: 501, BadGateway: 502, ServiceUnavailable: 503, GatewayTimeout: 504,
  RequestEntityTooLarge: 413, UnsupportedMediaType: 415, PreconditionFailed: 412, Locked: 423, RequestTimeout: 408,
};
const PY_STATUS: Record<string, number> = {
  BAD_REQUEST: 400, UNAUTHORIZED: 401, FORBIDDEN: 403, NOT_FOUND: 404, CONFLICT: 409, UNPROCESSABLE_ENTITY: 422, UNPROCESSABLE_CONTENT: 422, TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500, SERVICE_UNAVAILABLE: 503, METHOD_NOT_ALLOWED: 405, GONE: 410, BAD_GATEWAY: 502, GATEWAY_TIMEOUT: 504, PAYMENT_REQUIRED: 402,
};

export function statusOf(node: SyntaxNode | null | undefined): number | null | undefined {
  if (!node) return undefined;
  const t = node.text.trim();
  if (/^\d{3}$/.test(t)) return Number(t);
  const py = /HTTP_(\d{3})_\w+$/.exec(t);
  if (py) return Number(py[1]);
  const go = /^http\.Status(\w+)$/.exec(t);
  if (go) return HTTP_STATUS[go[1]] ?? null;
  const hs = /^(?:HTTPStatus|status)\.(\w+)$/.exec(t);
  if (hs) return PY_STATUS[hs[1]] ?? null;
  const nest = /^HttpStatus\.(\w+)$/.exec(t);
  if (nest) return PY_STATUS[nest[1]] ?? null;
  return null;
}

const FN_TYPES = new Set(['arrow_function', 'function_expression', 'function_declaration', 'method_definition', 'function', 'function_definition', 'func_literal', 'method_declaration']);

function enclosingFn(n: SyntaxNode): SyntaxNode | null {
  for (let p = n.parent; p; p = p.parent) if (FN_TYPES.has(p.type)) return p;
  return null;
}

/** Computed statuses count as errors only where errors are handled: an error handler or a catch block. */
function inErrorContext(n: SyntaxNode): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (p.type === 'catch_clause' || p.type === 'except_clause') return true;
    if (FN_TYPES.has(p.type)) {
      const params = p.childForFieldName('parameters')?.text ?? '';
      if (/^\(\s*(err|error|e|exc|exception)\b[^,]*,[^,]+,[^,]+,[^,]+\)$/.test(params.replace(/:\s*[\w<>[\]|. ]+/g, ''))) return true;
      if (/^(handle_?error|error_?handler|on_?error|\w*exception_handler|handle_\w*(exception|error))$/i.test(p.childForFieldName('name')?.text ?? '')) return true;
      return false;
    }
  }
  return false;
}

function classify(body: SyntaxNode | null): Pick<ErrorResponse, 'kind' | 'hasCode' | 'hasRequestId' | 'leak'> {
  if (!body) return { kind: 'none', hasCode: false, hasRequestId: false, leak: null };
  const text = body.text;
  const leak = STACK.test(text) ? 'stack' : MESSAGE.test(text) ? 'message' : null;
  const objectTypes = new Set(['object', 'dictionary', 'composite_literal']);
  let inner: SyntaxNode = body;
  // jsonify({...}) / JSONResponse(content={...}) / gin.H{...}
  if (body.type === 'call' && /^(jsonify|dict)$/.test(body.childForFieldName('function')?.text ?? '')) {
    const arg = body.childForFieldName('arguments')?.namedChildren[0];
    if (arg) inner = arg;
    else if (body.childForFieldName('arguments')?.namedChildren.some((a) => a?.type === 'keyword_argument')) {
      const kw = body.childForFieldName('arguments')!.text;
      return { kind: 'object', hasCode: CODE_KEY.test(kw.replace(/(\w+)\s*=/g, '$1:')) || CONST_VALUE.test(kw.replace(/(\w+)\s*=/g, '$1:')), hasRequestId: REQUEST_ID.test(kw), leak };
    }
  }
  // An empty body (`return "", 404`): the status is the whole answer, there is no human message to replace.
  if (stringValue(inner) === '') return { kind: 'none', hasCode: false, hasRequestId: false, leak: null };
  if (stringValue(inner) !== undefined || inner.type === 'template_string' || inner.type === 'string' || inner.type === 'interpreted_string_literal' || inner.type === 'binary_expression' && /^["'`]/.test(inner.text)) {
    return { kind: 'string', hasCode: false, hasRequestId: false, leak };
  }
  if (objectTypes.has(inner.type)) {
    if (/\.\.\.|\*\*/.test(inner.text) && !CODE_KEY.test(inner.text)) return { kind: 'opaque', hasCode: false, hasRequestId: false, leak };
    if (inner.type === 'composite_literal' && !/^(gin\.H|echo\.Map|map\[string\](interface\{\}|any|string))/.test(inner.text)) return { kind: 'opaque', hasCode: false, hasRequestId: false, leak };
    return { kind: 'object', hasCode: CODE_KEY.test(inner.text) || CONST_VALUE.test(inner.text), hasRequestId: REQUEST_ID.test(inner.text), leak };
  }
  return { kind: 'opaque', hasCode: false, hasRequestId: false, leak };
}

function args(n: SyntaxNode | null | undefined): SyntaxNode[] {
  return (n?.namedChildren ?? []).filter((a): a is SyntaxNode => !!a && a.type !== 'comment');
}

function kw(call: SyntaxNode, name: string): SyntaxNode | undefined {
  for (const a of args(call.childForFieldName('arguments'))) if (a.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) return a.childForFieldName('value') ?? undefined;
  return undefined;
}

function make(node: SyntaxNode, status: number | null | undefined, body: SyntaxNode | null, framework: ErrorResponse['framework'], statusNode?: SyntaxNode | null): ErrorResponse | undefined {
  if (status === undefined) return undefined;
  if (status === null && !inErrorContext(node)) return undefined;
  if (status !== null && status < 400) return undefined;
  return { node, status, body, ...classify(body), fn: enclosingFn(node), framework, statusFromError: status === null && /\b(err|error|e|exc)\.(status|statusCode|status_code|code)\b/.test(statusNode?.text ?? '') };
}

export function errorResponses(file: ParsedFile): ErrorResponse[] {
  const out: ErrorResponse[] = [];
  const push = (r: ErrorResponse | undefined): void => {
    if (r) out.push(r);
  };
  if (file.language === 'python') {
    const fastapi = /fastapi|starlette/.test(file.text);
    const django = /django|rest_framework/.test(file.text);
    for (const call of descendants(file.root, ['call'])) {
      const name = call.childForFieldName('function')?.text ?? '';
      const a = args(call.childForFieldName('arguments')).filter((x) => x.type !== 'keyword_argument');
      if (/(^|\.)HTTPException$/.test(name) && fastapi) push(make(call, statusOf(kw(call, 'status_code') ?? a[0]), kw(call, 'detail') ?? a[1] ?? null, 'fastapi', kw(call, 'status_code') ?? a[0]));
      else if (/(^|\.)(JSONResponse|ORJSONResponse|UJSONResponse)$/.test(name)) push(make(call, statusOf(kw(call, 'status_code') ?? a[1]), kw(call, 'content') ?? a[0] ?? null, 'fastapi', kw(call, 'status_code') ?? a[1]));
      else if (/(^|\.)(Response|JsonResponse)$/.test(name) && django && (kw(call, 'status'))) push(make(call, statusOf(kw(call, 'status')), kw(call, 'data') ?? a[0] ?? null, 'django', kw(call, 'status')));
      else if (/^(flask\.)?abort$/.test(name) && a[0]) push(make(call, statusOf(a[0]), kw(call, 'description') ?? a[1] ?? null, 'flask'));
    }
    for (const ret of descendants(file.root, ['return_statement'])) {
      const e = ret.namedChildren[0];
      if (e?.type !== 'expression_list') continue;
      const [body, status] = args(e);
      if (!body || !status) continue;
      if (!(body.type === 'dictionary' || body.type === 'string' || (body.type === 'call' && /^(jsonify|make_response)$/.test(body.childForFieldName('function')?.text ?? '')))) continue;
      push(make(ret, statusOf(status), body, 'flask', status));
    }
    return out;
  }
  if (file.language === 'go') {
    for (const call of descendants(file.root, ['call_expression'])) {
      const fn = call.childForFieldName('function');
      const a = args(call.childForFieldName('arguments'));
      const name = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text ?? '' : '';
      const full = fn?.text ?? '';
      if (full === 'http.Error' && a.length === 3) push(make(call, statusOf(a[2]), a[1], 'nethttp'));
      else if (/^(JSON|AbortWithStatusJSON|IndentedJSON|PureJSON|String)$/.test(name) && a.length >= 2 && /gin|echo/.test(file.text)) push(make(call, statusOf(a[0]), name === 'String' ? a[a.length - 1] : a[1], /labstack\/echo/.test(file.text) ? 'echo' : 'go'));
      else if (full === 'echo.NewHTTPError' && a.length >= 2) push(make(call, statusOf(a[0]), a[1], 'echo'));
    }
    return out;
  }
  for (const call of descendants(file.root, ['call_expression'])) {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'member_expression') continue;
    const prop = fn.childForFieldName('property')?.text ?? '';
    const obj = fn.childForFieldName('object');
    if ((prop === 'json' || prop === 'send') && obj?.type === 'call_expression') {
      const inner = obj.childForFieldName('function');
      if (inner?.type !== 'member_expression' || !/^(status|code)$/.test(inner.childForFieldName('property')?.text ?? '')) continue;
      const recv = inner.childForFieldName('object')?.text ?? '';
      if (!/^(res|response|reply|rep|ctx\.res|this\.res|resp|h)$/.test(recv)) continue;
      const status = statusOf(args(obj.childForFieldName('arguments'))[0]);
      push(make(call, status === undefined ? null : status, args(call.childForFieldName('arguments'))[0] ?? null, /reply|rep/.test(recv) ? 'fastify' : 'js', args(obj.childForFieldName('arguments'))[0]));
    }
    if (prop === 'throw' && obj?.text === 'ctx') {
      const a = args(call.childForFieldName('arguments'));
      push(make(call, statusOf(a[0]), a[1] ?? null, 'koa', a[0]));
    }
  }
  // Koa: ctx.status = 4xx; ctx.body = …
  for (const stmt of descendants(file.root, ['expression_statement'])) {
    const e = stmt.namedChildren[0];
    if (e?.type !== 'assignment_expression' || e.childForFieldName('left')?.text !== 'ctx.body') continue;
    let prev = stmt.previousNamedSibling;
    for (let i = 0; prev && i < 3; i++, prev = prev.previousNamedSibling) {
      const m = /^ctx\.status\s*=\s*([^;]+);?$/.exec(prev.text.trim());
      if (m) {
        const st = prev.namedChildren[0]?.childForFieldName('right');
        push(make(stmt, statusOf(st) ?? null, e.childForFieldName('right'), 'koa', st));
        break;
      }
    }
  }
  return out;
}

export function setsRetryAfter(r: ErrorResponse): boolean {
  const scope = r.fn?.text ?? r.node.text;
  return /retry[-_]?after/i.test(scope);
}
