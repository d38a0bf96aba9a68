/**
 * Keel's error vocabulary. Every failure that crosses a boundary (worker ⇄ extension, CLI ⇄ user,
 * engine ⇄ provider) is a KeelError with a stable, machine-readable `code`. Users script against the
 * codes (`keel … --json` prints them), so codes are only ever added, never renamed.
 */
import type { ErrorCode, WireError } from '../protocol/rpc';

export type { ErrorCode, WireError } from '../protocol/rpc';

export const ERROR_CODES = [
  // generic
  'INTERNAL',
  'INVALID_PARAMS',
  'METHOD_NOT_FOUND',
  'NOT_AVAILABLE',
  'CANCELLED',
  'TIMEOUT',
  'ENGINE_UNAVAILABLE',
  // input / files / index
  'BAD_INPUT',
  'FILE_NOT_FOUND',
  'FILE_TOO_LARGE',
  'FILE_BINARY',
  'FILE_UNREADABLE',
  'INDEX_CORRUPT',
  'INDEX_NOT_FOUND',
  'INDEX_LOCKED',
  'EMBEDDER_MISMATCH',
  // providers / LLM layer
  'RATE_LIMITED',
  'AUTH_FAILED',
  'QUOTA_EXCEEDED',
  'CONTEXT_TOO_LONG',
  'PROVIDER_UNAVAILABLE',
  'PROVIDER_NOT_CONFIGURED',
  'BAD_RESPONSE',
  'SCHEMA_VIOLATION',
  'BUDGET_EXCEEDED',
  'EGRESS_BLOCKED',
  // stores and the file system (issue 23)
  'STORE_CORRUPT',
  'DISK_FULL',
  'READ_ONLY',
  'PERMISSION_DENIED',
  'PATH_INVALID',
  // tools for agents: a path outside the workspace, ignored, or secret-bearing
  'ACCESS_DENIED',
  // a response over the egress gate's bounds (bytes / total duration of one response)
  'RESPONSE_TOO_LARGE',
  'RESPONSE_TOO_LONG',
  // databases / query plans (issue 16)
  'SQL_INVALID',
  'DB_UNAVAILABLE',
  'DB_AUTH_FAILED',
  'DB_UNKNOWN_TABLE',
  // review and provenance (issue 19)
  'GIT_FAILED',
  'LEDGER_TAMPERED',
] as const satisfies readonly ErrorCode[];

/** Compile-time check that the list and the protocol's ErrorCode union name the same codes. */
type MissingFromList = Exclude<ErrorCode, (typeof ERROR_CODES)[number]>;
const everyCodeListed: MissingFromList extends never ? true : MissingFromList = true;
void everyCodeListed;

/** Codes that are worth retrying by default (the caller may still decide otherwise). */
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'RATE_LIMITED',
  'PROVIDER_UNAVAILABLE',
  'TIMEOUT',
  'INDEX_LOCKED',
  'ENGINE_UNAVAILABLE',
]);

export interface KeelErrorOptions {
  retryable?: boolean;
  retryAfterS?: number;
  requestId?: string;
  provider?: string;
  cause?: unknown;
}

export class KeelError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly retryAfterS?: number;
  readonly requestId?: string;
  readonly provider?: string;

  constructor(code: ErrorCode, message: string, options: KeelErrorOptions = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = 'KeelError';
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE.has(code);
    this.retryAfterS = options.retryAfterS;
    this.requestId = options.requestId;
    this.provider = options.provider;
  }

  toWire(requestId?: string): WireError {
    const wire: WireError = { code: this.code, message: this.message, retryable: this.retryable };
    if (this.retryAfterS !== undefined) wire.retryAfterS = this.retryAfterS;
    const id = this.requestId ?? requestId;
    if (id !== undefined) wire.requestId = id;
    if (this.provider !== undefined) wire.provider = this.provider;
    return wire;
  }

  static fromWire(wire: WireError): KeelError {
    return new KeelError(isErrorCode(wire.code) ? wire.code : 'INTERNAL', wire.message, {
      retryable: wire.retryable,
      retryAfterS: wire.retryAfterS,
      requestId: wire.requestId,
      provider: wire.provider,
    });
  }
}

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value);
}

export function isAbortError(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'AbortError' || error.name === 'APIUserAbortError' || (error as { code?: string }).code === 'ABORT_ERR')
  );
}

/**
 * Normalise anything thrown into a KeelError. Unknown errors become INTERNAL with their message kept
 * (never their stack: stacks go to the log, not to users or JSON output).
 */
export function toKeelError(error: unknown): KeelError {
  if (error instanceof KeelError) return error;
  // A KeelError from another bundle (e.g. a test bundle calling into the extension) fails instanceof.
  if (error instanceof Error && error.name === 'KeelError' && isErrorCode((error as { code?: unknown }).code)) {
    const e = error as Error & { code: ErrorCode; retryable?: boolean; retryAfterS?: number; requestId?: string; provider?: string };
    return new KeelError(e.code, e.message, { retryable: e.retryable, retryAfterS: e.retryAfterS, requestId: e.requestId, provider: e.provider, cause: error });
  }
  if (isAbortError(error)) return new KeelError('CANCELLED', 'The request was cancelled.');
  const fsCode = FS_ERROR_CODES[(error as { code?: unknown } | null)?.code as string];
  if (fsCode && error instanceof Error) return new KeelError(fsCode, fsMessage(fsCode, error), { cause: error });
  const message = error instanceof Error ? error.message : String(error);
  return new KeelError('INTERNAL', message || 'Unexpected error', { cause: error });
}

/** File-system failures a user can act on, each with its own code instead of INTERNAL. */
const FS_ERROR_CODES: Partial<Record<string, ErrorCode>> = {
  ENOSPC: 'DISK_FULL',
  EDQUOT: 'DISK_FULL',
  EROFS: 'READ_ONLY',
  EACCES: 'PERMISSION_DENIED',
  EPERM: 'PERMISSION_DENIED',
  ENOENT: 'FILE_NOT_FOUND',
  ENOTDIR: 'PATH_INVALID',
  ENAMETOOLONG: 'PATH_INVALID',
  ELOOP: 'PATH_INVALID',
  EISDIR: 'PATH_INVALID',
};

function fsMessage(code: ErrorCode, error: Error): string {
  const file = (error as { path?: unknown }).path;
  const where = typeof file === 'string' ? ` (${file})` : '';
  switch (code) {
    case 'DISK_FULL':
      return `The disk is full${where}: free some space and try again.`;
    case 'READ_ONLY':
      return `The file system is read-only${where}.`;
    case 'PERMISSION_DENIED':
      return `Permission denied${where}.`;
    case 'FILE_NOT_FOUND':
      return `No such file or folder${where}.`;
    default:
      return `Not a usable path${where}: ${error.message}`;
  }
}

/** Throws CANCELLED if the signal has fired. Call at the top of loops that do real work. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new KeelError('CANCELLED', 'The request was cancelled.');
}
