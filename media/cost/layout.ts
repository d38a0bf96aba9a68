/**
 * Chart geometry for the cost report, as pure functions (no DOM) so they are unit-tested in Node:
 * the webview only turns these numbers into SVG elements.
 */
import type { CostBucket } from '../../src/protocol';

export interface Bar {
  label: string;
  value: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A round axis maximum ≥ max (1, 2, 2.5 or 5 × a power of ten), so gridlines land on readable values. */
export function niceMax(max: number): number {
  if (!(max > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

/** The last `days` calendar days ending at `lastDay` (YYYY-MM-DD), with zero for days without calls. */
export function fillDays(perDay: readonly CostBucket[], lastDay: string, days: number): Array<{ label: string; value: number }> {
  const byDay = new Map(perDay.map((b) => [b.key, b.costUsd]));
  const [y, m, d] = lastDay.split('-').map(Number);
  const out: Array<{ label: string; value: number }> = [];
  for (let i = days - 1; i >= 0; i--) {
    const date = new Date(y, m - 1, d - i);
    const key = `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
    out.push({ label: key, value: byDay.get(key) ?? 0 });
  }
  return out;
}

/** Vertical columns filling `width` × `height`; negative values are drawn as zero-height columns. */
export function columns(values: ReadonlyArray<{ label: string; value: number }>, width: number, height: number, gap = 2): { bars: Bar[]; max: number } {
  const max = niceMax(Math.max(0, ...values.map((v) => v.value)));
  const slot = values.length ? width / values.length : width;
  const bars = values.map((v, i) => {
    const h = (Math.max(0, v.value) / max) * height;
    return { label: v.label, value: v.value, x: i * slot + gap / 2, y: height - h, width: Math.max(1, slot - gap), height: h };
  });
  return { bars, max };
}

/** Horizontal bars, one row each, lengths proportional to |value| against the largest |value|. */
export function rows(values: ReadonlyArray<{ label: string; value: number }>, width: number, rowHeight: number, gap = 6): { bars: Bar[]; max: number; height: number } {
  const max = niceMax(Math.max(0, ...values.map((v) => Math.abs(v.value))));
  const bars = values.map((v, i) => ({ label: v.label, value: v.value, x: 0, y: i * (rowHeight + gap), width: (Math.abs(v.value) / max) * width, height: rowHeight }));
  return { bars, max, height: values.length * (rowHeight + gap) };
}

export function formatUsd(x: number): string {
  const sign = x < 0 ? '−' : '';
  const a = Math.abs(x);
  return `${sign}$${a !== 0 && a < 0.01 ? a.toFixed(4) : a.toFixed(2)}`;
}
