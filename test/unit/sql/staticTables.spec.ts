/**
 * Go/Java sources, sinks, sanitisers and N+1 shapes: each table entry (static/sources.ts, java.ts
 * JAVA_SINKS, go.ts) with a positive and a tricky true negative. Cases named in issue #15 are marked.
 */
import * as assert from 'node:assert/strict';
import type { Finding } from '../../../src/protocol';
import { analyzeSource } from '../../../src/engine/sql/analyze';
import { applyEdits } from '../../../src/engine/sql/edits';
import { parse } from '../../../src/engine/syntax/treeSitter';

async function codes(path: string, text: string, code: string): Promise<Finding[]> {
  return (await analyzeSource({ path, text })).filter((f) => f.code === code);
}
const inj = (path: string, text: string) => codes(path, text, 'KEEL-SQL-INJECTION');
const n1 = (path: string, text: string) => codes(path, text, 'KEEL-SQL-N-PLUS-ONE');
const line = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

function java(body: string, imports = ''): string {
  return `${imports}\nclass T {\n${body}\n}\n`;
}
function gofile(body: string, imports: string[] = ['database/sql', 'net/http']): string {
  return `package p\n\nimport (\n${imports.map((i) => `\t"${i}"`).join('\n')}\n)\n\n${body}\n`;
}

describe('sql static: Java sinks (one per JAVA_SINKS row) with a true negative each', () => {
  const rows: Array<[string, string, string]> = [
    ['JDBC Statement', 'void f(Statement st, String q) { st.executeQuery("SELECT * FROM t WHERE a = \'" + q + "\'"); }', 'void f(Statement st, int q) { st.executeQuery("SELECT * FROM t WHERE a = " + q); }'],
    ['JDBC Statement.execute', 'void f(Statement stmt, String q) { stmt.execute("DELETE FROM t WHERE a = \'" + q + "\'"); }', 'void f(Executor executor, String q) { executor.execute("DELETE FROM t WHERE a = \'" + q + "\'"); }'],
    ['JDBC Connection.prepareCall (escape syntax)', 'void f(Connection c, String id) { c.prepareCall("{ call p(\'" + id + "\', ?) }"); }', 'void f(Connection c, String id) { c.prepareCall("{ call p(?, ?) }"); }'],
    ['R2DBC Connection.createStatement', 'void f(io.r2dbc.spi.Connection connection, String q) { connection.createStatement(q); }', 'void f(io.r2dbc.spi.Connection connection) { connection.createStatement("SELECT 1"); }'],
    ['R2DBC Batch.add', 'void f(Batch batch, String q) { batch.add(q); }', 'void f(List<String> batch, String q) { batch.add(q); }'],
    ['JdbcTemplate', 'void f(JdbcTemplate jdbc, String name) { jdbc.update("DELETE FROM t WHERE name = \'" + name + "\'"); }', 'void f(JdbcTemplate jdbc, String name) { jdbc.update("DELETE FROM t WHERE name = ?", name); }'],
    ['NamedParameterJdbcTemplate (whole query from a same-file method)', 'static String src() { return null; }\nvoid f(NamedParameterJdbcOperations named) { named.queryForList(src(), (Map<String, ?>) null); }', 'static String src() { return "SELECT 1"; }\nvoid f(NamedParameterJdbcOperations named) { named.queryForList(src(), (Map<String, ?>) null); }'],
    ['DatabaseClient.sql', 'void f(DatabaseClient client, @RequestParam String q) { client.sql(q).fetch(); }', 'void f(DatabaseClient client, @RequestParam String q) { client.sql(() -> "SELECT * FROM t WHERE v = :v").bind("v", q).fetch(); }'],
    ['Spring JDBC object constructor', 'void f(DataSource ds, String q) { new SqlUpdate(ds, "UPDATE t SET a = \'" + q + "\'"); }', 'void f(DataSource ds, String q) { new SqlUpdate(ds, "UPDATE t SET a = ?"); }'],
    ['JPA createNativeQuery', 'void f(EntityManager em, String q) { em.createNativeQuery("SELECT * FROM t WHERE a = \'" + q + "\'"); }', 'void f(EntityManager em, String q) { em.createNativeQuery("SELECT * FROM t WHERE a = :a").setParameter("a", q); }'],
    ['Hibernate createSQLQuery', 'void f(Session session, String q) { session.createSQLQuery("SELECT * FROM t WHERE a = \'" + q + "\'"); }', 'void f(Session session, String q) { session.createSQLQuery("SELECT * FROM t WHERE a = ?"); }'],
    ['JDO PersistenceManager.newQuery', 'void f(PersistenceManager pm, String q) { pm.newQuery("javax.jdo.query.SQL", "SELECT * FROM t WHERE a = \'" + q + "\'"); }', 'void f(PersistenceManager pm, String q) { pm.newQuery(T.class); }'],
    ['Turbine peer', 'void f(String q) { BasePeer.executeQuery("SELECT * FROM t WHERE a = \'" + q + "\'"); }', 'void f(String q) { BasePeer.executeQuery("SELECT * FROM t WHERE a = 1"); }'],
    ['Vert.x SqlClient', 'void f(SqlClient client, String q) { client.query("SELECT * FROM t WHERE a = \'" + q + "\'").execute(); }', 'void f(SqlClient client, String q) { client.preparedQuery("SELECT * FROM t WHERE a = $1").execute(Tuple.of(q)); }'],
    ['jOOQ DSLContext', 'void f(DSLContext dsl, String q) { dsl.fetch("SELECT * FROM t WHERE a = \'" + q + "\'"); }', 'void f(DSLContext dsl, String q) { dsl.fetch("SELECT * FROM t WHERE a = ?", q); }'],
  ];
  for (const [name, bad, good] of rows) {
    it(name, async () => {
      assert.equal((await inj('T.java', java(bad))).length, 1, 'positive is found');
      assert.deepEqual(await inj('T.java', java(good)), [], 'true negative stays quiet');
    });
  }
});

describe('sql static: Java sources, string building and sanitisers', () => {
  it('issue #15: a whole query passed in as a method parameter (failed before)', async () => {
    const src = java('List<Map<String, Object>> run(JdbcTemplate jdbcTemplate, String sql) { return jdbcTemplate.queryForList(sql); }');
    assert.equal((await inj('T.java', src)).length, 1);
    // A query helper that forwards the bound values is the caller's to check.
    assert.deepEqual(await inj('T.java', java('List<Map<String, Object>> run(JdbcTemplate jdbcTemplate, String sql, Object... args) { return jdbcTemplate.queryForList(sql, args); }')), []);
  });

  it('Servlet getParameter as the whole query; a header used as a bound value is fine', async () => {
    assert.equal((await inj('T.java', java('void f(HttpServletRequest request, Statement st) throws Exception { st.executeQuery(request.getParameter("q")); }'))).length, 1);
    assert.deepEqual(await inj('T.java', java('void f(HttpServletRequest request, JdbcTemplate jdbc) { jdbc.update("DELETE FROM t WHERE h = ?", request.getHeader("X")); }')), []);
  });

  for (const ann of ['RequestParam', 'PathVariable', 'RequestHeader', 'QueryParam', 'PathParam', 'FormParam']) {
    it(`@${ann} parameter; the same parameter typed long is safe`, async () => {
      assert.equal((await inj('T.java', java(`void f(@${ann}("x") String x, Statement st) throws Exception { st.executeQuery("SELECT * FROM t WHERE a = '" + x + "'"); }`))).length, 1);
      assert.deepEqual(await inj('T.java', java(`void f(@${ann}("x") long x, Statement st) throws Exception { st.executeQuery("SELECT * FROM t WHERE a = " + x); }`)), []);
    });
  }

  it('StringBuilder append chains, concat and += build SQL text', async () => {
    const sb = java('void f(Statement st, String q) throws Exception { StringBuilder sb = new StringBuilder("SELECT * FROM t"); sb.append(" WHERE a = \'").append(q).append("\'"); st.executeQuery(sb.toString()); }');
    assert.equal((await inj('T.java', sb)).length, 1);
    const concat = java('void f(Statement st, String q) throws Exception { st.executeQuery("SELECT * FROM t WHERE a = ".concat(q)); }');
    assert.equal((await inj('T.java', concat)).length, 1);
    const constant = java('void f(Statement st) throws Exception { StringBuilder sb = new StringBuilder(); sb.append("SELECT * FROM t").append(" WHERE a = 1"); st.executeQuery(sb.toString()); }');
    assert.deepEqual(await inj('T.java', constant), []);
  });

  it('sanitisers: Integer.parseInt, Long.valueOf, UUID.fromString, enum valueOf / name(), class names', async () => {
    for (const expr of ['Integer.parseInt(q)', 'Long.valueOf(q)', 'UUID.fromString(q)', 'Color.valueOf(q).name()', 'T.class.getSimpleName()']) {
      const src = `enum Color { RED }\n${java(`void f(Statement st, String q) throws Exception { st.executeQuery("SELECT * FROM t WHERE a = '" + ${expr} + "'"); }`)}`;
      assert.deepEqual(await inj('T.java', src), [], expr);
    }
    // …but trim() keeps the text it was given.
    assert.equal((await inj('T.java', java('void f(Statement st, String q) throws Exception { st.executeQuery("SELECT * FROM t WHERE a = \'" + q.trim() + "\'"); }'))).length, 1);
  });

  it('a constant allow-list guards the value; a list with a computed entry does not', async () => {
    const good = java('static final List<String> OK = List.of("a", "b");\nvoid f(Statement st, String q) throws Exception { if (OK.contains(q)) { st.executeQuery("SELECT * FROM t WHERE a = \'" + q + "\'"); } }');
    assert.deepEqual(await inj('T.java', good), []);
    const bad = java('static final List<String> OK = List.of("a", other());\nstatic String other() { return "x"; }\nvoid f(Statement st, String q) throws Exception { if (OK.contains(q)) { st.executeQuery("SELECT * FROM t WHERE a = \'" + q + "\'"); } }');
    assert.equal((await inj('T.java', bad)).length, 1);
    const early = java('void f(Statement st, String q) throws Exception { List<String> ok = List.of("a"); if (!ok.contains(q)) { return; } st.executeQuery("SELECT * FROM t WHERE a = \'" + q + "\'"); }');
    assert.deepEqual(await inj('T.java', early), []);
  });

  it('a table name from a field is configuration; from a parameter it is input', async () => {
    assert.deepEqual(await inj('T.java', java('String table;\nvoid f(Statement st) throws Exception { st.executeQuery("SELECT a FROM " + table); }')), []);
    assert.equal((await inj('T.java', java('void f(Statement st, String table) throws Exception { st.executeQuery("SELECT a FROM " + table); }'))).length, 1);
  });
});

describe('sql static: Go sources and sanitisers', () => {
  const sources: Array<[string, string, string]> = [
    ['net/http r.FormValue', 'r *http.Request', 'r.FormValue("q")'],
    ['net/http r.Form[...]', 'r *http.Request', 'r.Form["q"][0]'],
    ['net/http r.URL.Query().Get', 'r *http.Request', 'r.URL.Query().Get("q")'],
    ['net/http header', 'r *http.Request', 'r.Header.Get("X-Q")'],
    ['gin c.Query', 'c *gin.Context', 'c.Query("q")'],
    ['gin c.Param', 'c *gin.Context', 'c.Param("q")'],
    ['gin c.PostForm', 'c *gin.Context', 'c.PostForm("q")'],
    ['gin c.GetHeader', 'c *gin.Context', 'c.GetHeader("q")'],
    ['echo c.QueryParam', 'c echo.Context', 'c.QueryParam("q")'],
    ['echo c.FormValue', 'c echo.Context', 'c.FormValue("q")'],
    ['mux.Vars', 'r *http.Request', 'mux.Vars(r)["q"]'],
  ];
  for (const [name, param, expr] of sources) {
    it(`${name} as the whole query; as a bound value it is fine`, async () => {
      assert.equal((await inj('p.go', gofile(`func h(db *sql.DB, ${param}) {\n\tdb.Query(${expr})\n}`))).length, 1);
      assert.deepEqual(await inj('p.go', gofile(`func h(db *sql.DB, ${param}) {\n\tdb.Query("SELECT a FROM t WHERE b = $1", ${expr})\n}`)), []);
    });
  }

  it('Go: a helper taking `query string`, and Get/Select on a non-database receiver, are not whole-query findings', async () => {
    assert.deepEqual(await inj('p.go', gofile('func Preparex(p Preparer, query string) (*Stmt, error) {\n\treturn p.Prepare(query)\n}')), []);
    assert.deepEqual(await inj('p.go', gofile('func tag(field reflect.StructField, r *http.Request) string {\n\treturn field.Tag.Get(r.FormValue("t"))\n}')), []);
    assert.equal((await inj('p.go', gofile('func h(db *sqlx.DB, r *http.Request) {\n\tvar out []T\n\tdb.Select(&out, r.FormValue("q"))\n}'))).length, 1);
  });

  it('strconv.Atoi / ParseInt / uuid.Parse results and numeric parameters are safe with %v', async () => {
    for (const [decl, use] of [['n, err := strconv.Atoi(s)', 'n'], ['n, _ := strconv.ParseInt(s, 10, 64)', 'n'], ['u, _ := uuid.Parse(s)', 'u'], ['f, _ := strconv.ParseFloat(s, 64)', 'f'], ['b, _ := strconv.ParseBool(s)', 'b']]) {
      const src = gofile(`func h(db *sql.DB, s string) {\n\t${decl}\n\tdb.Query(fmt.Sprintf("SELECT a FROM t WHERE b = '%v'", ${use}))\n}`, ['database/sql', 'fmt', 'strconv']);
      assert.deepEqual(await inj('p.go', src), [], decl);
    }
    assert.deepEqual(await inj('p.go', gofile('func h(db *sql.DB, limit int) {\n\tdb.Query(fmt.Sprintf("SELECT a FROM t LIMIT %v", limit))\n}', ['database/sql', 'fmt'])), []);
    // err (the parser's second result) is not the number.
    assert.equal((await inj('p.go', gofile('func h(db *sql.DB, s string) {\n\t_, err := strconv.Atoi(s)\n\tdb.Query(fmt.Sprintf("SELECT a FROM t WHERE b = \'%v\'", err))\n}', ['database/sql', 'fmt', 'strconv']))).length, 1);
  });

  it('squirrel Expr with a quote-stripped value: safe inside the stripped quote, not inside the other', async () => {
    const good = gofile('func h(v string) {\n\te := strings.ReplaceAll(v, "\'", "")\n\tsq.Expr("\'" + e + "\'")\n}', ['strings']);
    assert.deepEqual(await inj('p.go', good), []);
    const bad = gofile('func h(v string) {\n\te := strings.ReplaceAll(v, "\'", "")\n\tsq.Expr("\\"" + e + "\\"")\n}', ['strings']);
    assert.equal((await inj('p.go', bad)).length, 1);
  });

  it('gorm Where with string building; the bound form is fine', async () => {
    assert.equal((await inj('p.go', gofile('func h(db *gorm.DB, c *gin.Context) {\n\tdb.Where("name = \'" + c.Query("n") + "\'").Find(&users)\n}', ['gorm.io/gorm']))).length, 1);
    assert.deepEqual(await inj('p.go', gofile('func h(db *gorm.DB, c *gin.Context) {\n\tdb.Where("name = ?", c.Query("n")).Find(&users)\n}', ['gorm.io/gorm'])), []);
  });
});

describe('sql static: MyBatis mapper annotations', () => {
  const mapper = (body: string) => `import org.apache.ibatis.annotations.*;\n\npublic interface UserMapper {\n${body}\n}\n`;
  it('${} substitution of a text parameter in @Select / @Update is an injection', async () => {
    const src = mapper('  @Select("SELECT * FROM users WHERE name = \'${name}\'")\n  List<User> byName(@Param("name") String name);\n  @Update({"UPDATE users SET ", "status = 1 ORDER BY ${order}"})\n  int touch(Query order);');
    assert.deepEqual((await inj('UserMapper.java', src)).map((f) => f.line), [line(src, '@Select'), line(src, '@Update')]);
  });
  it('#{} binding, and ${} of a number or an enum of the file, are not', async () => {
    const src = `import org.apache.ibatis.annotations.*;\n\npublic interface UserMapper {\n  enum Dir { ASC, DESC }\n  @Select("SELECT * FROM users WHERE name = #{name} ORDER BY id \${dir} LIMIT \${limit}")\n  List<User> page(@Param("name") String name, @Param("dir") Dir dir, @Param("limit") int limit);\n}\n`;
    assert.deepEqual(await inj('UserMapper.java', src), []);
  });
});

describe('sql static: N+1 in Go and Java', () => {
  it('issue #15: GORM Related / FirstOrCreate inside loops (RealWorld shape) are found (failed before)', async () => {
    const src = gofile(
      [
        'func setTags(db *gorm.DB, tags []string) {',
        '\tfor _, tag := range tags {',
        '\t\tvar tagModel TagModel',
        '\t\tdb.FirstOrCreate(&tagModel, TagModel{Tag: tag})',
        '\t}',
        '}',
        '',
        'func authors(db *gorm.DB) []ArticleModel {',
        '\tvar articles []ArticleModel',
        '\tdb.Where("published = ?", true).Find(&articles)',
        '\tfor i := range articles {',
        '\t\tdb.Model(&articles[i]).Related(&articles[i].Author, "Author")',
        '\t}',
        '\treturn articles',
        '}',
      ].join('\n'),
      ['github.com/jinzhu/gorm'],
    );
    const found = await n1('models.go', src);
    assert.deepEqual(found.map((f) => f.line), [line(src, 'FirstOrCreate'), line(src, 'Related(')]);
  });

  it('GORM Association(...).Find per item gets a Preload fix that re-analyses clean', async () => {
    const src = gofile(
      ['func list(db *gorm.DB) []Article {', '\tvar articles []Article', '\tdb.Find(&articles)', '\tfor _, a := range articles {', '\t\tdb.Model(&a).Association("Tags").Find(&a.Tags)', '\t}', '\treturn articles', '}'].join('\n'),
      ['gorm.io/gorm'],
    );
    const [finding] = await n1('list.go', src);
    assert.ok(finding, 'found');
    const fix = finding.fixes.find((f) => f.kind === 'eager-load');
    assert.ok(fix, 'a Preload fix');
    const fixed = applyEdits(src, fix.edits);
    assert.match(fixed, /db\.Preload\("Tags"\)\.Find\(&articles\)/);
    const tree = await parse('go', fixed);
    try {
      assert.equal(tree.rootNode.hasError, false, fixed);
    } finally {
      tree.delete();
    }
    assert.deepEqual(await n1('list.go', fixed), []);
  });

  it('GORM: a query that does not use the item, and Preload before the loop, are not N+1', async () => {
    const src = gofile('func f(db *gorm.DB, ids []int) {\n\tvar users []User\n\tdb.Preload("Posts").Find(&users)\n\tfor _, u := range users {\n\t\t_ = len(u.Posts)\n\t}\n\tfor range ids {\n\t\tdb.First(&Config{})\n\t}\n}', ['gorm.io/gorm']);
    assert.deepEqual(await n1('f.go', src), []);
  });

  it('running a list of statements or DDL per table name is not N+1; loops in test files are not reported', async () => {
    assert.deepEqual(await n1('m.go', gofile('func migrate(db *sql.DB, stmts []string) {\n\tfor _, s := range stmts {\n\t\tdb.Exec(s)\n\t}\n}')), []);
    assert.deepEqual(await n1('m.go', gofile('func drop(db *sql.DB, tables []string) {\n\tfor _, t := range tables {\n\t\tdb.Exec(fmt.Sprintf("DROP TABLE %s", t))\n\t}\n}', ['database/sql', 'fmt'])), []);
    const perRow = gofile('func seed(db *gorm.DB, users []User) {\n\tfor _, u := range users {\n\t\tdb.Create(&u)\n\t}\n}', ['gorm.io/gorm']);
    assert.equal((await n1('seed.go', perRow)).length, 1);
    assert.deepEqual(await n1('seed_test.go', perRow), []);
  });

  it('a same-file helper that runs a query, called per item, is an N+1 (Go and Java); one that does not query is not', async () => {
    const go = gofile('func userOf(id uint) User {\n\tvar u User\n\tdb := common.GetDB()\n\tdb.Where("id = ?", id).FirstOrCreate(&u)\n\treturn u\n}\n\nfunc label(id uint) string {\n\treturn fmt.Sprint(id)\n}\n\nfunc feed(ids []uint) {\n\tfor _, id := range ids {\n\t\t_ = userOf(id)\n\t\t_ = label(id)\n\t}\n}', ['fmt']);
    assert.deepEqual((await n1('feed.go', go)).map((f) => f.line), [line(go, '_ = userOf(id)')]);
    const jv = java('private final JdbcTemplate jdbcTemplate;\nString name(long id) { return jdbcTemplate.queryForObject("SELECT name FROM users WHERE id = ?", String.class, id); }\nvoid all(List<Long> ids) { for (Long id : ids) { System.out.println(name(id)); } }');
    assert.equal((await n1('T.java', jv)).length, 1);
  });

  it('ent: a bulk insert per item of the outer loop is N+1; builders collected for one CreateBulk, and a flush per batch of K, are not', async () => {
    const src = gofile(
      [
        'func (c *Client) createAll(ctx context.Context, alerts []*models.Alert) error {',
        '\tfor _, a := range alerts {',
        '\t\tbulk := make([]*ent.MetaCreate, 0)',
        '\t\tfor _, m := range a.Meta {',
        '\t\t\tbulk = append(bulk, c.Ent.Meta.Create().SetKey(m.Key))',
        '\t\t}',
        '\t\tif _, err := c.Ent.Meta.CreateBulk(bulk...).Save(ctx); err != nil {',
        '\t\t\treturn err',
        '\t\t}',
        '\t}',
        '\tall := make([]*ent.DecisionCreate, 0)',
        '\tfor _, a := range alerts {',
        '\t\tall = append(all, c.Ent.Decision.Create().SetValue(a.Value))',
        '\t\tif len(all) == batchSize {',
        '\t\t\tif _, err := c.Ent.Decision.CreateBulk(all...).Save(ctx); err != nil {',
        '\t\t\t\treturn err',
        '\t\t\t}',
        '\t\t\tall = all[:0]',
        '\t\t}',
        '\t}',
        '\t_, err := c.Ent.Decision.CreateBulk(all...).Save(ctx)',
        '\treturn err',
        '}',
      ].join('\n'),
      ['context'],
    );
    assert.deepEqual((await n1('alerts.go', src)).map((f) => f.line), [line(src, 'c.Ent.Meta.CreateBulk')]);
  });

  it('Get / Select / Exec on something that is not a database (an in-memory store, a struct tag) are not N+1; sqlx Get with SQL text and a prepared statement are', async () => {
    const notDb = gofile('func f(ids []string) {\n\tds := datastore.New()\n\tfor _, id := range ids {\n\t\tds.Get("sandbox", id)\n\t}\n\tfor _, col := range cols {\n\t\t_ = col.Tag.Get("db")\n\t}\n}', ['fmt']);
    assert.deepEqual(await n1('f.go', notDb), []);
    const sqlx = gofile('func f(store *Store, ids []int) {\n\tfor _, id := range ids {\n\t\tvar u User\n\t\tstore.x.Get(&u, "SELECT * FROM users WHERE id = ?", id)\n\t}\n}', ['github.com/jmoiron/sqlx']);
    assert.equal((await n1('f.go', sqlx)).length, 1);
    const prepared = gofile('func f(insertStmt *Prepared, users []User) {\n\tfor _, u := range users {\n\t\tinsertStmt.Exec(u.Name)\n\t}\n}');
    assert.equal((await n1('f.go', prepared)).length, 1);
  });

  it('a statement built from the item by a multi-result call, then run per item, is N+1 (the item is never named at the call)', async () => {
    const src = gofile('func insertAll(exec SqlExecutor, list ...interface{}) error {\n\tfor _, ptr := range list {\n\t\ttable, elem, err := tableFor(ptr)\n\t\tif err != nil {\n\t\t\treturn err\n\t\t}\n\t\tbi, err := table.bindInsert(elem)\n\t\t_, err = exec.Exec(bi.query, bi.args...)\n\t}\n\treturn nil\n}');
    assert.deepEqual((await n1('gorp.go', src)).map((f) => f.line), [line(src, 'exec.Exec(')]);
    // The same shape over schema objects (one TRUNCATE per table) is schema tooling.
    const ddl = gofile('func (m *DbMap) TruncateTables() error {\n\tfor i := range m.tables {\n\t\ttable := m.tables[i]\n\t\t_, e := m.db.Exec(fmt.Sprintf("%s %s;", m.Dialect.TruncateClause(), quote(table.TableName)))\n\t\tif e != nil {\n\t\t\treturn e\n\t\t}\n\t}\n\treturn nil\n}', ['fmt']);
    assert.deepEqual(await n1('gorp.go', ddl), []);
  });

  it('a loop that leaves after its query (a search) and a loop over a model\'s fields are not N+1; an error return after a per-item query still is', async () => {
    const search = gofile('func related(db *gorm.DB, names []string, v interface{}) error {\n\tfor _, name := range names {\n\t\tif f, ok := lookup(name); ok {\n\t\t\tdb.Where("k = ?", f).Find(v)\n\t\t\treturn db.Error\n\t\t}\n\t}\n\treturn nil\n}', ['gorm.io/gorm']);
    assert.deepEqual(await n1('s.go', search), []);
    const fields = gofile('func saveAssoc(scope *Scope) {\n\tfor _, field := range scope.Fields() {\n\t\tscope.NewDB().Save(field.Field.Interface())\n\t}\n}', ['gorm.io/gorm']);
    assert.deepEqual(await n1('s.go', fields), []);
    const perItem = gofile('func check(db *gorm.DB, users []User) error {\n\tfor _, u := range users {\n\t\tvar x Row\n\t\tif err := db.Where("id = ?", u.ID).First(&x).Error; err != nil {\n\t\t\treturn err\n\t\t}\n\t}\n\treturn nil\n}', ['gorm.io/gorm']);
    assert.equal((await n1('s.go', perItem)).length, 1);
  });

  it('database/sql QueryRow per item of a range', async () => {
    const src = gofile('func f(db *sql.DB, ids []int) {\n\tfor _, id := range ids {\n\t\tdb.QueryRow("SELECT name FROM users WHERE id = $1", id)\n\t}\n}');
    assert.equal((await n1('f.go', src)).length, 1);
    assert.deepEqual(await n1('f.go', gofile('func f(db *sql.DB, ids []int) {\n\tdb.Query("SELECT name FROM users WHERE id = ANY($1)", pq.Array(ids))\n}')), []);
  });

  it('issue #15: Spring Data findById in a loop, repository known by its declared type (failed before)', async () => {
    const src = java('private final UserRepository users;\nint f(List<Order> orders) { int n = 0; for (Order o : orders) { n += users.findById(o.getUserId()).isPresent() ? 1 : 0; } return n; }');
    assert.equal((await n1('T.java', src)).length, 1);
    assert.deepEqual(await n1('T.java', java('private final UserRepository users;\nvoid f(List<Long> ids) { users.findAllById(ids); for (Long id : ids) { System.out.println(id); } }')), []);
  });

  it('index loops over a list: repository call per index', async () => {
    const src = java('private final OrderRepository orderRepository;\nvoid f(List<Long> ids) { for (int i = 0; i < ids.size(); i++) { orderRepository.findById(ids.get(i)); } }');
    assert.equal((await n1('T.java', src)).length, 1);
  });

  it('JPA lazy @OneToMany getter on the loop item; an EAGER @ManyToMany is not', async () => {
    const src = [
      '@Entity class Author {',
      '  @OneToMany(mappedBy = "author") private List<Book> books;',
      '  @ManyToMany(fetch = FetchType.EAGER) private Set<Tag> tags;',
      '  List<Book> getBooks() { return books; }',
      '  Set<Tag> getTags() { return tags; }',
      '}',
      'class S { int f(List<Author> authors) { int n = 0; for (Author a : authors) { n += a.getBooks().size(); n += a.getTags().size(); } return n; } }',
    ].join('\n');
    const found = await n1('S.java', src);
    assert.equal(found.length, 1);
    assert.match(found[0].message, /JOIN FETCH|EntityGraph/);
  });
});
