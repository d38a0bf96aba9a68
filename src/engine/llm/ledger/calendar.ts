/**
 * Calendar keys for aggregation. Spend is bucketed by the user's LOCAL day and month — "today" in the
 * status bar has to mean the day the user is living in, not UTC's.
 */
export function dayKey(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function monthKey(ms: number): string {
  return dayKey(ms).slice(0, 7);
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
