/**
 * The idempotency fix in each framework's idiom: the first response for an Idempotency-Key is stored
 * for a TTL and replayed to retries with the same body; the same key with a different body is a 422
 * and a retry while the first request still runs a 409. Express/Koa/gin/echo get a middleware on the
 * route, Fastify a preHandler/onSend pair in the route options, NestJS an interceptor, Flask/FastAPI/
 * Django a view decorator. The stores are in memory: the helpers say to swap in a shared store.
 */
import type { FixWire, TextEditWire } from '../../protocol';
import type { SyntaxNode } from '../syntax/treeSitter';
import type { Route } from './discover';
import { append, goImports, indentAt, insertAt, isTs, jsNamedImports, pyImports, topLevel } from './fixEdits';

const TITLE = 'Require an Idempotency-Key: store and replay the first response';

function typed(ts: boolean): (s: string) => string {
  return (s) => (ts ? s : '');
}

function expressHelper(ts: boolean): string {
  const t = typed(ts);
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

function koaHelper(ts: boolean): string {
  const t = typed(ts);
  return `
/**
 * Idempotency-Key middleware (Koa): the first response for a key is stored for \`ttlMs\` and replayed to
 * retries with the same body; the same key with a different body is a 422, a retry while the first
 * request still runs a 409. Replace the in-memory map with a shared store when running replicas.
 */
function idempotency(ttlMs = 24 * 60 * 60 * 1000) {
  const seen = new Map${t('<string, { fingerprint: string; expires: number; status?: number; body?: unknown }>')}();
  return async (ctx${t(': any')}, next${t(': () => Promise<unknown>')}) => {
    const key = ctx.get('Idempotency-Key');
    if (!key) return next();
    const now = Date.now();
    for (const [k, v] of seen) if (v.expires < now) seen.delete(k);
    const fingerprint = require('node:crypto').createHash('sha256').update(JSON.stringify(ctx.request.body ?? null)).digest('hex');
    const scoped = \`\${ctx.method} \${ctx.path} \${key}\`;
    const hit = seen.get(scoped);
    if (hit && hit.fingerprint !== fingerprint) {
      ctx.status = 422;
      ctx.body = { code: 'IDEMPOTENCY_KEY_REUSED', detail: 'this Idempotency-Key was used with a different request body' };
      return;
    }
    if (hit && hit.status === undefined) {
      ctx.status = 409;
      ctx.body = { code: 'REQUEST_IN_PROGRESS', detail: 'a request with this Idempotency-Key is still running' };
      return;
    }
    if (hit) {
      ctx.status = hit.status;
      ctx.body = hit.body;
      ctx.set('Idempotent-Replayed', 'true');
      return;
    }
    const entry${t(': { fingerprint: string; expires: number; status?: number; body?: unknown }')} = { fingerprint, expires: now + ttlMs };
    seen.set(scoped, entry);
    try {
      await next();
    } catch (err) {
      seen.delete(scoped);
      throw err;
    }
    if (ctx.status < 500) Object.assign(entry, { status: ctx.status, body: ctx.body });
    else seen.delete(scoped);
  };
}
`;
}

function fastifyHelper(ts: boolean): string {
  const t = typed(ts);
  return `
/**
 * Idempotency-Key route options (Fastify): spread into a route's options. The first response for a key
 * is stored for \`ttlMs\` and replayed to retries with the same body; the same key with a different body
 * is a 422, a retry while the first request still runs a 409. Use a shared store when running replicas.
 */
function idempotency(ttlMs = 24 * 60 * 60 * 1000) {
  const seen = new Map${t('<string, { fingerprint: string; expires: number; status?: number; payload?: unknown; type?: unknown }>')}();
  const scopeOf = (request${t(': any')}) => \`\${request.method} \${request.url} \${request.headers['idempotency-key']}\`;
  return {
    preHandler: async (request${t(': any')}, reply${t(': any')}) => {
      const key = request.headers['idempotency-key'];
      if (!key) return;
      const now = Date.now();
      for (const [k, v] of seen) if (v.expires < now) seen.delete(k);
      const fingerprint = require('node:crypto').createHash('sha256').update(JSON.stringify(request.body ?? null)).digest('hex');
      const hit = seen.get(scopeOf(request));
      if (hit && hit.fingerprint !== fingerprint) return reply.code(422).send({ code: 'IDEMPOTENCY_KEY_REUSED', detail: 'this Idempotency-Key was used with a different request body' });
      if (hit && hit.status === undefined) return reply.code(409).send({ code: 'REQUEST_IN_PROGRESS', detail: 'a request with this Idempotency-Key is still running' });
      if (hit) {
        request.idempotentReplay = true;
        return reply.code(hit.status).header('Idempotent-Replayed', 'true').type(hit.type).send(hit.payload);
      }
      seen.set(scopeOf(request), { fingerprint, expires: now + ttlMs });
      request.idempotentFirst = true;
    },
    onSend: async (request${t(': any')}, reply${t(': any')}, payload${t(': unknown')}) => {
      if (!request.idempotentFirst) return payload;
      const entry = seen.get(scopeOf(request));
      if (entry && reply.statusCode < 500) Object.assign(entry, { status: reply.statusCode, payload, type: reply.getHeader('content-type') });
      else seen.delete(scopeOf(request));
      return payload;
    },
  };
}
`;
}

const NEST_INTERCEPTOR = `
/**
 * Idempotency-Key interceptor: the first response for a key is stored for a day and replayed to
 * retries with the same body; the same key with a different body is a 422, a retry while the first
 * request still runs a 409. Replace the in-memory map with a shared store when running replicas.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly seen = new Map<string, { fingerprint: string; expires: number; status?: number; body?: unknown }>();
  private readonly ttlMs = 24 * 60 * 60 * 1000;

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const req = http.getRequest();
    const res = http.getResponse();
    const key = req.headers['idempotency-key'];
    if (!key) return next.handle();
    const now = Date.now();
    for (const [k, v] of this.seen) if (v.expires < now) this.seen.delete(k);
    const fingerprint = createHash('sha256').update(JSON.stringify(req.body ?? null)).digest('hex');
    const scoped = \`\${req.method} \${req.url} \${key}\`;
    const hit = this.seen.get(scoped);
    if (hit && hit.fingerprint !== fingerprint) throw new UnprocessableEntityException({ code: 'IDEMPOTENCY_KEY_REUSED', detail: 'this Idempotency-Key was used with a different request body' });
    if (hit && hit.status === undefined) throw new ConflictException({ code: 'REQUEST_IN_PROGRESS', detail: 'a request with this Idempotency-Key is still running' });
    if (hit) {
      res.status(hit.status);
      if (typeof res.setHeader === 'function') res.setHeader('Idempotent-Replayed', 'true');
      else res.header('Idempotent-Replayed', 'true');
      return of(hit.body);
    }
    const entry: { fingerprint: string; expires: number; status?: number; body?: unknown } = { fingerprint, expires: now + this.ttlMs };
    this.seen.set(scoped, entry);
    return next.handle().pipe(tap({ next: (body) => Object.assign(entry, { status: res.statusCode, body }), error: () => this.seen.delete(scoped) }));
  }
}
`;

const FLASK_DECORATOR = `

def idempotent(ttl_seconds=24 * 60 * 60):
    """Idempotency-Key for a Flask view: the first response for a key is stored for \`ttl_seconds\` and
    replayed to retries with the same body; the same key with a different body is a 422, a retry while
    the first request still runs a 409. Replace the in-process dict with a shared store (Redis) when
    running several workers."""
    import functools
    import hashlib
    import time

    from flask import jsonify, make_response, request

    seen = {}

    def wrap(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            key = request.headers.get("Idempotency-Key")
            if not key:
                return view(*args, **kwargs)
            now = time.monotonic()
            for stale in [k for k, v in seen.items() if v["expires"] < now]:
                seen.pop(stale, None)
            fingerprint = hashlib.sha256(request.get_data()).hexdigest()
            scoped = (request.method, request.path, key)
            hit = seen.get(scoped)
            if hit and hit["fingerprint"] != fingerprint:
                return jsonify(code="IDEMPOTENCY_KEY_REUSED", detail="this Idempotency-Key was used with a different request body"), 422
            if hit and "status" not in hit:
                return jsonify(code="REQUEST_IN_PROGRESS", detail="a request with this Idempotency-Key is still running"), 409
            if hit:
                replay = make_response(hit["body"], hit["status"], hit["headers"])
                replay.headers["Idempotent-Replayed"] = "true"
                return replay
            entry = {"fingerprint": fingerprint, "expires": now + ttl_seconds}
            seen[scoped] = entry
            try:
                response = make_response(view(*args, **kwargs))
            except Exception:
                seen.pop(scoped, None)
                raise
            if response.status_code < 500:
                entry.update(status=response.status_code, body=response.get_data(), headers=[(k, v) for k, v in response.headers if k.lower() not in ("content-length", "set-cookie")])
            else:
                seen.pop(scoped, None)
            return response

        return wrapper

    return wrap
`;

const FASTAPI_DECORATOR = `

def idempotent(ttl_seconds: int = 24 * 60 * 60):
    """Idempotency-Key for a FastAPI endpoint (put it under the route decorator): the endpoint gains an
    \`Idempotency-Key\` header parameter; the first result for a key is stored for \`ttl_seconds\` and
    replayed to retries with the same body; the same key with a different body is a 422, a retry while
    the first request still runs a 409. Replace the in-process dict with a shared store (Redis) when
    running several workers."""
    import functools
    import hashlib
    import inspect
    import json
    import time
    from typing import Optional

    from fastapi import Header, HTTPException
    from fastapi.concurrency import run_in_threadpool
    from fastapi.encoders import jsonable_encoder
    from pydantic import BaseModel

    seen: dict = {}

    def wrap(endpoint):
        signature = inspect.signature(endpoint)

        @functools.wraps(endpoint)
        async def wrapper(*args, idempotency_key: Optional[str] = None, **kwargs):
            async def call():
                if inspect.iscoroutinefunction(endpoint):
                    return await endpoint(*args, **kwargs)
                return await run_in_threadpool(endpoint, *args, **kwargs)

            if not idempotency_key:
                return await call()
            now = time.monotonic()
            for stale in [k for k, v in seen.items() if v["expires"] < now]:
                seen.pop(stale, None)
            inputs = {k: v for k, v in kwargs.items() if isinstance(v, (BaseModel, str, int, float, bool, list, dict, type(None)))}
            fingerprint = hashlib.sha256(json.dumps(jsonable_encoder(inputs), sort_keys=True, default=str).encode()).hexdigest()
            scoped = (endpoint.__module__, endpoint.__qualname__, idempotency_key)
            hit = seen.get(scoped)
            if hit and hit["fingerprint"] != fingerprint:
                raise HTTPException(422, {"code": "IDEMPOTENCY_KEY_REUSED", "detail": "this Idempotency-Key was used with a different request body"})
            if hit and "result" not in hit:
                raise HTTPException(409, {"code": "REQUEST_IN_PROGRESS", "detail": "a request with this Idempotency-Key is still running"})
            if hit:
                return hit["result"]
            entry = {"fingerprint": fingerprint, "expires": now + ttl_seconds}
            seen[scoped] = entry
            try:
                entry["result"] = await call()
            except Exception:
                seen.pop(scoped, None)
                raise
            return entry["result"]

        header = inspect.Parameter("idempotency_key", inspect.Parameter.KEYWORD_ONLY, default=Header(None, alias="Idempotency-Key"), annotation=Optional[str])
        wrapper.__signature__ = signature.replace(parameters=[*signature.parameters.values(), header])
        return wrapper

    return wrap
`;

const DJANGO_DECORATOR = `

def idempotent(view):
    """Idempotency-Key for a Django/DRF view (a function view, or a class via
    \`@method_decorator(idempotent, name="dispatch")\`): the first POST response for a key is stored for
    a day and replayed to retries with the same body; the same key with a different body is a 422, a
    retry while the first request still runs a 409. Replace the in-process dict with the cache
    framework (a shared backend) when running several workers."""
    import functools
    import hashlib
    import time

    from django.http import HttpResponse, JsonResponse

    seen = {}
    ttl_seconds = 24 * 60 * 60

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key")
        if request.method != "POST" or not key:
            return view(request, *args, **kwargs)
        now = time.monotonic()
        for stale in [k for k, v in seen.items() if v["expires"] < now]:
            seen.pop(stale, None)
        fingerprint = hashlib.sha256(request.body).hexdigest()
        scoped = (request.path, key)
        hit = seen.get(scoped)
        if hit and hit["fingerprint"] != fingerprint:
            return JsonResponse({"code": "IDEMPOTENCY_KEY_REUSED", "detail": "this Idempotency-Key was used with a different request body"}, status=422)
        if hit and "status" not in hit:
            return JsonResponse({"code": "REQUEST_IN_PROGRESS", "detail": "a request with this Idempotency-Key is still running"}, status=409)
        if hit:
            replay = HttpResponse(hit["body"], status=hit["status"], content_type=hit["content_type"])
            replay["Idempotent-Replayed"] = "true"
            return replay
        entry = {"fingerprint": fingerprint, "expires": now + ttl_seconds}
        seen[scoped] = entry
        try:
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response = response.render()
        except Exception:
            seen.pop(scoped, None)
            raise
        if response.status_code < 500:
            entry.update(status=response.status_code, body=response.content, content_type=response.get("Content-Type"))
        else:
            seen.pop(scoped, None)
        return response

    return wrapper
`;

/**
 * The Go middlewares' shared parts: the stored entry and the response writer that copies the body
 * (embedding the framework's writer), and the locked sweep-and-claim of a key, at a given indentation.
 */
function goTypes(writer: string): string {
  return `

type idempotentEntry struct {
	fingerprint string
	expires     time.Time
	done        bool
	status      int
	body        []byte
	contentType string
}

type idempotencyWriter struct {
	${writer}
	buf bytes.Buffer
}

func (w *idempotencyWriter) Write(b []byte) (int, error) {
	w.buf.Write(b)
	return w.ResponseWriter.Write(b)
}
`;
}

const GO_CLAIM = `mu.Lock()
now := time.Now()
for k, e := range seen {
	if now.After(e.expires) {
		delete(seen, k)
	}
}
hit, ok := seen[scoped]
var replay idempotentEntry
if ok {
	replay = *hit
} else {
	seen[scoped] = &idempotentEntry{fingerprint: fingerprint, expires: now.Add(ttl)}
}
mu.Unlock()`;

function goClaim(tabs: number): string {
  return GO_CLAIM.split('\n').map((l) => '\t'.repeat(tabs) + l).join('\n');
}

const GIN_MIDDLEWARE = `${goTypes('gin.ResponseWriter')}
func (w *idempotencyWriter) WriteString(s string) (int, error) {
	w.buf.WriteString(s)
	return w.ResponseWriter.WriteString(s)
}

// Idempotency stores the first response for an Idempotency-Key for ttl and replays it to retries with
// the same body; the same key with a different body is a 422, a retry while the first request still
// runs a 409. Replace the in-memory map with a shared store when running replicas.
func Idempotency(ttl time.Duration) gin.HandlerFunc {
	var mu sync.Mutex
	seen := map[string]*idempotentEntry{}
	return func(c *gin.Context) {
		key := c.GetHeader("Idempotency-Key")
		if key == "" {
			c.Next()
			return
		}
		body, err := io.ReadAll(c.Request.Body)
		if err != nil {
			c.AbortWithStatusJSON(http.StatusBadRequest, gin.H{"code": "BODY_UNREADABLE"})
			return
		}
		c.Request.Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(body)
		fingerprint := hex.EncodeToString(sum[:])
		scoped := c.Request.Method + " " + c.FullPath() + " " + key
${goClaim(2)}
		switch {
		case ok && replay.fingerprint != fingerprint:
			c.AbortWithStatusJSON(http.StatusUnprocessableEntity, gin.H{"code": "IDEMPOTENCY_KEY_REUSED", "detail": "this Idempotency-Key was used with a different request body"})
			return
		case ok && !replay.done:
			c.AbortWithStatusJSON(http.StatusConflict, gin.H{"code": "REQUEST_IN_PROGRESS", "detail": "a request with this Idempotency-Key is still running"})
			return
		case ok:
			c.Header("Idempotent-Replayed", "true")
			c.Data(replay.status, replay.contentType, replay.body)
			c.Abort()
			return
		}
		w := &idempotencyWriter{ResponseWriter: c.Writer}
		c.Writer = w
		c.Next()
		mu.Lock()
		defer mu.Unlock()
		if w.Status() >= 500 {
			delete(seen, scoped)
			return
		}
		if e, ok := seen[scoped]; ok {
			e.done, e.status, e.body, e.contentType = true, w.Status(), w.buf.Bytes(), w.Header().Get("Content-Type")
		}
	}
}
`;

const ECHO_MIDDLEWARE = `${goTypes('http.ResponseWriter')}
// Idempotency stores the first response for an Idempotency-Key for ttl and replays it to retries with
// the same body; the same key with a different body is a 422, a retry while the first request still
// runs a 409. Replace the in-memory map with a shared store when running replicas.
func Idempotency(ttl time.Duration) echo.MiddlewareFunc {
	var mu sync.Mutex
	seen := map[string]*idempotentEntry{}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			key := c.Request().Header.Get("Idempotency-Key")
			if key == "" {
				return next(c)
			}
			body, err := io.ReadAll(c.Request().Body)
			if err != nil {
				return err
			}
			c.Request().Body = io.NopCloser(bytes.NewReader(body))
			sum := sha256.Sum256(body)
			fingerprint := hex.EncodeToString(sum[:])
			scoped := c.Request().Method + " " + c.Path() + " " + key
${goClaim(3)}
			switch {
			case ok && replay.fingerprint != fingerprint:
				return c.JSON(http.StatusUnprocessableEntity, map[string]string{"code": "IDEMPOTENCY_KEY_REUSED", "detail": "this Idempotency-Key was used with a different request body"})
			case ok && !replay.done:
				return c.JSON(http.StatusConflict, map[string]string{"code": "REQUEST_IN_PROGRESS", "detail": "a request with this Idempotency-Key is still running"})
			case ok:
				c.Response().Header().Set("Idempotent-Replayed", "true")
				return c.Blob(replay.status, replay.contentType, replay.body)
			}
			w := &idempotencyWriter{ResponseWriter: c.Response().Writer}
			c.Response().Writer = w
			err = next(c)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || c.Response().Status >= 500 {
				delete(seen, scoped)
				return err
			}
			if e, ok := seen[scoped]; ok {
				e.done, e.status, e.body, e.contentType = true, c.Response().Status, w.buf.Bytes(), c.Response().Header().Get("Content-Type")
			}
			return nil
		}
	}
}
`;

const GO_IMPORTS = ['bytes', 'crypto/sha256', 'encoding/hex', 'io', 'net/http', 'sync', 'time'];

function routeArgs(r: Route): SyntaxNode[] {
  return r.anchor.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => !!a && a.type !== 'comment') ?? [];
}

function fix(edits: TextEditWire[]): FixWire[] {
  return edits.length === 0 ? [] : [{ title: TITLE, kind: 'idempotency', isPreferred: true, edits }];
}

/** Express/Koa/gin: a middleware argument just before the handler. */
function beforeHandler(r: Route, helper: () => string, defined: RegExp, call: string, extra: TextEditWire[] = []): FixWire[] {
  const args = routeArgs(r);
  const handler = args[args.length - 1];
  if (!handler || args.length < 2) return [];
  const edits = [insertAt(r.file, handler.startIndex, `${call}, `)];
  if (!defined.test(r.file.text)) edits.push(append(r.file, helper()), ...extra);
  return fix(edits);
}

function fastify(r: Route): FixWire[] {
  const args = routeArgs(r);
  if (args.length < 2) return [];
  const handler = args[args.length - 1];
  const options = args.length >= 3 ? args[args.length - 2] : null;
  const edits: TextEditWire[] = [];
  if (options?.type === 'object') edits.push(insertAt(r.file, options.startIndex + 1, ' ...idempotency(),'));
  else if (!options) edits.push(insertAt(r.file, handler.startIndex, 'idempotency(), '));
  else return [];
  if (!/function idempotency\(/.test(r.file.text)) edits.push(append(r.file, fastifyHelper(isTs(r.file))));
  return fix(edits);
}

/** Decorator lines go right above the method's first decorator (Nest) or the `def` (Python), at its indentation. */
function nest(r: Route): FixWire[] {
  const m = r.anchor;
  let first: SyntaxNode | null = m.namedChildren.find((c) => c?.type === 'decorator') ?? null;
  for (let p = m.previousNamedSibling; p?.type === 'decorator'; p = p.previousNamedSibling) first = p;
  const at = first ?? m;
  const file = r.file;
  const edits = [insertAt(file, at.startIndex, `@UseInterceptors(IdempotencyInterceptor)\n${indentAt(file.text, at.startIndex)}`)];
  if (!/class IdempotencyInterceptor\b/.test(file.text)) {
    const cls = topLevel(m);
    edits.push(insertAt(file, cls.startIndex, `${NEST_INTERCEPTOR.trimStart()}\n`));
    edits.push(...jsNamedImports(file, '@nestjs/common', ['CallHandler', 'ConflictException', 'ExecutionContext', 'Injectable', 'NestInterceptor', 'UnprocessableEntityException', 'UseInterceptors']));
    edits.push(...jsNamedImports(file, 'rxjs', ['Observable', 'of', 'tap']), ...jsNamedImports(file, 'node:crypto', ['createHash']));
  } else edits.push(...jsNamedImports(file, '@nestjs/common', ['UseInterceptors']));
  return fix(edits);
}

function pythonView(r: Route, helper: string): FixWire[] {
  const file = r.handlerFile;
  const def = r.handlers[0];
  if (!def) return [];
  const decorated = def.parent?.type === 'decorated_definition' ? def.parent : null;
  const edits: TextEditWire[] = [];
  const owner = def.type === 'class_definition' ? def : def.parent?.type === 'block' && def.parent.parent?.type === 'class_definition' ? def.parent.parent : null;
  if (owner && r.framework === 'django') {
    // A class-based view (or its post method): decorate dispatch, which every method goes through.
    const at = owner.parent?.type === 'decorated_definition' ? owner.parent : owner;
    edits.push(insertAt(file, at.startIndex, `@method_decorator(idempotent, name="dispatch")\n${indentAt(file.text, at.startIndex)}`));
    edits.push(...pyImports(file, 'django.utils.decorators', ['method_decorator']));
  } else if (r.framework === 'django') {
    // Outermost, so that it sees Django's request before @api_view/@csrf_exempt wrap the view.
    const at = decorated ?? def;
    edits.push(insertAt(file, at.startIndex, `@idempotent\n${indentAt(file.text, at.startIndex)}`));
  } else {
    // Under the route decorator: the route registers the idempotent wrapper.
    edits.push(insertAt(file, def.startIndex, `@idempotent()\n${indentAt(file.text, def.startIndex)}`));
  }
  if (!/^def idempotent\(/m.test(file.text)) edits.push(append(file, helper));
  return fix(edits);
}

export function idempotencyFixFor(r: Route): FixWire[] {
  switch (r.framework) {
    case 'express':
      if (r.anchor.type !== 'call_expression') return [];
      return beforeHandler(r, () => expressHelper(isTs(r.file)), /function idempotency\(/, 'idempotency()');
    case 'koa':
      if (r.anchor.type !== 'call_expression') return [];
      return beforeHandler(r, () => koaHelper(isTs(r.file)), /function idempotency\(/, 'idempotency()');
    case 'fastify':
      return r.anchor.type === 'call_expression' ? fastify(r) : [];
    case 'nestjs':
      return r.anchor.type === 'method_definition' ? nest(r) : [];
    case 'flask':
      return pythonView(r, FLASK_DECORATOR);
    case 'fastapi':
      return pythonView(r, FASTAPI_DECORATOR);
    case 'django':
      return pythonView(r, DJANGO_DECORATOR);
    case 'gin':
      return beforeHandler(r, () => GIN_MIDDLEWARE, /func Idempotency\(/, 'Idempotency(24*time.Hour)', goImports(r.file, GO_IMPORTS));
    case 'echo': {
      const args = routeArgs(r);
      if (args.length < 2) return [];
      const last = args[args.length - 1];
      const edits = [insertAt(r.file, last.endIndex, ', Idempotency(24*time.Hour)')];
      if (!/func Idempotency\(/.test(r.file.text)) edits.push(append(r.file, ECHO_MIDDLEWARE), ...goImports(r.file, GO_IMPORTS));
      return fix(edits);
    }
    default:
      return [];
  }
}
