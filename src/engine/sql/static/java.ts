/** The Java description for the static-language analyzer: JDBC, Spring JdbcTemplate, JPA/Hibernate. */
import type { SyntaxNode } from '../../syntax/treeSitter';
import type { Callee, StaticSpec } from './spec';

const STATEMENT_SINKS = new Set([
  'executeQuery', 'executeUpdate', 'execute', 'executeLargeUpdate', 'addBatch', 'prepareStatement', 'prepareCall',
  'query', 'queryForObject', 'queryForList', 'queryForMap', 'queryForRowSet', 'queryForStream', 'update', 'batchUpdate',
  'createQuery', 'createNativeQuery', 'createSQLQuery',
]);
// Spring JdbcTemplate methods whose last parameter is `Object... args`, bound to the SQL's ?s.
const JDBC_TEMPLATE_VALUES = new Set(['update', 'query', 'queryForObject', 'queryForList', 'queryForMap', 'queryForRowSet', 'queryForStream']);
// …and those whose second parameter says what to make of the rows (a Class, a RowMapper …).
const JDBC_TEMPLATE_SHAPED = new Set(['query', 'queryForObject', 'queryForList', 'queryForStream']);
const SHAPE_ARG = /^(class_literal|lambda_expression|method_reference|object_creation_expression)$/;
const REPOSITORY_OPS = /^(find|get|read|query|count|exists|load)(By\w*|One|All|ById)?$|^(save|saveAndFlush|delete|deleteById)$/;

function pathOf(node: SyntaxNode | null): string[] {
  if (!node) return [];
  if (node.type === 'identifier' || node.type === 'this') return [node.text];
  if (node.type === 'field_access') return [...pathOf(node.childForFieldName('object')), node.childForFieldName('field')?.text ?? ''];
  if (node.type === 'method_invocation') return [...pathOf(node.childForFieldName('object')), `${node.childForFieldName('name')?.text ?? '?'}()`];
  return ['?'];
}

export const JAVA: StaticSpec = {
  language: 'java',
  callType: 'method_invocation',
  commentTypes: ['line_comment', 'block_comment'],
  scopeTypes: ['method_declaration', 'constructor_declaration', 'lambda_expression'],
  bindingTypes: ['variable_declarator', 'assignment_expression', 'enhanced_for_statement'],
  loopTypes: ['enhanced_for_statement', 'method_invocation'],
  stringTypes: new Set(['string_literal']),

  callee(call): Callee | null {
    const name = call.childForFieldName('name')?.text;
    if (!name) return null;
    const args = call.childForFieldName('arguments')?.namedChildren.filter((c): c is SyntaxNode => c !== null && !c.type.endsWith('comment')) ?? [];
    return { name, receiver: pathOf(call.childForFieldName('object')), args };
  },

  stringValue(node) {
    const fragments = node.namedChildren.filter((c): c is SyntaxNode => c !== null);
    if (fragments.some((c) => c.type === 'multiline_string_fragment')) return fragments.map((c) => c.text).join('');
    return fragments.map((c) => (c.type === 'escape_sequence' ? JSON.parse(`"${c.text}"`) as string : c.text)).join('');
  },

  formatCall(call, callee) {
    if (callee.name === 'format' && callee.receiver.join('.') === 'String') {
      const [format, ...args] = callee.args;
      return format ? { format, args } : null;
    }
    if (callee.name === 'formatted') {
      const format = call.childForFieldName('object');
      return format ? { format, args: callee.args } : null;
    }
    return null;
  },

  isSafeCall(callee) {
    const r = callee.receiver.join('.');
    return (/^(Integer|Long|Double|Float|Short|Byte|Boolean)$/.test(r) && /^(toString|valueOf)$/.test(callee.name)) || /^(escapeSql|quoteIdentifier|enquoteLiteral|enquoteIdentifier)$/.test(callee.name);
  },

  passThroughArgs(callee) {
    if (callee.receiver.join('.') === 'String' && callee.name === 'join') return callee.args;
    if (/^(toUpperCase|toLowerCase|trim|strip|repeat)$/.test(callee.name) && callee.receiver.length > 0) return [];
    return null;
  },

  sinkShape(callee) {
    return callee.receiver.length > 0 && STATEMENT_SINKS.has(callee.name) ? 'statement' : null;
  },

  isDbCall(callee) {
    const receiver = callee.receiver[callee.receiver.length - 1] ?? '';
    if (STATEMENT_SINKS.has(callee.name) && /(jdbc|template|stmt|statement|conn|connection|em|entityManager|session)$/i.test(receiver)) return true;
    if (callee.name === 'find' && /^(em|entityManager)$/i.test(receiver)) return true;
    return REPOSITORY_OPS.test(callee.name) && /(repo|repository|dao)$/i.test(receiver);
  },

  bindings(node) {
    if (node.type === 'variable_declarator') {
      const name = node.childForFieldName('name');
      return name ? [{ name: name.text, value: node.childForFieldName('value'), kind: node.childForFieldName('value') ? 'assign' : 'opaque' }] : [];
    }
    if (node.type === 'assignment_expression') {
      const left = node.childForFieldName('left');
      const op = node.childForFieldName('operator')?.text ?? '=';
      if (left?.type !== 'identifier') return [];
      return [{ name: left.text, value: node.childForFieldName('right'), kind: op === '+=' ? 'append' : 'assign' }];
    }
    if (node.type === 'enhanced_for_statement') {
      const name = node.childForFieldName('name');
      return name ? [{ name: name.text, value: null, kind: 'opaque' }] : [];
    }
    return [];
  },

  params(scope) {
    const params = scope.childForFieldName('parameters');
    if (params?.type === 'identifier') return [params.text];
    const out: string[] = [];
    for (const p of params?.namedChildren ?? []) {
      const name = p?.type === 'identifier' ? p : p?.childForFieldName('name');
      if (name) out.push(name.text);
    }
    return out;
  },

  bindSite(_call, callee, sqlArgIndex) {
    // JdbcTemplate only: a plain JDBC Statement would have to become a PreparedStatement.
    if (!/(jdbc|template)$/i.test(callee.receiver[callee.receiver.length - 1] ?? '') || !JDBC_TEMPLATE_VALUES.has(callee.name) || sqlArgIndex !== 0) return null;
    const second = callee.args[1];
    if (!JDBC_TEMPLATE_SHAPED.has(callee.name) || !second) return { styles: ['question'], firstValueArg: 1 };
    if (SHAPE_ARG.test(second.type) || /(mapper|extractor|handler|callback)$/i.test(second.text)) return { styles: ['question'], firstValueArg: 2 };
    // queryForList(sql, value…) binds from the second argument on; for the others it is unclear.
    return callee.name === 'queryForList' ? { styles: ['question'], firstValueArg: 1 } : null;
  },

  loop(node) {
    if (node.type === 'enhanced_for_statement') {
      const body = node.childForFieldName('body');
      const name = node.childForFieldName('name');
      return body && name ? { body, items: [name.text], iterable: node.childForFieldName('value') ?? undefined } : null;
    }
    // items.forEach(x -> …) / items.stream().map(x -> …)
    const name = node.childForFieldName('name')?.text ?? '';
    if (!/^(forEach|map|flatMap|filter|peek)$/.test(name)) return null;
    const lambda = node.childForFieldName('arguments')?.namedChildren.find((c) => c?.type === 'lambda_expression');
    const body = lambda?.childForFieldName('body');
    if (!lambda || !body) return null;
    return { body, items: JAVA.params(lambda), iterable: node.childForFieldName('object') ?? undefined };
  },
};
