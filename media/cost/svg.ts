/** Builds SVG with DOM APIs only: every label goes in through textContent, never markup. */
const NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, ...children: Array<SVGElement | string>): SVGElementTagNameMap[K] {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  for (const child of children) node.append(child);
  return node;
}

/** A hover title for an SVG element (screen readers and tooltips). */
export function titled<T extends SVGElement>(node: T, title: string): T {
  const t = svg('title');
  t.textContent = title;
  node.prepend(t);
  return node;
}
