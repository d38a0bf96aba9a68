/**
 * `engine/countdown`: a test-only request that exercises streaming and cancellation end to end on
 * every transport. The product never registers it; tests do, in process (registerCountdown), in a
 * worker (countdownWorker.ts) or behind `keel serve --stdio` (countdownServe.ts).
 */
import { KeelError, throwIfCancelled } from '../../src/common/errors';
import type { RpcClient } from '../../src/common/rpc/rpcClient';
import type { Engine, Handler } from '../../src/engine/engine';
import type { RequestMethod } from '../../src/protocol';

export const COUNTDOWN = 'engine/countdown';
export interface CountdownParams {
  count: number;
  delayMs: number;
}

export function registerCountdown(engine: Engine): void {
  const handler = async (params: CountdownParams, ctx: { signal: AbortSignal; stream(chunk: { n: number }): void }): Promise<{ completed: number }> => {
    if (!Number.isInteger(params.count) || params.count < 0 || params.count > 10_000) {
      throw new KeelError('INVALID_PARAMS', 'count must be an integer between 0 and 10000');
    }
    let completed = 0;
    for (let n = params.count; n > 0; n--) {
      throwIfCancelled(ctx.signal);
      ctx.stream({ n });
      completed++;
      await delay(params.delayMs, ctx.signal);
    }
    return { completed };
  };
  // Outside the protocol's RequestMap on purpose: it is not part of the product's contract.
  engine.handle(COUNTDOWN as RequestMethod, handler as unknown as Handler<RequestMethod>);
}

/** Typed call of the test-only method through a client. */
export function countdown(
  client: RpcClient,
  params: CountdownParams,
  options: { signal?: AbortSignal; onChunk?: (chunk: { n: number }) => void; timeoutMs?: number } = {},
): Promise<{ completed: number }> {
  return client.request(COUNTDOWN as 'engine/ping', params as never, options as never) as unknown as Promise<{ completed: number }>;
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new KeelError('CANCELLED', 'The request was cancelled.'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
