import * as assert from 'node:assert/strict';
import { MAX_TOKEN_LENGTH, modelTokens, stem, tokenize } from '../../../src/engine/embed/tokenize';

describe('embed/tokenize', () => {
  it('splits camelCase and PascalCase', () => {
    assert.deepEqual(tokenize('getUserById'), ['get', 'user', 'by', 'id']);
    assert.deepEqual(tokenize('UserRepository'), ['user', 'repository']);
  });

  it('keeps acronyms whole and splits them from the next word', () => {
    assert.deepEqual(tokenize('HTTPServer'), ['http', 'server']);
    assert.deepEqual(tokenize('parseJSONResponse'), ['parse', 'json', 'response']);
    assert.deepEqual(tokenize('XMLHttpRequest'), ['xml', 'http', 'request']);
    assert.deepEqual(tokenize('SQL'), ['sql']);
  });

  it('splits snake_case, SCREAMING_CASE and kebab-case', () => {
    assert.deepEqual(tokenize('user_id'), ['user', 'id']);
    assert.deepEqual(tokenize('MAX_RETRY_COUNT'), ['max', 'retry', 'count']);
    assert.deepEqual(tokenize('__init__'), ['init']);
    assert.deepEqual(tokenize('keel-code-v1'), ['keel', 'code', 'v', '1']);
  });

  it('splits digits from letters', () => {
    assert.deepEqual(tokenize('base64Encode'), ['base', '64', 'encode']);
    assert.deepEqual(tokenize('utf8'), ['utf', '8']);
    assert.deepEqual(tokenize('v2Api'), ['v', '2', 'api']);
    assert.deepEqual(tokenize('2024'), ['2024']);
  });

  it('splits paths and dotted names', () => {
    assert.deepEqual(tokenize('src/engine/embed/tokenize.ts'), ['src', 'engine', 'embed', 'tokenize', 'ts']);
    assert.deepEqual(tokenize('os.path.join'), ['os', 'path', 'join']);
    assert.deepEqual(tokenize('C:\\Users\\me\\app.py'), ['c', 'users', 'me', 'app', 'py']);
  });

  it('reads doc comments and code alike', () => {
    const text = '/**\n * Returns the user.\n * @param {string} userId the id\n */\nfunction findUser(userId) { return db.users[userId]; }';
    assert.deepEqual(tokenize(text), [
      'returns', 'the', 'user', 'param', 'string', 'user', 'id', 'the', 'id',
      'function', 'find', 'user', 'user', 'id', 'return', 'db', 'users', 'user', 'id',
    ]);
    const py = 'def read_lines(path):\n    """Read a file into a list of lines."""\n    return open(path).read().splitlines()';
    assert.deepEqual(tokenize(py).slice(0, 6), ['def', 'read', 'lines', 'path', 'read', 'a']);
  });

  it('keeps non-ASCII letters as word characters', () => {
    assert.deepEqual(tokenize('größe_berechnen'), ['größe', 'berechnen']);
    assert.deepEqual(tokenize('naïveBayes'), ['naïve', 'bayes']);
    assert.deepEqual(tokenize('数据 库'), ['数据', '库']);
  });

  it('drops blobs longer than MAX_TOKEN_LENGTH and handles empty input', () => {
    assert.deepEqual(tokenize('a'.repeat(MAX_TOKEN_LENGTH + 1) + ' ok'), ['ok']);
    assert.deepEqual(tokenize(''), []);
    assert.deepEqual(tokenize('  ;; -- // '), []);
  });

  it('stems plurals only, lightly', () => {
    assert.equal(stem('lines'), 'line');
    assert.equal(stem('queries'), 'query');
    assert.equal(stem('boxes'), 'box');
    assert.equal(stem('classes'), 'class');
    assert.equal(stem('class'), 'class');
    assert.equal(stem('status'), 'status');
    assert.equal(stem('analysis'), 'analysis');
    assert.equal(stem('is'), 'is');
    assert.equal(stem('running'), 'running');
    assert.deepEqual(modelTokens('readLines from files'), ['read', 'line', 'from', 'file']);
  });
});
