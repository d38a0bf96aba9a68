/**
 * AWS SDK calls that run SQL (tables.ts AWS_SQL_APIS): v2 `service.executeStatement(params)` and v3
 * `client.send(new ExecuteStatementCommand(params))`, with the request object inline or in a local
 * variable. Reported at the call that sends the request, with the SQL property as related location.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';
import { related, type FileContext, type RawFinding } from '../model';
import { looksLikeSqlStatement } from '../sqlText';
import type { JsConstness } from './constness';
import { sqlPieces, sqlTextOf } from './pieces';
import { argumentsOf, calleeName, calleeOf, unwrap } from './syntax';
import { AWS_SQL_APIS, type AwsSqlApi } from './tables';

const BY_COMMAND = new Map<string, AwsSqlApi[]>();
const BY_METHOD = new Map<string, AwsSqlApi[]>();
for (const api of AWS_SQL_APIS) {
  for (const c of api.commands) BY_COMMAND.set(c, [...(BY_COMMAND.get(c) ?? []), api]);
  for (const m of api.methods) BY_METHOD.set(m, [...(BY_METHOD.get(m) ?? []), api]);
}

export function awsSqlFinding(file: FileContext, call: SyntaxNode, constness: JsConstness): RawFinding | null {
  const name = calleeName(call);
  if (!name || calleeOf(call)?.type !== 'member_expression') return null;
  const arg = argumentsOf(call)[0];
  if (!arg) return null;
  let apis: AwsSqlApi[] | undefined;
  let request: SyntaxNode | null = null;
  if (name === 'send') {
    const command = resolve(arg, constness);
    if (command?.type !== 'new_expression') return null;
    apis = BY_COMMAND.get(command.childForFieldName('constructor')?.text ?? '');
    request = command.childForFieldName('arguments')?.namedChildren[0] ?? null;
  } else {
    apis = BY_METHOD.get(name);
    request = arg;
  }
  if (!apis || !request) return null;
  const obj = resolve(request, constness);
  if (obj?.type !== 'object') return null;
  for (const api of apis) {
    for (const prop of api.properties) {
      for (const value of propertyValues(obj, prop.split('[].'), constness)) {
        const taint = constness.check(value);
        if (!taint) continue;
        const pieces = sqlPieces(value, constness);
        if (!taint.source && !looksLikeSqlStatement(sqlTextOf(pieces, constness))) continue;
        return {
          category: 'sql-injection',
          node: call,
          message: `SQL injection: \`${short(taint.node.text)}\` is built into the ${api.service} SQL (\`${prop}\`) sent here. Anyone who controls it can change the statement. Use the API's parameters (e.g. \`Parameters\` / \`parameters\`) for values.`,
          related: [related(file, value, 'Non-constant SQL text')],
          fixes: [],
        };
      }
    }
  }
  return null;
}

/** An identifier's initialiser (one hop), else the node itself. */
function resolve(node: SyntaxNode, constness: JsConstness): SyntaxNode | null {
  const n = unwrap(node);
  if (n.type !== 'identifier') return n;
  const def = constness.lookup(n).filter((d) => d.node.startIndex < n.startIndex && (d.kind === 'init' || d.kind === 'assign')).pop();
  return def?.value ? unwrap(def.value) : null;
}

/** Values at `path` (`['Statements', 'Statement']` descends into each array element). */
function propertyValues(obj: SyntaxNode, path: readonly string[], constness: JsConstness): SyntaxNode[] {
  const [head, ...rest] = path;
  const out: SyntaxNode[] = [];
  for (const pair of obj.namedChildren) {
    let value: SyntaxNode | null = null;
    if (pair?.type === 'pair' && pair.childForFieldName('key')?.text.replace(/['"]/g, '') === head) value = pair.childForFieldName('value');
    else if (pair?.type === 'shorthand_property_identifier' && pair.text === head) value = pair;
    if (!value) continue;
    if (rest.length === 0) {
      out.push(value);
      continue;
    }
    const list = resolve(value, constness);
    if (list?.type === 'array') {
      for (const el of list.namedChildren) {
        const o = el ? resolve(el, constness) : null;
        if (o?.type === 'object') out.push(...propertyValues(o, rest, constness));
      }
    } else out.push(value); // built elsewhere (`items.map(…)`): the whole value decides
  }
  return out;
}

function short(text: string): string {
  const one = text.replace(/\s+/g, ' ');
  return one.length > 40 ? `${one.slice(0, 37)}…` : one;
}
