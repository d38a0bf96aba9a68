/**
 * Route discovery for Go: gin and echo (`r.POST(path, h)`, `g := r.Group("/v1")`, route
 * registration functions taking a group parameter, resolved through their call sites) and net/http
 * (`HandleFunc`/`Handle` with Go 1.22 method patterns, gorilla/mux `.Methods()`).
 */
import type { ApiFramework } from '../../protocol';
import type { SyntaxNode } from '../syntax/treeSitter';
import { descendants, emptyDiscovery, enclosing, stringValue, type FileDiscovery, type ParsedFile, type RouterKey } from './model';

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'Any']);
const FUNCS = new Set(['function_declaration', 'method_declaration', 'func_literal']);

export function discoverGo(file: ParsedFile): FileDiscovery {
  const out = emptyDiscovery();
  const text = file.text;
  const framework: ApiFramework | undefined = /gin-gonic\/gin/.test(text) ? 'gin' : /labstack\/echo/.test(text) ? 'echo' : /"net\/http"|gorilla\/mux/.test(text) ? 'net/http' : undefined;
  if (!framework) return out;
  const key = (recv: SyntaxNode): RouterKey => {
    const fn = enclosing(recv, FUNCS);
    const params = fn?.childForFieldName('parameters');
    if (fn && params && descendants(params, ['identifier']).some((p) => p.text === recv.text)) {
      const idx = params.namedChildren.findIndex((p) => p && descendants(p, ['identifier']).some((i) => i.text === recv.text));
      return { file: 'go', name: `fn:${fn.childForFieldName('name')?.text ?? ''}:${idx}` };
    }
    return { file: file.abs, name: recv.text };
  };

  for (const call of descendants(file.root, ['call_expression'])) {
    const fn = call.childForFieldName('function');
    const args = call.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => !!a && a.type !== 'comment') ?? [];
    if (fn?.type !== 'selector_expression') {
      // RegisterRoutes(v1): a parameter of a registration function inherits the argument's prefix.
      if (fn?.type === 'identifier' || fn?.type === 'selector_expression') continue;
      continue;
    }
    const name = fn.childForFieldName('field')?.text ?? '';
    const recv = fn.childForFieldName('operand');
    if (!recv) continue;
    if (METHODS.has(name) && args.length >= 2 && framework !== 'net/http') {
      const path = stringValue(args[0]);
      if (path === undefined) continue;
      // gin: (path, middleware…, handler); echo: (path, handler, middleware…).
      const last = framework === 'echo' ? args[1] : args[args.length - 1];
      const middleware = framework === 'echo' ? args.slice(2) : args.slice(1, -1);
      out.routes.push({
        method: name === 'Any' ? 'ALL' : name, path, router: key(recv), file, anchor: call, framework, handlers: last.type === 'func_literal' ? [last] : [],
        handlerNames: last.type === 'func_literal' ? [] : [last.text], middleware: middleware.map((a) => a.text).join(' '),
      });
      continue;
    }
    if (name === 'Handle' && args.length >= 3 && framework !== 'net/http') {
      const method = stringValue(args[0]);
      const path = stringValue(args[1]);
      if (!method || path === undefined) continue;
      const last = args[args.length - 1];
      out.routes.push({ method, path, router: key(recv), file, anchor: call, framework, handlers: last.type === 'func_literal' ? [last] : [], handlerNames: last.type === 'func_literal' ? [] : [last.text], middleware: '' });
      continue;
    }
    if (name === 'Group' && args.length >= 1) {
      const prefix = stringValue(args[0]);
      const decl = call.parent?.parent;
      if (prefix === undefined || !decl || !/short_var_declaration|assignment_statement|var_spec/.test(decl.type)) continue;
      const left = decl.childForFieldName('left') ?? decl.childForFieldName('name');
      const target = left?.namedChildren[0] ?? left;
      if (target) out.mounts.push({ parent: key(recv), child: { file: file.abs, name: target.text }, prefix });
      continue;
    }
    if ((name === 'HandleFunc' || name === 'Handle') && args.length >= 2 && (framework === 'net/http' || /^(http|mux|router|r|m)$/i.test(recv.text))) {
      const pattern = stringValue(args[0]);
      if (pattern === undefined) continue;
      const m = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(.*)$/.exec(pattern);
      let methods = m ? [m[1]] : [];
      const path = (m ? m[2] : pattern).replace(/^[^/]*(?=\/)/, '');
      const chained = call.parent?.type === 'selector_expression' && call.parent.childForFieldName('field')?.text === 'Methods' ? call.parent.parent : null;
      if (chained) methods = [...chained.text.matchAll(/"(\w+)"|http\.Method(\w+)/g)].map((x) => (x[1] ?? x[2]).toUpperCase());
      const last = args[args.length - 1];
      const handler = last.type === 'func_literal' ? last : undefined;
      out.routes.push({
        method: methods.length > 0 ? methods.join(',') : 'NETHTTP', path, router: recv.text === 'http' ? { file: 'go', name: 'http.DefaultServeMux' } : key(recv), file, anchor: call,
        framework: 'net/http', handlers: handler ? [handler] : [], handlerNames: handler ? [] : [last.text.replace(/^http\.HandlerFunc\((.*)\)$/, '$1')], middleware: '',
      });
    }
  }
  // Registration functions: F(v1) / pkg.F(v1, …) where F's parameter i is a router.
  for (const call of descendants(file.root, ['call_expression'])) {
    const fn = call.childForFieldName('function');
    const fname = fn?.type === 'selector_expression' ? fn.childForFieldName('field')?.text : fn?.type === 'identifier' ? fn.text : undefined;
    if (!fname || !/^[A-Za-z]\w*$/.test(fname)) continue;
    const args = call.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => !!a) ?? [];
    args.forEach((a, i) => {
      if (a.type === 'identifier') out.mounts.push({ parent: key(a), child: { file: 'go', name: `fn:${fname}:${i}` }, prefix: '' });
    });
  }
  return out;
}

/** Methods of a net/http handler without a method pattern: the `r.Method` comparisons in its body, else ANY. */
export function netHttpMethods(handler: SyntaxNode | undefined): string[] {
  if (!handler) return ['ALL'];
  const found = [...handler.text.matchAll(/(?:r|req)\.Method\s*[!=]=\s*(?:"(\w+)"|http\.Method(\w+))|case\s+(?:"(\w+)"|http\.Method(\w+))/g)].map((m) => (m[1] ?? m[2] ?? m[3] ?? m[4]).toUpperCase());
  return found.length > 0 ? [...new Set(found)] : ['ALL'];
}
