/**
 * The code rules of the api category over discovered routes and each file's error responses.
 */
import type { FindingSeverity, FixWire } from '../../protocol';
import type { SyntaxNode } from '../syntax/treeSitter';
import type { Route } from './discover';
import { errorHelperFix } from './fixes';
import { idempotencyFixFor } from './fixIdempotency';
import { validationFixFor } from './fixValidation';
import { descendants, type ParsedFile } from './model';
import { errorResponses, setsRetryAfter } from './responses';

export interface RawApiFinding {
  file: ParsedFile;
  node: SyntaxNode;
  /** Report only the first line of `node` (route declarations span their whole handler). */
  firstLineOnly?: boolean;
  code: string;
  severity?: FindingSeverity;
  message: string;
  fixes: FixWire[];
  route?: Route;
}

const PAYMENT = /\b(charges|paymentIntents|payment_intents|PaymentIntent|Charge|refunds|Refund|transfers|Transfer|payouts|Payout|subscriptions|Subscription|invoices|checkout\.sessions|checkout\.Session)\.(create|capture|confirm|New)\s*\(|\bcharge\.New\s*\(|\bpaymentintent\.New\s*\(|\btransaction\.sale\s*\(|\bpayments\.(create|capture)\s*\(|\borders\.capture\s*\(/;
const MAIL = /\b(sendMail|sendEmail|send_mail|send_mass_mail|send_email|send_message|sendgrid\.send|sgMail\.send|mailer\.send\w*|transporter\.send\w*|mail\.send|smtp\.SendMail|SendMail|EmailMessage\([^)]*\)\.send|EmailMultiAlternatives|messages\.create|sendSms|send_sms|publish\w*Email)\s*\(/;
const INSERT = /\bsession\.add\s*\(\s*[A-Z]\w*\s*\(|\.(create|createMany|insert|insertOne|insertMany|insert_one|insert_many|bulkCreate|bulk_create|Create|InsertOne|InsertMany)\s*\(|INSERT\s+INTO|\.objects\.create\s*\(|new\s+\w+\s*\([^)]*\)\s*\.save\s*\(/i;
const NOT_INSERT = /\b(Object|document|Map|Set|express|Router|Schema|z|React|URL|crypto|http|https|Buffer|Date|fs|path)\.create\w*\s*\(|\b(createElement|createReadStream|createWriteStream|createHash|createServer|createContext|createRef|createRouter|createApp|createError|createClient|createLogger)\b/;
/** `order = Order(…)` then `session.add(order)`: a new row built first and added later (SQLAlchemy). */
const ADDED_NEW = /\b(\w+)\s*=\s*[A-Z]\w*\([\s\S]*?\bsession\.add\(\s*\1\s*\)/;
/**
 * `x = Model(…)` / `const x = new Model(…)` then `x.save()`: an insert. A bare `.save()` on a loaded
 * object (`member.save()`, a settings form bound to an existing object) is an update and stays quiet.
 */
const SAVED_NEW = /\b(\w+)\s*=\s*(?:await\s+)?(?:new\s+)?(?![A-Z]\w*(?:Form|Preferences|Settings|Serializer)\()[A-Z]\w*\((?:[^()]|\([^()]*\))*\)[\s\S]*?\b\1\.save\(\s*\)/;
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
// `try: x = M.objects.get(key) except M.DoesNotExist: M.objects.create(…)` is a get-or-create written out.
const IDEMPOTENT = /idempoten|upsert|on\s+conflict|on\s+duplicate\s+key|get_or_create|update_or_create|findOrCreate|find_or_create|FirstOrCreate|insert_or_ignore|INSERT\s+OR\s+(IGNORE|REPLACE)|P2002|IntegrityError|UniqueViolation|\b23505\b|ER_DUP_ENTRY|E11000|\b11000\b|duplicate key|UniqueConstraint|unique_violation|IsUniqueViolation|isDuplicateKey|DoesNotExist|client_?token|clientToken|client_reference_id|dedup|Idempotency/i;

export interface WorkspaceFacts {
  /** Some middleware or header write gives every response a request id. */
  requestIdHeader: boolean;
  /** A service-wide idempotency middleware is installed. */
  globalIdempotency: boolean;
}

export function workspaceFacts(files: readonly ParsedFile[]): WorkspaceFacts {
  const all = (re: RegExp): boolean => files.some((f) => re.test(f.text));
  return {
    requestIdHeader: all(/(set(Header)?|header|append|Header\(\)\.Set|headers\[)\s*\(?\s*["'](x-request-id|x-correlation-id|request-id|x-trace-id)["']/i) ||
      all(/express-request-id|cls-rtracer|asgi_correlation_id|CorrelationIdMiddleware|requestid\.New|middleware\.RequestID|django_guid|log_request_id|flask_request_id|RequestIdMiddleware|genReqId/),
    globalIdempotency: all(/\.(use|add_middleware|Use)\s*\([^)]*idempot/i) || all(/MIDDLEWARE\s*=\s*\[[^\]]*[Ii]dempot/),
  };
}

/** `files`: where the validation fix looks up the struct a Go handler binds into. */
export function checkRoutes(routes: readonly Route[], facts: WorkspaceFacts, files: readonly ParsedFile[] = []): RawApiFinding[] {
  const out: RawApiFinding[] = [];
  let types: Map<string, { file: ParsedFile; node: SyntaxNode }> | undefined;
  const find = (name: string): { file: ParsedFile; node: SyntaxNode } | undefined => {
    types ??= new Map(files.filter((f) => f.language === 'go').flatMap((file) => descendants(file.root, ['type_spec']).map((node) => [node.childForFieldName('name')?.text ?? '', { file, node }] as const)));
    return types.get(name);
  };
  const validationFix = (r: Route): FixWire[] => validationFixFor(r, find);
  // A Django function view that compares request.method serves GET and POST from one body: report its body on the POST.
  const bodyMethodAt = new Set(routes.filter((r) => r.readsBody && !SAFE.has(r.method)).map((r) => `${r.handlerFile.path}:${r.readsBody!.startIndex}`));
  for (const r of routes) {
    if (r.readsBody && !(SAFE.has(r.method) && bodyMethodAt.has(`${r.handlerFile.path}:${r.readsBody.startIndex}`))) {
      if (r.anyValidation) {
        out.push({ file: r.readsBody.tree === r.file.root.tree ? r.file : r.handlerFile, node: r.readsBody, code: 'KEEL-API-ANY-BODY', message: `${r.method} ${r.path}: the request body is validated by a schema that accepts any keys and values; declare the fields (and reject unknown ones).`, fixes: r.framework === 'nestjs' ? validationFix(r) : [], route: r, firstLineOnly: true });
      } else if (!r.validation) {
        out.push({ file: r.readsBody.tree === r.file.root.tree ? r.file : r.handlerFile, node: r.readsBody, code: 'KEEL-API-UNVALIDATED-BODY', message: `${r.method} ${r.path}: the request body is used without validation; an agent guessing at fields gets no error, just wrong behaviour.`, fixes: validationFix(r), route: r, firstLineOnly: true });
      }
    }
    if (r.method !== 'POST' || r.handlers.length === 0 || facts.globalIdempotency) continue;
    // Decorators on the view itself (`@idempotent`, `@method_decorator(…)`) belong to the handler.
    const text = r.handlers.map((h) => {
      const cls = h.parent?.type === 'block' && h.parent.parent?.type === 'class_definition' ? h.parent.parent : null;
      const classDecorators = cls?.parent?.type === 'decorated_definition' ? cls.parent.namedChildren.filter((d) => d?.type === 'decorator').map((d) => d!.text).join('\n') : '';
      return `${classDecorators}\n${h.parent?.type === 'decorated_definition' ? h.parent.text : h.text}`;
    }).join('\n');
    if (IDEMPOTENT.test(text) || IDEMPOTENT.test(r.middleware)) continue;
    const implicitCreate = r.handlers.some((h) => h.type === 'class_definition' && /ModelViewSet|CreateModelMixin|CreateAPIView|ListCreateAPIView/.test(h.childForFieldName('superclasses')?.text ?? ''));
    const effect = PAYMENT.test(text) ? 'payment' : MAIL.test(text) ? 'mail' : (INSERT.test(text.replace(new RegExp(NOT_INSERT.source, 'g'), '')) || ADDED_NEW.test(text) || SAVED_NEW.test(text) || implicitCreate) ? 'insert' : null;
    if (!effect) continue;
    const what = effect === 'payment' ? 'charges a payment' : effect === 'mail' ? 'sends a message' : 'creates a record';
    out.push({
      file: r.file, node: r.anchor, firstLineOnly: true, code: 'KEEL-API-IDEMPOTENCY', severity: effect === 'payment' ? 'error' : 'warning',
      message: `${r.method} ${r.path} ${what} with no idempotency key, client token or upsert: an agent retrying a timed-out request ${effect === 'payment' ? 'charges twice' : effect === 'mail' ? 'sends twice' : 'creates a duplicate'}.`,
      fixes: idempotencyFixFor(r), route: r,
    });
  }
  return out;
}

export function checkResponses(file: ParsedFile, facts: WorkspaceFacts): RawApiFinding[] {
  const out: RawApiFinding[] = [];
  for (const r of errorResponses(file)) {
    if (r.leak === 'stack' || (r.leak === 'message' && (r.status === null ? !r.statusFromError : r.status >= 500))) {
      out.push({ file, node: r.body ?? r.node, code: 'KEEL-API-LEAKED-ERROR', message: r.leak === 'stack' ? 'A stack trace is sent to the client: it reveals internals and means nothing to an agent.' : 'An internal error message (driver, exception text) is sent with a 5xx: log it and return a stable code instead.', fixes: [] });
    }
    if (r.status === 429 || r.status === 503) {
      if (!setsRetryAfter(r)) out.push({ file, node: r.node, code: 'KEEL-API-RETRY-AFTER', message: `${r.status} without a Retry-After header: a retrying agent cannot tell when to come back and will hammer the service.`, fixes: errorHelperFix(file, r) });
    }
    if ((r.kind === 'string' || r.kind === 'object') && !r.hasCode) {
      out.push({ file, node: r.node, code: 'KEEL-API-ERROR-CODE', message: `Error response${r.status ? ` (${r.status})` : ''} without a machine-readable code: an agent can only parse the human message. Return a stable code (RFC 9457 problem details).`, fixes: errorHelperFix(file, r) });
    } else if (r.kind === 'object' && r.hasCode && !r.hasRequestId && !facts.requestIdHeader) {
      out.push({ file, node: r.node, code: 'KEEL-API-REQUEST-ID', message: 'Error body without a request id (and no request-id header is set): a caller cannot point support or logs at the failed request.', fixes: errorHelperFix(file, r) });
    }
  }
  return out;
}
