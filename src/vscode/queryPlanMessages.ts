/**
 * Messages between the query-plan webview (media/plan) and the extension. Types only (the webview
 * bundle imports this file too).
 */
import type { DbExplainResult } from '../protocol';

/** Extension → webview. */
export type ToQueryPlan = { type: 'result'; result: DbExplainResult } | { type: 'pending'; what: string } | { type: 'error'; code: string; message: string };

/** Webview → extension. */
export type FromQueryPlan = { type: 'ready' } | { type: 'copy'; text: string };
