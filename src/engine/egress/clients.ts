/**
 * THE door: every HTTP client Keel uses is built here, on the egress gate's fetch, so no caller can
 * forget local-only mode, redaction, the audit line, redirects, time limits or response bounds.
 * SDK retries are off (Keel retries through retry.ts, capped), and the SDKs' console logging is off
 * (it would print response data). test/unit/egress/door.spec.ts fails if any other file in src/
 * constructs an SDK client or calls fetch.
 */
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import type { EgressGate } from './gate';

export interface ClientOptions {
  /** Why the requests leave the machine (audit `purpose`). */
  purpose: string;
  /** Audit `provider` of requests not tagged with a call. */
  provider: string;
  apiKey: string;
  baseURL?: string;
  /**
   * The SDK's own limit until response headers. The gate enforces keel.llm.timeoutS below it; this is
   * only a backstop, or a tighter limit a caller chose.
   */
  timeoutMs?: number;
}

/** Far above any sensible keel.llm.timeoutS: the gate's limit is the one that fires. */
const SDK_BACKSTOP_MS = 24 * 60 * 60_000;

/** What both SDKs get: the gate's fetch, no retries of their own (the gate's policy decides), quiet. */
function sdkOptions(gate: EgressGate, o: ClientOptions) {
  return {
    apiKey: o.apiKey,
    baseURL: o.baseURL,
    fetch: gate.fetchFor(o.purpose, o.provider),
    maxRetries: 0,
    timeout: o.timeoutMs ?? SDK_BACKSTOP_MS,
    logLevel: 'off' as const,
  };
}

export function openaiClient(gate: EgressGate, o: ClientOptions): OpenAI {
  return new OpenAI(sdkOptions(gate, o));
}

export function anthropicClient(gate: EgressGate, o: ClientOptions): Anthropic {
  return new Anthropic(sdkOptions(gate, o));
}

/** Plain HTTP (the rerank APIs): the gate's fetch itself. */
export function httpClient(gate: EgressGate, purpose: string, provider: string): typeof fetch {
  return gate.fetchFor(purpose, provider);
}
