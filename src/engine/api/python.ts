/**
 * Route discovery for Python: FastAPI (`@app.get`, `APIRouter(prefix=)`, `include_router(…, prefix=)`),
 * Flask (`@app.route(methods=)`, `@bp.post`, `Blueprint(url_prefix=)`, `register_blueprint(…, url_prefix=)`)
 * and Django/DRF (`urlpatterns` with `path`/`re_path`/`include`, DRF routers and viewsets, `@api_view`,
 * class-based views). Module references are kept as dotted names and resolved by the scan.
 */
import * as nodePath from 'node:path';
import type { SyntaxNode } from '../syntax/treeSitter';
import { descendants, emptyDiscovery, stringValue, type FileDiscovery, type ParsedFile, type RawRoute, type RouterKey } from './model';

const SHORT = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

function kwarg(args: SyntaxNode | null | undefined, name: string): SyntaxNode | undefined {
  for (const a of args?.namedChildren ?? []) if (a?.type === 'keyword_argument' && a.childForFieldName('name')?.text === name) return a.childForFieldName('value') ?? undefined;
  return undefined;
}

function positional(args: SyntaxNode | null | undefined): SyntaxNode[] {
  return (args?.namedChildren ?? []).filter((a): a is SyntaxNode => !!a && a.type !== 'keyword_argument' && a.type !== 'comment');
}

/** Module-level names imported from workspace modules: local name → dotted module path (+ attribute). */
export function pyImports(file: ParsedFile): Map<string, string> {
  const out = new Map<string, string>();
  const pkg = modulePath(file.path).split('.').slice(0, -1);
  const absolute = (mod: string): string => {
    const dots = /^\.*/.exec(mod)?.[0].length ?? 0;
    if (dots === 0) return mod;
    return [...pkg.slice(0, pkg.length - (dots - 1)), mod.slice(dots)].filter(Boolean).join('.');
  };
  for (const imp of descendants(file.root, ['import_from_statement'])) {
    const mod = imp.childForFieldName('module_name')?.text ?? '';
    for (const n of imp.namedChildren.slice(1)) {
      if (!n) continue;
      const name = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
      const alias = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : n.text;
      if (name && alias && /^[\w.]+$/.test(name)) out.set(alias, `${absolute(mod)}.${name}`.replace(/^\./, ''));
    }
  }
  for (const imp of descendants(file.root, ['import_statement'])) {
    for (const n of imp.namedChildren) {
      if (!n) continue;
      const name = n.type === 'aliased_import' ? n.childForFieldName('name')?.text : n.text;
      const alias = n.type === 'aliased_import' ? n.childForFieldName('alias')?.text : name?.split('.')[0];
      if (name && alias) out.set(alias, n.type === 'aliased_import' ? name : name.split('.')[0]);
    }
  }
  return out;
}

export function modulePath(relPath: string): string {
  return relPath.replace(/\\/g, '/').replace(/\.pyi?$/, '').replace(/\/__init__$/, '').split('/').join('.');
}

export function discoverPython(file: ParsedFile): FileDiscovery {
  const out = emptyDiscovery();
  const text = file.text;
  const fastapi = /\bfastapi\b/i.test(text) || /APIRouter/.test(text);
  const flask = /\bflask\b/i.test(text) || /Blueprint\s*\(/.test(text);
  const imports = pyImports(file);
  const self = (name: string): RouterKey => {
    const dotted = name.includes('.') ? name : undefined;
    if (dotted) {
      const [head, ...rest] = dotted.split('.');
      const mod = imports.get(head);
      if (mod) return { file: `py:${mod}`, name: rest.join('.') };
    }
    const mod = imports.get(name);
    if (mod) {
      const i = mod.lastIndexOf('.');
      return { file: `py:${mod.slice(0, i)}`, name: mod.slice(i + 1) };
    }
    return { file: `py:${modulePath(file.path)}`, name };
  };

  for (const a of descendants(file.root, ['assignment'])) {
    const left = a.childForFieldName('left');
    const right = a.childForFieldName('right');
    if (left?.type !== 'identifier' || right?.type !== 'call') continue;
    const callee = right.childForFieldName('function')?.text ?? '';
    const args = right.childForFieldName('arguments');
    if (/(^|\.)APIRouter$/.test(callee)) {
      const p = stringValue(kwarg(args, 'prefix'));
      if (p) out.prefixes.push({ router: self(left.text), prefix: p });
    }
    if (/(^|\.)Blueprint$/.test(callee)) {
      const p = stringValue(kwarg(args, 'url_prefix'));
      if (p) out.prefixes.push({ router: self(left.text), prefix: p });
    }
  }

  for (const call of descendants(file.root, ['call'])) {
    const fn = call.childForFieldName('function');
    if (fn?.type !== 'attribute') continue;
    const attr = fn.childForFieldName('attribute')?.text ?? '';
    const obj = fn.childForFieldName('object');
    const args = call.childForFieldName('arguments');
    if (!obj) continue;
    if (attr === 'include_router' || attr === 'register_blueprint') {
      const child = positional(args)[0];
      if (!child) continue;
      const prefix = stringValue(kwarg(args, attr === 'include_router' ? 'prefix' : 'url_prefix')) ?? '';
      out.mounts.push({ parent: self(obj.text), child: self(child.text), prefix, replaceOwn: attr === 'register_blueprint' });
    }
  }

  for (const d of descendants(file.root, ['decorated_definition'])) {
    const def = d.childForFieldName('definition');
    if (def?.type !== 'function_definition') continue;
    for (const deco of d.namedChildren) {
      if (deco?.type !== 'decorator') continue;
      const call = deco.namedChildren[0];
      if (call?.type !== 'call') continue;
      const fn = call.childForFieldName('function');
      if (fn?.type !== 'attribute') continue;
      const attr = fn.childForFieldName('attribute')?.text ?? '';
      const obj = fn.childForFieldName('object')?.text ?? '';
      const args = call.childForFieldName('arguments');
      const path = stringValue(positional(args)[0]) ?? stringValue(kwarg(args, 'path')) ?? stringValue(kwarg(args, 'rule'));
      if (path === undefined) continue;
      let methods: string[] = [];
      if (SHORT.has(attr)) methods = [attr.toUpperCase()];
      else if (attr === 'route' || attr === 'api_route') {
        const m = kwarg(args, 'methods');
        methods = m ? m.namedChildren.map((x) => stringValue(x)?.toUpperCase()).filter((x): x is string => !!x) : ['GET'];
      } else continue;
      const framework = fastapi && !(flask && attr === 'route') ? 'fastapi' : 'flask';
      if (!fastapi && !flask) continue;
      for (const method of methods) {
        out.routes.push({
          method, path, router: self(obj), file, anchor: d, framework, handlers: [def], handlerNames: [],
          middleware: d.namedChildren.filter((x) => x?.type === 'decorator').map((x) => x!.text).join('\n'),
          declaredValidation: framework === 'fastapi' ? fastapiBody(def, call) : undefined,
        });
      }
    }
  }

  if (/urlpatterns/.test(text) || /\.register\s*\(/.test(text)) discoverDjango(file, out, imports);
  return out;
}

/** A FastAPI body parameter: a class annotation is a model (checked against the workspace later); dict/Any is open. */
function fastapiBody(def: SyntaxNode, _decorator: SyntaxNode): { name: string; any: boolean } | null | undefined {
  const params = def.childForFieldName('parameters');
  for (const p of params?.namedChildren ?? []) {
    if (!p || (p.type !== 'typed_parameter' && p.type !== 'typed_default_parameter')) continue;
    const type = p.childForFieldName('type')?.text ?? '';
    const name = p.namedChildren[0]?.text ?? '';
    const dflt = p.childForFieldName('value')?.text ?? '';
    if (/^(Request|Response|BackgroundTasks|Session|AsyncSession|WebSocket)\b/.test(type) || /Depends|Query|Path|Header|Cookie|Security|File|Form|UploadFile/.test(dflt + type)) continue;
    if (/^(str|int|float|bool|UUID|uuid\.UUID|date|datetime|Optional\[(str|int|float|bool)\]|(str|int|float|bool) \| None)$/.test(type)) continue;
    if (/^(dict|Dict(\[.*\])?|Any|typing\.Any|object|Json|dict\[.*\])$/.test(type) || /\bAny\b/.test(type) && /Dict|dict/.test(type)) return { name: 'none', any: true };
    return { name: `model:${type.replace(/^(Optional\[|List\[|list\[)|\]$/g, '')}`, any: false };
    void name;
  }
  return undefined;
}

const VIEWSET_ACTIONS: Record<string, Array<[string, boolean]>> = {
  list: [['GET', false]], create: [['POST', false]], retrieve: [['GET', true]], update: [['PUT', true]], partial_update: [['PATCH', true]], destroy: [['DELETE', true]],
};
const GENERIC_METHODS: Array<[RegExp, string[]]> = [
  [/^ListCreateAPIView$/, ['GET', 'POST']], [/^RetrieveUpdateDestroyAPIView$/, ['GET', 'PUT', 'PATCH', 'DELETE']], [/^RetrieveUpdateAPIView$/, ['GET', 'PUT', 'PATCH']],
  [/^RetrieveDestroyAPIView$/, ['GET', 'DELETE']], [/^CreateAPIView$/, ['POST']], [/^ListAPIView$/, ['GET']], [/^RetrieveAPIView$/, ['GET']], [/^UpdateAPIView$/, ['PUT', 'PATCH']],
  [/^DestroyAPIView$/, ['DELETE']], [/^(CreateView|FormView|UpdateView)$/, ['GET', 'POST']], [/^DeleteView$/, ['GET', 'POST']], [/^(ListView|DetailView|TemplateView|RedirectView)$/, ['GET']],
];

/** Django: each `path()` becomes a pending route whose methods are decided once its view is resolved (scan.ts). */
function discoverDjango(file: ParsedFile, out: FileDiscovery, imports: Map<string, string>): void {
  const moduleKey: RouterKey = { file: `py:${modulePath(file.path)}`, name: 'urlpatterns' };
  for (const call of descendants(file.root, ['call'])) {
    const callee = call.childForFieldName('function')?.text ?? '';
    const args = call.childForFieldName('arguments');
    const pos = positional(args);
    if (/(^|\.)(path|re_path|url)$/.test(callee) && pos.length >= 2) {
      let route = stringValue(pos[0]);
      if (route === undefined) continue;
      if (/re_path|url/.test(callee)) route = route.replace(/^\^/, '').replace(/\$$/, '').replace(/\(\?P<(\w+)>[^)]*\)/g, '<$1>');
      const target = pos[1];
      if (target.type === 'call' && /(^|\.)include$/.test(target.childForFieldName('function')?.text ?? '')) {
        const inc = positional(target.childForFieldName('arguments'))[0];
        const mod = stringValue(inc) ?? (inc?.type === 'tuple' ? stringValue(inc.namedChildren[0]) : undefined);
        if (mod) out.mounts.push({ parent: moduleKey, child: { file: `py:${mod}`, name: 'urlpatterns' }, prefix: route });
        else if (inc && /\.urls$/.test(inc.text)) out.mounts.push({ parent: moduleKey, child: { file: `py:${modulePath(file.path)}`, name: `drf:${inc.text.replace(/\.urls$/, '')}` }, prefix: route });
        else if (inc) out.mounts.push({ parent: moduleKey, child: { file: `py:${modulePath(file.path)}`, name: `list:${inc.text}` }, prefix: route });
        continue;
      }
      const view = target.type === 'call' ? target.childForFieldName('function')?.text.replace(/\.as_view$/, '') ?? '' : target.text;
      out.routes.push(djangoRoute(file, moduleKey, route, view, call, imports));
    }
    // DRF: router.register(r'users', UserViewSet)
    const fn = call.childForFieldName('function');
    if (fn?.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'register' && pos.length >= 2) {
      const prefix = stringValue(pos[0]);
      if (prefix === undefined || !/router/i.test(fn.childForFieldName('object')?.text ?? '')) continue;
      const key: RouterKey = { file: `py:${modulePath(file.path)}`, name: `drf:${fn.childForFieldName('object')?.text}` };
      const r = djangoRoute(file, key, prefix, pos[1].text, call, imports);
      r.method = 'VIEWSET';
      out.routes.push(r);
    }
  }
  void nodePath;
}

function djangoRoute(file: ParsedFile, router: RouterKey, path: string, view: string, anchor: SyntaxNode, imports: Map<string, string>): RawRoute {
  const head = view.split('.')[0];
  const resolved = imports.get(head);
  return {
    method: 'DJANGO', path: path.replace(/<(?:\w+:)?(\w+)>/g, '{$1}'), router, file, anchor, framework: 'django', handlers: [],
    handlerNames: [resolved ? `${resolved}${view.slice(head.length)}` : view], middleware: '',
  };
}

/** Methods of a resolved Django view (function or class), with viewset actions expanded into routes. */
export function djangoMethods(view: SyntaxNode, viewset: boolean): Array<{ method: string; detail: boolean; handler?: SyntaxNode }> {
  if (view.type === 'function_definition' || view.parent?.type === 'decorated_definition' && view.type === 'function_definition') {
    const decos = view.parent?.type === 'decorated_definition' ? view.parent.text.slice(0, view.startIndex - view.parent.startIndex) : '';
    const listed = /@(api_view|require_http_methods)\s*\(\s*\[([^\]]*)\]/.exec(decos);
    if (listed) return [...listed[2].matchAll(/['"](\w+)['"]/g)].map((m) => ({ method: m[1].toUpperCase(), detail: false, handler: view }));
    if (/@require_POST/.test(decos)) return [{ method: 'POST', detail: false, handler: view }];
    if (/@require_GET|@require_safe/.test(decos)) return [{ method: 'GET', detail: false, handler: view }];
    const compared = [...view.text.matchAll(/request\.method\s*(?:==|!=|in)\s*\(?\[?\s*['"](\w+)['"]/g)].map((m) => m[1].toUpperCase());
    if (compared.length > 0) return [...new Set(['GET', ...compared])].map((method) => ({ method, detail: false, handler: view }));
    // No method stated: a view that reads the form/body is posted to.
    if (/\brequest\.(POST|data|FILES)\b|\brequest\.body\b/.test(view.text)) return [{ method: 'POST', detail: false, handler: view }];
    return [{ method: 'GET', detail: false, handler: view }];
  }
  if (view.type !== 'class_definition') return [];
  const bases = view.childForFieldName('superclasses')?.text ?? '';
  const body = view.childForFieldName('body');
  const methods = (body?.namedChildren ?? []).map((m) => (m?.type === 'decorated_definition' ? m.childForFieldName('definition') : m)).filter((m): m is SyntaxNode => m?.type === 'function_definition');
  const byName = new Map(methods.map((m) => [m.childForFieldName('name')?.text ?? '', m]));
  if (viewset) {
    const out: Array<{ method: string; detail: boolean; handler?: SyntaxNode }> = [];
    const model = /ModelViewSet/.test(bases) && !/ReadOnly/.test(bases);
    const readonly = /ReadOnlyModelViewSet/.test(bases);
    for (const [action, shapes] of Object.entries(VIEWSET_ACTIONS)) {
      const mixin = new RegExp(`${action === 'partial_update' ? 'Update' : action[0].toUpperCase() + action.slice(1)}ModelMixin`.replace('RetrieveModelMixin', 'RetrieveModelMixin').replace('ListModelMixin', 'ListModelMixin'));
      const has = byName.has(action) || model || (readonly && (action === 'list' || action === 'retrieve')) || mixin.test(bases);
      if (has) for (const [method, detail] of shapes) out.push({ method, detail, handler: byName.get(action) ?? view });
    }
    return out;
  }
  const own = ['get', 'post', 'put', 'patch', 'delete'].filter((m) => byName.has(m)).map((m) => ({ method: m.toUpperCase(), detail: false, handler: byName.get(m) }));
  if (own.length > 0) return own;
  for (const [re, ms] of GENERIC_METHODS) {
    const base = bases.replace(/[()]/g, '').split(',').map((b) => b.trim().split('.').pop() ?? '');
    if (base.some((b) => re.test(b))) return ms.map((method) => ({ method, detail: false, handler: view }));
  }
  return [];
}
