/** The router's inputs and outputs. Kept apart from the logic so callers can import types only. */
import type { ProviderId, RoutingMode, TaskKind, Tier } from '../../../protocol';

export interface RouteRequest {
  taskKind: TaskKind;
  /** The user's question / instruction (not the retrieved context). */
  text: string;
  /** Tokens of retrieved context that will be sent. */
  contextTokens?: number;
  /** Tokens of code the user attached (selection, file, diff). */
  codeTokens?: number;
  /** A per-request choice ("re-ask with reasoning model"); beats the mode. */
  override?: Tier;
  /** `keel.routing.mode`. */
  mode: RoutingMode;
  /** The tier that answered the previous turn of this conversation (stickiness). */
  previousTier?: Tier;
}

export interface TierModel {
  provider: ProviderId;
  model: string;
}

export type TierModels = Record<Tier, TierModel>;

export interface RouteDecision {
  tier: Tier;
  provider: ProviderId;
  model: string;
  /** One human sentence shown in the UI ("why this tier"). */
  reason: string;
  /** The request touches security-sensitive work (auth, payments, PII, crypto, injection …). */
  securitySensitive: boolean;
  /** How the decision was made: by the router, or forced by an override / the mode setting. */
  decidedBy: 'router' | 'override' | 'mode';
}
