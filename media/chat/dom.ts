/** Tiny DOM helpers: text always goes in through textContent, never innerHTML. */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: { className?: string; text?: string; title?: string; ariaLabel?: string } = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  if (props.ariaLabel) node.setAttribute('aria-label', props.ariaLabel);
  node.append(...children);
  return node;
}

export function iconButton(icon: string, label: string, onClick: () => void, text?: string): HTMLButtonElement {
  const button = el('button', { className: text ? 'action' : 'icon-button', title: label, ariaLabel: label });
  button.type = 'button';
  button.append(el('span', { className: `codicon codicon-${icon}` }));
  if (text) button.append(el('span', { text }));
  button.addEventListener('click', (event) => {
    event.preventDefault();
    onClick();
  });
  return button;
}
