/**
 * Question features the router reads from a request's text. Each signal is a small set of patterns
 * named for the kind of work it indicates; the router weighs them (route.ts). Patterns come from the
 * issue's list of what needs care (security, concurrency, schema and migration design, debugging)
 * versus what is mechanical (explain, rename, boilerplate, docs, formatting, extraction).
 */

export interface Signal {
  name: string;
  patterns: RegExp[];
}

const words = (...list: string[]): RegExp => new RegExp(`\\b(?:${list.join('|')})`, 'i');

/** Security-sensitive topics. Any match routes to the reasoning tier (never fast, unless forced and said so). */
export const SECURITY_SIGNALS: Signal[] = [
  {
    name: 'auth',
    patterns: [
      words('auth(?:n|z|entication|orization|orize|enticate)?\\b', 'login', 'log in', 'sign[- ]?in', 'sso\\b', 'saml', 'oauth', 'oidc', 'openid', 'jwt', 'session (?:fixation|hijack|token|cookie)', 'refresh token', 'access token', 'api key', 'mfa\\b', '2fa\\b', 'totp'),
      words('permission', 'privilege', 'rbac', 'acl\\b', 'role[- ]based', 'access control', 'authoriz', 'is_?admin', 'tenant isolation', 'multi[- ]?tenan', 'impersonat', 'idor', '(?:wrong|another|other|different) (?:customer|user|tenant|organi[sz]ation|org|account)(?:\'s|s)?\\b'),
    ],
  },
  {
    name: 'crypto',
    patterns: [words('crypt', 'encrypt', 'decrypt', 'hash(?:ing|ed)? (?:password|secret)', 'password', 'bcrypt', 'argon2', 'scrypt', 'pbkdf2', 'hmac', 'signature (?:check|verif|validat)', 'signed (?:url|cookie|token|request)', 'signing key', 'private key', 'tls\\b', 'certificate', 'nonce', 'salt\\b', 'aes\\b', 'rsa\\b', 'secret(?:s)?\\b', 'key rotation', 'credential')],
  },
  {
    name: 'payments',
    patterns: [words('payment', 'stripe', 'billing', 'invoice', 'charge(?:s|d)?\\b', 'refund', 'payout', 'checkout', 'credit card', 'card number', 'pci\\b', 'ledger balance', 'wallet', 'money', 'currency')],
  },
  {
    name: 'pii',
    patterns: [words('pii\\b', 'personal data', 'gdpr', 'hipaa', 'ssn\\b', 'social security', 'date of birth', 'email addresses? (?:of|from) (?:users|customers)', 'anonymi[sz]', 'pseudonymi[sz]', 'data retention', 'right to be forgotten', 'medical record', 'redact')],
  },
  {
    name: 'injection-and-web-security',
    patterns: [
      words('sql injection', 'injection', 'injectable', 'xss\\b', 'cross-site', 'csrf', 'ssrf', 'xxe\\b', 'path traversal', 'directory traversal', 'deseriali[sz]', 'remote code', 'rce\\b', 'sanitiz', 'escap(?:e|ing) (?:user|input|html|sql)', 'untrusted input', 'user[- ]supplied', 'open redirect', 'cors\\b', 'content security policy', 'vulnerab', 'exploit', 'cve-', 'security', 'secure\\b', 'insecure', 'attacker', 'threat model', 'rate[- ]limit(?:ing)? (?:login|auth)', 'brute[- ]force'),
      /\b(?:raw|unsafe)\s+sql\b|\bstring[- ]concatenat\w* (?:into|in) (?:sql|a query)|\bf-string\b.*\b(?:sql|query)\b/i,
    ],
  },
];

/** Work that needs careful multi-step reasoning. */
export const REASONING_SIGNALS: Signal[] = [
  { name: 'concurrency', patterns: [words('race condition', 'race\\b', 'deadlock', 'concurren', 'thread[- ]safe', 'mutex', 'lock(?:s|ing)? (?:contention|order)', 'optimistic lock', 'pessimistic lock', 'select .* for update', 'atomic', 'goroutine leak', 'event loop (?:block|stall)', 'parallel', 'double[- ](?:spend|charge|submit|process)')] },
  { name: 'debugging', patterns: [words('debug', 'root cause', 'why (?:does|is|do|would|did)', 'intermittent', 'flaky', 'sometimes fails', 'randomly', 'memory leak', 'leak(?:s|ing)?\\b', 'hangs?\\b', 'stuck', 'timeout(?:s)? (?:under|when|after)', 'crash', 'segfault', 'heisenbug', 'only in production', 'in prod\\b', 'regression', 'exit code \\d+', 'keeps? restarting', 'restart(?:s|ing)? (?:with|under|after|when)', 'stack trace', 'oom\\b', 'out of memory', 'corrupt', 'inconsistent', 'wrong results?', 'off[- ]by[- ]one', 'n\\+1', 'slow (?:query|endpoint|request)', 'p99', 'latency spike')] },
  { name: 'design', patterns: [words('design (?:a|the|an)', 'propose (?:a|an|the)', 'plan (?:a|an|the)', 'what happens (?:if|when|to)', 'architect', 'schema design', 'design the schema', 'data model', 'model(?:ling|ing) (?:the|a)', 'trade[- ]?offs?', 'should (?:we|i) use', 'compare (?:the )?(?:approaches|options|strategies|designs)', 'versus', 'vs\\.?\\b', 'pros and cons', 'best approach', 'how should (?:we|i)', 'strategy', 'scal(?:e|ing|ability)', 'shard', 'partition', 'replica', 'event sourcing', 'cqrs', 'saga', 'outbox', 'exactly[- ]once', 'at[- ]least[- ]once', 'idempoten', 'consisten', 'distributed', 'microservice', 'queue semantics', 'backpressure', 'caching strategy', 'cache invalidation')] },
  { name: 'migration', patterns: [words('migrat', 'zero[- ]downtime', 'backfill', 'alter table', 'online schema change', 'roll(?:ing)?[- ]?out', 'roll back', 'rollback', 'upgrade (?:from|to) ', 'breaking change', 'dual[- ]writ', 'port (?:this|the|our) .* (?:to|from)')] },
  { name: 'transactions', patterns: [words('transaction', 'isolation level', 'serializable', 'repeatable read', 'phantom read', 'two[- ]phase', '2pc\\b', 'rollback', 'savepoint')] },
  { name: 'performance', patterns: [words('optimi[sz]e (?:this|the|our) (?:query|endpoint|service)', 'query plan', 'explain analyze', 'index(?:es)? (?:for|on) ', 'bottleneck', 'throughput', 'profil(?:e|ing)', 'hot path', 'contention')] },
  { name: 'large-change', patterns: [words('refactor (?:the|our|this) (?:whole|entire)', 'across (?:the|all|every|multiple)', 'whole (?:codebase|repo|service|module)', 'every (?:endpoint|handler|service)', 'rewrite', 're[- ]?architect', 'split (?:this|the) (?:service|monolith)')] },
  { name: 'review', patterns: [words('review (?:this|the|my|our)', 'audit', 'what could go wrong', 'edge cases?', 'is (?:this|it) (?:safe|correct|right)', 'correctness', 'prove', 'invariant')] },
];

/** Mechanical work a small model does well. */
export const FAST_SIGNALS: Signal[] = [
  { name: 'explain', patterns: [words('explain', 'what (?:does|is|are)', 'what\'s', 'how do i', 'how to', 'where is', 'where are', 'which file', 'what file', 'show me', 'summari[sz]e', 'tl;?dr', 'meaning of', 'difference between', '(?:typescript|tsc|mypy|pyright|eslint|compiler|linter) (?:is )?(?:complain|error|warn)')] },
  { name: 'rename', patterns: [words('rename', 'renaming', 'camel ?case', 'snake ?case', 'typo', 'spelling')] },
  { name: 'boilerplate', patterns: [words('(?:write|generate|create|add|scaffold) (?:a|an|the|me a) (?:[\\w.-]+ ){0,2}(?:dto|model class|interface|type|enum|fixtures?|mock|factory|dockerfile|makefile|readme|getters?|setters?|crud|migration|target|endpoint|script|workflow|seed|\\.gitignore|gitignore)\\b', 'boilerplate', 'scaffold', 'stub', 'skeleton', 'generate (?:a|an|the) (?:dto|model|class|interface|type|enum|fixture|mock|factory|dockerfile|makefile|readme|getter|setter|crud)', 'write (?:a|an) (?:dto|interface|type|enum|fixture|mock|getter|setter)', 'getters?', 'setters?', 'crud\\b', 'dto\\b', 'pydantic model', 'zod schema', 'json schema', 'typescript types? (?:for|from)', 'interface (?:for|from)', 'fixture', 'mock data', 'sample data', 'seed data')] },
  { name: 'docs', patterns: [words('docstring', 'jsdoc', 'comment(?:s)? (?:for|to)', 'add comments', 'document (?:this|the)', 'readme', 'changelog', 'commit message', 'release notes', 'pr description')] },
  { name: 'format', patterns: [words('format', 'prettier', 'black\\b', 'lint', 'indent', 'sort (?:the|these) imports', 'organi[sz]e imports', 'unused imports?', 'convert (?:this|the|it) (?:to|into)', 'translate (?:this|the|it) (?:to|into)', 'to (?:yaml|json|csv|toml)', 'regex (?:for|to|that)', 'type (?:hints|annotations)', 'add types')] },
  { name: 'extract', patterns: [words('extract', 'list (?:all|the|every)', 'find (?:all|every) ', 'count (?:the|how many)', 'which (?:functions|endpoints|routes|tables)', 'classify', 'tag (?:these|this)', 'label (?:these|this)')] },
  { name: 'simple-test', patterns: [words('unit test for (?:this|the) (?:getter|helper|util|function)', 'test for this (?:helper|util|pure function)', 'simple test')] },
];

/**
 * Fast signals that name an artefact to produce (a rename, boilerplate, docs, a format change). They
 * weigh more than a topic word: "write a migration that adds a nullable column" is boilerplate even
 * though it mentions migrations, and a follow-up asking for one does not need conversation stickiness.
 */
export const PRODUCTION_SIGNALS: ReadonlySet<string> = new Set(['rename', 'boilerplate', 'docs', 'format']);

export function matchSignals(text: string, signals: readonly Signal[]): string[] {
  // "event-sourcing" and "event sourcing" are the same words to a user; patterns use [- ] or spaces.
  const normalised = text.replace(/(\w)-(\w)/g, '$1 $2');
  const hits: string[] = [];
  for (const signal of signals) if (signal.patterns.some((p) => p.test(text) || p.test(normalised))) hits.push(signal.name);
  return hits;
}
