/**
 * SQL injection and statement checks for JavaScript/TypeScript: finds raw-SQL sinks, decides whether
 * non-constant data reaches their SQL text (through templates, `+`, util.format and local variables),
 * and reads the SQL of constant queries for unbounded writes, DROP/TRUNCATE and SELECT *.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { related, type FileContext, type RawFinding } from '../model';
import { looksLikeSqlFragment, looksLikeSqlStatement } from '../sqlText';
import { statementFindings } from '../statementFindings';
import { JsConstness } from './constness';
import { parameterizeFix } from './parameterize';
import { sqlPieces, sqlTextOf } from './pieces';
import type { NodeIndex } from '../nodeIndex';
import { awsSqlFinding } from './aws';
import { importedDrivers, importedModules, SINK_NAMES, sinkOf, type JsSink } from './sinks';
import { argumentsOf, calleeName, isAncestor, memberPath, unwrap, type CallInfo } from './syntax';

export function analyzeJsSql(file: FileContext, index: NodeIndex, calls: readonly CallInfo[]): RawFinding[] {
  const constness = new JsConstness(index, file.imported);
  const imported = file.imported;
  const importedSink = (call: SyntaxNode): JsSink | null => {
    const fn = call.childForFieldName('function');
    const s = fn && imported?.get(unwrap(fn).text);
    const arg = s?.sqlParam !== undefined ? argumentsOf(call)[s.sqlParam] : undefined;
    return fn && arg ? { call, sqlArg: arg, shape: 'statement', api: unwrap(fn).text, driver: 'pg', config: true } : null;
  };
  const candidates = calls.filter((c) => SINK_NAMES.has(c.name) || (imported && imported.size > 0 && importedSink(c.node)));
  const requires = candidates.filter((c) => c.name === 'require').map((c) => c.node);
  const drivers = importedDrivers(index.of('import_statement'), requires);
  const modules = importedModules(index.of('import_statement'), requires);
  const out: RawFinding[] = [];
  for (const { node: call } of candidates) {
    const tagged = taggedSqlTemplate(call);
    if (tagged) {
      out.push(...statementFindings(sqlTextOf([{ expr: tagged, parts: templateParts(tagged, constness) }], constness), tagged));
      continue;
    }
    const aws = awsSqlFinding(file, call, constness);
    if (aws) {
      out.push(aws);
      continue;
    }
    const sink = sinkOf(call, drivers, modules) ?? importedSink(call);
    if (!sink) continue;
    const pieces = sqlPieces(sink.sqlArg, constness);
    // Prisma.raw / sql.raw / sequelize.literal exist only to splice raw SQL: any tainted argument counts.
    const rawOnly = sink.shape === 'fragment' && (sink.driver === 'prisma' || sink.driver === 'drizzle' || sink.driver === 'sequelize');
    const taint = constness.check(sink.sqlArg);
    // A whole query taken from the request (or argv/env) needs no SQL-looking text to be an injection.
    // (An array or object there is a list of bound values: `stmt.exec([input])`.)
    const wholeFromSource = !!taint?.source && !/^(array|object)$/.test(unwrap(sink.sqlArg).type) && !pieces.some((p) => p.parts.some((x) => x.kind === 'text' && x.value.trim() !== ''));
    if (pieces.length === 0 && !rawOnly && !wholeFromSource) continue;
    const text = sqlTextOf(pieces, constness);
    if (taint) {
      const evidence = wholeFromSource || rawOnly || (sink.shape === 'statement' ? looksLikeSqlStatement(text) : looksLikeSqlFragment(text));
      if (evidence) {
        const culprit = taintedPart(pieces, constness) ?? taint.node;
        const rel = [related(file, culprit, 'Non-constant value spliced into the SQL text')];
        const origin = taint.origin;
        if (origin && !isAncestor(sink.sqlArg, origin)) rel.push(related(file, origin, 'The value comes from here'));
        const fix = sink.config || pieces.length === 0 ? null : parameterizeFix(file, sink, pieces, constness);
        out.push({
          category: 'sql-injection',
          node: sink.sqlArg,
          message: `SQL injection: \`${short(culprit.text)}\` is built into the SQL text passed to ${sink.api}(). Anyone who controls it can change the query. Pass it as a bound parameter ${placeholderHint(sink.driver)} instead of splicing it into the string.`,
          related: rel,
          fixes: fix ? [fix] : [],
        });
      }
    }
    if (!taint && modules.has('pg-promise')) {
      const raw = pgPromiseRawValue(sink, text, constness);
      if (raw) {
        out.push({
          category: 'sql-injection',
          node: sink.sqlArg,
          message: `SQL injection: \`${short(raw.value.text)}\` is inserted by pg-promise's ${raw.filter} filter (raw text, never escaped) into the SQL passed to ${sink.api}(). Anyone who controls it can change the query. Drop the raw filter (a plain $1 / \${name} is escaped), or use :name / :value where an identifier or a quoted fragment is meant.`,
          related: [related(file, raw.value, 'Non-constant value inserted as raw SQL')],
          fixes: [],
        });
      }
    }
    out.push(...statementFindings(text, sink.sqlArg));
  }
  return out;
}

/**
 * pg-promise formats `$1:raw` / `$1^` / `${name:raw}` / `${name^}` as raw text, unescaped (`$1`, `:name`,
 * `:value`, `:csv` escape). A raw variable whose value is non-constant is an injection though the SQL text
 * itself is constant. Values: the second argument, or `values` of a `{ text, values }` config.
 */
function pgPromiseRawValue(sink: JsSink, text: string, constness: JsConstness): { value: SyntaxNode; filter: string } | null {
  if (!/:raw\b|\^/.test(text)) return null;
  const args = argumentsOf(sink.call);
  const config = unwrap(args[0]);
  let values: SyntaxNode | undefined = args[1];
  if (config.type === 'object') {
    values = undefined;
    for (const pair of config.namedChildren) {
      if (pair?.type === 'shorthand_property_identifier' && pair.text === 'values') values = pair;
      else if (pair?.type === 'pair' && pair.childForFieldName('key')?.text.replace(/['"]/g, '') === 'values') values = pair.childForFieldName('value') ?? undefined;
    }
  }
  if (!values) return null;
  const v = unwrap(values);
  const RAW = /\$(\d+)(:raw\b|\^)|\$[{(<[/]\s*([\w.]+)\s*(:raw\b|\^)\s*[})>\]/]|\$[{(<[/]\s*([\w.]+)\s*[})>\]/](:raw\b|\^)/g;
  for (const m of text.matchAll(RAW)) {
    const filter = m[2] ?? m[4] ?? m[6];
    let value: SyntaxNode | null | undefined;
    if (m[1]) {
      const i = Number(m[1]) - 1;
      value = v.type === 'array' ? v.namedChildren.filter((c) => c?.type !== 'comment')[i] : i === 0 ? v : undefined;
    } else {
      const name = (m[3] ?? m[5]).split('.')[0];
      if (v.type === 'object') {
        for (const pair of v.namedChildren) {
          if (pair?.type === 'shorthand_property_identifier' && pair.text === name) value = pair;
          else if (pair?.type === 'pair' && pair.childForFieldName('key')?.text.replace(/['"]/g, '') === name) value = pair.childForFieldName('value');
        }
      } else value = v;
    }
    if (value && constness.check(value)) return { value, filter: filter.startsWith(':') ? ':raw' : '^' };
  }
  return null;
}

/** The first tainted hole in the pieces (for the message and related location). */
function taintedPart(pieces: ReturnType<typeof sqlPieces>, constness: JsConstness): SyntaxNode | undefined {
  for (const piece of pieces) for (const p of piece.parts) if (p.kind === 'expr' && constness.check(p.node)) return p.node;
  return undefined;
}

/** `prisma.$queryRaw\`…\``, `sql\`…\``, `Prisma.sql\`…\``: safe by construction, but their SQL still gets statement checks. */
function taggedSqlTemplate(call: SyntaxNode): SyntaxNode | null {
  const args = call.childForFieldName('arguments');
  if (args?.type !== 'template_string') return null;
  const name = calleeName(call) ?? '';
  const path = memberPath(call.childForFieldName('function')!).join('.');
  return name === '$queryRaw' || name === '$executeRaw' || name === 'sql' || path === 'Prisma.sql' ? args : null;
}

function templateParts(template: SyntaxNode, constness: JsConstness): ReturnType<typeof sqlPieces>[number]['parts'] {
  return sqlPieces(template, constness)[0]?.parts ?? [];
}

function placeholderHint(driver: string): string {
  switch (driver) {
    case 'pg':
      return '($1, $2 … with a values array)';
    case 'prisma':
      return '(use the $queryRaw`…` tagged template, which binds every ${…})';
    case 'typeorm':
      return '(:name with a parameters object)';
    case 'sequelize':
      return '(? with { replacements })';
    case 'drizzle':
      return '(use the sql`…` tagged template)';
    default:
      return '(? with a values array)';
  }
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}…` : one;
}
