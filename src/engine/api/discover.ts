/**
 * Workspace-level route discovery: runs each language's discoverer, resolves handler references to
 * their definitions, resolves router mounts into full paths, expands Django/DRF and net/http methods,
 * and decides the request-body validation of each route.
 */
import * as nodePath from 'node:path';
import type { ApiFramework, ApiRoute } from '../../protocol';
import type { SyntaxNode } from '../syntax/treeSitter';
import { discoverGo, netHttpMethods } from './go';
import { discoverJs, jsImports, type JsImport } from './js';
import { descendants, joinPath, type FileDiscovery, type Mount, type ParsedFile, type RawRoute, type RouterKey } from './model';
import { discoverPython, djangoMethods, modulePath } from './python';
import { bodyValidation } from './validation';

export interface Route {
  method: string;
  path: string;
  file: ParsedFile;
  anchor: SyntaxNode;
  framework: ApiFramework;
  handlers: SyntaxNode[];
  middleware: string;
  validation: string | null;
  /** The body is validated by a schema that accepts anything (z.any(), dict, map[string]any …). */
  anyValidation: boolean;
  /** The handler reads the request body. */
  readsBody: SyntaxNode | null;
  /** The file the (first) handler is defined in: Django views and named handlers live beside, not in, the route table. */
  handlerFile: ParsedFile;
}

interface Definition {
  file: ParsedFile;
  node: SyntaxNode;
}

export function toApiRoute(r: Route): ApiRoute {
  return { method: r.method, path: r.path, file: r.file.path, line: r.anchor.startPosition.row + 1, framework: r.framework, validation: r.validation };
}

export function discoverRoutes(files: readonly ParsedFile[]): Route[] {
  const per = new Map<ParsedFile, FileDiscovery>();
  const imports = new Map<string, JsImport[]>();
  for (const f of files) {
    if (f.language === 'python') per.set(f, discoverPython(f));
    else if (f.language === 'go') per.set(f, discoverGo(f));
    else if (f.language === 'typescript' || f.language === 'tsx' || f.language === 'javascript') {
      per.set(f, discoverJs(f));
      imports.set(f.abs, jsImports(f));
    }
  }
  const byAbs = new Map(files.map((f) => [f.abs, f]));
  const byTree = new Map(files.map((f) => [f.root.tree, f]));
  const resolveSpec = (spec: string): string | undefined => {
    for (const ext of ['', '.ts', '.tsx', '.js', '.mjs', '.cjs', '.jsx', '/index.ts', '/index.js']) {
      const cand = spec.replace(/\.js$/, ext === '' ? '.js' : '') + ext;
      if (byAbs.has(cand)) return cand;
      if (byAbs.has(spec + ext)) return spec + ext;
    }
    return undefined;
  };
  const exportsOf = new Map<string, Map<string, string>>();
  for (const [f, d] of per) exportsOf.set(f.abs, new Map(d.exports.map((e) => [e.exported, e.local])));
  const pyModules = [...new Set(files.filter((f) => f.language === 'python').map((f) => modulePath(f.path)))];

  const canonical = (k: RouterKey): string[] => {
    if (k.file.startsWith('py:')) {
      const mod = k.file.slice(3);
      const match = pyModules.filter((m) => m === mod || m.endsWith(`.${mod}`)).sort((a, b) => a.length - b.length)[0];
      const name = k.name;
      // `include_router(items.router)` where items is a module: the attribute is the router.
      const moduleAsName = pyModules.filter((m) => m === `${mod}.${name}` || m.endsWith(`.${mod}.${name}`))[0];
      return [`py:${match ?? mod}#${name}`, ...(moduleAsName ? [`py:${moduleAsName}#router`, `py:${moduleAsName}#bp`, `py:${moduleAsName}#blueprint`] : [])];
    }
    let file = k.file;
    let name = k.name;
    if (file.startsWith('import:')) file = resolveSpec(file.slice(7)) ?? file;
    else {
      const head = name.split('.')[0];
      const imp = imports.get(file)?.find((i) => i.local === head);
      if (imp) {
        const target = resolveSpec(imp.spec);
        if (target) {
          file = target;
          name = imp.imported === '*' ? name.slice(head.length + 1) : imp.imported;
        }
      }
    }
    const local = exportsOf.get(file)?.get(name) ?? name;
    return [...new Set([`${file}#${local}`, `${file}#fn:${local}`, `${file}#fn:${name}`, ...(name === 'default' ? [`${file}#fn:default`] : [])])];
  };
  const keyOf = (k: RouterKey): string => canonical(k)[0];

  const own = new Map<string, string[]>();
  const parents = new Map<string, Array<{ parent: string; prefix: string; replaceOwn?: boolean }>>();
  for (const d of per.values()) {
    for (const p of d.prefixes) own.set(keyOf(p.router), [...(own.get(keyOf(p.router)) ?? []), p.prefix]);
    for (const m of d.mounts as Mount[]) {
      for (const c of canonical(m.child)) parents.set(c, [...(parents.get(c) ?? []), { parent: keyOf(m.parent), prefix: m.prefix, replaceOwn: m.replaceOwn }]);
    }
  }
  const memo = new Map<string, string[]>();
  const prefixesOf = (key: string, depth = 0): string[] => {
    const cached = memo.get(key);
    if (cached) return cached;
    const mine = joinPath(...(own.get(key) ?? []));
    const ups = (parents.get(key) ?? []).filter((u) => u.parent !== key);
    let result: string[];
    if (ups.length === 0 || depth > 8) result = [mine];
    else result = [...new Set(ups.flatMap((u) => prefixesOf(u.parent, depth + 1).map((p) => joinPath(p, u.prefix, u.replaceOwn && u.prefix ? '' : mine))))].slice(0, 8);
    memo.set(key, result);
    return result;
  };

  const defs = definitions(files);
  const routes: Route[] = [];
  for (const [file, d] of per) {
    for (const raw of d.routes) {
      const handlers = [...raw.handlers, ...raw.handlerNames.flatMap((n) => resolveHandler(n, file, defs, imports, resolveSpec))];
      const keys = canonical(raw.router);
      const known = keys.find((k) => parents.has(k) || own.has(k));
      const bases = known ? prefixesOf(known) : [''];
      for (const expanded of expand(raw, handlers)) {
        for (const base of bases) {
          const path = (base && /^\/?$/.test(expanded.path) ? base : joinPath(base, expanded.path)) || '/';
          routes.push(finish({ ...raw, method: expanded.method, path }, expanded.handlers, defs, byTree));
        }
      }
    }
  }
  const seen = new Set<string>();
  return routes.filter((r) => {
    const k = `${r.method} ${r.path} ${r.file.path}:${r.anchor.startIndex}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  }).sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method) || a.file.path.localeCompare(b.file.path));
}

function expand(raw: RawRoute, handlers: SyntaxNode[]): Array<{ method: string; path: string; handlers: SyntaxNode[] }> {
  if (raw.method === 'DJANGO' || raw.method === 'VIEWSET') {
    const view = handlers[0];
    if (!view) return [];
    const viewset = raw.method === 'VIEWSET';
    return djangoMethods(view, viewset).map((m) => ({
      method: m.method,
      path: viewset ? joinPath(raw.path, m.detail ? '{pk}/' : '/') : raw.path,
      handlers: m.handler ? [m.handler] : handlers,
    }));
  }
  if (raw.method === 'NETHTTP') return netHttpMethods(handlers[0]).map((method) => ({ method, path: raw.path, handlers }));
  return raw.method.split(',').map((method) => ({ method, path: raw.path, handlers }));
}

function finish(raw: RawRoute, handlers: SyntaxNode[], defs: Map<string, Definition[]>, byTree: Map<unknown, ParsedFile>): Route {
  const v = bodyValidation(raw, handlers, (name) => defs.get(name)?.[0]?.node);
  return {
    method: raw.method, path: raw.path, file: raw.file, anchor: raw.anchor, framework: raw.framework, handlers, middleware: raw.middleware,
    validation: v.validation, anyValidation: v.any, readsBody: v.readsBody, handlerFile: (handlers[0] && byTree.get(handlers[0].tree)) || raw.file,
  };
}

const DEF_TYPES = ['function_declaration', 'method_definition', 'variable_declarator', 'function_definition', 'class_definition', 'class_declaration', 'method_declaration', 'type_spec'];

function definitions(files: readonly ParsedFile[]): Map<string, Definition[]> {
  const out = new Map<string, Definition[]>();
  for (const file of files) {
    for (const n of descendants(file.root, DEF_TYPES)) {
      let node: SyntaxNode | null = n;
      if (n.type === 'variable_declarator') {
        const v = n.childForFieldName('value');
        if (!v || !/arrow_function|function_expression|function|call_expression/.test(v.type)) continue;
        node = v;
      }
      const name = n.childForFieldName('name')?.text;
      if (!name || !node) continue;
      out.set(name, [...(out.get(name) ?? []), { file, node }]);
    }
  }
  return out;
}

function resolveHandler(ref: string, file: ParsedFile, defs: Map<string, Definition[]>, imports: Map<string, JsImport[]>, resolveSpec: (s: string) => string | undefined): SyntaxNode[] {
  const clean = ref.replace(/\.as_view\(\)$/, '').replace(/^this\./, '').replace(/\.bind\(.*\)$/, '');
  const parts = clean.split('.');
  const name = parts[parts.length - 1];
  const cands = defs.get(name) ?? [];
  if (cands.length === 0) return [];
  const same = cands.find((c) => c.file === file);
  if (same) return [same.node];
  const imp = imports.get(file.abs)?.find((i) => i.local === parts[0]);
  const target = imp ? resolveSpec(imp.spec) : undefined;
  const viaImport = target ? cands.find((c) => c.file.abs === target) : undefined;
  if (viaImport) return [viaImport.node];
  if (parts.length > 1) {
    const mod = parts.slice(0, -1).join('/');
    const byModule = cands.filter((c) => c.file.path.replace(/\.\w+$/, '').endsWith(mod) || nodePath.basename(c.file.path).replace(/\.\w+$/, '') === parts[parts.length - 2]);
    if (byModule.length >= 1) return [byModule[0].node];
  }
  const sameDir = cands.filter((c) => nodePath.dirname(c.file.abs) === nodePath.dirname(file.abs));
  if (sameDir.length === 1) return [sameDir[0].node];
  return cands.length === 1 ? [cands[0].node] : [];
}
