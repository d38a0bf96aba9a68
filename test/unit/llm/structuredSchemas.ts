/** Schemas shared by the LLM specs (defined once, like production schemas). */
import { z } from 'zod';
import { defineSchema } from '../../../src/engine/llm/structured';

export const Verdict = defineSchema('verdict', 'A yes/no verdict with a reason', z.object({ ok: z.boolean(), reason: z.string() }));
