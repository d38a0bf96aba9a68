/**
 * (doc comment → function) pairs, the supervision for the contrastive step: the docstring's summary is
 * what a person would ask; the function (without that docstring) is what they want found. Line-based
 * extraction is enough here — a missed or malformed pair only costs one training example.
 */

export interface FunctionSpan {
  /** Summary of the doc comment (first paragraph, whitespace collapsed); '' when there is none. */
  doc: string;
  /** The function's source without its doc comment. */
  code: string;
  /** The doc comment after its summary (parameters, returns, details); '' when none. */
  docRest: string;
  /** The function's full source as written (doc included): what the dedupe hash is taken over. */
  full: string;
}

const PY_DEF = /^(\s*)(?:async\s+)?def\s+[A-Za-z_]\w*\s*\(/;
const DOC_OPEN = /^[rRuUbB]{0,2}("""|''')/;

export function pythonFunctions(text: string): FunctionSpan[] {
  const lines = text.split('\n');
  const out: FunctionSpan[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = PY_DEF.exec(lines[i]);
    if (!m) continue;
    const indent = m[1].length;
    let sigEnd = i;
    while (sigEnd < lines.length && sigEnd < i + 15 && !/:\s*(#.*)?$/.test(lines[sigEnd])) sigEnd++;
    if (sigEnd >= lines.length) break;
    let end = sigEnd + 1;
    while (end < lines.length && (lines[end].trim() === '' || indentOf(lines[end]) > indent)) end++;
    while (end > sigEnd + 1 && lines[end - 1].trim() === '') end--;
    const body = lines.slice(sigEnd + 1, end);
    const full = lines.slice(i, end).join('\n');
    let doc = '';
    let docRest = '';
    let codeBody = body;
    const firstIdx = body.findIndex((l) => l.trim() !== '');
    if (firstIdx >= 0) {
      const first = body[firstIdx].trim();
      const open = DOC_OPEN.exec(first);
      if (open) {
        const quote = open[1];
        const afterOpen = first.slice(open[0].length);
        let docLines: string[];
        let closeIdx: number;
        if (afterOpen.includes(quote)) {
          docLines = [afterOpen.slice(0, afterOpen.indexOf(quote))];
          closeIdx = firstIdx;
        } else {
          docLines = [afterOpen];
          closeIdx = firstIdx + 1;
          while (closeIdx < body.length && !body[closeIdx].includes(quote)) docLines.push(body[closeIdx++]);
          if (closeIdx < body.length) docLines.push(body[closeIdx].slice(0, body[closeIdx].indexOf(quote)));
        }
        doc = summary(docLines);
        docRest = afterSummary(docLines);
        codeBody = [...body.slice(0, firstIdx), ...body.slice(closeIdx + 1)];
      }
    }
    out.push({ doc, docRest, code: [...lines.slice(i, sigEnd + 1), ...codeBody].join('\n'), full });
  }
  return out;
}

const JS_DECL =
  /^\s*(?:export\s+)?(?:default\s+)?(?:(?:public|private|protected|static|async|get|set)\s+)*(?:function\s*\*?\s*[\w$]+\s*\(|[\w$.]+\s*[=:]\s*(?:async\s+)?(?:function\b|\([^)]*\)\s*=>|[\w$]+\s*=>)|(?:const|let|var)\s+[\w$]+\s*=\s*(?:async\s+)?(?:function\b|\(|[\w$]+\s*=>)|[\w$]+\s*\([^)]*\)\s*\{)/;

export function jsFunctions(text: string): FunctionSpan[] {
  const out: FunctionSpan[] = [];
  const re = /\/\*\*([\s\S]*?)\*\//g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    const after = m.index + m[0].length;
    const rest = text.slice(after, after + 400);
    const declLine = /^\s*\n?([^\n]*)/.exec(rest)?.[1] ?? '';
    if (!JS_DECL.test(declLine)) continue;
    const open = text.indexOf('{', after);
    if (open < 0 || open - after > 400) continue;
    let depth = 0;
    let close = -1;
    for (let k = open; k < text.length && k < open + 20_000; k++) {
      const c = text[k];
      if (c === '{') depth++;
      else if (c === '}' && --depth === 0) {
        close = k;
        break;
      }
    }
    if (close < 0) continue;
    const code = text.slice(after, close + 1).replace(/^\s*\n/, '');
    const docLines = m[1].split('\n').map((l) => l.replace(/^\s*\*\s?/, ''));
    const tagAt = docLines.findIndex((l) => /^\s*@/.test(l));
    out.push({ doc: summary(tagAt >= 0 ? docLines.slice(0, tagAt) : docLines), docRest: afterSummary(docLines), code, full: text.slice(m.index, close + 1) });
  }
  return out;
}

/** First paragraph, without reST/Google-style field lists, whitespace collapsed, at most 60 words. */
export function summary(docLines: string[]): string {
  const para: string[] = [];
  for (const raw of docLines) {
    const line = raw.trim();
    if (line === '') {
      if (para.length > 0) break;
      continue;
    }
    if (/^(:param|:return|:rtype|:raises|@param|@return|Args:|Returns:|Parameters|Raises:|>>>)/.test(line)) break;
    para.push(line);
  }
  return para.join(' ').replace(/\s+/g, ' ').split(' ').slice(0, 60).join(' ').trim();
}

/** Everything after the summary paragraph, whitespace collapsed. */
export function afterSummary(docLines: string[]): string {
  const first = docLines.findIndex((l) => l.trim() !== '');
  if (first < 0) return '';
  let end = first;
  while (end < docLines.length && docLines[end].trim() !== '') end++;
  return docLines.slice(end).join(' ').replace(/\s+/g, ' ').trim();
}

function indentOf(line: string): number {
  let n = 0;
  while (n < line.length && (line[n] === ' ' || line[n] === '\t')) n++;
  return n;
}
