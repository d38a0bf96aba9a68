import * as assert from 'node:assert/strict';
import type { Finding } from '../../../src/protocol';
import { analyzeSource } from '../../../src/engine/sql/analyze';
import { applyEdits } from '../../../src/engine/sql/edits';
import { parse } from '../../../src/engine/syntax/treeSitter';

function goFile(imports: string[], body: string): string {
  return `package store\n\nimport (\n${imports.map((i) => `\t"${i}"`).join('\n')}\n)\n\n${body}\n`;
}

async function injection(text: string, path = 'store.go'): Promise<Finding> {
  const f = (await analyzeSource({ path, text })).find((x) => x.code === 'KEEL-SQL-INJECTION');
  assert.ok(f, 'the injection is found');
  return f;
}

/** Applies the fix, checks the result parses and is no longer flagged, and returns it. */
async function applied(text: string, fix: Finding['fixes'][number], path = 'store.go'): Promise<string> {
  const fixed = applyEdits(text, fix.edits);
  const tree = await parse(path.endsWith('.java') ? 'java' : 'go', fixed);
  try {
    assert.equal(tree.rootNode.hasError, false, `the fix breaks the syntax:\n${fixed}`);
  } finally {
    tree.delete();
  }
  assert.deepEqual((await analyzeSource({ path, text: fixed })).filter((x) => x.code === 'KEEL-SQL-INJECTION'), []);
  return fixed;
}

const parameterize = (f: Finding) => f.fixes.filter((x) => x.kind === 'parameterize');

describe('sql fixes: Go parameterise', () => {
  it('uses $n when the file imports a PostgreSQL driver, as the one preferred fix', async () => {
    const src = `package store\n\nimport (\n\t"database/sql"\n\t_ "github.com/lib/pq"\n)\n\nfunc byEmail(db *sql.DB, email string) *sql.Row {\n\treturn db.QueryRow("SELECT id FROM users WHERE email = '" + email + "'")\n}\n`;
    const [fix, ...rest] = parameterize(await injection(src));
    assert.equal(rest.length, 0);
    assert.equal(fix.isPreferred, true);
    const fixed = await applied(src, fix);
    assert.match(fixed, /db\.QueryRow\("SELECT id FROM users WHERE email = \$1", email\)/);
  });

  it('puts a new ? value before the arguments of the ?s that follow it', async () => {
    const src = `package store\n\nimport (\n\t"database/sql"\n\t_ "github.com/go-sql-driver/mysql"\n)\n\nfunc find(db *sql.DB, name string, age int) (*sql.Rows, error) {\n\treturn db.Query("SELECT id FROM users WHERE name = '" + name + "' AND age > ?", age)\n}\n`;
    const [fix] = parameterize(await injection(src));
    const fixed = await applied(src, fix);
    assert.match(fixed, /db\.Query\("SELECT id FROM users WHERE name = \? AND age > \?", name, age\)/);
  });

  it('turns fmt.Sprintf into a plain string, binding its %d values too, and keeps LIKE wildcards in the value', async () => {
    const src = goFile(['database/sql', 'fmt'], `func search(db *sql.DB, q string, limit int) (*sql.Rows, error) {\n\treturn db.Query(fmt.Sprintf("SELECT id FROM posts WHERE title LIKE '%%%s%%' AND id > $1 LIMIT %d", q, limit), 7)\n}`);
    const [fix, ...rest] = parameterize(await injection(src));
    assert.equal(rest.length, 0, 'the $1 already in the statement settles the style');
    const fixed = await applied(src, fix);
    assert.match(fixed, /db\.Query\("SELECT id FROM posts WHERE title LIKE \$2 AND id > \$1 LIMIT \$3", 7, "%" \+ q \+ "%", limit\)/);
  });

  it('offers both styles, neither preferred, when nothing says which driver runs the query', async () => {
    const src = goFile(['database/sql'], `func byName(db *sql.DB, name string) (*sql.Rows, error) {\n\tq := "SELECT id FROM users WHERE name = '" + name + "'"\n\treturn db.Query(q)\n}`);
    const fixes = parameterize(await injection(src));
    assert.deepEqual(fixes.map((f) => [/\$1/.test(f.title), /\?/.test(f.title), f.isPreferred]), [[true, false, false], [false, true, false]]);
    for (const fix of fixes) await applied(src, fix);
    assert.match(applyEdits(src, fixes[1].edits), /q := "SELECT id FROM users WHERE name = \?"\n\treturn db\.Query\(q, name\)/);
  });

  it('gives no parameterise fix where a value is a name, inside IN (…), or the call spreads args...', async () => {
    for (const body of [
      `func sorted(db *sql.DB, col string) (*sql.Rows, error) {\n\treturn db.Query(fmt.Sprintf("SELECT id FROM users ORDER BY %s", col))\n}`,
      `func some(db *sql.DB, ids string) (*sql.Rows, error) {\n\treturn db.Query("SELECT id FROM users WHERE id IN (" + ids + ")")\n}`,
      `func spread(db *sql.DB, name string, args []any) (*sql.Rows, error) {\n\treturn db.Query("SELECT id FROM users WHERE name = '"+name+"' AND id = ANY($1)", args...)\n}`,
    ]) {
      const f = await injection(goFile(['database/sql', 'fmt'], body));
      assert.deepEqual(parameterize(f), [], body);
      assert.ok(f.fixes.some((x) => x.kind === 'suppress'), 'the suppression is still offered');
    }
  });
});

function javaFile(body: string): string {
  return `import org.springframework.jdbc.core.JdbcTemplate;\n\nclass Dao {\n    private JdbcTemplate jdbcTemplate;\n\n${body}\n}\n`;
}

describe('sql fixes: Java (JdbcTemplate) parameterise', () => {
  it('binds after the RowMapper / result class, and before the values of later ?s', async () => {
    const cases: Array<[string, RegExp]> = [
      [
        `    User byName(String name) {\n        return jdbcTemplate.queryForObject("SELECT * FROM users WHERE name = '" + name + "'", userMapper);\n    }`,
        /jdbcTemplate\.queryForObject\("SELECT \* FROM users WHERE name = \?", userMapper, name\)/,
      ],
      [
        `    List<User> byCity(String city, int age) {\n        return jdbcTemplate.query(String.format("SELECT * FROM users WHERE city = '%s' AND age > ?", city), (rs, i) -> new User(rs), age);\n    }`,
        /jdbcTemplate\.query\("SELECT \* FROM users WHERE city = \? AND age > \?", \(rs, i\) -> new User\(rs\), city, age\)/,
      ],
      [
        `    int rename(long id, String name) {\n        return jdbcTemplate.update("UPDATE users SET name = '" + name + "' WHERE id = ?", id);\n    }`,
        /jdbcTemplate\.update\("UPDATE users SET name = \? WHERE id = \?", name, id\)/,
      ],
    ];
    for (const [body, expected] of cases) {
      const src = javaFile(body);
      const [fix, ...rest] = parameterize(await injection(src, 'Dao.java'));
      assert.ok(fix && rest.length === 0 && fix.isPreferred, body);
      assert.match(await applied(src, fix, 'Dao.java'), expected);
    }
  });

  it('gives no rewrite for a plain JDBC Statement or values passed as an array', async () => {
    for (const body of [
      `    ResultSet byName(java.sql.Statement stmt, String name) throws Exception {\n        return stmt.executeQuery("SELECT id FROM users WHERE name = '" + name + "'");\n    }`,
      `    int rename(Object[] args, String name) {\n        return jdbcTemplate.update("UPDATE users SET name = '" + name + "' WHERE id = ? AND org = ?", args);\n    }`,
    ]) {
      const f = await injection(javaFile(body), 'Dao.java');
      assert.deepEqual(parameterize(f), [], body);
    }
  });
});
