/**
 * Route discovery for TS/JS: Express (app/Router, `route().get()`, `use(prefix, router)`), Fastify
 * (shorthands, `route({ method, url })`, `register(plugin, { prefix })`), Koa (@koa/router with
 * `prefix`, `use(prefix, child.routes())`) and NestJS (`@Controller` + method decorators, global
 * prefix). Imports of workspace files are resolved so mounts reach routers declared elsewhere.
 */
import * as nodePath from 'node:path';
import type { ApiFramework } from '../../protocol';
import type { SyntaxNode } from '../syntax/treeSitter';
import { descendants, emptyDiscovery, enclosing, stringValue, type FileDiscovery, type ParsedFile, type RouterKey } from './model';

const HTTP_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'del', 'options', 'head', 'all']);
const ROUTER_NAME = /^(app|api|router|routes?|server|fastify|instance|\w*(Router|router|Routes|routes|App|app|Api|api|Server|server))$/;
const CLIENT_NAME = /^(axios|http|https|request|client|fetch|supertest|agent|got|ky|superagent|cy|\$|jQuery|httpClient|apiClient|session|cache|map|store|params|searchParams|headers|cookies|redis|storage|localStorage|sessionStorage|config|conf|settings|nconf|db|knex|model|collection|req|res|ctx|reply|request|response)$/i;
const FUNCTIONS = new Set(['arrow_function', 'function_expression', 'function_declaration', 'function', 'method_definition', 'generator_function_declaration']);
const NEST_METHODS: Record<string, string> = { Get: 'GET', Post: 'POST', Put: 'PUT', Patch: 'PATCH', Delete: 'DELETE', Options: 'OPTIONS', Head: 'HEAD', All: 'ALL' };

export interface JsImport {
  local: string;
  /** Absolute path of the imported workspace module (without extension resolution). */
  spec: string;
  imported: string;
}

function frameworkOf(text: string): ApiFramework | undefined {
  if (/@nestjs\/common/.test(text)) return 'nestjs';
  if (/['"](@koa\/router|koa-router|koa)['"]/.test(text)) return 'koa';
  if (/['"](fastify|fastify-plugin)['"]|FastifyInstance|FastifyPluginAsync/.test(text)) return 'fastify';
  if (/['"]express['"]|\bexpress\.Router\b/.test(text)) return 'express';
  return undefined;
}

function guessFramework(handler: SyntaxNode | undefined): ApiFramework {
  const params = handler?.childForFieldName('parameters')?.text ?? handler?.childForFieldName('parameter')?.text ?? '';
  if (/^\(?\s*ctx\b/.test(params)) return 'koa';
  if (/\breply\b/.test(params)) return 'fastify';
  return 'express';
}

export function jsImports(file: ParsedFile): JsImport[] {
  const out: JsImport[] = [];
  const dir = nodePath.dirname(file.abs);
  for (const imp of descendants(file.root, ['import_statement'])) {
    const source = stringValue(imp.childForFieldName('source'));
    if (!source?.startsWith('.')) continue;
    const spec = nodePath.resolve(dir, source);
    const clause = imp.namedChildren.find((c) => c?.type === 'import_clause');
    if (!clause) continue;
    for (const c of clause.namedChildren) {
      if (!c) continue;
      if (c.type === 'identifier') out.push({ local: c.text, spec, imported: 'default' });
      if (c.type === 'named_imports') {
        for (const s of descendants(c, ['import_specifier'])) {
          const name = s.childForFieldName('name')?.text ?? '';
          out.push({ local: s.childForFieldName('alias')?.text ?? name, spec, imported: name });
        }
      }
      if (c.type === 'namespace_import') out.push({ local: c.namedChildren[0]?.text ?? '', spec, imported: '*' });
    }
  }
  for (const call of descendants(file.root, ['call_expression'])) {
    if (call.childForFieldName('function')?.text !== 'require') continue;
    const source = stringValue(call.childForFieldName('arguments')?.namedChildren[0]);
    if (!source?.startsWith('.')) continue;
    const decl = call.parent?.type === 'variable_declarator' ? call.parent : null;
    const name = decl?.childForFieldName('name');
    const spec = nodePath.resolve(dir, source);
    if (name?.type === 'identifier') out.push({ local: name.text, spec, imported: 'default' });
    else if (name?.type === 'object_pattern') {
      for (const p of name.namedChildren) {
        if (p?.type === 'shorthand_property_identifier_pattern') out.push({ local: p.text, spec, imported: p.text });
        if (p?.type === 'pair_pattern') out.push({ local: p.childForFieldName('value')?.text ?? '', spec, imported: p.childForFieldName('key')?.text ?? '' });
      }
    }
  }
  return out;
}

/** Whether `name` is bound in this file to something that creates an app or router. */
function routerVars(file: ParsedFile): Map<string, { prefix: string; framework?: ApiFramework }> {
  const vars = new Map<string, { prefix: string; framework?: ApiFramework }>();
  for (const d of descendants(file.root, ['variable_declarator', 'assignment_expression'])) {
    const name = d.childForFieldName(d.type === 'variable_declarator' ? 'name' : 'left');
    let value = d.childForFieldName(d.type === 'variable_declarator' ? 'value' : 'right');
    if (!name || !value) continue;
    while (value && (value.type === 'await_expression' || value.type === 'parenthesized_expression')) value = value.namedChildren[0] ?? null;
    if (!value) continue;
    const t = value.text;
    if (/^(express\s*\(|express\.Router\s*\(|Router\s*\(|express\(\)\.Router)/.test(t)) vars.set(name.text, { prefix: '' , framework: 'express' });
    else if (/^(Fastify|fastify)\s*\(/.test(t)) vars.set(name.text, { prefix: '', framework: 'fastify' });
    else if (/^new\s+(Koa|KoaRouter|Router|KoaRouter\.default)\s*\(/.test(t) || /^new\s+\w+\s*\(/.test(t) && /Router/.test(t)) {
      const prefix = /prefix\s*:\s*(['"`])([^'"`]*)\1/.exec(t)?.[2] ?? '';
      vars.set(name.text, { prefix, framework: /Koa|koa/.test(file.text) ? 'koa' : undefined });
    } else if (/^NestFactory\.create/.test(t)) vars.set(name.text, { prefix: '', framework: 'nestjs' });
  }
  return vars;
}

function isFunctionLike(n: SyntaxNode | null | undefined): boolean {
  return !!n && FUNCTIONS.has(n.type);
}

/** The router key for a receiver: a module-level variable, or the exported function whose parameter it is. */
function receiverKey(file: ParsedFile, receiver: SyntaxNode): RouterKey {
  if (receiver.type === 'identifier') {
    const fn = enclosing(receiver, FUNCTIONS);
    const params = fn?.childForFieldName('parameters') ?? fn?.childForFieldName('parameter');
    if (fn && params && descendants(params, ['identifier']).some((p) => p.text === receiver.text)) {
      return { file: file.abs, name: `fn:${functionName(fn)}` };
    }
  }
  return { file: file.abs, name: receiver.text };
}

function functionName(fn: SyntaxNode): string {
  const own = fn.childForFieldName('name')?.text;
  if (own) return own;
  const p = fn.parent;
  if (p?.type === 'variable_declarator') return p.childForFieldName('name')?.text ?? 'default';
  if (p?.type === 'export_statement' || p?.parent?.type === 'export_statement') return 'default';
  if (p?.type === 'assignment_expression' && /module\.exports|exports\.default/.test(p.childForFieldName('left')?.text ?? '')) return 'default';
  if (p?.type === 'assignment_expression') return p.childForFieldName('left')?.text.replace(/^(module\.)?exports\./, '') ?? 'default';
  return `anon@${fn.startIndex}`;
}

export function discoverJs(file: ParsedFile): FileDiscovery {
  const out = emptyDiscovery();
  const declared = frameworkOf(file.text);
  const vars = routerVars(file);
  for (const [name, v] of vars) if (v.prefix) out.prefixes.push({ router: { file: file.abs, name }, prefix: v.prefix });

  for (const call of descendants(file.root, ['call_expression'])) {
    const fn = call.childForFieldName('function');
    const args = call.childForFieldName('arguments');
    if (fn?.type !== 'member_expression' || !args) continue;
    const prop = fn.childForFieldName('property')?.text ?? '';
    let receiver = fn.childForFieldName('object');
    if (!receiver) continue;
    const argv = args.namedChildren.filter((a): a is SyntaxNode => !!a && a.type !== 'comment');

    // app.route('/x').get(h).post(h)
    let chainedPath: string | undefined;
    if (receiver.type === 'call_expression') {
      let inner: SyntaxNode | null = receiver;
      while (inner?.type === 'call_expression') {
        const f = inner.childForFieldName('function');
        if (f?.type === 'member_expression' && f.childForFieldName('property')?.text === 'route') {
          chainedPath = stringValue(inner.childForFieldName('arguments')?.namedChildren[0]);
          receiver = f.childForFieldName('object');
          break;
        }
        inner = f?.type === 'member_expression' ? f.childForFieldName('object') : null;
      }
      if (chainedPath === undefined || !receiver) continue;
    }
    const recvName = receiver.text;
    const known = vars.has(recvName) || ROUTER_NAME.test(recvName.replace(/^this\./, ''));
    if (!known || CLIENT_NAME.test(recvName)) continue;
    const key = receiverKey(file, receiver);
    const framework = declared ?? vars.get(recvName)?.framework;

    if (HTTP_METHODS.has(prop)) {
      const path = chainedPath ?? stringValue(argv[0]);
      const rest = chainedPath !== undefined ? argv : argv.slice(1);
      if (path === undefined || rest.length === 0) continue;
      if (chainedPath === undefined && !(path.startsWith('/') || path === '' || path === '*')) continue;
      const last = rest[rest.length - 1];
      if (!(isFunctionLike(last) || last.type === 'identifier' || last.type === 'member_expression' || last.type === 'call_expression')) continue;
      const handlers = rest.filter((a) => isFunctionLike(a));
      const names = rest.filter((a) => a.type === 'identifier' || a.type === 'member_expression').map((a) => a.text);
      const wrapped = rest.filter((a) => a.type === 'call_expression').flatMap((a) => descendants(a, [...FUNCTIONS]).slice(0, 1));
      const fw = framework ?? guessFramework(handlers[0] ?? wrapped[0]);
      // Fastify route options, inline or a same-file `const options = { schema: … }`.
      const schemaArg = fw === 'fastify' ? rest.slice(0, -1).map((a) => (a.type === 'identifier' ? constObject(file, a.text) : a)).find((a) => a?.type === 'object') : undefined;
      out.routes.push({
        method: prop === 'del' ? 'DELETE' : prop.toUpperCase() === 'ALL' ? 'ALL' : prop.toUpperCase(),
        path,
        router: key,
        file,
        anchor: call,
        framework: fw,
        handlers: [...handlers, ...wrapped],
        handlerNames: names.length > 0 ? [names[names.length - 1]] : [],
        middleware: rest.slice(0, -1).map((a) => a.text).join(' '),
        declaredValidation: schemaArg ? fastifySchema(schemaArg) : undefined,
      });
      continue;
    }
    if (prop === 'route' && argv[0]?.type === 'object') {
      const obj = argv[0];
      const method = pairValue(obj, 'method');
      const url = stringValue(pairValue(obj, 'url') ?? pairValue(obj, 'path'));
      if (!method || url === undefined) continue;
      const methods = method.type === 'array' ? method.namedChildren.map((m) => stringValue(m)) : [stringValue(method)];
      const handler = pairValue(obj, 'handler');
      for (const m of methods) {
        if (!m) continue;
        out.routes.push({
          method: m.toUpperCase(), path: url, router: key, file, anchor: call, framework: framework ?? 'fastify',
          handlers: isFunctionLike(handler) ? [handler!] : [],
          handlerNames: handler && !isFunctionLike(handler) ? [handler.text] : [],
          middleware: obj.text.replace(handler?.text ?? '', ''),
          declaredValidation: fastifySchema(obj),
        });
      }
      continue;
    }
    if (prop === 'use' || prop === 'register') {
      const prefixArg = stringValue(argv[0]);
      const rest = prefixArg !== undefined ? argv.slice(1) : argv;
      let prefix = prefixArg ?? '';
      if (prop === 'register') {
        const opts = rest.find((a) => a.type === 'object');
        prefix = stringValue(opts ? pairValue(opts, 'prefix') : undefined) ?? '';
      }
      for (const a of rest) {
        const child = childRouter(file, a);
        if (child) out.mounts.push({ parent: key, child, prefix });
      }
      continue;
    }
    if (prop === 'prefix' && receiver.type === 'identifier') {
      const p = stringValue(argv[0]);
      if (p !== undefined) out.prefixes.push({ router: key, prefix: p });
    }
    if (prop === 'setGlobalPrefix') {
      const p = stringValue(argv[0]);
      if (p !== undefined) out.prefixes.push({ router: { file: '*', name: 'nest' }, prefix: p });
    }
  }

  // export default router / module.exports = router / export const x = Router()
  for (const e of descendants(file.root, ['export_statement'])) {
    const value = e.childForFieldName('value') ?? e.childForFieldName('declaration');
    if (!value) continue;
    if (e.text.startsWith('export default') && value.type === 'identifier') out.exports.push({ exported: 'default', local: value.text });
  }
  for (const a of descendants(file.root, ['assignment_expression'])) {
    const left = a.childForFieldName('left')?.text ?? '';
    const right = a.childForFieldName('right');
    if (right?.type === 'identifier' && (left === 'module.exports' || left === 'exports.default')) out.exports.push({ exported: 'default', local: right.text });
    if (right?.type === 'identifier' && /^(module\.)?exports\.\w+$/.test(left)) out.exports.push({ exported: left.replace(/^(module\.)?exports\./, ''), local: right.text });
  }

  if (declared === 'nestjs' || /@Controller\s*\(/.test(file.text)) discoverNest(file, out);
  return out;
}

function childRouter(file: ParsedFile, a: SyntaxNode): RouterKey | undefined {
  if (a.type === 'identifier') return { file: file.abs, name: a.text };
  if (a.type === 'call_expression') {
    const f = a.childForFieldName('function');
    if (f?.type === 'member_expression' && /^(routes|middleware)$/.test(f.childForFieldName('property')?.text ?? '')) {
      const obj = f.childForFieldName('object');
      if (obj?.type === 'identifier') return { file: file.abs, name: obj.text };
    }
    if (f?.text === 'require') {
      const source = stringValue(a.childForFieldName('arguments')?.namedChildren[0]);
      if (source?.startsWith('.')) return { file: `import:${nodePath.resolve(nodePath.dirname(file.abs), source)}`, name: 'default' };
    }
  }
  if (a.type === 'member_expression' && a.childForFieldName('object')?.type === 'identifier') return { file: file.abs, name: a.text };
  return undefined;
}

export function pairValue(obj: SyntaxNode, key: string): SyntaxNode | undefined {
  for (const p of obj.namedChildren) {
    if (p?.type === 'pair' && (p.childForFieldName('key')?.text ?? '').replace(/['"]/g, '') === key) return p.childForFieldName('value') ?? undefined;
    if (p?.type === 'shorthand_property_identifier' && p.text === key) return p;
  }
  return undefined;
}

function fastifySchema(obj: SyntaxNode): { name: string; any: boolean } | null {
  const schema = pairValue(obj, 'schema');
  if (!schema) return null;
  const body = schema.type === 'object' ? pairValue(schema, 'body') : undefined;
  if (schema.type === 'object' && !body) return null;
  const text = (body ?? schema).text;
  const open = /additionalProperties\s*:\s*true/.test(text) || (/type\s*:\s*['"]object['"]/.test(text) && !/properties\s*:/.test(text) && body?.type === 'object');
  return { name: /Type\.|typebox/i.test(text) ? 'typebox' : 'json-schema', any: open };
}

function discoverNest(file: ParsedFile, out: FileDiscovery): void {
  for (const cls of descendants(file.root, ['class_declaration'])) {
    const decorators = classDecorators(cls);
    const ctrl = decorators.find((d) => /^@Controller\b/.test(d.text));
    if (!ctrl) continue;
    const arg = descendants(ctrl, ['arguments'])[0]?.namedChildren[0];
    const base = stringValue(arg) ?? (arg?.type === 'object' ? stringValue(pairValue(arg, 'path')) : undefined) ?? '';
    const key = { file: file.abs, name: `nest:${cls.childForFieldName('name')?.text ?? ''}` };
    out.prefixes.push({ router: key, prefix: base });
    out.mounts.push({ parent: { file: '*', name: 'nest' }, child: key, prefix: '' });
    const body = cls.childForFieldName('body');
    if (!body) continue;
    let pending: SyntaxNode[] = [];
    for (const m of body.namedChildren) {
      if (!m) continue;
      if (m.type === 'decorator') {
        pending.push(m);
        continue;
      }
      if (m.type !== 'method_definition') {
        pending = [];
        continue;
      }
      const decos = [...pending, ...m.namedChildren.filter((c): c is SyntaxNode => c?.type === 'decorator')];
      pending = [];
      for (const d of decos) {
        const name = /^@(\w+)/.exec(d.text)?.[1] ?? '';
        const method = NEST_METHODS[name];
        if (!method) continue;
        const p = stringValue(descendants(d, ['arguments'])[0]?.namedChildren[0]) ?? '';
        out.routes.push({
          method, path: p, router: key, file, anchor: m, framework: 'nestjs', handlers: [m], handlerNames: [],
          middleware: decos.map((x) => x.text).join(' '), declaredValidation: nestBody(m, file),
        });
      }
    }
  }
}

function classDecorators(cls: SyntaxNode): SyntaxNode[] {
  const own = cls.namedChildren.filter((c): c is SyntaxNode => c?.type === 'decorator');
  const prev: SyntaxNode[] = [];
  const parent = cls.parent?.type === 'export_statement' ? cls.parent : null;
  if (parent) for (const c of parent.namedChildren) if (c?.type === 'decorator') prev.push(c);
  return [...prev, ...own];
}

/** `@Body() dto: CreateDto` → class-validator when the DTO class carries its decorators; `any`/untyped is an open body. */
function nestBody(method: SyntaxNode, file: ParsedFile): { name: string; any: boolean } | null | undefined {
  const params = method.childForFieldName('parameters');
  if (!params) return undefined;
  for (const p of params.namedChildren) {
    if (!p || !/@Body\s*\(/.test(p.text)) continue;
    if (/@Body\s*\([^)]*(Zod|zod)/.test(p.text)) return { name: 'zod', any: false };
    const type = /:\s*([\w.<>[\], |]+)\s*$/.exec(p.text)?.[1]?.trim();
    if (!type || /^(any|object|unknown|Record<.*>|\{\s*\})$/.test(type)) return { name: 'none', any: true };
    if (/^(string|number|boolean)$/.test(type)) return { name: 'pipe', any: false };
    return { name: `dto:${type}`, any: false };
  }
  return undefined;
  void file;
}

function constObject(file: ParsedFile, name: string): SyntaxNode | undefined {
  for (const d of descendants(file.root, ['variable_declarator'])) {
    if (d.childForFieldName('name')?.text === name && d.childForFieldName('value')?.type === 'object') return d.childForFieldName('value') ?? undefined;
  }
  return undefined;
}
