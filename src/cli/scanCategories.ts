/**
 * Finding categories `keel scan` runs beside SQL, each registered here with its request and its
 * SARIF rule descriptors. Today: the agent-ready API rules (`api/scan`, KEEL-API-*).
 */
import type { Finding } from '../protocol';
import { apiSarifRules } from '../engine/api/sarif';
import type { CliIO } from './command';

export interface ExtraFindings {
  findings: Finding[];
  /** Adds the categories' rules to a SARIF log built for the SQL rules (and re-indexes results). */
  sarif(log: Record<string, unknown>): Record<string, unknown>;
}

export async function scanCategories(io: CliIO, paths: string[]): Promise<ExtraFindings> {
  const api = await io.call('api/scan', { paths, cwd: io.cwd });
  return { findings: api.findings, sarif: apiSarifRules };
}
