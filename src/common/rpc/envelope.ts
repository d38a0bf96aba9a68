/**
 * The first check on everything that arrives: is it a JSON-RPC 2.0 message Keel can route, and do the
 * protocol's own notifications carry the params they need? Anything else is answered with a JSON-RPC
 * error here — -32600 for a body that is not a message (null, numbers, strings, batches, a non-string
 * method), -32602 for a notification whose params are unusable — and never reaches vscode-jsonrpc's
 * dispatcher, which assumes well-formed input (`$/cancelRequest` with null params throws inside it).
 */
import { ErrorCodes } from 'vscode-jsonrpc/node';

export interface EnvelopeProblem {
  /** The request id to answer, or null when there is none to correlate with. */
  id: number | string | null;
  code: number;
  message: string;
}

const isId = (value: unknown): value is number | string => typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Params checks for the notifications the protocol itself defines; other notifications are the owner's. */
const NOTIFICATION_PARAMS: Record<string, (params: unknown) => boolean> = {
  '$/cancelRequest': (p) => isObject(p) && isId(p.id),
  '$/stream': (p) => isObject(p) && isId(p.id) && 'chunk' in p,
  'host/methods': (p) => isObject(p) && Array.isArray(p.methods) && p.methods.every((m) => typeof m === 'string'),
  'log': (p) => isObject(p) && typeof p.message === 'string' && typeof p.level === 'string',
};

/** undefined when `message` is fine to dispatch; otherwise the error to answer it with. */
export function checkEnvelope(message: unknown): EnvelopeProblem | undefined {
  const invalid = (id: number | string | null, message: string): EnvelopeProblem => ({ id, code: ErrorCodes.InvalidRequest, message });
  if (Array.isArray(message)) return invalid(null, 'Batch messages are not supported; send one message per frame.');
  if (!isObject(message)) return invalid(null, `A message must be a JSON object, not ${message === null ? 'null' : typeof message}.`);
  const id = isId(message.id) ? message.id : null;
  if (message.jsonrpc !== '2.0') return invalid(id, 'A message must have "jsonrpc": "2.0".');
  if ('method' in message) {
    if (typeof message.method !== 'string') return invalid(id, '"method" must be a string.');
    if ('id' in message && message.id !== undefined && !isId(message.id)) return invalid(null, '"id" must be a string or a number.');
    const { params } = message;
    if (params !== undefined && !isObject(params)) {
      return { id, code: ErrorCodes.InvalidParams, message: `"params" of ${message.method.slice(0, 80)} must be an object.` };
    }
    const check = 'id' in message ? undefined : NOTIFICATION_PARAMS[message.method];
    if (check && !check(params)) return { id: null, code: ErrorCodes.InvalidParams, message: `Invalid params for ${message.method}.` };
    return undefined;
  }
  // A response.
  if (message.id !== null && !isId(message.id)) return invalid(null, 'A response "id" must be a string, a number or null.');
  const hasResult = 'result' in message;
  const hasError = 'error' in message;
  if (hasResult === hasError) return invalid(null, 'A message needs a "method" (request, notification) or exactly one of "result" and "error" (response).');
  if (hasError && !(isObject(message.error) && typeof message.error.code === 'number' && typeof message.error.message === 'string')) {
    return invalid(null, 'A response "error" must have a numeric "code" and a string "message".');
  }
  return undefined;
}
