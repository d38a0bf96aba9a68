/** An engine served over an in-memory transport, with a scriptable fake `host/lm/chat` on the client side. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { HostLmChatParams, HostLmChatResult } from '../../../src/protocol';
import { createEngine } from '../../../src/engine/createEngine';
import { call, type Engine } from '../../../src/engine/engine';
import { silentLogger } from '../../../src/engine/log';
import { LlmProviderKey } from '../../../src/engine/llm/services';
import type { VscodeLmProvider } from '../../../src/engine/llm/providers/vscodeLm';
import { RpcClient, type HostRequestContext } from '../../../src/common/rpc/rpcClient';
import { serveEngine } from '../../../src/engine/rpc/serveEngine';
import { memoryTransportPair } from '../../helpers/memoryTransport';

export type FakeChat = (params: HostLmChatParams, ctx: HostRequestContext<{ text: string }>) => Promise<HostLmChatResult>;

export interface Served {
  engine: Engine;
  client: RpcClient;
  /** Every `host/lm/chat` request the host received, in order. */
  received: HostLmChatParams[];
  /** The configured vscode-lm provider (built from `keel.provider = vscode-lm`). */
  provider(): Promise<VscodeLmProvider>;
  close(): Promise<void>;
}

export async function serveWithHost(chat: FakeChat | undefined, settings: Record<string, unknown> = {}): Promise<Served> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-lmbridge-'));
  const engine = createEngine({ host: 'in-process', log: silentLogger, storageDir: tmp, globalStorageDir: tmp });
  const [serverSide, clientSide] = memoryTransportPair();
  serveEngine(engine, serverSide);
  const client = new RpcClient(clientSide);
  const received: HostLmChatParams[] = [];
  if (chat) {
    client.onRequest('host/lm/chat', (params, ctx) => {
      received.push(params);
      return chat(params, ctx);
    });
  }
  await client.request('engine/configure', { settings: { 'keel.provider': 'vscode-lm', ...settings } });
  return {
    engine,
    client,
    received,
    provider: async () => engine.services.get(LlmProviderKey) as VscodeLmProvider,
    close: async () => {
      client.close();
      await engine.shutdown();
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Streams `parts` as chunks, a macrotask apart (like a real model), then answers. */
export function streams(parts: string[], model = 'copilot/gpt-4o-mini'): FakeChat {
  return async (_params, ctx) => {
    for (const text of parts) {
      await new Promise((resolve) => setTimeout(resolve, 1));
      ctx.stream({ text });
    }
    return { model };
  };
}

export { call };
