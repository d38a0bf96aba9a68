/**
 * What counts as a secret. Three families, all run on the original text and merged as spans
 * (redact.ts):
 *   - formats: a credential recognised by its published shape (provider prefixes, PEM blocks, JWTs);
 *   - contexts: a value recognised by where it sits — the password of a URL or DSN, an auth header,
 *     a command-line flag, the value assigned to a secret-ish name (names are judged in redact.ts);
 *   - entropy: a random-looking token nothing else explains (redact.ts).
 * `group` names the capture group holding the sensitive part (the rest — a URL's host, a header
 * name — stays so the model can still reason about the code); `check` vetoes look-alikes.
 *
 * Every pattern runs in linear time: quantifiers are bounded and a pattern that starts inside a
 * token is cut off by a lookbehind at once, so no pattern rescans a long token from each of its
 * positions (the old unbounded patterns took 14.7 s on one 100 KB token).
 */

export interface SecretRule {
  kind: string;
  pattern: RegExp;
  /** Capture group with the secret; 0 = the whole match. */
  group: number;
  /** Extra test on the secret (and the whole match); false = not a secret after all. */
  check?: (secret: string, match: string) => boolean;
}

const rule = (kind: string, pattern: RegExp, group = 0, check?: SecretRule['check']): SecretRule => ({ kind, pattern, group, check });

const hasDigit = (s: string): boolean => /\d/.test(s);
const mixedCase = (s: string): boolean => /[a-z]/.test(s) && /[A-Z]/.test(s);
/** `$VAR`, `${VAR}`, `{{ var }}`, `<password>`, `%s`, `***`: a template, not a value. */
export const isTemplate = (s: string): boolean =>
  /^(?:[$<{%*]|\[REDACTED)/.test(s) || /^(?:x{3,}|\*+|\.{3})$/i.test(s) || /^[A-Z]+(?:_[A-Z]+)+$/.test(s); // REPLACE_WITH_PASSWORD

export const SECRET_RULES: readonly SecretRule[] = [
  // --- formats ---------------------------------------------------------------------------------
  // PEM private keys: header, then the body (which also eats the END line); bounded so a file of
  // bare headers stays linear.
  rule('private-key', /-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?-----(?:[A-Za-z0-9+/=\s:,.-]|\\[nr]){1,20000}/g),
  rule('putty-private-key', /PuTTY-User-Key-File-\d:[^\0]{0,20000}?Private-MAC: [0-9a-f]{1,128}/g),
  rule('anthropic-key', /(?<![A-Za-z0-9_-])sk-ant-[a-z]{2,6}\d{2}-[A-Za-z0-9_-]{20,300}/g),
  // Real keys are base64url: digits and upper case (a kebab-case css class "sk-…-2020" is not a key).
  rule('openai-key', /(?<![A-Za-z0-9_-])sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{20,300}/g, 0, (s) => hasDigit(s) && /[A-Z]/.test(s)),
  rule('aws-access-key-id', /(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA)[A-Z0-9]{16}(?![A-Za-z0-9])/g),
  // An AWS secret key is 40 base64 chars; alone it is caught by entropy, next to its name here.
  rule('aws-secret-key', /(?<![A-Za-z0-9])aws_?secret(?:_?access)?_?key["']?\s{0,5}[:=,]\s{0,5}["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+])/gi, 1),
  rule('github-token', /(?<![A-Za-z0-9_])gh[pousr]_[A-Za-z0-9]{36,255}(?![A-Za-z0-9])/g),
  rule('github-token', /(?<![A-Za-z0-9_])github_pat_[A-Za-z0-9_]{22,255}(?![A-Za-z0-9_])/g),
  rule('gitlab-token', /(?<![A-Za-z0-9_-])gl(?:pat|dt|rt|ptt|cbt|soat)-[A-Za-z0-9_-]{20,300}/g),
  rule('slack-token', /(?<![A-Za-z0-9_-])xox[abposre]-[A-Za-z0-9-]{10,300}/g),
  rule('slack-token', /(?<![A-Za-z0-9_-])xapp-\d-[A-Za-z0-9-]{20,300}/g),
  rule('slack-webhook', /https:\/\/hooks\.slack\.com\/(?:services|workflows)\/[A-Za-z0-9/_-]{20,300}/g),
  rule('discord-webhook', /https:\/\/(?:ptb\.|canary\.)?discord(?:app)?\.com\/api\/webhooks\/\d{1,30}\/[A-Za-z0-9_-]{30,300}/g),
  rule('discord-bot-token', /(?<![A-Za-z0-9_.-])[MNO][A-Za-z0-9_-]{23,27}\.[A-Za-z0-9_-]{6}\.[A-Za-z0-9_-]{27,40}(?![A-Za-z0-9_-])/g),
  rule('telegram-bot-token', /(?<![A-Za-z0-9_:-])\d{6,12}:AA[A-Za-z0-9_-]{33}(?![A-Za-z0-9_-])/g),
  rule('vault-token', /(?<![A-Za-z0-9_.-])hv[sbr]\.[A-Za-z0-9_-]{24,300}/g),
  rule('vault-token', /(?<![A-Za-z0-9_.-])s\.[A-Za-z0-9]{24}(?![A-Za-z0-9_.-])/g, 0, (s) => hasDigit(s) && mixedCase(s)),
  rule('stripe-key', /(?<![A-Za-z0-9_])(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,250}(?![A-Za-z0-9])/g),
  rule('stripe-webhook-secret', /(?<![A-Za-z0-9_])whsec_[A-Za-z0-9]{24,250}(?![A-Za-z0-9])/g),
  rule('google-api-key', /(?<![A-Za-z0-9_-])AIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])/g),
  rule('google-oauth-secret', /(?<![A-Za-z0-9_-])GOCSPX-[A-Za-z0-9_-]{24,100}/g),
  rule('google-access-token', /(?<![A-Za-z0-9_.-])ya29\.[0-9A-Za-z_-]{20,2000}/g),
  // Twilio: an account SID and its auth token travel together (Client(sid, token)); the SID alone
  // names the account, the token next to it is the credential.
  rule('twilio-key', /(?<![A-Za-z0-9])SK[0-9a-f]{32}(?![A-Za-z0-9])/g),
  rule('twilio-account-sid', /(?<![A-Za-z0-9])AC[0-9a-f]{32}(?![A-Za-z0-9])/g),
  rule('twilio-auth-token', /(?<![A-Za-z0-9])AC[0-9a-f]{32}["'`]?\s{0,5}[,:=]\s{0,5}["'`]?([0-9a-f]{32})(?![A-Za-z0-9])/g, 1),
  rule('sendgrid-key', /(?<![A-Za-z0-9_-])SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}/g),
  rule('npm-token', /(?<![A-Za-z0-9_])npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])/g),
  rule('pypi-token', /(?<![A-Za-z0-9_-])pypi-AgE[A-Za-z0-9_-]{50,500}/g),
  rule('huggingface-token', /(?<![A-Za-z0-9_])hf_[A-Za-z0-9]{30,100}(?![A-Za-z0-9])/g),
  rule('mailgun-key', /(?<![A-Za-z0-9_-])key-[0-9a-f]{32}(?![A-Za-z0-9])/g),
  rule('shopify-token', /(?<![A-Za-z0-9_])shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}(?![A-Za-z0-9])/g),
  rule('digitalocean-token', /(?<![A-Za-z0-9_])do[opr]_v1_[a-f0-9]{64}(?![A-Za-z0-9])/g),
  rule('databricks-token', /(?<![A-Za-z0-9_])dapi[a-f0-9]{32}(?:-\d)?(?![A-Za-z0-9])/g),
  rule('linear-key', /(?<![A-Za-z0-9_])lin_(?:api|oauth)_[A-Za-z0-9]{40}(?![A-Za-z0-9])/g),
  rule('onepassword-token', /(?<![A-Za-z0-9_])ops_eyJ[A-Za-z0-9+/=_-]{100,2000}/g),
  rule('azure-storage-key', /\bAccountKey=([A-Za-z0-9+/]{40,200}={0,2})/g, 1),
  rule('azure-sas-signature', /[?&;]sig=([A-Za-z0-9%+/]{30,300}={0,2})/g, 1),
  rule('jwt', /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{8,4000}\.eyJ[A-Za-z0-9_-]{8,8000}\.[A-Za-z0-9_-]{8,4000}/g),

  // --- contexts: URLs and DSNs -----------------------------------------------------------------
  // scheme://user:password@host — the password may itself contain '@', so it runs to the last '@'
  // before the host; `${VAR}`/`<password>` templates stay.
  rule('connection-password', /(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{1,20}:\/\/[^\s:@/?#'"`]{0,100}:([^\s/?'"`]{1,200})@(?=[A-Za-z0-9[])/g, 1,
    (s) => !isTemplate(s) && !PLACEHOLDER_VALUES.has(s.toLowerCase())),
  // Go's DSN: user:pass@tcp(host:port)/db
  // (the password is matched atomically — lookahead + backreference — so a long run of `a:` pairs
  // is not re-scanned from every colon)
  rule('connection-password', /(?<=^|["'`=\s(,])[A-Za-z0-9_.-]{1,64}:(?=([^\s@'"`]{1,200}))\1@(?:tcp|udp|unix)\(/gm, 1, (s) => !isTemplate(s)),
  // ADO.NET / JDBC / libpq keyword strings: `;Password=…;`, `password=… dbname=…`, `?password=…&`
  // (no spaces around '=': that is code, `password = other.password`; and a bare word without digits
  // is a keyword argument passing a variable, `connect(password=pw)`)
  rule('connection-password', /(?<=^|[;\s?&"'(])(?:password|pwd|passwd|pass)=((?![$<{%*])[^;&'"`\s,)]{3,200})/gim, 1,
    (s) => !isTemplate(s) && !PLACEHOLDER_VALUES.has(s.toLowerCase()) && !(/^[A-Za-z_][\w.]*$/.test(s) && !hasDigit(s))),
  rule('url-secret-param', /[?&](?:access_token|auth_token|api_key|apikey|token|secret|client_secret|private_token)=([^&#\s'"`]{6,300})/gi, 1, (s) => !isTemplate(s)),

  // HTTP basic credentials passed positionally: auth=("user", "pass"), HTTPBasicAuth('u', 'p'),
  // new UsernamePasswordCredentials("u", "p") …
  rule('basic-auth-pair', /(?<![A-Za-z0-9_])(?:auth|HTTPBasicAuth|HTTPDigestAuth|BasicAuth|basicAuth|basic_auth|UsernamePasswordCredentials|PasswordAuthentication|NetworkCredential|setCredentials|credentials|login|connect)\s{0,3}(?:=\s{0,3})?[([]\s{0,3}["'][^"'\n]{1,100}["']\s{0,3},\s{0,3}["']([^"'\n]{3,200})["']/g, 1,
    (s) => !isTemplate(s) && !PLACEHOLDER_VALUES.has(s.toLowerCase())),

  // --- contexts: headers -----------------------------------------------------------------------
  rule('authorization-header', /(?<![A-Za-z0-9-])(?:Proxy-)?Authorization["'`]?\]?\s{0,5}[:=,]\s{0,5}["'`]?(?:(?:Basic|Bearer|Token|Digest|ApiKey|Api-Key|Key|SSWS|token|bearer|basic)\s{1,5})?([A-Za-z0-9._~+/=:-]{6,2000})/g, 1,
    (s) => !/^(?:Basic|Bearer|Token|Digest|Key)$/i.test(s) && /\d|[A-Z].*[a-z].*[A-Z]|[+/=]/.test(s)),
  rule('basic-auth-header', /(?<![A-Za-z0-9])Basic\s{1,3}([A-Za-z0-9+/]{12,1000}={0,2})(?![A-Za-z0-9+/=])/g, 1),
  rule('bearer-token', /(?<![A-Za-z0-9])(?:Bearer|Token)\s{1,3}([A-Za-z0-9._~+/-]{16,2000}=*)/g, 1, (s) => hasDigit(s)),
  rule('api-key-header', /(?<![A-Za-z0-9-])(?:X-[A-Za-z0-9-]{0,30}(?:Key|Token|Secret|Auth|Signature|Password)|Api-?Key|Private-Token|Ocp-Apim-Subscription-Key)["'`]?\s{0,5}[:=,]\s{0,5}["'`]?([A-Za-z0-9._~+/=:-]{8,500})/gi, 1,
    (s) => hasDigit(s) && !/^[A-Z][A-Za-z-]+$/.test(s)),

  // --- contexts: command lines -----------------------------------------------------------------
  rule('cli-credential', /(?<![A-Za-z0-9_-])(?:-u|--user|--proxy-user)[ \t=]{1,3}["']?[^\s:'"`$]{1,100}:([^\s'"`$@][^\s'"`]{0,199})/g, 1),
  rule('cli-credential', /(?<![A-Za-z0-9_])(?:mysql|mysqldump|mysqladmin|mariadb|mariadb-dump)\b[^\n]{0,300}?\s-p([^\s'"`$-][^\s'"`]{2,199})/g, 1),
  rule('cli-credential', /(?<![A-Za-z0-9_])sshpass\s{1,3}-p\s{0,3}["']?([^\s'"`$][^\s'"`]{0,199})/g, 1),
  rule('cli-credential', /(?<![A-Za-z0-9_])redis-cli\b[^\n]{0,300}?\s-a\s{1,3}["']?([^\s'"`$-][^\s'"`]{2,199})/g, 1),
  rule('cli-credential', /(?<![A-Za-z0-9_-])--?(?:password|passwd|pass|db-password|token|api-key|apikey|api-token|secret|client-secret|auth-token|access-token|key-password|storepass|keypass|srcstorepass|deststorepass)(?:=|[ \t]{1,3})["']?([^\s'"`$<{-][^\s'"`]{2,199})/gi, 1,
    (s) => !isTemplate(s)),
];

/**
 * Identifier words that make an assigned literal secret-like. A name is judged by its head word (the
 * last, `password_reset_url` is a URL) after dropping encoding suffixes (`secret_b64` is a secret).
 * Strong words make any literal value a secret; weak words (`key`, `auth`, `hmac` …) only a
 * random-looking one.
 */
export const STRONG_NAME_WORDS: ReadonlySet<string> = new Set([
  'secret', 'secrets', 'token', 'password', 'passwd', 'pwd', 'pw', 'pass', 'passphrase', 'passcode', 'apikey',
  'credential', 'credentials', 'creds', 'bearer', 'authtoken', 'privatekey', 'secretkey', 'accesskey', 'clientsecret',
]);
/** Compound words ending with one of these are strong too (PGPASSWORD, mysqlpasswd, apitoken). */
export const STRONG_SUFFIXES: readonly string[] = ['password', 'passwd', 'secret', 'token', 'apikey', 'passphrase'];

export const WEAK_NAME_WORDS: ReadonlySet<string> = new Set([
  'key', 'auth', 'hmac', 'salt', 'sig', 'signature', 'private', 'dsn', 'cookie', 'nonce', 'seed', 'mnemonic', 'pin',
]);

/** `key` is strong next to one of these (apiKey, private_key, SIGNING_KEY …). */
export const KEY_QUALIFIERS: ReadonlySet<string> = new Set([
  'api', 'access', 'private', 'secret', 'signing', 'encryption', 'master', 'auth', 'client', 'account', 'service',
  'app', 'license', 'session', 'webhook', 'jwt', 'hmac', 'aes', 'crypt', 'crypto', 'rsa', 'ssh', 'shared', 'admin', 'consumer',
]);

/** Suffixes that say how a secret is encoded, not what it is. */
export const ENCODING_SUFFIXES: ReadonlySet<string> = new Set(['b64', 'base64', 'hex', 'raw', 'plain', 'enc', 'encoded', 'value', 'str', 'string', 'bytes', 'env']);

/** Values that are placeholders or labels, never credentials. */
export const PLACEHOLDER_VALUES: ReadonlySet<string> = new Set([
  'true', 'false', 'null', 'nil', 'none', 'undefined', 'changeme', 'change_me', 'change-me', 'changeit', 'password', 'passwd', 'secret',
  'token', 'example', 'sample', 'placeholder', 'redacted', 'hidden', 'required', 'optional', 'todo', 'fixme', 'dummy', 'test',
  'testing', 'string', 'number', 'boolean', 'bool', 'str', 'int', 'bytes', 'any', 'object', 'your_password', 'yourpassword',
  'your-password', 'mypassword', 'my_password', 'secret_key', 'api_key', 'apikey', 'your_api_key', 'your-api-key', 'empty',
  'default', 'env', 'none_set', 'not_set', 'unset', 'off', 'on', 'yes', 'no', 'enabled', 'disabled', 'auto', 'bearer', 'basic',
  'xxxx', 'xxxxxxxx', 'foo', 'bar', 'baz', 'foobar', 'function', 'symbol', 'bigint',
]);
