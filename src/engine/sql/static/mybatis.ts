/**
 * MyBatis mapper annotations (`@Select` / `@Update` / `@Insert` / `@Delete` on an interface method): `#{x}` is
 * a bound parameter, `${x}` is pasted into the SQL text as is. A `${x}` naming a parameter that may be text
 * is an injection; one naming a number, a boolean or an enum of the file cannot break out of the statement.
 * (XML mappers are not analysed: Keel reads source files only.)
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { related, type FileContext, type RawFinding } from '../model';
import type { NodeIndex } from '../nodeIndex';
import type { StaticSpec } from './spec';

const MAPPER_ANNOTATIONS = /^(Select|Update|Insert|Delete)$/;
const SUBSTITUTION = /\$\{\s*([A-Za-z_][\w]*)/g;

export function mybatisFindings(file: FileContext, index: NodeIndex, spec: StaticSpec): RawFinding[] {
  if (spec.language !== 'java' || !/org\.apache\.ibatis/.test(file.text) || !file.text.includes('${')) return [];
  const enums = new Set(index.of('enum_declaration').map((e) => e.childForFieldName('name')?.text ?? ''));
  const out: RawFinding[] = [];
  for (const method of index.root.descendantsOfType('method_declaration')) {
    if (!method) continue;
    const modifiers = method.namedChildren.find((c) => c?.type === 'modifiers');
    for (const ann of modifiers?.namedChildren ?? []) {
      if (ann?.type !== 'annotation' || !MAPPER_ANNOTATIONS.test(ann.childForFieldName('name')?.text ?? '')) continue;
      const literals = ann.descendantsOfType('string_literal').filter((s): s is SyntaxNode => s !== null);
      for (const lit of literals) {
        for (const m of spec.stringValue(lit).matchAll(SUBSTITUTION)) {
          const type = paramType(method, m[1]);
          // An unknown name (a property of a parameter object, `${sort}` of a bean) is text unless shown otherwise.
          if (type && spec.isSafeType?.(type, enums)) continue;
          out.push({
            category: 'sql-injection',
            node: lit,
            message: `SQL injection: MyBatis \`\${${m[1]}}\` pastes ${type ? `the ${type} parameter` : 'the value'} into the SQL text of @${ann.childForFieldName('name')!.text}. Use #{${m[1]}} (a bound parameter); for an identifier (ORDER BY column), map it from a fixed allow-list or an enum first.`,
            related: [related(file, method.childForFieldName('name') ?? method, 'The mapper method')],
            fixes: [],
          });
          break;
        }
      }
    }
  }
  return out;
}

/** The declared type of the parameter called `name` (by `@Param("name")`, else by its own name). */
function paramType(method: SyntaxNode, name: string): string | undefined {
  const params = method.childForFieldName('parameters')?.namedChildren ?? [];
  for (const p of params) {
    if (p?.type !== 'formal_parameter') continue;
    const annotated = /@Param\s*\(\s*(?:value\s*=\s*)?"([^"]+)"/.exec(p.text)?.[1];
    if ((annotated ?? p.childForFieldName('name')?.text) === name) return p.childForFieldName('type')?.text;
  }
  return undefined;
}
