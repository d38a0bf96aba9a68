/**
 * The validation fix: a strict schema generated from the body fields the handler reads, in each
 * framework's idiom — zod for Express/Koa, a JSON schema in the route options for Fastify, a
 * class-validator DTO with a whitelisting pipe for NestJS, a Pydantic model (extra fields forbidden)
 * for FastAPI and Flask, a DRF serializer that rejects unknown keys, and `binding`/`validate` struct
 * tags for gin/echo. Field types are guessed from the names; the user reviews the edit.
 */
import type { FixWire, TextEditWire } from '../../protocol';
import type { SyntaxNode } from '../syntax/treeSitter';
import type { Route } from './discover';
import { edit, enclosingStatement, goImports, indentAt, insertAt, jsNamedImports, pyImports, topLevel } from './fixEdits';
import type { ParsedFile } from './model';

type Kind = 'email' | 'number' | 'boolean' | 'datetime' | 'array' | 'string';

interface Field {
  name: string;
  /** Read with a fallback (`data.get("x")`, `const { x = 1 } = …`): not required. */
  optional: boolean;
}

function kindOf(field: string): Kind {
  if (/email/i.test(field)) return 'email';
  if (/(^id$|Id$|_id$|count|qty|quantity|amount|price|total|cents|age|limit|offset|size|number|num)/i.test(field)) return 'number';
  if (/^(is|has|can|should)[A-Z_]|enabled|active|flag/i.test(field)) return 'boolean';
  if (/(At|_at|date)$/i.test(field)) return 'datetime';
  if (/(items|list|tags|ids)$/i.test(field)) return 'array';
  return 'string';
}

const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Fields read from a JS body expression: `B.x`, `B['x']`, `const { x, y } = B`, and the same through `const data = B`. */
export function bodyFields(text: string, body = '(?:req|request|ctx\\.request)\\.body'): string[] {
  return jsFields(text, body).map((f) => f.name);
}

function jsFields(text: string, body: string): Field[] {
  const fields = new Map<string, Field & { at: number }>();
  const add = (name: string, optional: boolean, at: number): void => {
    const seen = fields.get(name);
    if (/^\w+$/.test(name) && (!seen || at < seen.at)) fields.set(name, { name, optional: seen ? seen.optional && optional : optional, at });
  };
  const sources = [body];
  for (const m of text.matchAll(new RegExp(`(?:const|let|var)\\s+(\\w+)\\s*(?::[^=]+)?=\\s*${body}\\s*[;\\n]`, 'g'))) sources.push(esc(m[1]));
  for (const src of sources) {
    for (const m of text.matchAll(new RegExp(`\\b${src}\\??\\.(\\w+)\\b(\\s*\\?\\?|\\s*\\|\\|)?|\\b${src}\\[['"](\\w+)['"]\\]`, 'g'))) add(m[1] ?? m[3], !!m[2], m.index ?? 0);
    for (const m of text.matchAll(new RegExp(`(?:const|let|var)\\s*\\{([^}]*)\\}\\s*(?::[^=]+)?=\\s*${src}\\b`, 'g'))) {
      for (const part of m[1].split(',')) add(part.split(/[:=]/)[0].trim().replace(/^\.\.\./, ''), /=/.test(part), (m.index ?? 0) + m[0].indexOf(part));
    }
  }
  return [...fields.values()].sort((a, b) => a.at - b.at).map(({ name, optional }) => ({ name, optional }));
}

/** Fields read from a Python body (`request.json`, `request.data`, `await request.json()` …), directly or through a variable. */
export function pyBodyFields(text: string): Field[] {
  const source = String.raw`(?:await\s+)?request\.(?:json|data|POST|form|get_json\([^)]*\)|json\(\))|json\.loads\(\s*request\.body\s*\)`;
  const fields = new Map<string, Field>();
  const sources = [source];
  for (const m of text.matchAll(new RegExp(`^\\s*(\\w+)\\s*=\\s*(?:${source})\\s*(?:or\\s*\\{\\})?\\s*$`, 'gm'))) sources.push(`\\b${m[1]}`);
  for (const src of sources) {
    for (const m of text.matchAll(new RegExp(`(?:${src})\\s*\\[\\s*["'](\\w+)["']\\s*\\]|(?:${src})\\.get\\(\\s*["'](\\w+)["']`, 'g'))) {
      const name = m[1] ?? m[2];
      if (!fields.has(name)) fields.set(name, { name, optional: !!m[2] });
    }
  }
  return [...fields.values()];
}

function schemaName(r: Route, suffix: string): string {
  const base = r.path.split('/').filter((s) => s && !/^[:<{]/.test(s)).map((s) => s.replace(/[^A-Za-z0-9]/g, '')).filter(Boolean).map((s) => s[0].toUpperCase() + s.slice(1)).join('');
  return `${r.method[0]}${r.method.slice(1).toLowerCase()}${base || 'Root'}${suffix}`;
}

function fix(fields: Array<{ name: string }>, lib: string, edits: TextEditWire[]): FixWire[] {
  return [{ title: `Validate the body with a strict ${lib} (${fields.map((f) => f.name).join(', ')})`, kind: 'validation', isPreferred: true, edits }];
}

// --- Express / Koa: zod ------------------------------------------------------------------------

const ZOD: Record<Kind, string> = { email: 'z.string().email()', number: 'z.number()', boolean: 'z.boolean()', datetime: 'z.string().datetime()', array: 'z.array(z.unknown())', string: 'z.string()' };

function zodFix(r: Route, koa: boolean): FixWire[] {
  const file = r.file;
  const handler = r.handlers[0];
  const body = handler?.childForFieldName('body');
  if (!handler || body?.type !== 'statement_block' || r.anchor.type !== 'call_expression') return [];
  const params = handler.childForFieldName('parameters')?.namedChildren ?? [];
  const first = (params[0]?.childForFieldName('pattern') ?? params[0])?.text.split(':')[0].trim() ?? (koa ? 'ctx' : 'req');
  const expr = koa ? `${first}.request.body` : `${first}.body`;
  const fields = jsFields(handler.text, esc(expr));
  if (fields.length === 0) return [];
  const name = schemaName(r, 'Body');
  const schema = `const ${name} = z.object({\n${fields.map((f) => `  ${f.name}: ${ZOD[kindOf(f.name)]}${f.optional ? '.optional()' : ''},`).join('\n')}\n}).strict();\n\n`;
  const statement = enclosingStatement(r.anchor);
  const edits: TextEditWire[] = [insertAt(file, statement.startIndex, schema)];
  edits.push(insertAt(file, body.startIndex + 1, `\n  const body = ${name}.parse(${expr});`));
  for (const m of body.text.matchAll(new RegExp(`\\b${esc(expr)}\\b`, 'g'))) {
    const at = body.startIndex + (m.index ?? 0);
    edits.push(edit(file, at, at + m[0].length, 'body'));
  }
  if (!/from\s+['"]zod['"]|require\(['"]zod['"]\)/.test(file.text)) edits.push(...jsNamedImports(file, 'zod', ['z']));
  return fix(fields, 'zod schema', edits);
}

// --- Fastify: JSON schema in the route options --------------------------------------------------

const JSON_SCHEMA: Record<Kind, string> = { email: "{ type: 'string', format: 'email' }", number: "{ type: 'number' }", boolean: "{ type: 'boolean' }", datetime: "{ type: 'string', format: 'date-time' }", array: "{ type: 'array' }", string: "{ type: 'string' }" };

function fastifyFix(r: Route): FixWire[] {
  const file = r.file;
  const args = r.anchor.childForFieldName('arguments')?.namedChildren.filter((a): a is SyntaxNode => !!a && a.type !== 'comment') ?? [];
  const handler = r.handlers[0];
  if (!handler || args.length < 2 || r.anchor.type !== 'call_expression') return [];
  const params = handler.childForFieldName('parameters')?.namedChildren ?? [];
  const req = (params[0]?.childForFieldName('pattern') ?? params[0])?.text.split(':')[0].trim() ?? 'request';
  const fields = jsFields(handler.text, esc(`${req}.body`));
  if (fields.length === 0) return [];
  const required = fields.filter((f) => !f.optional).map((f) => `'${f.name}'`);
  const schema = `schema: { body: { type: 'object', ${required.length ? `required: [${required.join(', ')}], ` : ''}additionalProperties: false, properties: { ${fields.map((f) => `${f.name}: ${JSON_SCHEMA[kindOf(f.name)]}`).join(', ')} } } }`;
  const last = args[args.length - 1];
  const options = args.length >= 3 ? args[args.length - 2] : null;
  if (options?.type === 'object') {
    if (/\bschema\s*:/.test(options.text)) return [];
    return fix(fields, 'JSON schema', [insertAt(file, options.startIndex + 1, ` ${schema},`)]);
  }
  if (options) return [];
  return fix(fields, 'JSON schema', [insertAt(file, last.startIndex, `{ ${schema} }, `)]);
}

// --- NestJS: class-validator DTO ----------------------------------------------------------------

const CLASS_VALIDATOR: Record<Kind, [string, string]> = { email: ['IsEmail', 'string'], number: ['IsNumber', 'number'], boolean: ['IsBoolean', 'boolean'], datetime: ['IsDateString', 'string'], array: ['IsArray', 'unknown[]'], string: ['IsString', 'string'] };

function nestFix(r: Route): FixWire[] {
  const file = r.file;
  const m = r.anchor;
  const param = (m.childForFieldName('parameters')?.namedChildren ?? []).find((p) => !!p && /@Body\s*\(\s*\)/.test(p.text));
  const pattern = param?.childForFieldName('pattern');
  if (!param || pattern?.type !== 'identifier') return [];
  const fields = jsFields(m.childForFieldName('body')?.text ?? '', esc(pattern.text));
  if (fields.length === 0) return [];
  const name = schemaName(r, 'Dto');
  const used = new Set(['IsOptional']);
  const props = fields.map((f) => {
    const [deco, type] = CLASS_VALIDATOR[kindOf(f.name)];
    used.add(deco);
    return `${f.optional ? '  @IsOptional()\n' : ''}  @${deco}()\n  ${f.name}${f.optional ? '?' : '!'}: ${type};`;
  });
  const cls = topLevel(m);
  const edits: TextEditWire[] = [insertAt(file, cls.startIndex, `export class ${name} {\n${props.join('\n\n')}\n}\n\n`)];
  const deco = param.namedChildren.find((c) => c?.type === 'decorator' && /^@Body\s*\(\s*\)/.test(c.text));
  if (deco) edits.push(edit(file, deco.startIndex, deco.endIndex, '@Body(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true }))'));
  const annotation = param.childForFieldName('type');
  if (annotation) edits.push(edit(file, annotation.startIndex, annotation.endIndex, `: ${name}`));
  else edits.push(insertAt(file, pattern.endIndex, `: ${name}`));
  edits.push(...jsNamedImports(file, '@nestjs/common', ['ValidationPipe']), ...jsNamedImports(file, 'class-validator', [...used].filter((u) => u !== 'IsOptional' || fields.some((f) => f.optional)).sort()));
  return fix(fields, 'class-validator DTO', edits);
}

// --- FastAPI / Flask: Pydantic ------------------------------------------------------------------

const PY_TYPE: Record<Kind, string> = { email: 'str', number: 'int', boolean: 'bool', datetime: 'datetime', array: 'list', string: 'str' };

function pydanticModel(name: string, fields: Field[]): string {
  const lines = fields.map((f) => `    ${f.name}: ${f.optional ? `Optional[${PY_TYPE[kindOf(f.name)]}] = None` : PY_TYPE[kindOf(f.name)]}`);
  return `class ${name}(BaseModel):\n    """The request body; unknown fields are rejected."""\n\n    model_config = ConfigDict(extra="forbid")\n\n${lines.join('\n')}\n\n\n`;
}

function pyModelImports(file: ParsedFile, fields: Field[]): TextEditWire[] {
  const more: Array<[string, string[]]> = [];
  if (fields.some((f) => f.optional)) more.push(['typing', ['Optional']]);
  if (fields.some((f) => kindOf(f.name) === 'datetime')) more.push(['datetime', ['datetime']]);
  return pyImports(file, 'pydantic', ['BaseModel', 'ConfigDict'], ...more);
}

const PY_SOURCE = /(?:await\s+)?request\.(?:get_json\([^)]*\)|json\(\))|request\.json\b(?!\s*\()/g;

function fastapiFix(r: Route): FixWire[] {
  const file = r.file;
  const def = r.handlers[0];
  const params = def?.childForFieldName('parameters');
  if (!def || !params || def.type !== 'function_definition') return [];
  const fields = pyBodyFields(def.text);
  if (fields.length === 0) return [];
  const name = schemaName(r, 'Body');
  const edits: TextEditWire[] = [insertAt(file, topLevel(r.anchor).startIndex, pydanticModel(name, fields))];
  edits.push(insertAt(file, params.startIndex + 1, `body: ${name}${params.namedChildren.length > 0 ? ', ' : ''}`));
  for (const m of def.text.matchAll(PY_SOURCE)) {
    const at = def.startIndex + (m.index ?? 0);
    edits.push(edit(file, at, at + m[0].length, 'body.model_dump()'));
  }
  edits.push(...pyModelImports(file, fields));
  return fix(fields, 'Pydantic model', edits);
}

function flaskFix(r: Route): FixWire[] {
  const file = r.file;
  const def = r.handlers[0];
  if (!def || def.type !== 'function_definition') return [];
  const fields = pyBodyFields(def.text);
  if (fields.length === 0) return [];
  const name = schemaName(r, 'Body');
  const edits: TextEditWire[] = [insertAt(file, topLevel(r.anchor).startIndex, pydanticModel(name, fields))];
  let replaced = 0;
  for (const m of def.text.matchAll(PY_SOURCE)) {
    const at = def.startIndex + (m.index ?? 0);
    edits.push(edit(file, at, at + m[0].length, `${name}.model_validate(request.get_json(silent=True) or {}).model_dump()`));
    replaced++;
  }
  if (replaced === 0) return [];
  edits.push(...pyModelImports(file, fields));
  return fix(fields, 'Pydantic model', edits);
}

// --- Django REST framework: a serializer --------------------------------------------------------

const DRF_FIELD: Record<Kind, string> = { email: 'EmailField', number: 'IntegerField', boolean: 'BooleanField', datetime: 'DateTimeField', array: 'ListField', string: 'CharField' };

function drfFix(r: Route): FixWire[] {
  const file = r.handlerFile;
  const def = r.handlers[0];
  const block = def?.childForFieldName('body');
  if (!def || def.type !== 'function_definition' || !block || !/rest_framework/.test(file.text)) return [];
  const fields = pyBodyFields(def.text);
  if (fields.length === 0) return [];
  const fnName = def.childForFieldName('name')?.text ?? 'view';
  const cls = def.parent?.type === 'block' ? topLevel(def) : null;
  const base = (cls?.type === 'class_definition' || cls?.type === 'decorated_definition' ? (cls.type === 'class_definition' ? cls : cls.childForFieldName('definition'))?.childForFieldName('name')?.text.replace(/View(Set)?$/, '') : fnName.replace(/(^|_)(\w)/g, (_, _u: string, c: string) => c.toUpperCase())) ?? 'Body';
  const name = `${base}Serializer`;
  const lines = fields.map((f) => `    ${f.name} = serializers.${DRF_FIELD[kindOf(f.name)]}(${f.optional ? 'required=False' : ''})`);
  const serializer = `class ${name}(serializers.Serializer):\n    """The request body; unknown fields are rejected."""\n\n${lines.join('\n')}\n\n    def validate(self, attrs):\n        unknown = set(self.initial_data) - set(self.fields)\n        if unknown:\n            raise serializers.ValidationError({key: "unknown field" for key in sorted(unknown)})\n        return attrs\n\n\n`;
  const edits: TextEditWire[] = [insertAt(file, topLevel(def).startIndex, serializer)];
  const indent = indentAt(file.text, block.startIndex);
  edits.push(insertAt(file, block.startIndex, `serializer = ${name}(data=request.data)\n${indent}serializer.is_valid(raise_exception=True)\n${indent}`));
  for (const m of block.text.matchAll(/\brequest\.data\b/g)) {
    const at = block.startIndex + (m.index ?? 0);
    edits.push(edit(file, at, at + m[0].length, 'serializer.validated_data'));
  }
  edits.push(...pyImports(file, 'rest_framework', ['serializers']));
  return fix(fields, 'DRF serializer', edits);
}

// --- gin / echo: struct tags ----------------------------------------------------------------------

function goFix(r: Route, files: { find(name: string): { file: ParsedFile; node: SyntaxNode } | undefined }): FixWire[] {
  const handler = r.handlers[0];
  if (!handler) return [];
  const call = handler.descendantsOfType('call_expression').find((c) => !!c && /\.(ShouldBindJSON|BindJSON|ShouldBind|Bind)\s*\(\s*&\w+\s*\)$/.test(c.text));
  if (!call) return [];
  const v = /&(\w+)\s*\)$/.exec(call.text)?.[1] ?? '';
  const decl = new RegExp(`(?:var\\s+${v}\\s+|${v}\\s*:?=\\s*&?)([\\w.]+)`).exec(handler.text);
  const typeName = decl?.[1]?.replace(/^\w+\./, '');
  const found = typeName ? files.find(typeName) : undefined;
  const struct = found?.node.descendantsOfType('field_declaration_list')[0];
  if (!found || !struct) return [];
  const tagKey = r.framework === 'gin' ? 'binding' : 'validate';
  const edits: TextEditWire[] = [];
  const names: string[] = [];
  for (const field of struct.namedChildren) {
    if (field?.type !== 'field_declaration') continue;
    const name = field.childForFieldName('name')?.text;
    if (!name || !/^[A-Z]/.test(name)) continue;
    names.push(name);
    const tag = field.childForFieldName('tag');
    if (tag && new RegExp(`${tagKey}:"`).test(tag.text)) continue;
    if (tag?.type === 'raw_string_literal') edits.push(insertAt(found.file, tag.endIndex - 1, ` ${tagKey}:"required"`));
    else if (!tag) edits.push(insertAt(found.file, field.endIndex, ` \`${tagKey}:"required"\``));
  }
  if (edits.length === 0) return [];
  if (r.framework === 'echo') {
    // Echo runs no validator unless one is registered: validate the bound struct in the handler.
    const stmt = enclosingStatement(call);
    const indent = indentAt(r.handlerFile.text, stmt.startIndex);
    edits.push(insertAt(r.handlerFile, stmt.endIndex, `\n${indent}if err := validator.New().Struct(&${v}); err != nil {\n${indent}\treturn echo.NewHTTPError(http.StatusUnprocessableEntity, err.Error())\n${indent}}`));
    edits.push(...goImports(r.handlerFile, ['github.com/go-playground/validator/v10', 'net/http']));
  }
  return fix(names.map((name) => ({ name })), `${tagKey} tags`, edits);
}

export function validationFixFor(r: Route, find: (name: string) => { file: ParsedFile; node: SyntaxNode } | undefined): FixWire[] {
  switch (r.framework) {
    case 'express':
      return zodFix(r, false);
    case 'koa':
      return zodFix(r, true);
    case 'fastify':
      return fastifyFix(r);
    case 'nestjs':
      return r.anchor.type === 'method_definition' ? nestFix(r) : [];
    case 'fastapi':
      return fastapiFix(r);
    case 'flask':
      return flaskFix(r);
    case 'django':
      return drfFix(r);
    case 'gin':
    case 'echo':
      return goFix(r, { find });
    default:
      return [];
  }
}
