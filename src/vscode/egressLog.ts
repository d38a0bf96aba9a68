/** `Keel: Show Egress Log`: what left this machine, when, to whom and why — as a read-only report. */
import { toKeelError } from '../common/errors';
import type { KeelContext } from './context';
import { renderEgressLog } from './reportText';
import type { ReportDocuments } from './reports';

export function registerEgressLog(ctx: KeelContext, reports: ReportDocuments): { show(): Promise<unknown>; refresh(): Promise<void> } {
  reports.define('egress-log', async () => {
    const log = await ctx.engine.request('egress/log', { limit: 500 });
    return renderEgressLog(log.entries, log.localOnly, log.file);
  });
  return {
    show: () => reports.show('egress-log', 'could not read the egress log'),
    refresh: () => reports.refreshIfOpen('egress-log'),
  };
}
