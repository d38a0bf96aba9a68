import assert from 'node:assert/strict';
import { AnthropicServer } from '../../servers/anthropic';
import { parseFaultHeader, type WireServer } from '../../servers/harness';
import { OpenAIChatServer } from '../../servers/openaiChat';

/** Raw SSE frames of a response: [{event, data}]. */
async function frames(res: Response): Promise<Array<{ event?: string; data: string }>> {
  const text = await res.text();
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1] ?? '';
      return { event, data };
    });
}

/** Starts `server`, runs `use` against it, and closes it whatever happens. */
async function withServer<S extends WireServer>(server: S, use: (started: S) => Promise<void>): Promise<void> {
  await server.start();
  try {
    await use(server);
  } finally {
    await server.close();
  }
}

/** POSTs `body` as JSON to `url` with `headers`. */
function postJson(url: string, headers: Record<string, string>, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('llm test servers speak the wire protocols', () => {
  it('OpenAI: chunk objects, finish_reason, a usage-only final chunk with cached_tokens, then data: [DONE]', async () => {
    await withServer(new OpenAIChatServer(), async (server) => {
      server.replies.push({ text: 'hello world' });
      const res = await postJson(`${server.baseURL}/chat/completions`, { authorization: 'Bearer sk-x' }, {
        model: 'gpt-4.1', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }],
      });
      assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      assert.match(res.headers.get('x-request-id') ?? '', /^req_/);
      const f = await frames(res);
      assert.equal(f.at(-1)!.data, '[DONE]');
      const chunks = f.slice(0, -1).map((x) => JSON.parse(x.data) as { object: string; choices: Array<{ delta: { content?: string }; finish_reason: string | null }>; usage: unknown });
      assert.ok(chunks.every((c) => c.object === 'chat.completion.chunk'));
      assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? '').join(''), 'hello world');
      assert.equal(chunks.at(-2)!.choices[0]!.finish_reason, 'stop');
      assert.deepEqual(chunks.at(-1)!.choices, []);
      const usage = chunks.at(-1)!.usage as { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } };
      assert.ok(usage.prompt_tokens > 0);
      assert.equal(usage.prompt_tokens_details.cached_tokens, 0);
      assert.ok(chunks.slice(0, -1).every((c) => c.usage === null), 'usage: null on every other chunk');
    });
  });

  it('Anthropic: message_start → content_block_start → ping → deltas → content_block_stop → message_delta → message_stop', async () => {
    await withServer(new AnthropicServer(), async (server) => {
      server.replies.push({ text: 'hi there' });
      const res = await postJson(`${server.baseURL}/v1/messages`, { 'x-api-key': 'sk-ant-x', 'anthropic-version': '2023-06-01' }, {
        model: 'claude-haiku-4-5', max_tokens: 100, stream: true, messages: [{ role: 'user', content: 'hi' }],
      });
      assert.match(res.headers.get('request-id') ?? '', /^req_/);
      const f = await frames(res);
      const names = f.map((x) => x.event);
      assert.deepEqual([names[0], names[1], names[2]], ['message_start', 'content_block_start', 'ping']);
      assert.deepEqual(names.slice(-3), ['content_block_stop', 'message_delta', 'message_stop']);
      for (const x of f) assert.equal((JSON.parse(x.data) as { type: string }).type, x.event, 'data.type mirrors the event name');
      const start = JSON.parse(f[0]!.data) as { message: { usage: Record<string, number> } };
      assert.deepEqual(Object.keys(start.message.usage).filter((k) => k.endsWith('_tokens')).sort(), [
        'cache_creation_input_tokens',
        'cache_read_input_tokens',
        'input_tokens',
        'output_tokens',
      ]);
      const delta = JSON.parse(f.at(-2)!.data) as { delta: { stop_reason: string }; usage: { output_tokens: number } };
      assert.equal(delta.delta.stop_reason, 'end_turn');
      assert.ok(delta.usage.output_tokens > 0);
    });
  });

  it('faults are selectable per request by header; missing credentials are refused like the real APIs', async () => {
    assert.deepEqual(parseFaultHeader('rate-limit;retry-after=3'), { mode: 'rate-limit', retryAfterS: 3 });
    assert.deepEqual(parseFaultHeader('cut-stream;after=2'), { mode: 'cut-stream', afterEvents: 2 });
    assert.equal(parseFaultHeader('no-such-mode'), undefined);
    await withServer(new AnthropicServer(), async (server) => {
      const post = (headers: Record<string, string>) =>
        postJson(`${server.baseURL}/v1/messages`, headers, { model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
      const limited = await post({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'x-keel-fault': 'rate-limit;retry-after=3' });
      assert.equal(limited.status, 429);
      assert.equal(limited.headers.get('retry-after'), '3');
      assert.deepEqual(((await limited.json()) as { error: { type: string } }).error.type, 'rate_limit_error');
      const overloaded = await post({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01', 'x-keel-fault': 'overloaded' });
      assert.equal(overloaded.status, 529);
      await overloaded.body?.cancel();
      const anonymous = await post({ 'anthropic-version': '2023-06-01' });
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
      const ok = await post({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
      assert.equal(((await ok.json()) as { type: string }).type, 'message', 'non-streaming responses too');
    });
  });
});
