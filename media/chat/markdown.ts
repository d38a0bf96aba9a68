/**
 * Model output → safe DOM. Model text is untrusted input (prompt injection can make a model emit
 * anything), so it goes markdown → HTML (marked) → DOMPurify with an allowlist → DOM nodes. Links never
 * navigate the webview: they are turned into buttons-with-href that the extension validates before
 * opening. Code highlighting runs on text only (highlight.js escapes), and its output is sanitised again.
 */
import DOMPurify from 'dompurify';
import { Marked } from 'marked';
import { highlight } from './highlight';

const marked = new Marked({ gfm: true, breaks: false, async: false });

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li',
  'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a', 'span',
];
const ALLOWED_ATTR = ['href', 'title', 'class', 'start', 'align'];
/** http(s) and in-page anchors only; everything else (javascript:, data:, vbscript:, file:) is dropped. */
const ALLOWED_URI = /^(?:https?:\/\/|#)/i;

const purifyConfig: import('dompurify').Config & { RETURN_DOM_FRAGMENT: true } = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOWED_URI_REGEXP: ALLOWED_URI,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  FORBID_TAGS: ['style', 'script', 'svg', 'math', 'img', 'iframe', 'object', 'embed', 'form', 'input', 'link', 'meta', 'base'],
  KEEP_CONTENT: true,
  RETURN_DOM_FRAGMENT: true,
};

/** `class` is allowed only for the values Keel itself produces (language-x, hljs-x). */
DOMPurify.addHook('uponSanitizeAttribute', (_node, data) => {
  if (data.attrName === 'class') {
    const safe = data.attrValue.split(/\s+/).filter((c) => /^(?:language-[\w+#-]{1,32}|hljs(?:-[\w-]{1,32})?)$/.test(c));
    data.attrValue = safe.join(' ');
    if (!safe.length) data.keepAttr = false;
  }
});

export interface RenderedMarkdown {
  fragment: DocumentFragment;
  codeBlocks: Array<{ element: HTMLElement; code: string; language: string }>;
}

export function renderMarkdown(markdown: string): RenderedMarkdown {
  const html = marked.parse(markdown) as string;
  const fragment = DOMPurify.sanitize(html, purifyConfig) as unknown as DocumentFragment;
  const codeBlocks: RenderedMarkdown['codeBlocks'] = [];
  for (const pre of Array.from(fragment.querySelectorAll('pre'))) {
    const codeEl = pre.querySelector('code');
    const code = (codeEl ?? pre).textContent ?? '';
    const language = /language-([\w+#-]+)/.exec(codeEl?.className ?? '')?.[1] ?? '';
    const highlighted = document.createElement('code');
    highlighted.className = language ? `language-${language} hljs` : 'hljs';
    highlighted.append(DOMPurify.sanitize(highlight(code, language), purifyConfig) as unknown as DocumentFragment);
    pre.replaceChildren(highlighted);
    codeBlocks.push({ element: pre, code, language });
  }
  for (const anchor of Array.from(fragment.querySelectorAll('a'))) {
    // Never let the webview navigate: the extension validates and opens links.
    anchor.setAttribute('rel', 'noopener noreferrer');
    if (!ALLOWED_URI.test(anchor.getAttribute('href') ?? '')) anchor.removeAttribute('href');
  }
  return { fragment, codeBlocks };
}

/** A `path:line` or `path:start-end` reference, as models are instructed to cite. */
export const CITATION_PATTERN = /(?<![\w/.-])((?:[\w@.-]+\/)*[\w@.-]+\.[A-Za-z0-9]{1,8}):(\d{1,6})(?:-(\d{1,6}))?(?![\w])/g;
