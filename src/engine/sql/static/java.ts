/** The Java description for the static-language analyzer: JDBC, Spring JdbcTemplate, JPA/Hibernate. */
import type { SyntaxNode } from '../../syntax/treeSitter';
import type { Callee, ParamInfo, StaticSpec } from './spec';
import { JAVA_SOURCES, memberChain, sourceRow } from './sources';

/**
 * Sinks, one row per API: the methods that take SQL (or JPQL/HQL) text, and what the receiver must look
 * like — its declared type where the file writes it, else its name. Rows without a receiver test have
 * method names specific enough on their own; every argument must still be SQL-looking text built from a
 * non-constant value, or a whole query of type String from a parameter, the request or a same-file method.
 */
export interface JavaSink {
  api: string;
  methods: RegExp;
  /** Receiver's declared type (`Statement stmt`), tested first. */
  types?: RegExp;
  /** Receiver's last name (`jdbcTemplate`, `createStatement()`), when its type is not written. */
  names?: RegExp;
  shape: 'statement' | 'fragment';
}

export const JAVA_SINKS: readonly JavaSink[] = [
  { api: 'JDBC Statement', methods: /^(executeQuery|executeUpdate|executeLargeUpdate|addBatch)$/, shape: 'statement' },
  { api: 'JDBC Statement', methods: /^execute$/, types: /^(Statement|PreparedStatement|CallableStatement)$/, names: /(stmt|statement|createStatement\(\))$/i, shape: 'statement' },
  { api: 'JDBC Connection', methods: /^(prepareStatement|prepareCall|nativeSQL)$/, shape: 'statement' },
  { api: 'R2DBC Connection', methods: /^(createStatement|createSavepoint|releaseSavepoint|rollbackTransactionToSavepoint)$/, types: /Connection$/, names: /(conn|connection)$/i, shape: 'statement' },
  { api: 'R2DBC Statement', methods: /^returnGeneratedValues$/, types: /^Statement$/, names: /(statement|stmt|createStatement\(\))$/i, shape: 'statement' },
  { api: 'R2DBC Batch', methods: /^add$/, types: /^Batch$/, names: /^batch$/i, shape: 'statement' },
  {
    api: 'Spring JdbcTemplate / NamedParameterJdbcTemplate',
    methods: /^(query|queryForObject|queryForList|queryForMap|queryForRowSet|queryForStream|queryForLong|queryForInt|update|batchUpdate|execute)$/,
    types: /^(JdbcTemplate|JdbcOperations|NamedParameterJdbcTemplate|NamedParameterJdbcOperations|SimpleJdbcTemplate)$/,
    names: /(jdbc|template|jdbcOperations|jdbcOps)$/i,
    shape: 'statement',
  },
  { api: 'Spring R2DBC DatabaseClient / JdbcClient', methods: /^sql$/, types: /^(DatabaseClient|JdbcClient|R2dbcClient)$/, names: /(client|databaseClient|jdbcClient|dbClient)$/i, shape: 'statement' },
  { api: 'Spring JDBC objects', methods: /^(setSql)$/, shape: 'statement' },
  { api: 'JPA EntityManager', methods: /^(createQuery|createNativeQuery)$/, shape: 'statement' },
  { api: 'Hibernate Session', methods: /^(createSQLQuery|createNativeMutationQuery|createMutationQuery|createSelectionQuery|createFilter)$/, shape: 'statement' },
  { api: 'JDO PersistenceManager', methods: /^newQuery$/, types: /PersistenceManager$/, names: /^(pm|persistenceManager|manager)$/i, shape: 'statement' },
  { api: 'JDO Query', methods: /^(setFilter|setOrdering|setGrouping|setResult)$/, types: /^Query$/, names: /(query|q)$/i, shape: 'fragment' },
  { api: 'Turbine / Torque peers', methods: /^(executeStatement|doSelect|doUpdate|executeQuery)$/, names: /Peer$/, shape: 'statement' },
  {
    api: 'Vert.x SQL client',
    methods: /^(query|preparedQuery|querySingle|queryStream|queryWithParams|update|updateWithParams|execute|call|callWithParams)$/,
    types: /^(SqlClient|Pool|PgPool|MySQLPool|JDBCPool|SqlConnection|PgConnection|MySQLConnection|JDBCClient|SQLClient|SQLConnection|AsyncSQLClient)$/,
    names: /(pool|sqlClient|sqlConnection|dbClient|pgClient|mysqlClient|jdbcClient)$/i,
    shape: 'statement',
  },
  { api: 'jOOQ plain SQL', methods: /^(fetch|fetchOne|fetchAny|fetchLazy|execute|resultQuery|query)$/, types: /^(DSLContext)$/, names: /^(dsl|ctx|create|dslContext|jooq)$/i, shape: 'statement' },
  { api: 'Apache DbUtils QueryRunner', methods: /^(query|update|insert|execute|batch)$/, types: /^(QueryRunner|AsyncQueryRunner)$/, names: /(runner|queryRunner)$/i, shape: 'statement' },
];

/** Spring `org.springframework.jdbc.object` classes (and their subclasses) take the SQL as the second constructor argument. */
const SQL_OBJECT_CLASSES = /^(SqlUpdate|BatchSqlUpdate|SqlFunction|SqlQuery|MappingSqlQuery|MappingSqlQueryWithParameters|UpdatableSqlQuery|SqlCall|StoredProcedure|GenericSqlQuery|GenericStoredProcedure|SqlOperation|RdbmsOperation)\b/;
// jOOQ/Vert.x/DbUtils/Spring rows whose receiver must be recognised before their (generic) names count.
const NUMERIC_TYPE = /^(byte|short|int|long|float|double|boolean|char|Byte|Short|Integer|Long|Float|Double|Boolean|Character|BigDecimal|BigInteger|Number|UUID|LocalDate|LocalDateTime|LocalTime|OffsetDateTime|ZonedDateTime|Instant|Date|Timestamp|Duration|AtomicInteger|AtomicLong|OptionalInt|OptionalLong)$/;

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
  bindingTypes: ['variable_declarator', 'assignment_expression', 'enhanced_for_statement', 'expression_statement'],
  ctorTypes: ['object_creation_expression', 'explicit_constructor_invocation'],
  loopTypes: ['enhanced_for_statement', 'for_statement', 'method_invocation'],
  stringTypes: new Set(['string_literal']),

  callee(call): Callee | null {
    if (call.type === 'object_creation_expression' || call.type === 'explicit_constructor_invocation') return constructorCallee(call);
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
    return (
      (/^(Integer|Long|Double|Float|Short|Byte|Boolean|BigDecimal|BigInteger|UUID|Math|LocalDate|LocalDateTime|Instant)$/.test(r) && /^(toString|valueOf|parse\w*|fromString|of|abs|max|min|round|floor|ceil|now)$/.test(callee.name)) ||
      /^(escapeSql|quoteIdentifier|enquoteLiteral|enquoteIdentifier|length|size|hashCode|ordinal|count|getTime|nanoTime|currentTimeMillis)$/.test(callee.name)
    );
  },

  passThroughArgs(callee) {
    const r = callee.receiver.join('.');
    if (r === 'String' && callee.name === 'join') return callee.args;
    if ((r === 'String' && /^(valueOf|copyValueOf)$/.test(callee.name)) || (r === 'Objects' && callee.name === 'toString')) return callee.args.slice(0, 1);
    return null;
  },

  isReceiverPassThrough(callee) {
    return callee.receiver.length > 0 && /^(toString|toUpperCase|toLowerCase|trim|strip|stripLeading|stripTrailing|intern|name|repeat|substring)$/.test(callee.name);
  },

  receiverOf(call) {
    return call.type === 'method_invocation' ? call.childForFieldName('object') : null;
  },

  isSafeExpression(expr) {
    // Foo.class.getName(), x.getClass().getSimpleName(): a class name, not input.
    if (expr.type !== 'method_invocation' || !/^(getName|getSimpleName|getCanonicalName|getTypeName)$/.test(expr.childForFieldName('name')?.text ?? '')) return false;
    const object = expr.childForFieldName('object');
    return object?.type === 'class_literal' || (object?.type === 'method_invocation' && object.childForFieldName('name')?.text === 'getClass');
  },

  sinkShape(callee, typeOf) {
    if (callee.receiver[0] === 'new' || callee.receiver[0] === 'super') return SQL_OBJECT_CLASSES.test(callee.name) ? 'statement' : null;
    if (callee.receiver.length === 0) return null;
    const last = callee.receiver[callee.receiver.length - 1] ?? '';
    let receiverType: string | undefined;
    let typed = false;
    for (const sink of JAVA_SINKS) {
      if (!sink.methods.test(callee.name)) continue;
      if (!typed) {
        receiverType = typeOf?.();
        typed = true;
      }
      if (!sink.types && !sink.names) return sink.shape;
      if (receiverType !== undefined && sink.types?.test(receiverType.replace(/<.*$/s, ''))) return sink.shape;
      // Names decide only when no type is written (also chains: `connection.createStatement().execute(…)`).
      if (receiverType === undefined && sink.names?.test(last)) return sink.shape;
    }
    return null;
  },

  wholeQueryFromParams: true,

  takesWholeQuery() {
    return true;
  },

  isDbCall(callee, typeOf) {
    const receiver = callee.receiver[callee.receiver.length - 1] ?? '';
    if (callee.receiver[0] === 'new' || callee.receiver[0] === 'super') return false;
    // Spring Data / DAO fields named for what they hold (`users`) are known by their declared type.
    const type = REPOSITORY_OPS.test(callee.name) || /^(find|getReference)$/.test(callee.name) ? typeOf?.()?.replace(/<.*$/s, '') ?? '' : '';
    if (REPOSITORY_OPS.test(callee.name) && /(Repository|Repo|Dao|DAO)$/.test(type)) return true;
    if (/^(find|getReference)$/.test(callee.name) && /^(EntityManager|Session)$/.test(type)) return true;
    if (/^(executeQuery|executeUpdate|execute|query\w*|update|batchUpdate|prepareStatement|createQuery|createNativeQuery|getSingleResult|getResultList)$/.test(callee.name) && /(jdbc|template|stmt|statement|conn|connection|em|entityManager|session)$/i.test(receiver)) return true;
    if (callee.name === 'find' && /^(em|entityManager)$/i.test(receiver)) return true;
    return REPOSITORY_OPS.test(callee.name) && /(repo|repository|dao)$/i.test(receiver);
  },

  bindings(node) {
    if (node.type === 'expression_statement') {
      // sb.append(a).append(b); — each appended value joins the builder's text, in order.
      const out: Array<{ name: string; value: SyntaxNode | null; kind: 'append' }> = [];
      let n: SyntaxNode | null = node.namedChildren[0];
      const values: SyntaxNode[] = [];
      while (n?.type === 'method_invocation' && /^(append)$/.test(n.childForFieldName('name')?.text ?? '')) {
        const arg = n.childForFieldName('arguments')?.namedChildren[0];
        if (!arg) return [];
        values.unshift(arg);
        n = n.childForFieldName('object');
      }
      if (n?.type !== 'identifier' || values.length === 0) return [];
      for (const v of values) out.push({ name: n.text, value: v, kind: 'append' });
      return out;
    }
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

  paramInfo(scope) {
    const params = scope.childForFieldName('parameters');
    if (params?.type === 'identifier') return [{ name: params.text }];
    const out: ParamInfo[] = [];
    for (const p of params?.namedChildren ?? []) {
      if (!p) continue;
      if (p.type === 'identifier') {
        out.push({ name: p.text });
        continue;
      }
      const variadic = p.type === 'spread_parameter';
      const name = variadic ? p.namedChildren.find((c) => c?.type === 'variable_declarator')?.childForFieldName('name') : p.childForFieldName('name');
      if (!name) continue;
      const type = variadic ? p.namedChildren.find((c) => c && c.type !== 'modifiers' && c.type !== 'variable_declarator')?.text : p.childForFieldName('type')?.text;
      const modifiers = p.namedChildren.find((c) => c?.type === 'modifiers');
      const annotations = (modifiers?.namedChildren ?? []).filter((a) => a && /annotation$/.test(a.type)).map((a) => a!.childForFieldName('name')?.text ?? '');
      out.push({ name: name.text, type: variadic ? `${type}...` : type, annotations, variadic });
    }
    return out;
  },

  declaredType(node) {
    if (node.type !== 'variable_declarator') return undefined;
    const type = node.parent?.childForFieldName('type')?.text;
    return type === 'var' ? undefined : type;
  },

  isSafeType(type, enums) {
    const bare = type.replace(/<.*$/s, '').replace(/^final\s+/, '').trim();
    return NUMERIC_TYPE.test(bare) || enums.has(bare);
  },

  isStringType(type) {
    return /^(String|CharSequence)$/.test(type.trim());
  },

  requestSource(expr, typeOf) {
    if (expr.type !== 'method_invocation') return null;
    const chain = memberChain(expr);
    if (!chain || chain.members.length === 0) return null;
    const row = sourceRow(JAVA_SOURCES, chain.root.text, typeOf(chain.root), chain.members[0]);
    return row ? `${chain.root.text}.${chain.members[0]}() (${row.framework})` : null;
  },

  guarded(id, isConstant) {
    return javaGuarded(id, isConstant);
  },

  functions: { declaration: 'method_declaration', returnTypeField: 'type', returns: ['return_statement'] },

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
    if (!/(jdbc|template)$/i.test(callee.receiver[callee.receiver.length - 1] ?? '') || /named/i.test(callee.receiver[callee.receiver.length - 1] ?? '') || !JDBC_TEMPLATE_VALUES.has(callee.name) || sqlArgIndex !== 0) return null;
    const second = callee.args[1];
    if (!JDBC_TEMPLATE_SHAPED.has(callee.name) || !second) return { styles: ['question'], firstValueArg: 1 };
    if (SHAPE_ARG.test(second.type) || /(mapper|extractor|handler|callback)$/i.test(second.text)) return { styles: ['question'], firstValueArg: 2 };
    // queryForList(sql, value…) binds from the second argument on; for the others it is unclear.
    return callee.name === 'queryForList' ? { styles: ['question'], firstValueArg: 1 } : null;
  },

  loop(node) {
    if (node.type === 'for_statement') {
      // for (int i = 0; i < ids.size(); i++) { … ids.get(i) … }
      const body = node.childForFieldName('body');
      const init = node.childForFieldName('init');
      const names = init?.type === 'local_variable_declaration' ? init.namedChildren.filter((c) => c?.type === 'variable_declarator').map((c) => c!.childForFieldName('name')?.text ?? '') : [];
      return body && names.length > 0 ? { body, items: names, iterable: node.childForFieldName('condition') ?? undefined } : null;
    }
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

function constructorCallee(node: SyntaxNode): Callee | null {
  const args = node.childForFieldName('arguments')?.namedChildren.filter((c): c is SyntaxNode => c !== null && !c.type.endsWith('comment')) ?? [];
  if (node.type === 'object_creation_expression') {
    const type = (node.childForFieldName('type')?.text ?? '').replace(/<.*$/s, '').split('.').pop() ?? '';
    return { name: type, receiver: ['new'], args };
  }
  // super(ds, sql): the superclass of the enclosing class is the one constructed.
  if (node.childForFieldName('constructor')?.type !== 'super') return null;
  let n: SyntaxNode | null = node.parent;
  while (n && n.type !== 'class_declaration') n = n.parent;
  const superclass = n?.childForFieldName('superclass')?.namedChildren[0]?.text.replace(/<.*$/s, '').split('.').pop();
  return superclass ? { name: superclass, receiver: ['super'], args } : null;
}

const VALIDATOR = /^(check|validate|verify|assert|ensure|require|sanitize|sanitise)\w*$/i;
const NOT_A_VALIDATOR = /null|empty|blank|length|size|state|argument|notnull|nonnull|positive|true|false/i;

/**
 * Is the use `id` guarded: inside `if (ALLOW.contains(id))` with a constant ALLOW, after an early exit on
 * `!ALLOW.contains(id)`, or after a validator call on it (`Validation.checkIdentifier(id)`) in an
 * enclosing block? Validators that only check presence or size (`requireNonNull`, `checkArgument`) do not
 * count: they say nothing about the characters.
 */
function javaGuarded(id: SyntaxNode, isConstant: (expr: SyntaxNode, at: SyntaxNode) => boolean): boolean {
  const name = id.text;
  let child: SyntaxNode = id;
  for (let n = id.parent, depth = 0; n && depth < 40; child = n, n = n.parent, depth++) {
    if (n.type === 'method_declaration' || n.type === 'class_body') return false;
    if (n.type === 'if_statement' && n.childForFieldName('consequence')?.id === child.id) {
      if (allowListTest(n.childForFieldName('condition'), name, false, isConstant, id)) return true;
    }
    if (n.type === 'block' || n.type === 'constructor_body') {
      for (const stmt of n.namedChildren) {
        if (!stmt || stmt.startIndex >= child.startIndex) break;
        if (stmt.type === 'expression_statement') {
          const call = stmt.namedChildren[0];
          if (call?.type !== 'method_invocation') continue;
          const callName = call.childForFieldName('name')?.text ?? '';
          if (VALIDATOR.test(callName) && !NOT_A_VALIDATOR.test(callName) && (call.childForFieldName('arguments')?.namedChildren ?? []).some((a) => a?.type === 'identifier' && a.text === name)) return true;
        }
        if (stmt.type === 'if_statement' && exits(stmt.childForFieldName('consequence')) && allowListTest(stmt.childForFieldName('condition'), name, true, isConstant, id)) return true;
      }
    }
  }
  return false;
}

function exits(node: SyntaxNode | null): boolean {
  if (!node) return false;
  if (node.type === 'return_statement' || node.type === 'throw_statement') return true;
  const last = node.type === 'block' ? node.namedChildren[node.namedChildren.length - 1] : null;
  return !!last && (last.type === 'return_statement' || last.type === 'throw_statement');
}

/** `ALLOW.contains(name)` (negated: `!ALLOW.contains(name)`), possibly one conjunct of `&&` / disjunct of `||`. */
function allowListTest(cond: SyntaxNode | null, name: string, negated: boolean, isConstant: (expr: SyntaxNode, at: SyntaxNode) => boolean, at: SyntaxNode): boolean {
  let c = cond;
  while (c?.type === 'parenthesized_expression') c = c.namedChildren[0];
  if (!c) return false;
  if (c.type === 'binary_expression') {
    const op = c.childForFieldName('operator')?.text;
    if ((op === '&&' && !negated) || (op === '||' && negated)) return [c.childForFieldName('left'), c.childForFieldName('right')].some((x) => allowListTest(x, name, negated, isConstant, at));
    return false;
  }
  if (negated) {
    if (c.type !== 'unary_expression' || !c.text.startsWith('!')) return false;
    return allowListTest(c.namedChildren[0], name, false, isConstant, at);
  }
  if (c.type !== 'method_invocation' || !/^(contains|containsKey)$/.test(c.childForFieldName('name')?.text ?? '')) return false;
  const arg = c.childForFieldName('arguments')?.namedChildren[0];
  const object = c.childForFieldName('object');
  return arg?.type === 'identifier' && arg.text === name && !!object && isConstant(object, at);
}
