/**
 * Agent-ready API review (issue 20): route discovery, the `api` rule category (KEEL-API-*), the
 * readiness summary and the OpenAPI document generated from the code.
 */
import type { Finding, SqlRuleSettings } from './sql';
import type { SkippedFile } from './indexing';

export type ApiFramework = 'express' | 'fastify' | 'koa' | 'nestjs' | 'fastapi' | 'flask' | 'django' | 'gin' | 'echo' | 'net/http';

/** One element of `keel api --json`: a route with its router prefixes resolved. Lines are 1-based. */
export interface ApiRoute {
  method: string;
  path: string;
  file: string;
  line: number;
  framework: ApiFramework;
  /** The request-body validation in use (zod, joi, pydantic …), or null when none was found. */
  validation: string | null;
}

export interface ApiScanParams {
  paths: string[];
  cwd: string;
  /** Rule code → severity or off (the same shape as `keel.sql.rules`). */
  rules?: SqlRuleSettings;
}

export interface ApiReadiness {
  routes: number;
  /** Findings per rule code. */
  byRule: Record<string, number>;
  /** Endpoints with the most (and the most severe) findings first. */
  worst: Array<{ method: string; path: string; file: string; line: number; findings: number; codes: string[] }>;
  /** 0–100: share of routes without an error or warning finding. */
  score: number;
}

export interface ApiScanResult {
  routes: ApiRoute[];
  findings: Finding[];
  readiness: ApiReadiness;
  files: number;
  ms: number;
  skipped: SkippedFile[];
}

export interface ApiOpenApiResult {
  /** The OpenAPI 3.1 document built from the discovered routes. */
  document: Record<string, unknown>;
  /** Result of the OpenAPI schema validator, or null when the validator could not be loaded. */
  validation: { valid: boolean; errors: string[] } | null;
}

export interface ApiRequests {
  /** Discover routes and run the api rules over files/folders (`keel api`, `keel scan`). */
  'api/scan': { params: ApiScanParams; result: ApiScanResult };
  /** The api rules for one open document (inline diagnostics); routes resolved within the file only. */
  'api/analyze': { params: { path: string; text: string; languageId?: string; rules?: SqlRuleSettings }; result: { findings: Finding[] } };
  /** An OpenAPI 3.1 document from the discovered routes (`keel api --openapi`). */
  'api/openapi': { params: ApiScanParams; result: ApiOpenApiResult };
}
