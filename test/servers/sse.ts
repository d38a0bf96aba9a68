/**
 * Server-Sent Events as the providers send them: `event:` line (Anthropic) and/or `data:` line, then a
 * blank line. The writer also injects the stream-level faults the test servers offer.
 */
import type { ServerResponse } from 'node:http';

export interface SseEvent {
  event?: string;
  data: string;
}

export function formatSse(e: SseEvent): string {
  return `${e.event ? `event: ${e.event}\n` : ''}data: ${e.data}\n\n`;
}

export type StreamFault =
  | { mode: 'malformed-sse'; afterEvents: number; garbage: SseEvent }
  | { mode: 'cut-stream'; afterEvents: number }
  | { mode: 'hang-mid-stream'; afterEvents: number }
  | { mode: 'stream-error-event'; afterEvents: number; error: SseEvent };

/**
 * Write `events` with a small gap between them (real servers flush per token), applying `fault` after
 * `afterEvents` events. Resolves when the response is finished, abandoned, or the client went away.
 */
export async function writeSseStream(
  res: ServerResponse,
  events: readonly SseEvent[],
  fault: StreamFault | undefined,
  gapMs: number,
): Promise<void> {
  for (let i = 0; i <= events.length; i++) {
    if (res.destroyed || res.writableEnded) return;
    if (fault && i === fault.afterEvents) {
      switch (fault.mode) {
        case 'malformed-sse':
          res.write(formatSse(fault.garbage));
          res.end();
          return;
        case 'cut-stream':
          // Drop the TCP connection without the terminating chunk: the client sees a broken body.
          res.socket?.destroy();
          return;
        case 'hang-mid-stream':
          return; // keep the socket open, send nothing more
        case 'stream-error-event':
          res.write(formatSse(fault.error));
          res.end();
          return;
      }
    }
    if (i === events.length) break;
    res.write(formatSse(events[i]!));
    if (gapMs > 0) await new Promise((r) => setTimeout(r, gapMs));
  }
  res.end();
}

/** Split text into small pieces the way token streams arrive (word-ish, whitespace kept). */
export function pieces(text: string, size = 12): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
