/**
 * Test code gets a different rule set: fixtures, setup and teardown drop, truncate and wipe tables on
 * purpose (`db.drop_all()`, `TRUNCATE` between tests, `DELETE FROM t` in a fixture), so destructive and
 * unbounded-write findings are not reported there. Injection and N+1 still are (tests get copied).
 */
import type { FindingCategory } from '../../protocol';
import type { SyntaxNode } from '../syntax/treeSitter';

/** Categories not reported in test code. */
export const TEST_CODE_OFF: ReadonlySet<FindingCategory> = new Set<FindingCategory>(['destructive-statement', 'unbounded-write']);

// Type tests (tsd's `test-d/` and `*.test-d.ts`, DefinitelyTyped's `*-tests.ts`) and jest mocks are test code too;
// Django's per-app `tests.py` is the default test module.
const TEST_DIR = /(^|\/)(tests?|__tests__|__mocks__|specs?|fixtures?|testing|e2e|testdata|test_utils|testutils|test-d|type-?tests?)\//i;
const TEST_FILE = /(^|\/)(test_[^/]*\.py|[^/]*_tests?\.py|tests?\.py|conftest\.py|[^/]*\.(test|spec|e2e-spec|test-d|spec-d|e2e|tst)\.[cm]?[jt]sx?|[^/]*-tests\.tsx?|[^/]*_test\.go|[^/]*Tests?\.java|[^/]*IT\.java)$/i;

export function isTestPath(path: string): boolean {
  const p = path.split('\\').join('/');
  return TEST_DIR.test(p) || TEST_FILE.test(p);
}

const HOOK_FUNCTION = /^(set_?up|tear_?down|setup_method|teardown_method|setup_module|teardown_module|setUpClass|tearDownClass|setUpTestData|reset_?db|clean_?db|truncate_?tables)/i;
const JS_HOOK_CALL = /^(before|after)(Each|All)?$|^(setup|teardown)$/;

/** A node inside a test setup/teardown function or hook callback, or a pytest fixture, in any file. */
export function inTestHook(node: SyntaxNode): boolean {
  for (let n: SyntaxNode | null = node.parent; n; n = n.parent) {
    if (n.type === 'function_definition' || n.type === 'function_declaration' || n.type === 'method_definition' || n.type === 'method_declaration') {
      if (HOOK_FUNCTION.test(n.childForFieldName('name')?.text ?? '')) return true;
      const decorated = n.parent?.type === 'decorated_definition' ? n.parent : null;
      if (decorated?.namedChildren.some((d) => d?.type === 'decorator' && /fixture/.test(d.text))) return true;
    }
    if (n.type === 'call_expression' && JS_HOOK_CALL.test(n.childForFieldName('function')?.text ?? '')) return true;
  }
  return false;
}
