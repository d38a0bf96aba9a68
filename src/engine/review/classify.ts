/**
 * Blast-radius classification: which sensitive areas a change touches, and the evidence for each.
 * Three kinds of signal, from weakest to strongest reach:
 * - the path (a file under auth/, billing/, migrations/ is that area whatever line changes);
 * - the file's imports (a module that imports a payment SDK or a password hasher is payment or auth code);
 * - the changed lines themselves (decorators and middleware, DDL, money types, lock and transaction calls,
 *   identifiers such as password or date_of_birth).
 * Comment-only lines are ignored: they change no behaviour. The rules were written from the labelling
 * criteria in scripts/eval-review/CRITERIA.md before any tuning on the labelled set.
 */
import type { AreaEvidence, BlastArea } from '../../protocol';

export const AREAS: readonly BlastArea[] = ['auth', 'payments', 'personal-data', 'crypto-secrets', 'migrations', 'concurrency'];

/** Areas whose untested change is a high-severity finding; the rest are medium. */
export const HIGH_AREAS: ReadonlySet<BlastArea> = new Set(['auth', 'payments', 'personal-data', 'crypto-secrets', 'migrations']);

interface LineRule {
  area: BlastArea;
  kind: AreaEvidence['kind'];
  re: RegExp;
}

// Path segments (split on / . _ -) that name an area.
const PATH_RULES: Array<{ area: BlastArea; re: RegExp }> = [
  { area: 'auth', re: /^(auth|authn|authz|authentication|authorization|authorisation|login|logout|signin|signup|passport|oauth2?|jwt|permissions?|acl|rbac|guards?|passwords?|credentials?|sso|saml|oidc|openid|csrf)$/i },
  { area: 'payments', re: /^(payments?|billing|invoices?|invoicing|checkout|stripe|paypal|braintree|subscriptions?|refunds?|payouts?|wallets?|money|currenc(y|ies))$/i },
  { area: 'personal-data', re: /^(pii|gdpr|privacy|personal|profiles?|consents?|kyc|customers?|users?|accounts?|members?|patients?|employees?|contacts?)$/i },
  { area: 'crypto-secrets', re: /^(crypto|cryptography|encryption|encrypt|cipher|kms|vault|secrets|keystore|keyring|hmac)$/i },
  { area: 'migrations', re: /^(migrations?|migrate|alembic|schema_migrations)$/i },
  { area: 'concurrency', re: /^(locks?|mutex|semaphore|concurrency|transactions?)$/i },
];

// Module specifiers of imports that make a file belong to an area.
const IMPORT_RULES: Array<{ area: BlastArea; re: RegExp }> = [
  {
    area: 'auth',
    re: /^(passport(-[\w-]+)?|jsonwebtoken|express-jwt|jwks-rsa|jose|bcrypt|bcryptjs|argon2|express-session|cookie-session|next-auth|@auth\/[\w-]+|@nestjs\/passport|openid-client|oauth|simple-oauth2|flask_login|flask_jwt_extended|flask_security|django\.contrib\.auth(\.[\w.]+)?|rest_framework\.permissions|rest_framework\.authentication|authlib(\.[\w.]+)?|jwt|passlib(\.[\w.]+)?|casbin|github\.com\/golang-jwt\/jwt(\/v\d+)?|golang\.org\/x\/crypto\/bcrypt|org\.springframework\.security(\.[\w.]+)?)$/i,
  },
  {
    area: 'payments',
    re: /^(stripe|@stripe\/[\w-]+|braintree|@paypal\/[\w-]+|paypal-rest-sdk|@adyen\/[\w-]+|adyen|square|razorpay|@mollie\/[\w-]+|mollie|plaid|dinero\.js|currency\.js|money|py-moneyed|moneyed|djmoney(\.[\w.]+)?|github\.com\/stripe\/stripe-go(\/v\d+)?(\/[\w/]+)?|com\.stripe(\.[\w.]+)?)$/i,
  },
  { area: 'crypto-secrets', re: /^(crypto|node:crypto|crypto-js|tweetnacl|libsodium-wrappers|node-forge|bcrypt|bcryptjs|argon2|cryptography(\.[\w.]+)?|hashlib|hmac|secrets|nacl(\.[\w.]+)?|Crypto(\.[\w.]+)?|crypto\/[\w/]+|golang\.org\/x\/crypto(\/[\w/]+)?|javax\.crypto(\.[\w.]+)?)$/ },
  { area: 'migrations', re: /^(alembic|alembic\.op|django\.db\.migrations|knex\/migrations|typeorm\/migration|sequelize\/migrations)$/i },
];

const LINE_RULES: LineRule[] = [
  // auth
  { area: 'auth', kind: 'decorator', re: /@(login_required|permission_required|user_passes_test|staff_member_required|requires_auth|jwt_required|auth_required|roles_required|PreAuthorize|PostAuthorize|Secured|RolesAllowed|UseGuards|Authorized|Authorize|AllowAnonymous|permission_classes|authentication_classes)\b/ },
  { area: 'auth', kind: 'call', re: /\b(passport\.(authenticate|use|serializeUser|deserializeUser)|jwt\.(sign|verify|decode)|bcrypt\.(hash|compare|genSalt)\w*|argon2\.(hash|verify)|check_password|set_password|make_password|verify_password|hash_password|authenticate|authorize|isAuthenticated|is_authenticated|ensureLoggedIn|ensureAuthenticated|requireAuth|require_login|login_user|logout_user|req\.login|req\.logout|req\.isAuthenticated|has_perm|hasPermission|hasRole|has_role|checkPermission|check_permission|canAccess|can_access)\s*\(/ },
  { area: 'auth', kind: 'identifier', re: /\b(password|passwd|passphrase|hashed_password|password_hash|passwordHash|isAdmin|is_admin|is_superuser|is_staff|access_token|accessToken|refresh_token|refreshToken|id_token|idToken|bearer|Bearer|csrf_token|csrfToken|csrf|session\.user|req\.user|request\.user|current_user|currentUser|userRole|user_role|roles?\s*(===?|!==?|in|\.includes)|permissions?\b\s*[.[(=]|otp_secret|totp|mfa|two_factor|2fa|api_key_auth|WWW-Authenticate|Authorization)\b/ },
  { area: 'auth', kind: 'identifier', re: /\b(passport|authInfo|authenticat\w*|authori[sz]\w*|log[iI]n|log[oO]ut|sign[iI]n|sign[oO]ut|sessionID|session_id|req\.session|regenerate|serializeUser|deserializeUser|jwt|JWT|jsonwebtoken|JsonWebToken\w*|TokenExpiredError|NotBeforeError|secretOrPrivateKey|secretOrPublicKey|bcrypt|saltRounds|credentials?|principal)\b/ },
  // payments
  { area: 'payments', kind: 'call', re: /\b(stripe\.\w+|paymentIntents?\.\w+|charges\.create|refunds\.create|braintree\.\w+|paypal\.\w+|createCharge|create_charge|capturePayment|capture_payment|refund\w*|chargeCard|charge_card)\s*\(/i },
  { area: 'payments', kind: 'identifier', re: /\b(payments?|paymentIntent|payment_intent|payment_method|paymentMethod|payouts?|invoices?|billing|checkout|subtotal|grand_?total|currency|currencies|amount_(cents|due|paid|captured|refunded)|amountCents|amount_in_cents|priceCents|price_cents|unit_amount|unitAmount|tax_amount|taxAmount|chargebacks?|stripe_\w+|stripe[A-Z]\w*|merchant|refunded?|dispute)\b/i },
  { area: 'payments', kind: 'money-type', re: /\b(MoneyField|Money\(|DecimalField\([^)]*decimal_places\s*=\s*2|NUMERIC\(\s*\d+\s*,\s*2\s*\)|DECIMAL\(\s*\d+\s*,\s*2\s*\)|\bmoney\b(?=\s*(NOT|NULL|,|\)|DEFAULT))|BigDecimal|Dinero\(|currency\(|Decimal\(\s*['"]\d+\.\d{2}['"]\s*\))/ },
  // personal data
  { area: 'personal-data', kind: 'identifier', re: /\b(e-?mail(_?address)?|emailAddress|phone(_?number)?|phoneNumber|mobile_number|date_of_birth|dateOfBirth|birth_?date|birthday|dob|ssn|social_security(_number)?|national_id|nationalId|passport_number|tax_id|first_?name|last_?name|full_?name|firstName|lastName|fullName|given_name|family_name|street_address|address_line\d?|addressLine\d?|postal_code|postcode|zip_?code|zipCode|ip_address|ipAddress|gender|ethnicity|nationality|medical|diagnosis|personal_data|personalData|pii|gdpr|anonymi[sz]e\w*|pseudonymi[sz]e\w*)\b/i },
  // camelCase names that end in a personal-data word: isEmail, normalizeEmail, customerPhone, isPassportNumber
  { area: 'personal-data', kind: 'identifier', re: /(?<=[a-z])(Email|EmailAddress|Phone|PhoneNumber|MobilePhone|PostalCode|Postcode|ZipCode|PassportNumber|IdentityCard|NationalId|TaxID|TaxId|DateOfBirth|Birthday|Birthdate|FirstName|LastName|FullName|Gender)\b/ },
  { area: 'personal-data', kind: 'identifier', re: /\b(identity_?card|IdentityCard|tax_?id|TaxID|TaxId|passport_?number|PassportNumber|mobile_?phone|MobilePhone|postal_?code|PostalCode)\b/ },
  // crypto and secrets
  { area: 'crypto-secrets', kind: 'call', re: /\b(createHash|createHmac|createCipheriv|createDecipheriv|createSign|createVerify|randomBytes|randomUUID|pbkdf2(Sync)?|scrypt(Sync)?|timingSafeEqual|generateKeyPair(Sync)?|hashlib\.\w+|hmac\.\w+|secrets\.token_\w+|Fernet|AES\.new|encrypt|decrypt|sign_message|verify_signature|crypto\.subtle\.\w+|subtle\.\w+)\s*\(/ },
  { area: 'crypto-secrets', kind: 'identifier', re: /\b(SECRET_KEY|secret_key|secretKey|private_?key|privateKey|PRIVATE_KEY|api_?key|apiKey|API_KEY|client_secret|clientSecret|signing_key|signingKey|encryption_key|encryptionKey|cipher|nonce|salt|iv|sha1|sha256|sha512|md5|AES|RSA|ECDSA|HMAC|kms|KMS|keystore)\b/ },
  // migrations and destructive data changes
  { area: 'migrations', kind: 'ddl', re: /\b(CREATE\s+(UNIQUE\s+)?(TABLE|INDEX|TYPE|SCHEMA|SEQUENCE|VIEW)|ALTER\s+(TABLE|TYPE|SEQUENCE|COLUMN)|DROP\s+(TABLE|COLUMN|INDEX|SCHEMA|TYPE|VIEW|CONSTRAINT|DATABASE)|TRUNCATE(\s+TABLE)?|RENAME\s+(COLUMN|TO)|ADD\s+(COLUMN|CONSTRAINT)|DELETE\s+FROM)\b/i },
  { area: 'migrations', kind: 'call', re: /\b(op\.(add_column|drop_column|alter_column|create_table|drop_table|create_index|drop_index|rename_table|execute|create_foreign_key|drop_constraint)|migrations\.(AddField|RemoveField|AlterField|RenameField|CreateModel|DeleteModel|RunSQL|RunPython|AddIndex|RemoveIndex|AlterUniqueTogether)|schema\.(createTable|alterTable|dropTable|dropTableIfExists|renameTable|table|raw)|queryInterface\.\w+|(add|remove|rename|change)_column|create_table|drop_table|add_index|remove_index|addColumn|removeColumn|renameColumn|changeColumn|dropColumn|createTable|dropTable|\.migrate|dropDatabase|deleteMany|delete_all|destroy_all|bulk_delete|truncate)\s*\(/ },
  // concurrency and transactions
  { area: 'concurrency', kind: 'call', re: /\b(transaction|\$transaction|atomic|begin_nested|beginTransaction|begin_transaction|startTransaction|commitTransaction|with_for_update|select_for_update|for_update|acquire|release|tryLock|try_lock|lock|unlock|Lock|RLock|Mutex|RWMutex|Semaphore|BoundedSemaphore|Condition|Atomics\.\w+|pg_advisory_(xact_)?lock|synchronized|runExclusive|withLock|with_lock|savepoint|rollback|set_isolation_level|isolation_level)\s*\(/ },
  { area: 'concurrency', kind: 'decorator', re: /@(transaction\.atomic|Transactional|atomic|synchronized|Lock)\b/ },
  { area: 'concurrency', kind: 'identifier', re: /\b(FOR\s+UPDATE|FOR\s+SHARE|SKIP\s+LOCKED|SERIALIZABLE|REPEATABLE\s+READ|READ\s+COMMITTED|BEGIN\s+TRANSACTION|START\s+TRANSACTION|COMMIT|ROLLBACK|SAVEPOINT|sync\.Mutex|sync\.RWMutex|sync\.WaitGroup|threading\.Lock|asyncio\.Lock|isolationLevel|isolation_level|optimistic_lock|lock_version|deadlock)\b/ },
];

/** Lines that only hold a comment change no behaviour. */
export function isCommentOnly(text: string): boolean {
  const t = text.trim();
  return t === '' || /^(\/\/|#(?!\[)|\/\*|\*|--|"""|'''|<!--)/.test(t);
}

export function pathAreas(path: string): AreaEvidence[] {
  const out: AreaEvidence[] = [];
  const segments = path.split(/[\\/]/);
  const dirs = segments.slice(0, -1);
  const base = segments[segments.length - 1] ?? '';
  const words = [...dirs.flatMap((d) => d.split(/[._-]/)), ...base.replace(/\.[^.]+$/, '').split(/[._-]|(?<=[a-z])(?=[A-Z])/)];
  for (const rule of PATH_RULES) {
    const hit = words.find((w) => rule.re.test(w));
    if (hit) out.push({ area: rule.area, kind: 'path', text: path, line: 0 });
  }
  // A file named for personal data (isEmail.js, phone_numbers.py, PassportNumber.java); a passport *number* is not passport.js.
  if (/(e-?mail|phone|postal_?code|zip_?code|passport_?number|identity_?card|tax_?id|national_?id|date_?of_?birth|birth_?date|contacts?)/i.test(base)) {
    out.push({ area: 'personal-data', kind: 'path', text: path, line: 0 });
    if (/passport_?number/i.test(base) && !dirs.some((d) => /^passport$/i.test(d))) out.splice(out.findIndex((e) => e.area === 'auth'), out.some((e) => e.area === 'auth') ? 1 : 0);
  }
  if (/\.sql$/i.test(base) && /(migrat|schema|ddl|\d{4,}_)/i.test(path)) out.push({ area: 'migrations', kind: 'path', text: path, line: 0 });
  if (/(^|\/)db\/migrate\//.test(path) || /(^|\/)prisma\/migrations\//.test(path)) out.push({ area: 'migrations', kind: 'path', text: path, line: 0 });
  return dedupe(out);
}

/** Module specifiers imported by a file (JS/TS, Python, Go, Java). */
export function importsOf(text: string): Array<{ module: string; line: number }> {
  const out: Array<{ module: string; line: number }> = [];
  const lines = text.split('\n');
  let inGoBlock = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    let m: RegExpExecArray | null;
    const re = /(?:\bfrom\s+|\brequire\(\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/g;
    while ((m = re.exec(l))) out.push({ module: m[1], line: i + 1 });
    if ((m = /^\s*from\s+([\w.]+)\s+import\b/.exec(l))) out.push({ module: m[1], line: i + 1 });
    else if ((m = /^\s*import\s+([\w.]+(\s*,\s*[\w.]+)*)\s*(#.*)?$/.exec(l))) for (const mod of m[1].split(',')) out.push({ module: mod.trim(), line: i + 1 });
    if ((m = /^\s*import\s+(static\s+)?([\w.]+)(\.\*)?;/.exec(l))) out.push({ module: m[2], line: i + 1 });
    if (/^\s*import\s*\($/.test(l)) inGoBlock = true;
    else if (inGoBlock && /^\s*\)/.test(l)) inGoBlock = false;
    else if (inGoBlock && (m = /^\s*(?:\w+\s+)?"([^"]+)"/.exec(l))) out.push({ module: m[1], line: i + 1 });
  }
  return out;
}

export function importAreas(fileText: string): AreaEvidence[] {
  const out: AreaEvidence[] = [];
  for (const imp of importsOf(fileText)) {
    for (const rule of IMPORT_RULES) {
      // A Java/Python import names a member of the module: match the module or any of its parents.
      const parts = imp.module.split('.');
      const candidates = [imp.module, ...parts.map((_p, i) => parts.slice(0, i + 1).join('.'))];
      if (candidates.some((c) => rule.re.test(c))) out.push({ area: rule.area, kind: 'import', text: imp.module, line: imp.line });
    }
  }
  return dedupe(out);
}

export function lineAreas(lines: ReadonlyArray<{ line: number; text: string }>): AreaEvidence[] {
  const out: AreaEvidence[] = [];
  for (const l of lines) {
    if (isCommentOnly(l.text)) continue;
    for (const rule of LINE_RULES) {
      if (out.some((e) => e.area === rule.area && e.kind === rule.kind)) continue;
      const m = rule.re.exec(l.text);
      if (m) out.push({ area: rule.area, kind: rule.kind, text: l.text.trim().slice(0, 200), line: l.line });
    }
  }
  return out;
}

/**
 * A file whose purpose is an area says so on many of its lines (a session manager names sessions and
 * logins throughout; a payment resource names invoices and amounts). At least FILE_MIN_LINES distinct
 * code lines of the file hit an area's line rules: every hunk of the file is in that area.
 */
export const FILE_MIN_LINES = 5;

export function fileAreas(fileText: string): AreaEvidence[] {
  const hits = new Map<BlastArea, number[]>();
  const lines = fileText.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const text = lines[i];
    // Import lines speak through the import rules; a barrel file that re-exports isEmail is not about e-mail.
    if (text.length > 1000 || isCommentOnly(text) || /\brequire\(|^\s*import\b|^\s*export\b.*\bfrom\b/.test(text) || /^\s*[\w$]+\s*:\s*[\w$.]+\s*,?\s*$/.test(text)) continue;
    for (const rule of LINE_RULES) {
      const seen = hits.get(rule.area) ?? [];
      if (seen[seen.length - 1] === i + 1) continue;
      if (rule.re.test(text)) hits.set(rule.area, [...seen, i + 1]);
    }
  }
  const out: AreaEvidence[] = [];
  for (const [area, at] of hits) {
    if (at.length >= FILE_MIN_LINES) out.push({ area, kind: 'file', text: `${at.length} lines of the file (first at line ${at[0]})`, line: at[0] });
  }
  return out;
}

/** Everything that puts a region of a file in an area: its path, its file's imports and purpose, its changed lines. */
export function classifyRegion(path: string, fileText: string | undefined, changed: ReadonlyArray<{ line: number; text: string }>): AreaEvidence[] {
  return [...pathAreas(path), ...(fileText ? [...importAreas(fileText), ...fileAreas(fileText)] : []), ...lineAreas(changed)];
}

export function areasOf(evidence: readonly AreaEvidence[]): BlastArea[] {
  const seen = new Set(evidence.map((e) => e.area));
  return AREAS.filter((a) => seen.has(a));
}

function dedupe(list: AreaEvidence[]): AreaEvidence[] {
  const seen = new Set<string>();
  return list.filter((e) => {
    const key = `${e.area}|${e.kind}|${e.text}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
