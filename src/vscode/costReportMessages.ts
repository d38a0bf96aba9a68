/**
 * Messages between the cost report webview (media/cost) and the extension. Types only (the webview
 * bundle imports this file too).
 */
import type { CostSummary } from '../protocol';

/** Extension → webview. */
export type ToCostReport = { type: 'summary'; summary: CostSummary } | { type: 'error'; message: string };

/** Webview → extension. */
export type FromCostReport = { type: 'ready' } | { type: 'refresh' };
