/**
 * Fixtures for the retrieval specs: a deterministic hashing embedder (tests must not depend on the
 * trained model's weights) and a tiny in-memory corpus of realistic backend code.
 */
import type { Embedder } from '../../../src/engine/embed/types';
import { analyze } from '../../../src/engine/search/analyzer';
import { MemorySource, type MemoryChunk } from '../../../src/engine/search/source';

export class HashEmbedder implements Embedder {
  readonly id = 'test-retrieval-hash';
  readonly local = true;
  calls = 0;

  constructor(readonly dimensions = 128) {}

  async embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    if (signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });
    this.calls++;
    return texts.map((text) => {
      const v = new Float32Array(this.dimensions);
      for (const token of analyze(text)) {
        let h = 2166136261;
        for (let i = 0; i < token.length; i++) h = Math.imul(h ^ token.charCodeAt(i), 16777619);
        v[(h >>> 0) % this.dimensions] += 1;
      }
      let norm = 0;
      for (const x of v) norm += x * x;
      norm = Math.sqrt(norm) || 1;
      return v.map((x) => x / norm);
    });
  }
}

export function chunk(id: string, path: string, startLine: number, endLine: number, symbol: string, text: string, language = 'typescript'): MemoryChunk {
  return { id, path, language, symbol, startLine, endLine, text };
}

export const CORPUS: MemoryChunk[] = [
  chunk('users#0', 'src/users/userService.ts', 1, 20, 'UserService.findByEmail', 'async findByEmail(email: string) {\n  return this.db.user.findUnique({ where: { email } });\n}'),
  chunk('users#1', 'src/users/userService.ts', 21, 40, 'UserService.deleteUser', 'async deleteUser(id: string) {\n  await this.db.user.delete({ where: { id } });\n}'),
  chunk('orders#0', 'src/orders/orderRepository.ts', 1, 30, 'OrderRepository.listForCustomer', 'listForCustomer(customerId) {\n  return db.query("SELECT * FROM orders WHERE customer_id = $1", [customerId]);\n}'),
  chunk('orders#1', 'src/orders/orderRepository.ts', 31, 50, 'OrderRepository.totalSpend', 'totalSpend(customerId) {\n  const rows = await this.listForCustomer(customerId);\n  return rows.reduce((sum, o) => sum + o.amount, 0);\n}'),
  chunk('db#0', 'src/db/pool.ts', 1, 25, 'createPool', 'export function createPool(url) {\n  if (!url) throw new Error("connection refused: DATABASE_URL missing");\n  return new Pool({ connectionString: url });\n}'),
  chunk('py#0', 'analytics/reports.py', 1, 15, 'monthly_revenue', 'def monthly_revenue(session, month):\n    return session.query(Order).filter(Order.month == month).all()', 'python'),
  chunk('readme#0', 'README.md', 1, 10, 'Setup', '# Setup\nSet DATABASE_URL and run the migrations before starting the API server.', 'markdown'),
];

export async function memorySource(embedder: Embedder | undefined = new HashEmbedder(), chunks: MemoryChunk[] = CORPUS): Promise<MemorySource> {
  const source = new MemorySource(embedder);
  await source.add(chunks);
  return source;
}
