/**
 * Python sources, sinks and sanitisers as data, per framework and per driver/ORM. Read by
 * sinks.ts (which call runs SQL), constness.ts (what carries user input, what makes a value safe)
 * and tested entry by entry (test/unit/sql/pyTables.spec.ts runs every `bad` and `good` example).
 */

/** Where a request's user-controlled data lives, per web framework. */
export interface PySourceEntry {
  framework: string;
  /** Attribute names of the request object (`request.GET`, `request.args`, …). */
  requestAttributes: readonly string[];
  /** Decorators whose function's parameters are filled from the URL/query/body. */
  handlerDecorators: readonly string[];
  bad: string;
  good: string;
}

export const PY_SOURCES: readonly PySourceEntry[] = [
  {
    framework: 'Django / Django REST framework',
    requestAttributes: ['GET', 'POST', 'META', 'COOKIES', 'FILES', 'REQUEST', 'body', 'headers', 'path', 'path_info', 'data', 'query_params'],
    handlerDecorators: ['api_view', 'action'],
    bad: 'def view(request):\n    q = request.GET["q"]\n    connection.cursor().execute(q)\n',
    good: 'def view(request):\n    q = request.GET["q"]\n    connection.cursor().execute("SELECT a FROM t WHERE b = %s", [q])\n',
  },
  {
    framework: 'Flask',
    requestAttributes: ['args', 'form', 'values', 'json', 'files', 'cookies', 'data', 'headers', 'view_args'],
    handlerDecorators: ['route', 'get', 'post', 'put', 'patch', 'delete'],
    bad: '@app.route("/u/<name>")\ndef show(name):\n    db.session.execute(text(name))\n',
    good: '@app.route("/u/<name>")\ndef show(name):\n    db.session.execute(text("SELECT a FROM u WHERE n = :n"), {"n": name})\n',
  },
  {
    framework: 'FastAPI / Starlette',
    requestAttributes: ['query_params', 'path_params', 'form', 'json', 'body', 'headers', 'cookies'],
    handlerDecorators: ['get', 'post', 'put', 'patch', 'delete', 'api_route', 'websocket'],
    bad: '@router.get("/items")\nasync def items(q: str):\n    await conn.execute(q)\n',
    good: '@router.get("/items")\nasync def items(q: str):\n    await conn.execute("SELECT a FROM t WHERE b = $1", q)\n',
  },
  {
    framework: 'aiohttp',
    requestAttributes: ['match_info', 'query', 'rel_url', 'post', 'json', 'text', 'content'],
    handlerDecorators: [],
    bad: 'import asyncpg\nasync def h(request):\n    name = request.match_info["name"]\n    await conn.fetch(name)\n',
    good: 'import asyncpg\nasync def h(request):\n    name = request.match_info["name"]\n    await conn.fetch("SELECT a FROM t WHERE n = $1", name)\n',
  },
];

/** Names a handler's request object goes by. */
export const REQUEST_NAMES: ReadonlySet<string> = new Set(['request', 'req']);

/** Process-level sources (CodeQL's "local" threat model): command line, environment, stdin. */
export const PY_PROCESS_SOURCES: readonly string[] = ['sys.argv', 'os.environ', 'os.getenv', 'os.environ.get', 'input'];

export const PY_REQUEST_ATTRIBUTES: ReadonlySet<string> = new Set(PY_SOURCES.flatMap((s) => s.requestAttributes));
export const PY_HANDLER_DECORATORS: ReadonlySet<string> = new Set(PY_SOURCES.flatMap((s) => s.handlerDecorators));

export type PyDriver = 'dbapi' | 'sqlite' | 'sqlalchemy-text' | 'asyncpg' | 'django-raw' | 'django-extra' | 'pg8000' | 'sqlalchemy';

/** One raw-SQL API. A call is that sink when its last name is in `methods` and `when` holds. */
export interface PySinkEntry {
  library: string;
  methods: readonly string[];
  /**
   * any: any receiver; attribute: `x.method(…)` only; module: a module-ish path (`sqlalchemy.text`,
   * `sa.text`, `db.text`) or a bare imported name; objects: a Django manager (`Model.objects.raw`).
   */
  receiver: 'any' | 'attribute' | 'module' | 'objects';
  /** Required import (first segment of the module name), when the method name alone is too common. */
  needsModule?: readonly string[];
  /** Keyword names that may carry the SQL instead of the first positional argument. */
  keywords?: readonly string[];
  shape: 'statement' | 'fragment';
  driver: PyDriver;
  /** The sink only ever splices raw SQL: any formatted (non-constant) text counts, SQL-looking or not. */
  rawOnly?: boolean;
  bad: string;
  good: string;
}

export const PY_SINKS: readonly PySinkEntry[] = [
  {
    library: 'DB-API cursors (psycopg, psycopg2, pymysql, MySQLdb, Django connection.cursor())',
    methods: ['execute', 'executemany', 'mogrify'],
    receiver: 'attribute',
    keywords: ['sql', 'query', 'operation', 'statement'],
    shape: 'statement',
    driver: 'dbapi',
    bad: 'import psycopg2\ndef f(cur, name):\n    cur.execute("SELECT a FROM t WHERE n = \'%(n)s\'" % {"n": name})\n',
    good: 'import psycopg2\ndef f(cur, name):\n    cur.execute("SELECT a FROM t WHERE n = %(n)s", {"n": name})\n',
  },
  {
    library: 'sqlite3 / aiosqlite',
    methods: ['execute', 'executemany', 'executescript'],
    receiver: 'attribute',
    needsModule: ['sqlite3', 'aiosqlite'],
    shape: 'statement',
    driver: 'sqlite',
    bad: 'import sqlite3\ndef f(con, name):\n    con.execute("SELECT a FROM t WHERE n = \'" + name + "\'")\n',
    good: 'import sqlite3\ndef f(con, name):\n    con.execute("SELECT a FROM t WHERE n = ?", (name,))\n',
  },
  {
    library: 'pg8000 native',
    methods: ['run'],
    receiver: 'attribute',
    needsModule: ['pg8000'],
    keywords: ['sql'],
    shape: 'statement',
    driver: 'pg8000',
    bad: 'import pg8000.native\ndef f(con, name):\n    con.run(f"SELECT a FROM t WHERE n = \'{name}\'")\n',
    good: 'import pg8000.native\ndef f(con, name, task):\n    con.run("SELECT a FROM t WHERE n = :n", n=name)\n    task.run(f"job {name}")\n',
  },
  {
    library: 'asyncpg (Connection, Pool)',
    methods: ['execute', 'executemany', 'fetch', 'fetchrow', 'fetchval', 'copy_from_query', 'prepare', 'cursor'],
    receiver: 'attribute',
    needsModule: ['asyncpg'],
    keywords: ['query'],
    shape: 'statement',
    driver: 'asyncpg',
    bad: 'import asyncpg\nasync def f(conn, name):\n    return await conn.fetchrow("SELECT a FROM t WHERE n = \'%s\'" % name)\n',
    good: 'import asyncpg\nasync def f(conn, name):\n    cur = conn.cursor()\n    return await conn.fetchrow("SELECT a FROM t WHERE n = $1", name)\n',
  },
  {
    library: 'SQLAlchemy text() / TextClause (also flask_sqlalchemy db.text)',
    methods: ['text', 'TextClause'],
    receiver: 'module',
    keywords: ['text'],
    shape: 'statement',
    driver: 'sqlalchemy-text',
    rawOnly: true,
    bad: 'import sqlalchemy\ndef f(session, name):\n    return sqlalchemy.text("\'{}\'".format(name))\n',
    good: 'import sqlalchemy\ndef f(session, name, doc):\n    doc.text("{}".format(name))\n    return sqlalchemy.text("SELECT a FROM t WHERE n = :n").bindparams(n=name)\n',
  },
  {
    library: 'SQLAlchemy raw-string APIs (exec_driver_sql, literal_column, from_statement)',
    methods: ['exec_driver_sql', 'literal_column', 'from_statement'],
    receiver: 'any',
    needsModule: ['sqlalchemy', 'flask_sqlalchemy', 'sqlmodel'],
    shape: 'statement',
    driver: 'sqlalchemy',
    bad: 'import sqlalchemy\ndef f(conn, name):\n    conn.exec_driver_sql("SELECT a FROM t WHERE n = \'%s\'" % name)\n',
    good: 'import sqlalchemy\ndef f(conn, name):\n    conn.exec_driver_sql("SELECT a FROM t WHERE n = %(n)s", {"n": name})\n',
  },
  {
    library: 'Django Manager.raw',
    methods: ['raw'],
    receiver: 'objects',
    keywords: ['raw_query'],
    shape: 'statement',
    driver: 'django-raw',
    bad: 'def f(name):\n    return User.objects.raw("SELECT * FROM u WHERE n = \'%s\'" % name)\n',
    good: 'def f(name, s):\n    s.raw("SELECT * FROM u WHERE n = \'%s\'" % name)\n    return User.objects.raw("SELECT * FROM u WHERE n = %s", [name])\n',
  },
  {
    library: 'Django RawSQL',
    methods: ['RawSQL'],
    receiver: 'any',
    keywords: ['sql'],
    shape: 'fragment',
    driver: 'django-raw',
    rawOnly: true,
    bad: 'def f(qs, col):\n    return qs.annotate(v=RawSQL("SELECT %s FROM t" % col, []))\n',
    good: 'def f(qs, col):\n    return qs.annotate(v=RawSQL("SELECT a FROM t WHERE b = %s", [col]))\n',
  },
];

/** Django QuerySet.extra: every SQL-carrying keyword, or the first positional (`select`). */
export const DJANGO_EXTRA_KEYWORDS = ['where', 'select', 'tables', 'order_by'] as const;

/** Calls whose result is a number (never SQL text). */
export const PY_NUMERIC_CALLS: ReadonlySet<string> = new Set(['int', 'float', 'len', 'bool', 'abs', 'round', 'min', 'max', 'sum', 'Decimal', 'uuid4', 'UUID', 'hash', 'ord']);
/** Quoting/escaping helpers and psycopg.sql composition: their result is safe to splice. */
export const PY_ESCAPE_CALLS: ReadonlySet<string> = new Set([
  'quote_name', 'quote_ident', 'escape_string', 'escape', 'literal', 'Identifier', 'Literal', 'Placeholder', 'adapt', 'escape_identifier',
  'escape_literal', 'quote', 'quote_identifier', 'quote_literal',
  // SQLAlchemy's IdentifierPreparer (`self.preparer.format_table(t)`): quoted identifiers for DDL.
  'format_table', 'format_column', 'format_sequence', 'format_constraint', 'format_index', 'format_schema', 'format_table_seq', 'format_label', 'quote_schema',
]);
/** String methods that return their receiver's text (tainted in, tainted out). */
export const PY_STR_PASSTHROUGH: ReadonlySet<string> = new Set(['upper', 'lower', 'strip', 'lstrip', 'rstrip', 'title', 'str', 'replace', 'casefold', 'capitalize']);

/** N+1: Django manager methods answered from a process-wide cache (ContentType, Site), not a query per call. */
export const PY_CACHED_MANAGER_METHODS: ReadonlySet<string> = new Set(['get_for_id', 'get_for_model', 'get_for_models', 'get_current', 'clear_cache']);
/** N+1: calls that always run a query, whatever their receiver (generic foreign keys, per-item prefetch). */
export const PY_PER_CALL_QUERIES: ReadonlySet<string> = new Set(['get_object_for_this_type', 'get_all_objects_for_this_type', 'prefetch_related_objects', 'refresh_from_db']);
/** N+1: related-manager methods that query even when the relation was prefetched. */
export const PY_ALWAYS_QUERY_METHODS: ReadonlySet<string> = new Set(['filter', 'exclude', 'values_list', 'annotate', 'aggregate', 'order_by', 'latest', 'earliest', 'get_or_create', 'update_or_create']);
/** N+1: attributes whose every access queries (Wagtail `page.specific`). */
export const PY_QUERYING_ATTRIBUTES: ReadonlySet<string> = new Set(['specific']);
/** N+1: names that hold a Django queryset by convention (`self.queryset`, `qs`). */
export const PY_QUERYSET_NAMES = /^(queryset|qs|\w+_queryset|\w+_qs)$/;
