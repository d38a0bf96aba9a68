/** Model routing: pick the fast or reasoning tier per request (see route.ts) and the default tier models. */
export { route, LARGE_CODE_TOKENS, LARGE_CONTEXT_TOKENS } from './route';
export type { RouteDecision, RouteRequest, TierModel, TierModels } from './types';
export { defaultTierModels } from './tierModels';
