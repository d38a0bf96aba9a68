/**
 * The SQL rules Keel ships, with their stable codes. Codes are public (settings, suppression
 * comments, SARIF rule ids, `keel scan --json`): add new ones, never rename.
 *
 * | code                       | category              | default  |
 * |----------------------------|-----------------------|----------|
 * | KEEL-SQL-INJECTION         | sql-injection         | error    |
 * | KEEL-SQL-N-PLUS-ONE        | n-plus-one            | warning  |
 * | KEEL-SQL-UNBOUNDED-WRITE   | unbounded-write       | warning  |
 * | KEEL-SQL-DESTRUCTIVE       | destructive-statement | warning  |
 * | KEEL-SQL-SELECT-STAR       | select-star           | info     |
 */
import type { FindingCategory, FindingSeverity } from '../../protocol';

export type RuleSetting = FindingSeverity | 'off';
/** `keel.sql.rules`: code → severity or off. Unknown codes are ignored. */
export type RuleOverrides = Record<string, RuleSetting>;

export interface RuleInfo {
  code: string;
  category: FindingCategory;
  defaultSeverity: FindingSeverity;
  /** Short name (SARIF `name`, docs). */
  name: string;
  /** One-line description (SARIF shortDescription). */
  summary: string;
}

export const RULES: readonly RuleInfo[] = [
  {
    code: 'KEEL-SQL-INJECTION',
    category: 'sql-injection',
    defaultSeverity: 'error',
    name: 'SqlInjection',
    summary: 'Non-constant data is built into SQL text instead of being passed as a bound parameter.',
  },
  {
    code: 'KEEL-SQL-N-PLUS-ONE',
    category: 'n-plus-one',
    defaultSeverity: 'warning',
    name: 'NPlusOneQuery',
    summary: 'A database query (or lazy relation load) runs once per item of a collection.',
  },
  {
    code: 'KEEL-SQL-UNBOUNDED-WRITE',
    category: 'unbounded-write',
    defaultSeverity: 'warning',
    name: 'UnboundedWrite',
    summary: 'An UPDATE or DELETE without a WHERE clause (or ORM filter) changes every row of the table.',
  },
  {
    code: 'KEEL-SQL-DESTRUCTIVE',
    category: 'destructive-statement',
    defaultSeverity: 'warning',
    name: 'DestructiveStatement',
    summary: 'DROP or TRUNCATE in application code destroys data irrecoverably.',
  },
  {
    code: 'KEEL-SQL-SELECT-STAR',
    category: 'select-star',
    defaultSeverity: 'info',
    name: 'SelectStar',
    summary: 'SELECT * fetches every column, including ones added later; list the columns you use.',
  },
];

const BY_CATEGORY = new Map(RULES.map((r) => [r.category, r]));
const BY_CODE = new Map(RULES.map((r) => [r.code, r]));

export function ruleFor(category: FindingCategory): RuleInfo {
  const rule = BY_CATEGORY.get(category);
  if (!rule) throw new Error(`no rule for category ${category}`);
  return rule;
}

export function ruleByCode(code: string): RuleInfo | undefined {
  return BY_CODE.get(code);
}

/** The effective severity of a rule under the user's overrides, or 'off'. */
export function effectiveSeverity(rule: RuleInfo, overrides: RuleOverrides | undefined): RuleSetting {
  const setting = overrides?.[rule.code];
  return setting === 'off' || setting === 'info' || setting === 'warning' || setting === 'error' ? setting : rule.defaultSeverity;
}
