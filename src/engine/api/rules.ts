/**
 * The api rules (category `api`), with stable codes: public in settings, suppression comments,
 * SARIF rule ids and `keel scan --json`. Add new ones, never rename.
 */
import type { FindingSeverity } from '../../protocol';

export interface ApiRuleInfo {
  code: string;
  defaultSeverity: FindingSeverity | 'off';
  name: string;
  summary: string;
}

export const API_RULES: readonly ApiRuleInfo[] = [
  { code: 'KEEL-API-IDEMPOTENCY', defaultSeverity: 'warning', name: 'MissingIdempotency', summary: 'A POST endpoint creates, charges or sends without an idempotency mechanism (key header, client token, upsert on a natural key, unique-constraint handling): a retried request repeats the effect.' },
  { code: 'KEEL-API-ERROR-CODE', defaultSeverity: 'warning', name: 'ErrorWithoutCode', summary: 'An error response has no stable machine-readable code (only a human message).' },
  { code: 'KEEL-API-RETRY-AFTER', defaultSeverity: 'warning', name: 'ThrottleWithoutRetryAfter', summary: 'A 429 or 503 response without a Retry-After header: a client cannot tell when to retry.' },
  { code: 'KEEL-API-REQUEST-ID', defaultSeverity: 'info', name: 'ErrorWithoutRequestId', summary: 'An error body carries a code but no request id, and the service sets no request-id header.' },
  { code: 'KEEL-API-LEAKED-ERROR', defaultSeverity: 'error', name: 'LeakedErrorDetails', summary: 'A response exposes a stack trace or an internal/driver error message.' },
  { code: 'KEEL-API-UNVALIDATED-BODY', defaultSeverity: 'warning', name: 'UnvalidatedRequestBody', summary: 'The handler reads the request body without validating it against a schema.' },
  { code: 'KEEL-API-ANY-BODY', defaultSeverity: 'warning', name: 'OpenRequestSchema', summary: 'The request body is validated by a schema that accepts anything (any, dict, record, passthrough, map).' },
  { code: 'KEEL-API-OAS-SCHEMA', defaultSeverity: 'warning', name: 'OpenApiMissingSchema', summary: 'An OpenAPI operation has a request body or success response without a schema.' },
  { code: 'KEEL-API-OAS-OPEN-OBJECT', defaultSeverity: 'warning', name: 'OpenApiOpenObject', summary: 'An OpenAPI schema is `type: object` without properties, or allows additionalProperties: true.' },
  { code: 'KEEL-API-OAS-ERROR-RESPONSE', defaultSeverity: 'warning', name: 'OpenApiNoErrorResponse', summary: 'An OpenAPI operation declares no 4xx/5xx/default response.' },
  { code: 'KEEL-API-OAS-OPERATION-ID', defaultSeverity: 'info', name: 'OpenApiNoOperationId', summary: 'An OpenAPI operation has no operationId (agents and generated clients name calls by it).' },
  { code: 'KEEL-API-OAS-DRIFT', defaultSeverity: 'warning', name: 'OpenApiDrift', summary: 'The OpenAPI document and the routes in the code disagree (an operation with no route, or a route missing from the document).' },
];

const BY_CODE = new Map(API_RULES.map((r) => [r.code, r]));

export function apiRule(code: string): ApiRuleInfo {
  const r = BY_CODE.get(code);
  if (!r) throw new Error(`unknown api rule ${code}`);
  return r;
}

export function apiSeverity(code: string, overrides: Record<string, string> | undefined, fallback?: FindingSeverity): FindingSeverity | 'off' {
  const o = overrides?.[code];
  if (o === 'off' || o === 'info' || o === 'warning' || o === 'error') return o;
  const d = apiRule(code).defaultSeverity;
  return d === 'off' ? 'off' : (fallback ?? d);
}
