/**
 * What Keel's VS Code surfaces say and choose, as pure functions of protocol data: the report texts,
 * the index notifications, the chat's context chips, the question's workspace folder, the API-key
 * prompt and the cost meter's screen-reader label. (The host tier drives the same code in VS Code.)
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EgressLogEntry, IndexStatus } from '../../../src/protocol';
import { CostLedger } from '../../../src/engine/llm/ledger';
import { attachmentPills, contextPills, RETRIEVED_PILLS_WITH_ATTACHMENT } from '../../../src/vscode/chatPills';
import { chooseRoot } from '../../../src/vscode/chatTarget';
import { accessibleLabel } from '../../../src/vscode/costFormat';
import { apiKeyPromptTitle, PROVIDER_NAMES } from '../../../src/vscode/providerNames';
import { progressText, renderEgressLog, renderIndexStatus, summaryText } from '../../../src/vscode/reportText';
import { settledLength } from '../../../media/chat/streamBlocks';

describe('surface text and choices', () => {
  it('renders the index status as a Markdown report whose table survives odd paths', () => {
    const status: IndexStatus = { store: '/s', roots: ['/ws'], files: 1234, chunks: 5678, bytes: 3 * 1024 * 1024, embedder: 'keel-code', lastUpdated: '2026-12-07T10:00:00Z', skipped: [{ path: 'a|b.bin', reason: 'binary' }] };
    const text = renderIndexStatus(status);
    assert.match(text, /^# Keel index\n/);
    assert.match(text, /\| files \| 1,234 \|/);
    assert.match(text, /\| size on disk \| 3\.00 MB \|/);
    assert.match(text, /\| `a\\\|b\.bin` \| binary \|/);
    assert.match(renderIndexStatus({ ...status, skipped: [] }), /## Skipped files \(0\)\n\nNone\./);
  });

  it('renders the egress log with one row per call, and says so when nothing left', () => {
    const entry: EgressLogEntry = { time: 't1', provider: 'openai', host: 'api.openai.com', model: 'gpt-4.1', purpose: 'chat', bytes: 10, requests: 1, tokens: { input: 5, cacheRead: 1, cacheWrite: 0, output: 2 }, redactions: 0, files: ['a.ts'], outcome: 'ok' };
    const text = renderEgressLog([entry], false, '/state/egress.jsonl');
    assert.match(text, /Local-only mode: \*\*off\*\*\. 1 most recent/);
    assert.match(text, /\| t1 \| openai \| api\.openai\.com \| gpt-4\.1 \| chat \| 10 \| 6\/2 \| 0 \| `a\.ts` \| ok \|/);
    assert.match(renderEgressLog([], true, null), /nothing has left this machine/);
  });

  it('says what Index Workspace did, and where it is', () => {
    assert.equal(summaryText({ files: 12, chunks: 140, skipped: 0, ms: 850 }), 'indexed 12 files → 140 chunks in 850 ms.');
    assert.equal(summaryText({ files: 1, chunks: 1, skipped: 2, ms: 12_340 }), 'indexed 1 file → 1 chunk in 12.3 s, 2 skipped.');
    assert.equal(progressText({ phase: 'embed', done: 40, total: 1200 }), 'Embedding 40/1,200');
    assert.equal(progressText({ phase: 'walk', done: 0, total: 0 }), 'Finding files');
  });

  it('puts the attached selection first and caps the retrieved chips after it, dropping ones inside the selection', () => {
    const attached = attachmentPills([{ kind: 'selection', path: 'src/routes/orders.ts', startLine: 11, text: 'a\nb\nc\n' }]);
    assert.deepEqual(attached, [{ id: 'selection:src/routes/orders.ts:11-13', path: 'src/routes/orders.ts', startLine: 11, endLine: 13, symbol: 'selection', attached: 'selection' }]);
    const passages = Array.from({ length: 8 }, (_, i) => ({ id: `p${i}`, path: `src/f${i}.ts`, startLine: 1, endLine: 5, symbol: '' }));
    passages.unshift({ id: 'dup', path: 'src/routes/orders.ts', startLine: 11, endLine: 12, symbol: 'listOrders' });
    const pills = contextPills(passages, attached);
    assert.equal(pills[0].attached, 'selection');
    assert.equal(pills.length, 1 + RETRIEVED_PILLS_WITH_ATTACHMENT);
    assert.ok(!pills.some((p) => p.id === 'dup'), 'a passage inside the selection is not a second chip');
    assert.equal(contextPills(passages, []).length, passages.length, 'without an attachment every retrieved passage gets a chip');
    assert.deepEqual(attachmentPills([{ kind: 'problems', text: 'x' }]), []);
  });

  it('asks about the workspace folder that holds the active file (multi-root), else the first', () => {
    const folders = ['/ws/api', '/ws/api-v2', '/ws/web'];
    assert.equal(chooseRoot(folders, '/ws/web/src/app.ts'), '/ws/web');
    assert.equal(chooseRoot(folders, '/ws/api-v2/x.ts'), '/ws/api-v2');
    assert.equal(chooseRoot(['/ws', '/ws/packages/db'], '/ws/packages/db/schema.ts'), '/ws/packages/db');
    assert.equal(chooseRoot(folders, '/elsewhere/x.ts'), '/ws/api');
    assert.equal(chooseRoot(folders, undefined), '/ws/api');
    assert.equal(chooseRoot([], '/x'), undefined);
  });

  it('names providers properly in the API-key prompt', () => {
    assert.equal(apiKeyPromptTitle('openai'), 'Keel: OpenAI API key');
    assert.equal(apiKeyPromptTitle('anthropic'), 'Keel: Anthropic API key');
    for (const name of Object.values(PROVIDER_NAMES)) assert.match(name, /^[A-Z]/);
  });

  it('gives the cost meter a plain-sentence screen-reader label (no Markdown)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keel-a11y-'));
    try {
      const ledger = new CostLedger({ dir, budget: { dailyUsd: 0.5, monthlyUsd: 0, action: 'warn' } });
      ledger.record({ feature: 'chat', taskKind: 'chat', provider: 'anthropic', tier: 'reasoning', latencyMs: 5, model: 'claude-sonnet-4-5', usage: { input: 100_000, cacheWrite: 0, cacheRead: 0, output: 0 } });
      const label = accessibleLabel(ledger.summary());
      assert.equal(label, 'Keel model spend: $0.30 today in 1 call, $0.30 this month in 1 call. Daily budget $0.30 of $0.50 (60%). Opens the cost report.');
      assert.doesNotMatch(label, /[|*`#]|---/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('settles only complete Markdown blocks while an answer streams', () => {
    assert.equal(settledLength('One paragraph still growing'), 0);
    assert.equal(settledLength('Done.\n\nGrowing'), 'Done.\n\n'.length);
    assert.equal(settledLength('```ts\nconst a = 1;\n\nstill in the fence'), 0, 'an open fence is one growing block');
    assert.equal(settledLength('```ts\nx\n```\nafter'), '```ts\nx\n```\n'.length);
    assert.equal(settledLength('| a |\n|---|\n| 1 |'), 0, 'a table is settled only when something follows it');
    assert.equal(settledLength('a\r\n\r\nb'), 0, 'normalised line endings: nothing is trusted');
  });
});
