/**
 * Chunking for files without a tree-sitter grammar. Formats with an obvious structure are cut along
 * it — Markdown at headings, SQL at statements, YAML at top-level keys, Prisma schema at blocks —
 * and anything else falls back to line windows that break at blank lines.
 */
import { lineWindows, mergeSmall, toChunks, type Chunk, type Region } from './chunk';

export type TextLanguage = 'markdown' | 'sql' | 'yaml' | 'prisma' | 'text';

const EXTENSION_LANGUAGE: Record<string, TextLanguage> = {
  '.md': 'markdown', '.mdx': 'markdown', '.markdown': 'markdown',
  '.sql': 'sql', '.psql': 'sql', '.ddl': 'sql',
  '.yml': 'yaml', '.yaml': 'yaml',
  '.prisma': 'prisma',
};

export function textLanguageForPath(filePath: string): TextLanguage {
  const dot = filePath.lastIndexOf('.');
  return (dot >= 0 && EXTENSION_LANGUAGE[filePath.slice(dot).toLowerCase()]) || 'text';
}

/** A section starts at `row` and is named `symbol`; it runs until the next section starts. */
interface SectionStart {
  row: number;
  symbol: string;
}

function sectionStarts(language: TextLanguage, lines: readonly string[]): SectionStart[] {
  const starts: SectionStart[] = [];
  switch (language) {
    case 'markdown': {
      let fenced = false;
      const trail: string[] = [];
      lines.forEach((line, row) => {
        if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
        const m = !fenced && /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
        if (!m) return;
        trail.length = m[1].length - 1;
        trail.push(m[2]);
        starts.push({ row, symbol: trail.filter(Boolean).join(' > ') });
      });
      break;
    }
    case 'sql': {
      let inStatement = false;
      lines.forEach((line, row) => {
        const code = line.replace(/--.*$/, '').trim();
        if (!inStatement && code) {
          const m = /^(create|alter|drop|insert\s+into|update|delete\s+from|select|with|grant|revoke|truncate|comment\s+on)\b(?:\s+(?:or\s+replace\s+|unique\s+|temporary\s+|temp\s+|materialized\s+)*(table|view|index|function|procedure|trigger|type|schema|sequence|extension)?)?\s*(?:if\s+(?:not\s+)?exists\s+)?([\w."`\[\]]+)?/i.exec(code);
          starts.push({ row, symbol: m ? [m[1], m[2], m[3]].filter(Boolean).join(' ').replace(/\s+/g, ' ') : '' });
          inStatement = true;
        }
        if (code.endsWith(';')) inStatement = false;
      });
      break;
    }
    case 'yaml':
      lines.forEach((line, row) => {
        const m = /^([A-Za-z0-9_"'./-][^:#]*):(\s|$)/.exec(line);
        if (m) starts.push({ row, symbol: m[1].replace(/["']/g, '') });
      });
      break;
    case 'prisma':
      lines.forEach((line, row) => {
        const m = /^(model|enum|datasource|generator|type|view)\s+(\w+)\s*\{/.exec(line);
        if (m) starts.push({ row, symbol: `${m[1]} ${m[2]}` });
      });
      break;
    case 'text':
      break;
  }
  return starts;
}

export function chunkText(language: TextLanguage, text: string): Chunk[] {
  const lines = text.split('\n');
  const last = lines.length - 1;
  const starts = sectionStarts(language, lines);
  const regions: Region[] = [];
  const first = starts.length ? starts[0].row : last + 1;
  if (first > 0) regions.push(...lineWindows(lines, 0, first - 1, ''));
  starts.forEach((s, i) => {
    const end = i + 1 < starts.length ? starts[i + 1].row - 1 : last;
    // a long section keeps its heading as context on every window after the first
    const windows = lineWindows(lines, s.row, end, s.symbol);
    windows.forEach((w, j) => regions.push(j === 0 ? w : { ...w, context: lines[s.row].trim().slice(0, 200) }));
  });
  return toChunks(lines, mergeSmall(lines, regions), language);
}
