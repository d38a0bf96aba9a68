/**
 * OpenAPI documents: lint the ones in the workspace (3.0/3.1, YAML or JSON, with line numbers from
 * the YAML CST) and build a strict 3.1 document from the discovered routes.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { Route } from './discover';

export interface OasFinding {
  path: string;
  line: number;
  column: number;
  code: string;
  message: string;
}

export interface OasDocument {
  path: string;
  operations: Array<{ method: string; path: string; line: number; column: number }>;
  findings: OasFinding[];
}

const OPS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

export function looksLikeOpenApi(path: string, text: string): boolean {
  return /\.(ya?ml|json)$/i.test(path) && /(^|\n)\s*["']?openapi["']?\s*:\s*["']?3\.[01]/.test(text.slice(0, 4000));
}

export function lintOpenApi(path: string, text: string): OasDocument {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, keepSourceTokens: false, uniqueKeys: false });
  const out: OasDocument = { path, operations: [], findings: [] };
  const at = (node: unknown): { line: number; column: number } => {
    const range = (node as YamlNode | undefined)?.range;
    if (!range) return { line: 1, column: 1 };
    const p = counter.linePos(range[0]);
    return { line: p.line, column: p.col };
  };
  const add = (node: unknown, code: string, message: string): void => {
    out.findings.push({ path, ...at(node), code, message });
  };
  const root = doc.contents;
  if (!isMap(root)) return out;
  const paths = root.get('paths', true);
  const components = root.get('components', true);
  const resolveRef = (node: unknown): unknown => {
    if (!isMap(node)) return node;
    const ref = node.get('$ref');
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
    let cur: unknown = root;
    for (const part of ref.slice(2).split('/')) cur = isMap(cur) ? (cur as YAMLMap).get(part.replace(/~1/g, '/').replace(/~0/g, '~'), true) : undefined;
    return cur ?? node;
  };
  // A reference into another file (or one that does not resolve) is not judged: its target is not in this document.
  const unresolved = (node: unknown): boolean => isMap(node) && node.has('$ref') && resolveRef(node) === node;
  const hasSchema = (content: unknown): boolean => {
    if (!isMap(content)) return false;
    return content.items.some((media) => isMap(media.value) && media.value.has('schema'));
  };
  if (isMap(paths)) {
    for (const item of paths.items) {
      const p = String(isScalar(item.key) ? item.key.value : item.key);
      if (!isMap(item.value)) continue;
      for (const op of item.value.items) {
        const method = String(isScalar(op.key) ? op.key.value : op.key).toLowerCase();
        if (!OPS.includes(method) || !isMap(op.value)) continue;
        const loc = at(op.key);
        out.operations.push({ method: method.toUpperCase(), path: p, ...loc });
        const label = `${method.toUpperCase()} ${p}`;
        if (!op.value.has('operationId')) add(op.key, 'KEEL-API-OAS-OPERATION-ID', `${label} has no operationId.`);
        const body = resolveRef(op.value.get('requestBody', true));
        if (isMap(body) && !unresolved(body) && !hasSchema(body.get('content', true))) add(op.key, 'KEEL-API-OAS-SCHEMA', `${label}: the request body has no schema.`);
        const responses = op.value.get('responses', true);
        if (!isMap(responses)) continue;
        const codes = responses.items.map((r) => String(isScalar(r.key) ? r.key.value : r.key));
        if (!codes.some((c) => /^[45]/.test(c) || c === 'default')) add(op.key, 'KEEL-API-OAS-ERROR-RESPONSE', `${label} declares no error response (4xx, 5xx or default).`);
        for (const r of responses.items) {
          const code = String(isScalar(r.key) ? r.key.value : r.key);
          if (!/^2/.test(code) || code === '204') continue;
          const resp = resolveRef(r.value);
          if (isMap(resp) && !unresolved(resp) && !hasSchema(resp.get('content', true))) add(r.key, 'KEEL-API-OAS-SCHEMA', `${label}: the ${code} response has no schema.`);
        }
      }
    }
  }
  // Open objects anywhere in the document (components and inline schemas alike).
  const visit = (node: unknown, depth: number): void => {
    if (depth > 40) return;
    if (isMap(node)) {
      const type = node.get('type');
      const ap = node.get('additionalProperties', true);
      const apTrue = isScalar(ap) && ap.value === true;
      // `required`-only objects are allOf mixins (the properties come from the other branch); a closed or
      // conditional object is not open either.
      const composed = ['properties', 'allOf', 'oneOf', 'anyOf', '$ref', 'patternProperties', 'additionalProperties', 'required', 'discriminator', 'propertyNames', 'unevaluatedProperties', 'if', 'dependentSchemas'].some((k) => node.has(k));
      if (apTrue) add(ap, 'KEEL-API-OAS-OPEN-OBJECT', 'additionalProperties: true accepts any extra field: an agent\'s typo is silently ignored.');
      else if ((type === 'object' || (isSeq(type) && type.items.some((t) => isScalar(t) && t.value === 'object'))) && !composed) add(node.items[0]?.key ?? node, 'KEEL-API-OAS-OPEN-OBJECT', '`type: object` without properties accepts anything; declare its properties.');
      for (const item of node.items) visit(item.value, depth + 1);
    } else if (isSeq(node)) for (const item of node.items) visit(item, depth + 1);
  };
  if (isMap(paths)) visit(paths, 0);
  if (isMap(components)) visit(components, 0);
  return out;
}

/** `/users/:id`, `/users/<int:id>`, `/users/{id}` → `/users/{}` (and no trailing slash) for comparing. */
export function normalizePath(p: string): string {
  const n = p.replace(/:(\w+)\??/g, '{}').replace(/<(?:\w+:)?\w+>/g, '{}').replace(/\{[^}]*\}/g, '{}').replace(/\*\w*/g, '{}').replace(/\/+$/, '');
  return n || '/';
}

export function openApiPath(p: string): string {
  const out = p.replace(/:(\w+)\??/g, '{$1}').replace(/<(?:\w+:)?(\w+)>/g, '{$1}').replace(/\*$/, '{wildcard}');
  return out.length > 1 ? out.replace(/\/$/, '') : out;
}

function operationId(method: string, path: string, used: Set<string>): string {
  const words = path.split('/').filter(Boolean).map((s) => s.replace(/[{}:<>]/g, '').replace(/[^A-Za-z0-9]+/g, '_')).filter(Boolean);
  let id = [method.toLowerCase(), ...words.map((w) => w[0].toUpperCase() + w.slice(1))].join('');
  for (let i = 2; used.has(id); i++) id = `${id.replace(/\d+$/, '')}${i}`;
  used.add(id);
  return id;
}

const PROBLEM = {
  type: 'object',
  additionalProperties: false,
  required: ['type', 'title', 'status', 'code', 'request_id'],
  properties: {
    type: { type: 'string', format: 'uri-reference' },
    title: { type: 'string' },
    status: { type: 'integer', minimum: 400, maximum: 599 },
    code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: 'Stable machine-readable error code.' },
    detail: { type: 'string' },
    request_id: { type: 'string' },
    retry_after_seconds: { type: 'integer', minimum: 0 },
  },
};

/** A strict OpenAPI 3.1 document: every operation has an operationId, typed parameters and problem-details errors. */
export function buildOpenApi(routes: readonly Route[], title: string, bodyFieldsOf: (r: Route) => string[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const used = new Set<string>();
  const schemas: Record<string, unknown> = { Problem: PROBLEM };
  for (const r of routes) {
    const methods = r.method === 'ALL' ? ['get', 'post', 'put', 'patch', 'delete'] : [r.method.toLowerCase()];
    const p = openApiPath(r.path);
    for (const method of methods) {
      if (!OPS.includes(method)) continue;
      const item = (paths[p] ??= {});
      if (item[method]) continue;
      const params = [...p.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
      const errorRef = { description: 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
      const op: Record<string, unknown> = {
        operationId: operationId(method, p, used),
        summary: `${method.toUpperCase()} ${p}`,
        'x-keel-source': `${r.file.path}:${r.anchor.startPosition.row + 1}`,
        ...(params.length > 0 ? { parameters: params } : {}),
        responses: {
          [method === 'post' ? '201' : method === 'delete' ? '204' : '200']: method === 'delete'
            ? { description: 'No content' }
            : { description: 'Success (response fields are not inferred from the code: declare them)', content: { 'application/json': { schema: {} } } },
          '4XX': errorRef,
          default: errorRef,
        },
      };
      if (['post', 'put', 'patch'].includes(method)) {
        const fields = bodyFieldsOf(r);
        const name = `${op.operationId as string}Body`.replace(/^./, (c) => c.toUpperCase());
        schemas[name] = { type: 'object', additionalProperties: false, properties: Object.fromEntries(fields.map((f) => [f, {}])), ...(fields.length > 0 ? { required: fields } : {}) };
        op.requestBody = { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } };
        op.parameters = [...params, { name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }];
      }
      item[method] = op;
    }
  }
  return { openapi: '3.1.0', info: { title, version: '0.0.0' }, paths, components: { schemas } };
}
