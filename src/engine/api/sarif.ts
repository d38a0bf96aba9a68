/** SARIF rule descriptors for the api rules, merged into the log `keel scan --format sarif` builds. */
import { API_RULES } from './rules';

const LEVEL = { error: 'error', warning: 'warning', info: 'note', off: 'none' } as const;

export function apiSarifRules(log: Record<string, unknown>): Record<string, unknown> {
  const run = (log.runs as Array<{ tool: { driver: { rules: Array<{ id: string }> } }; results: Array<{ ruleId: string; ruleIndex?: number }> }>)[0];
  if (!run) return log;
  const rules = run.tool.driver.rules;
  for (const r of API_RULES) {
    if (rules.some((x) => x.id === r.code)) continue;
    rules.push({ id: r.code, name: r.name, shortDescription: { text: r.summary }, fullDescription: { text: r.summary }, defaultConfiguration: { level: LEVEL[r.defaultSeverity] }, properties: { category: 'api', tags: ['api', 'agent-ready'] } } as { id: string });
  }
  const index = new Map(rules.map((r, i) => [r.id, i]));
  for (const res of run.results) if (index.has(res.ruleId)) res.ruleIndex = index.get(res.ruleId);
  return log;
}
