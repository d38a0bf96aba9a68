/**
 * The model router: a pure function from a request (task kind + question + sizes + user choices) to
 * the tier and model that should answer it, with a reason the UI can show. Pure so it is trivially
 * testable and evaluable against the labelled mix (scripts/eval-router.ts).
 */
import type { TaskKind, Tier } from '../../../protocol';
import { FAST_SIGNALS, matchSignals, PRODUCTION_SIGNALS, REASONING_SIGNALS, SECURITY_SIGNALS } from './signals';
import type { RouteDecision, RouteRequest, TierModels } from './types';

/**
 * Task kinds whose answer is a judgment a user acts on. Only these can be "security work": re-ranking,
 * classifying, extracting, completing a line or writing a commit message about auth code asks the model
 * for no security judgment, and they are latency-critical, so they stay on the fast tier.
 */
const JUDGMENT_KINDS: ReadonlySet<TaskKind> = new Set<TaskKind>(['chat', 'summarize', 'code-review', 'sql-review']);

/** Kinds that are always reasoning-tier: reviews exist to find what is subtle. */
const ALWAYS_REASONING: ReadonlySet<TaskKind> = new Set<TaskKind>(['code-review', 'sql-review']);

/**
 * Kinds that are mechanical by construction. Summaries stay fast even when long: summarising is linear
 * in length, unlike an open question over the same code (a summary of auth code still goes to the
 * reasoning tier, via the security check above them).
 */
const ALWAYS_FAST: ReadonlySet<TaskKind> = new Set<TaskKind>(['completion', 'rerank', 'classify', 'extract', 'commit-message', 'summarize']);

/** Above these sizes a question is hard to answer well with a small model (long-range dependencies). */
export const LARGE_CODE_TOKENS = 1500;
export const LARGE_CONTEXT_TOKENS = 16_000;
/** A question with no signals and more words than this is usually a multi-part problem statement. */
const LONG_QUESTION_WORDS = 45;
const FOLLOW_UP = /^\s*(?:and|but|also|so|ok(?:ay)?|then|what about|how about|why|what if|could (?:it|that|this)|is (?:it|that|this)|it|that|this|same)\b/i;

export function route(request: RouteRequest, tiers: TierModels): RouteDecision {
  const security = JUDGMENT_KINDS.has(request.taskKind) ? matchSignals(request.text, SECURITY_SIGNALS) : [];
  const securitySensitive = security.length > 0;
  const pick = (tier: Tier, reason: string, decidedBy: RouteDecision['decidedBy']): RouteDecision => ({
    tier,
    provider: tiers[tier].provider,
    model: tiers[tier].model,
    reason,
    securitySensitive,
    decidedBy,
  });

  const forced = request.override ?? (request.mode !== 'auto' ? request.mode : undefined);
  if (forced) {
    const by = request.override ? 'override' : 'mode';
    const source = request.override ? 'you asked for it' : `keel.routing.mode is "${request.mode}"`;
    if (forced === 'fast' && securitySensitive) {
      // Honoured, but never silently: the reason carries the warning to the UI.
      return pick('fast', `Fast tier because ${source} — note: this looks security-sensitive (${security.join(', ')}); re-ask with the reasoning model for a careful answer.`, by);
    }
    return pick(forced, `${capitalise(forced)} tier because ${source}.`, by);
  }

  if (securitySensitive) return pick('reasoning', `Security-sensitive (${security.join(', ')}): always the reasoning tier.`, 'router');
  if (ALWAYS_REASONING.has(request.taskKind)) return pick('reasoning', `${request.taskKind} needs careful review: reasoning tier.`, 'router');
  if (ALWAYS_FAST.has(request.taskKind)) return pick('fast', `${request.taskKind} is mechanical: fast tier.`, 'router');

  const reasoning = matchSignals(request.text, REASONING_SIGNALS);
  const fast = matchSignals(request.text, FAST_SIGNALS);
  // Size matters for open questions (long-range dependencies in the code the answer must follow).
  if (request.taskKind === 'chat' && (request.codeTokens ?? 0) > LARGE_CODE_TOKENS) reasoning.push('large code');
  if (request.taskKind === 'chat' && (request.contextTokens ?? 0) > LARGE_CONTEXT_TOKENS) reasoning.push('large context');
  const producing = fast.some((s) => PRODUCTION_SIGNALS.has(s));
  const fastWeight = fast.reduce((sum, s) => sum + (PRODUCTION_SIGNALS.has(s) ? 1.5 : 1), 0);

  let decision: RouteDecision;
  if (reasoning.length > 0 && reasoning.length >= fastWeight) {
    decision = pick('reasoning', `Needs reasoning (${reasoning.join(', ')}).`, 'router');
  } else if (fast.length > 0) {
    decision = pick('fast', `Mechanical (${fast.join(', ')})${reasoning.length ? ` outweighs ${reasoning.join(', ')}` : ''}: fast tier.`, 'router');
  } else if (wordCount(request.text) > LONG_QUESTION_WORDS) {
    decision = pick('reasoning', 'Long, multi-part question: reasoning tier.', 'router');
  } else {
    decision = pick('fast', 'Short question with no sign of hard work: fast tier.', 'router');
  }

  // Stickiness: a follow-up in a conversation the reasoning tier has been answering stays there —
  // switching models mid-thread loses nuance, and follow-ups are short so they look deceptively easy.
  if (decision.tier === 'fast' && !producing && request.previousTier === 'reasoning' && FOLLOW_UP.test(request.text)) {
    return pick('reasoning', 'Follow-up in a conversation the reasoning tier is answering: staying on it.', 'router');
  }
  return decision;
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
