import * as assert from 'node:assert/strict';
import { PY_SINKS, PY_SOURCES } from '../../../src/engine/sql/python/tables';
import { describeSinksAndSources, findingLines } from '../../helpers/sqlTables';

const injections = (text: string): Promise<number[]> => findingLines('KEEL-SQL-INJECTION', text, 'app.py');

describeSinksAndSources(
  'sql: Python sources and sinks table (every entry, with a tricky true negative)',
  PY_SINKS,
  PY_SOURCES,
  'user input as the whole query is reported, bound as a value it is not',
  injections,
);

describe('sql: Python injection cases from issue 15 (each failed before its fix)', () => {
  it('"%" with a dict: "… \'%(name)s\' …" % {"name": name} (aiohttp demo app)', async () => {
    const text = 'import aiopg\nasync def h(request, cur):\n    name = request.match_info["name"]\n    await cur.execute("SELECT id FROM students WHERE name = \'%(name)s\'" % {"name": name})\n';
    assert.deepEqual(await injections(text), [4]);
    const constant = text.replace('{"name": name}', '{"name": "bob"}');
    assert.deepEqual(await injections(constant), []);
  });

  it('Django request.GET / request.POST / request.META are user input, not UPPER_CASE constants', async () => {
    for (const attr of ['GET', 'POST', 'META']) {
      const text = `from django.db import connection\ndef view(request):\n    v = request.${attr}.get("v")\n    connection.cursor().execute("SELECT a FROM t WHERE b = '%s'" % v)\n`;
      assert.deepEqual(await injections(text), [4], attr);
    }
    const setting = 'from django.conf import settings\ndef view(request, cur):\n    cur.execute("SELECT a FROM %s" % settings.TABLE)\n';
    assert.deepEqual(await injections(setting), [], 'settings.TABLE stays a constant');
  });

  it('SQL text formatted into a variable that no sink runs is reported where it is built; a reached one only at the sink', async () => {
    assert.deepEqual(await injections('def q(ident):\n    query = """SELECT *\nFROM foo WHERE id = \'%s\'""" % ident\n    return query\n'), [2]);
    assert.deepEqual(await injections('def q(cur, ident):\n    query = "SELECT a FROM foo WHERE id = \'%s\'" % ident\n    cur.execute(query)\n'), [3]);
    assert.deepEqual(await injections('def q(n):\n    msg = "selected %s rows" % n\n    return msg\n'), []);
  });

  it('a whole query from a parameter is reported only when the parameter is user input', async () => {
    assert.deepEqual(await injections('import asyncpg\nasync def run(conn, sql):\n    await conn.execute(sql)\n'), []);
    assert.deepEqual(await injections('import sys, psycopg\nconn = psycopg.connect()\nconn.execute(sys.argv[1])\n'), [3]);
  });
});
