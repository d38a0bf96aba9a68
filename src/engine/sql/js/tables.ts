/**
 * JavaScript/TypeScript sources, sinks and sanitisers as data, per framework and per driver/ORM.
 * Read by sinks.ts / constness.ts / injection.ts and tested entry by entry
 * (test/unit/sql/jsTables.spec.ts runs every `bad` and `good` example).
 */

export interface JsSourceEntry {
  framework: string;
  /** Member paths (from the handler's request/context object) that carry user input. */
  paths: readonly string[];
  /** Parameter decorators whose parameter is filled from the request (NestJS). */
  paramDecorators?: readonly string[];
  bad: string;
  good: string;
}

export const JS_SOURCES: readonly JsSourceEntry[] = [
  {
    framework: 'Express',
    paths: ['req.query', 'req.body', 'req.params', 'req.headers', 'req.cookies', 'req.signedCookies', 'req.path', 'req.url', 'request.query', 'request.body', 'request.params', 'request.headers'],
    bad: "const { Pool } = require('pg');\nconst pool = new Pool();\napp.get('/q', (req, res) => pool.query(req.query.sql));\n",
    good: "const { Pool } = require('pg');\nconst pool = new Pool();\napp.get('/q', (req, res) => pool.query('SELECT a FROM t WHERE id = $1', [req.query.ID]));\n",
  },
  {
    framework: 'Koa',
    paths: ['ctx.query', 'ctx.params', 'ctx.request.body', 'ctx.request.query', 'ctx.querystring', 'ctx.headers', 'ctx.cookies'],
    bad: "const mysql = require('mysql2');\nrouter.get('/q', async (ctx) => { await conn.query('SELECT a FROM t WHERE id = ' + ctx.params.id); });\n",
    good: "const mysql = require('mysql2');\nrouter.get('/q', async (ctx) => { await conn.query('SELECT a FROM t WHERE id = ?', [ctx.params.id]); });\n",
  },
  {
    framework: 'Fastify',
    paths: ['request.query', 'request.body', 'request.params', 'request.headers'],
    bad: "import { Pool } from 'pg';\nconst pool = new Pool();\nfastify.get('/q', async (request) => pool.query(`SELECT a FROM t WHERE n = '${request.query.name}'`));\n",
    good: "import { Pool } from 'pg';\nconst pool = new Pool();\nfastify.get('/q', async (request) => pool.query('SELECT a FROM t WHERE n = $1', [request.query.name]));\n",
  },
  {
    framework: 'NestJS',
    paths: [],
    paramDecorators: ['Query', 'Body', 'Param', 'Headers'],
    bad: "import { DataSource } from 'typeorm';\nclass C {\n  constructor(private dataSource: DataSource) {}\n  find(@Query('sql') sql: string) {\n    return this.dataSource.query(sql);\n  }\n}\n",
    good: "import { DataSource } from 'typeorm';\nclass C {\n  constructor(private dataSource: DataSource) {}\n  find(@Query('id') id: string, sql: string) {\n    return this.dataSource.query('SELECT a FROM t WHERE id = $1', [id]);\n  }\n}\n",
  },
];

/** Process-level sources (command line and environment). */
export const JS_PROCESS_SOURCES: readonly string[] = ['process.env', 'process.argv'];

export const JS_SOURCE_PATHS: readonly string[] = [...new Set(JS_SOURCES.flatMap((s) => s.paths))];
export const JS_SOURCE_DECORATORS: ReadonlySet<string> = new Set(JS_SOURCES.flatMap((s) => s.paramDecorators ?? []));

/**
 * Drivers whose query config object carries the SQL in a property: node-postgres and pg-promise
 * `{ text }`, mysql/mysql2 `{ sql }`. The call is a statement sink whose SQL is that property.
 */
export const QUERY_CONFIG_KEYS: readonly string[] = ['sql', 'text'];

/** pg-promise's Database methods that run a query given as text (or a `{ text }` config). */
export const PG_PROMISE_METHODS: readonly string[] = ['any', 'many', 'manyOrNone', 'map', 'multi', 'multiResult', 'none', 'one', 'oneOrNone', 'result', 'each', 'stream'];

/** Other raw-SQL drivers that have methods of their own. */
export const HANA_METHODS: readonly string[] = ['exec', 'execute', 'prepare'];

/**
 * AWS SDK APIs that run SQL (v2 method name / v3 command class) and the request properties that
 * hold it: DynamoDB PartiQL, Athena, RDS Data API, S3 Select.
 */
export interface AwsSqlApi {
  service: string;
  methods: readonly string[];
  commands: readonly string[];
  /** Property paths inside the request (`Statements[].Statement`). */
  properties: readonly string[];
}

export const AWS_SQL_APIS: readonly AwsSqlApi[] = [
  { service: 'DynamoDB PartiQL', methods: ['executeStatement', 'batchExecuteStatement', 'executeTransaction'], commands: ['ExecuteStatementCommand', 'BatchExecuteStatementCommand', 'ExecuteTransactionCommand'], properties: ['Statement', 'Statements[].Statement', 'TransactStatements[].Statement'] },
  { service: 'Athena', methods: ['startQueryExecution'], commands: ['StartQueryExecutionCommand'], properties: ['QueryString'] },
  { service: 'RDS Data API', methods: ['executeStatement', 'batchExecuteStatement', 'executeSql'], commands: ['ExecuteStatementCommand', 'BatchExecuteStatementCommand', 'ExecuteSqlCommand'], properties: ['sql', 'sqlStatements', 'parameterSets[].sql'] },
  { service: 'S3 Select', methods: ['selectObjectContent'], commands: ['SelectObjectContentCommand'], properties: ['Expression'] },
];

export interface JsSinkExample {
  library: string;
  bad: string;
  good: string;
}

/** One example pair per sink family in sinks.ts (the SQL-looking-text rule applies unless noted there). */
export const JS_SINK_EXAMPLES: readonly JsSinkExample[] = [
  {
    library: 'node-postgres query(text) / query({ text })',
    bad: "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const f = (id: string) => pool.query({ text: 'SELECT a FROM t WHERE id = ' + id });\n",
    good: "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const f = (id: string) => pool.query({ text: 'SELECT a FROM t WHERE id = $1', values: [id] });\n",
  },
  {
    library: 'mysql / mysql2 query({ sql })',
    bad: "const mysql = require('mysql');\nfunction f(c, temp) {\n  c.query({ sql: 'SELECT * FROM `books` WHERE `author` = ' + temp }, () => {});\n}\n",
    good: "const mysql = require('mysql');\nfunction f(c, temp) {\n  c.query({ sql: 'SELECT * FROM `books` WHERE `author` = ?', values: [temp] }, () => {});\n}\n",
  },
  {
    library: 'sqlite / better-sqlite3 prepare/run/all/get',
    bad: "import Database from 'better-sqlite3';\nexport function f(db, name: string) {\n  return db.prepare(\"SELECT a FROM t WHERE n = '\".concat(name, \"'\")).all();\n}\n",
    good: "import Database from 'better-sqlite3';\nexport function f(db, name: string) {\n  return db.prepare('SELECT a FROM t WHERE n = ?').all(name);\n}\n",
  },
  {
    library: 'knex.raw / whereRaw',
    bad: "import knex from 'knex';\nexport const f = (db, parts: string[], col: string) => { parts.push(col); return db.raw(['SELECT', ...parts].join(' ')); };\n",
    good: "import knex from 'knex';\nexport const f = (db, col: string) => db.raw('SELECT ?? FROM t', [col]);\n",
  },
  {
    library: 'sequelize.query',
    bad: "import { Sequelize } from 'sequelize';\nexport const f = (sequelize: Sequelize, id: string) => sequelize.query(['SELECT a FROM t WHERE id = ', id].join(''));\n",
    good: "import { Sequelize } from 'sequelize';\nexport const f = (sequelize: Sequelize, id: string) => sequelize.query('SELECT a FROM t WHERE id = ?', { replacements: [id] });\n",
  },
  {
    library: 'TypeORM DataSource/EntityManager.query',
    bad: "import { DataSource } from 'typeorm';\nexport const f = (dataSource: DataSource, id: string) => dataSource.query(`SELECT a FROM t WHERE id = ${id}`);\n",
    good: "import { DataSource } from 'typeorm';\nexport const f = (dataSource: DataSource, id: string) => dataSource.query('SELECT a FROM t WHERE id = $1', [id]);\n",
  },
  {
    library: 'Prisma $queryRawUnsafe',
    bad: "import { PrismaClient } from '@prisma/client';\nexport const f = (prisma: PrismaClient, id: string) => prisma.$queryRawUnsafe('SELECT a FROM t WHERE id = ' + id);\n",
    good: "import { PrismaClient } from '@prisma/client';\nexport const f = (prisma: PrismaClient, id: string) => prisma.$queryRawUnsafe('SELECT a FROM t WHERE id = $1', id);\n",
  },
  {
    library: 'pg-promise any/one/many/none/…',
    bad: "const pgp = require('pg-promise')();\nconst db = pgp('x');\nexport const f = (cat) => db.any(\"SELECT a FROM t WHERE c = '\" + cat + \"'\");\n",
    good: "const pgp = require('pg-promise')();\nconst db = pgp('x');\nexport const f = (cat, list) => { list.any((x) => x + cat); return db.any('SELECT a FROM t WHERE c = $1', [cat]); };\n",
  },
  {
    library: "pg-promise :raw / ^ formatting (indexed; request value) — :name escapes an identifier",
    bad: "const pgp = require('pg-promise')();\nconst db = pgp('x');\nexport const f = (req) => db.any('SELECT a FROM t ORDER BY $1:raw', [req.query.sort]);\n",
    good: "const pgp = require('pg-promise')();\nconst db = pgp('x');\nexport const f = (req) => db.any('SELECT a FROM t ORDER BY $1:name, $2:raw', [req.query.sort, 'DESC']);\n",
  },
  {
    library: 'pg-promise ${name^} in a { text, values } config — a raw constant is fine',
    bad: "const pgp = require('pg-promise')();\nconst db = pgp('x');\nexport const f = (req) => db.one({ text: 'SELECT * FROM t WHERE ${cond^}', values: { cond: req.body.filter } });\n",
    good: "const pgp = require('pg-promise')();\nconst db = pgp('x');\nconst cond = 'deleted = false';\nexport const f = (req) => db.one({ text: 'SELECT * FROM t WHERE ${cond^} AND id = ${id}', values: { cond, id: req.body.id } });\n",
  },
  {
    library: 'SAP HANA client exec/prepare',
    bad: "const hana = require('@sap/hana-client');\nfunction f(conn, v) {\n  conn.exec('SELECT * FROM DUMMY WHERE A = ' + v, () => {});\n}\n",
    good: "const hana = require('@sap/hana-client');\nfunction f(conn, v) {\n  conn.exec('SELECT * FROM DUMMY WHERE A = ?', [v], () => {});\n}\n",
  },
  {
    library: 'AWS SDK: DynamoDB PartiQL, Athena, RDS Data API, S3 Select',
    bad: "import { ExecuteStatementCommand } from '@aws-sdk/client-dynamodb';\nexport async function f(client, name: string) {\n  const command = new ExecuteStatementCommand({ Statement: `SELECT * FROM Users WHERE n = '${name}'` });\n  await client.send(command);\n}\n",
    good: "import { ExecuteStatementCommand } from '@aws-sdk/client-dynamodb';\nexport async function f(client, name: string) {\n  const command = new ExecuteStatementCommand({ Statement: 'SELECT * FROM Users WHERE n = ?', Parameters: [{ S: name }] });\n  await client.send(command);\n  await client.send({ Statement: name });\n}\n",
  },
];

/**
 * N+1: layered backends query through services and repositories (`this.productService_.retrieve(id)`).
 * An awaited call on a receiver named with one of these suffixes, whose method starts with a data verb,
 * counts as a query when it runs per loop item.
 */
export const DATA_SERVICE_SUFFIXES: readonly string[] = ['Service', 'Repository', 'Repo', 'Dao', 'Connection', 'Manager', 'Model', 'Store'];
export const DATA_VERBS: readonly string[] = ['retrieve', 'find', 'findOne', 'get', 'list', 'load', 'fetch', 'count', 'update', 'create', 'delete', 'save', 'upsert', 'remove', 'insert', 'exists', 'query'];
