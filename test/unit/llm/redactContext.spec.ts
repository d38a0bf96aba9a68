/**
 * Redaction by context (what a value is assigned to, where it sits in a URL, header or command line)
 * and by shape, and in linear time. Each case names the secret that must not survive.
 */
import assert from 'node:assert/strict';
import { findSecretSpans, Redactor } from '../../../src/engine/egress/redact';

const cases: Array<[string, string, string]> = [
  // [label, text, secret]
  ['js assignment, short password', 'const dbPassword = "hunter22";', 'hunter22'],
  ['python kwarg', 'conn = psycopg2.connect(host="db", user="app", password="Tr0ub4dor")', 'Tr0ub4dor'],
  ['go short var', 'apiToken := "f9a8b7c6d5e4f3a2b1c0"', 'f9a8b7c6d5e4f3a2b1c0'],
  ['java field', 'private static final String SECRET = "s3cr3t-Value-42";', 's3cr3t-Value-42'],
  ['java setter', 'ds.setPassword("Sup3rS3cret!");', 'Sup3rS3cret!'],
  ['yaml auth', 'redis:\n  auth: Zx81bQ9vRt2Lw\n', 'Zx81bQ9vRt2Lw'],
  ['yaml pw', 'db:\n  pw: p4ssw0rd99\n', 'p4ssw0rd99'],
  ['yaml key', 'signing:\n  key: 9c1f4b7e2a8d6f03b5e1c7a9d2f4b6e8\n', '9c1f4b7e2a8d6f03b5e1c7a9d2f4b6e8'],
  ['yaml hmac', 'webhook:\n  hmac: "qP3r7Xk2Lm9Nv4Bt8Yw1"\n', 'qP3r7Xk2Lm9Nv4Bt8Yw1'],
  ['yaml password', '  password: correcthorse\n', 'correcthorse'],
  ['xml element', '<datasource><password>Winter2024!</password></datasource>', 'Winter2024!'],
  ['xml attribute', '<add key="db" connectionString="x" password="Qw3rty!234" />', 'Qw3rty!234'],
  ['xml value pair', '<add key="ApiSecret" value="a8Kd93LmQp20Zx7" />', 'a8Kd93LmQp20Zx7'],
  ['ini', '[database]\npassword = letmein2024\n', 'letmein2024'],
  ['env', 'DB_PASS=kT9mQ2xL7v\n', 'kT9mQ2xL7v'],
  ['PGPASSWORD inline', 'PGPASSWORD=pg_s3cret psql -h db -U app', 'pg_s3cret'],
  ['url userinfo', 'const url = "amqp://guest:Rabb1tPass@mq.internal:5672/";', 'Rabb1tPass'],
  ['url password with @', 'MONGO="mongodb://admin:realP@ssw0rd@cluster.mongodb.net/prod"', 'realP@ssw0rd'],
  ['redis url, no user', 'REDIS_URL=redis://:R3d1sPassw0rd@cache:6379/0', 'R3d1sPassw0rd'],
  ['jdbc password param', 'jdbc:sqlserver://db:1433;databaseName=app;user=sa;password=Jdbc!Pass9;', 'Jdbc!Pass9'],
  ['jdbc query param', 'jdbc:mysql://db:3306/app?user=root&password=My5qlR00t', 'My5qlR00t'],
  ['go dsn', 'dsn := "app:G0Dsn-Pass@tcp(127.0.0.1:3306)/orders?parseTime=true"', 'G0Dsn-Pass'],
  ['libpq', 'conn = psycopg2.connect("host=db dbname=app user=app password=Lib9qSecret")', 'Lib9qSecret'],
  ['authorization basic', 'Authorization: Basic YWxhZGRpbjpvcGVuc2VzYW1l', 'YWxhZGRpbjpvcGVuc2VzYW1l'],
  ['authorization token in code', 'headers = {"Authorization": "Token 9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"}', '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b'],
  ['x-api-key header', "fetch(u, { headers: { 'X-Api-Key': 'xk_4f9a2b7c1d8e3f60' } })", 'xk_4f9a2b7c1d8e3f60'],
  ['curl -u', 'curl -u deploy:Curl-P4ss https://api.example.com/v1/items', 'Curl-P4ss'],
  ['mysql -p', 'mysql -h db -u root -pMyR00tPw app < dump.sql', 'MyR00tPw'],
  ['--password=', 'psql --password=Cl1Flag_pw --host db', 'Cl1Flag_pw'],
  ['--token', 'vault login --token hvs.CAESIJ1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuV', 'hvs.CAESIJ1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuV'],
  ['vault token alone', 'export VAULT_ADDR=https://vault:8200; echo hvs.CAESIKxw8d1Yp2Nq7Rz4Tb6Uc9Ve3Wf5Xg0Yh', 'hvs.CAESIKxw8d1Yp2Nq7Rz4Tb6Uc9Ve3Wf5Xg0Yh'],
  ['slack bot token', 'client = WebClient("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx")', 'xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx'],
  ['telegram bot token', 'bot = telebot.TeleBot("1234567890:AAH7xk2pQ9rLm3Nv8Bt4Yw1Zc6Dq0Ef5Gh")', '1234567890:AAH7xk2pQ9rLm3Nv8Bt4Yw1Zc6Dq0Ef5Gh'],
  ['discord bot token', 'client.run("MTA5NzQ4MjY1NzIzMDQ1NzY0MA.GhJkLm.a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9")', 'MTA5NzQ4MjY1NzIzMDQ1NzY0MA.GhJkLm.a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9'],
  ['twilio sid', 'client = Client("AC0123456789abcdef0123456789abcdef", "f0e1d2c3b4a5968778695a4b3c2d1e0f")', 'AC0123456789abcdef0123456789abcdef'],
  ['twilio token', 'client = Client("AC0123456789abcdef0123456789abcdef", "f0e1d2c3b4a5968778695a4b3c2d1e0f")', 'f0e1d2c3b4a5968778695a4b3c2d1e0f'],
  ['seed phrase', 'const mnemonic = "abandon ability able about above absent absorb abstract absurd abuse access accident";', 'abandon ability able about above absent absorb abstract absurd abuse access accident'],
  ['high entropy literal', 'const k = "q8ZrT3vW9xYb2NcM5dLf7GhJ4kPs6AeU";', 'q8ZrT3vW9xYb2NcM5dLf7GhJ4kPs6AeU'],
  ['http basic in code', 'requests.get(url, auth=("admin", "Adm1nP4ss!"))', 'Adm1nP4ss!'],
];

const negatives = [
  'const password = req.body.password;',
  'password: string;',
  'password?: string | null;',
  'const passwordInput = document.querySelector("#password");',
  'label: "Password",',
  'placeholder="Enter your password"',
  'password = None',
  'password = getpass.getpass()',
  'if (token === undefined) throw new Error("missing token");',
  'max_tokens: 4096,',
  'const tokenizer = "cl100k_base";',
  'key: "id",',
  '<li key={item.id}>{item.name}</li>',
  'password_reset_url = "/accounts/reset/"',
  '"integrity": "sha512-Q2hJ8uVc3BdE9fG1hI2jK3lM4nO5pQ6rS7tU8vW9xY0zA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1vW2xY3zA4bC==",',
  'const id = "550e8400-e29b-41d4-a716-446655440000";',
  'commit 3f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39',
  'import { createUserAccountServiceFactory } from "./services/createUserAccountServiceFactory";',
  'const text = "SGVsbG8gd29ybGQsIHRoaXMgaXMgb3JkaW5hcnkgdGV4dA==";',
  'DATABASE_URL=postgres://localhost:5432/orders',
  'url = "https://${DB_USER}:${DB_PASSWORD}@db/app"',
  'curl -u "$USER:$PASS" https://api.example.com',
  'mysql -u root -p app',
  'AUTH_HEADER = "Authorization"',
  'headers["Authorization"] = "Bearer " + token',
  'the quick brown fox jumps over the lazy dog while everyone watched the sun',
  'SECRET_KEY = os.environ["SECRET_KEY"]',
  'password = "changeme"',
  'spring.datasource.password=${DB_PASSWORD}',
  'export const SESSION_COOKIE_NAME = "sessionid";',
];

describe('llm/egress redaction by context', () => {
  const redactor = new Redactor(Buffer.alloc(32, 3));
  for (const [label, text, secret] of cases) {
    it(`redacts: ${label}`, () => {
      const out = redactor.redactText(text).text;
      assert.ok(!out.includes(secret), `survived: ${out}`);
    });
  }
  it('leaves ordinary code unchanged', () => {
    const changed = negatives.map((n) => [n, redactor.redactText(n).text]).filter(([a, b]) => a !== b);
    assert.deepEqual(changed, []);
  });
  it('keeps line structure when masking multi-line secrets (index use)', () => {
    const text = 'a\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAuP1q2w3e4r5t6y7u8i9o0pAsDfGhJkLzXcVbNm\n-----END RSA PRIVATE KEY-----\nb';
    const masked = redactor.mask(text);
    assert.equal(masked.split('\n').length, text.split('\n').length);
    assert.ok(!masked.includes('MIIEow'));
  });
});

describe('llm/egress redaction time is linear in input size', function () {
  this.timeout(60_000);
  const redactor = new Redactor(Buffer.alloc(32, 3));
  // CPU time, not wall time: on a shared machine a long run is preempted more often than a short one,
  // which inflates a wall-clock ratio by the load factor. Best of several runs, each long enough to measure.
  const time = (text: string, reps: number): number => {
    redactor.redactText(text);
    let best = Infinity;
    for (let round = 0; round < 3; round++) {
      const start = process.cpuUsage();
      for (let i = 0; i < reps; i++) redactor.redactText(text);
      const used = process.cpuUsage(start);
      best = Math.min(best, (used.user + used.system) / 1000 / reps);
    }
    return best;
  };
  const shapes: Array<[string, (n: number) => string]> = [
    ['one long identifier token', (n) => 'a'.repeat(n)],
    ['one long base64 token', (n) => 'Ab3+'.repeat(n / 4)],
    ['sk- repeated', (n) => 'sk-'.repeat(n / 3)],
    ['scheme:// repeated', (n) => 'a://'.repeat(n / 4)],
    ['key= repeated', (n) => 'password='.repeat(n / 9)],
    ['BEGIN headers without END', (n) => '-----BEGIN PRIVATE KEY-----\n'.repeat(n / 28)],
    ['lowercase words', (n) => 'about '.repeat(n / 6)],
    ['digits and colons', (n) => '1234567890:'.repeat(n / 11)],
    ['assignments', (n) => 'secret_token_value = x\n'.repeat(n / 23)],
    ['mysql line', (n) => `mysql ${'-x '.repeat(n / 3)}`],
  ];
  for (const [label, make] of shapes) {
    it(`${label}: 100 KB takes at most ~10x as long as 10 KB (plus slack)`, () => {
      const small = time(make(10_000), 10);
      const large = time(make(100_000), 1);
      // linear is ~10x and quadratic ~100x; allow 25x plus 20 ms for cache and GC effects
      assert.ok(large <= small * 25 + 20, `10 KB ${small.toFixed(2)} ms, 100 KB ${large.toFixed(2)} ms`);
    });
  }
  it('exposes spans for the index mask', () => {
    const spans = findSecretSpans('x = 1\npassword = "hunter22"\n');
    assert.equal(spans.length, 1);
  });
});
