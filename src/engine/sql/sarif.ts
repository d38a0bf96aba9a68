/**
 * SARIF 2.1.0 output for `keel scan --format sarif` (GitHub code scanning). One run, Keel as the
 * tool driver with every rule described, one result per finding with its region, related
 * locations and fixes as SARIF `fixes` (artifactChanges with 1-based regions, end column exclusive).
 */
import type { Finding, FindingSeverity } from '../../protocol';
import { RULES } from './rules';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<FindingSeverity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export function toSarif(findings: readonly Finding[], toolVersion: string): Record<string, unknown> {
  const ruleIndex = new Map(RULES.map((r, i) => [r.code, i]));
  return sarifLog(
    toolVersion,
    RULES.map((r) => ({ id: r.code, name: r.name, summary: r.summary, level: LEVEL[r.defaultSeverity], properties: { category: r.category, tags: ['security', 'sql', r.category] } })),
    findings.map((f) => ({
      ruleId: f.code,
      ...(ruleIndex.has(f.code) ? { ruleIndex: ruleIndex.get(f.code) } : {}),
      level: LEVEL[f.severity],
      message: { text: f.message },
      locations: [location(f.path, f.line, f.column, f.endLine, f.endColumn)],
      ...(f.related?.length
        ? { relatedLocations: f.related.map((r, i) => ({ id: i + 1, ...location(r.path, r.line, r.column), message: { text: r.message } })) }
        : {}),
      ...(f.fixes.some((x) => x.kind !== 'suppress' && x.kind !== 'ai')
        ? {
            fixes: f.fixes
              .filter((x) => x.kind !== 'suppress' && x.kind !== 'ai')
              .map((x) => ({
                description: { text: x.title },
                artifactChanges: groupByPath(x.edits).map(([p, edits]) => ({
                  artifactLocation: { uri: p },
                  replacements: edits.map((e) => ({
                    deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn },
                    insertedContent: { text: e.newText },
                  })),
                })),
              })),
          }
        : {}),
      partialFingerprints: { primaryLocationLineHash: `${f.code}:${f.path}:${f.line}` },
    })),
  );
}

/** A rule as SARIF's driver lists it. */
export interface SarifRule {
  id: string;
  name: string;
  summary: string;
  level: 'error' | 'warning' | 'note';
  properties?: Record<string, unknown>;
}

/** One SARIF 2.1.0 log with one run: Keel as the driver, `rules` described, `results` as given. Shared by `keel scan` and `keel review`. */
export function sarifLog(toolVersion: string, rules: readonly SarifRule[], results: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Keel',
            version: toolVersion,
            informationUri: 'https://example.invalid/keel',
            rules: rules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.summary },
              fullDescription: { text: r.summary },
              defaultConfiguration: { level: r.level },
              ...(r.properties ? { properties: r.properties } : {}),
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

export function location(uri: string, line: number, column: number, endLine?: number, endColumn?: number): Record<string, unknown> {
  const region: Record<string, number> = { startLine: line, startColumn: column };
  if (endLine !== undefined) region.endLine = endLine;
  if (endColumn !== undefined) region.endColumn = endColumn;
  return { physicalLocation: { artifactLocation: { uri: encodeURI(uri) }, region } };
}

function groupByPath<T extends { path: string }>(edits: readonly T[]): Array<[string, T[]]> {
  const map = new Map<string, T[]>();
  for (const e of edits) map.set(e.path, [...(map.get(e.path) ?? []), e]);
  return [...map.entries()].map(([p, list]) => [encodeURI(p), list]);
}
