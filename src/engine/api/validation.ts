/**
 * Does a handler read the request body, and what validates it? Decided from the route declaration
 * (Fastify schema, Nest DTO, FastAPI/Pydantic parameter) and from the handler's own calls (zod
 * `parse(req.body)`, Joi `validate`, marshmallow `load`, DRF serializers, Go struct binding …).
 */
import type { SyntaxNode } from '../syntax/treeSitter';
import type { RawRoute } from './model';

export interface BodyValidation {
  validation: string | null;
  any: boolean;
  readsBody: SyntaxNode | null;
}

const BODY_READ: Record<string, RegExp> = {
  // Fields read (`req.body.x`, `req.body['x']`, destructuring) or the whole body handed to a write
  // (mass assignment); a body only asserted on or echoed back is not interpreted.
  js: /\b(?:req|request|ctx\.request|context\.request)\.body(?:\??\.\w+|\[)|\}\s*=\s*(?:req|request|ctx\.request)\.body\b|\.(?:create|insert\w*|update\w*|save|build|upsert)\(\s*(?:req|request|ctx\.request)\.body\b|new\s+\w+\(\s*(?:req|request)\.body\b/,
  // `get_json(` ends in a parenthesis: the word boundary belongs to the attribute names only.
  py: /\brequest\.(?:(?:json|form|data|POST)\b|get_json\s*\()|\bawait\s+request\.(json|form|body)\s*\(|json\.loads\s*\(\s*request\.body/,
  go: /\.(ShouldBindJSON|BindJSON|ShouldBind|Bind|ShouldBindWith|BindWith)\s*\(|json\.NewDecoder\s*\(\s*(r|req)\.Body\s*\)\.Decode|io\.ReadAll\s*\(\s*(r|req)\.Body/,
};

const ANY_SCHEMA = /z\.(any|unknown)\(\)|z\.record\(|\.passthrough\(\)|Joi\.(any|object)\(\)\s*(\.unknown\(\s*(true)?\s*\))?\s*[;,)]|\.unknown\(\s*(true)?\s*\)|additionalProperties\s*:\s*true|yup\.mixed\(\)/;

function langOf(route: RawRoute): 'js' | 'py' | 'go' {
  return route.file.language === 'python' ? 'py' : route.file.language === 'go' ? 'go' : 'js';
}

export function bodyValidation(route: RawRoute, handlers: SyntaxNode[], lookup: (name: string) => SyntaxNode | undefined): BodyValidation {
  const lang = langOf(route);
  const readsBody = firstMatch(handlers, BODY_READ[lang], lang === 'js' ? ECHO : lang === 'py' ? MEMBERSHIP : undefined);
  const declared = route.declaredValidation;
  if (declared) {
    if (declared.any) return { validation: null, any: true, readsBody: readsBody ?? route.anchor };
    if (declared.name.startsWith('dto:')) {
      const cls = lookup(declared.name.slice(4).replace(/\[\]$/, ''));
      const ok = !cls || /@(Is\w+|Min|Max|Length|MinLength|MaxLength|Matches|ValidateNested|Allow|Equals|Contains|ArrayMinSize|ArrayNotEmpty|Type)\s*\(/.test(cls.text);
      return ok ? { validation: 'class-validator', any: false, readsBody: route.anchor } : { validation: null, any: false, readsBody: route.anchor };
    }
    if (declared.name.startsWith('model:')) {
      const cls = lookup(declared.name.slice(6).split('.').pop() ?? '');
      if (cls && /Dict\[str,\s*Any\]|dict\[str,\s*Any\]|extra\s*=\s*['"]allow['"]|Extra\.allow/.test(cls.text)) return { validation: 'pydantic', any: true, readsBody: route.anchor };
      return { validation: 'pydantic', any: false, readsBody: route.anchor };
    }
    if (declared.name !== 'none') return { validation: declared.name, any: false, readsBody };
  }
  const text = `${route.middleware}\n${handlers.map((h) => h.text).join('\n')}`;
  const fileText = route.file.text;
  if (lang === 'js') {
    const parsed = /(\w+|\))\s*\.\s*(safeParse|parse|parseAsync|safeParseAsync)\s*\(\s*(req|request|ctx\.request)\.body/.exec(text);
    if (parsed) return { validation: libOf(fileText, 'zod'), any: parsed[1] !== ')' && schemaIsAny(parsed[1], route), readsBody };
    const validated = /(\w+)\s*\.\s*(validate|validateAsync|validateSync|cast)\s*\(\s*(req|request|ctx\.request)\.body/.exec(text);
    if (validated) return { validation: libOf(fileText, 'joi'), any: schemaIsAny(validated[1], route), readsBody };
    if (/\bcelebrate\s*\(/.test(text)) return { validation: 'joi', any: ANY_SCHEMA.test(text), readsBody };
    if (/\b(body|check|checkSchema)\s*\(\s*['"[{]/.test(route.middleware) || /validationResult\s*\(/.test(text)) return { validation: 'express-validator', any: false, readsBody };
    if (/validat|schema/i.test(route.middleware)) return { validation: libOf(fileText, 'middleware'), any: false, readsBody };
    if (/\bajv\b|\.compile\s*\(/.test(fileText) && /validate\w*\s*\(\s*(req|request)\.body/.test(text)) return { validation: 'ajv', any: false, readsBody };
    if (/\bplainToInstance|plainToClass\b/.test(text) && /\bvalidate(OrReject)?\s*\(/.test(text)) return { validation: 'class-validator', any: false, readsBody };
    return { validation: null, any: false, readsBody };
  }
  if (lang === 'py') {
    if (/serializer_class\s*=|Serializer\s*\(\s*(data\s*=|[^)]*,\s*data\s*=)/.test(text) || /get_serializer\s*\(\s*data\s*=/.test(text)) return { validation: 'drf-serializer', any: false, readsBody };
    if (/\b(form_class\s*=|\w*Form\s*\(\s*request\.POST|\.is_valid\s*\(\s*\)|validate_on_submit\s*\(\s*\))/.test(text)) return { validation: 'django-form', any: false, readsBody };
    if (/\.load\s*\(\s*(request|data|payload|json_data|body)\b|@use_kwargs|@use_args|@expects_json|@validate\b|@arguments\s*\(/.test(text)) return { validation: 'marshmallow', any: false, readsBody };
    if (/\.(model_validate|parse_obj|model_validate_json|parse_raw)\s*\(/.test(text) || /pydantic|BaseModel/.test(fileText) && /\b[A-Z]\w+\s*\(\s*\*\*\s*(request\.(get_json\(\)|json)|data|payload|body)\b/.test(text)) return { validation: 'pydantic', any: false, readsBody };
    if (/jsonschema\.validate|validate\s*\(\s*(instance\s*=|request\.(json|get_json))/.test(text)) return { validation: 'jsonschema', any: false, readsBody };
    return { validation: null, any: false, readsBody };
  }
  // Go: binding into a struct whose fields carry binding/validate tags; a map is an open body.
  const bind = /\.(?:ShouldBindJSON|BindJSON|ShouldBind|Bind|ShouldBindWith|BindWith|Decode)\s*\(\s*&(\w+)/.exec(text);
  if (bind) {
    const varDecl = new RegExp(`(?:var\\s+${bind[1]}\\s+|${bind[1]}\\s*:?=\\s*)(?:&)?([\\w.\\[\\]{}*]+)`).exec(text);
    const type = varDecl?.[1]?.replace(/[{}]$/g, '').replace(/^\*/, '') ?? '';
    if (/^&?map\[string\](interface|any)/.test(varDecl?.[1] ?? '')) return { validation: null, any: true, readsBody };
    const decl = lookup(type.replace(/^\w+\./, '').replace(/\{\}$/, ''));
    const body = decl?.text ?? '';
    if (/(binding|validate):"[^"]*\w/.test(body) || /\.Validate\s*\(|validator\.New\(\)|\.Struct\s*\(/.test(text)) return { validation: 'struct-tags', any: false, readsBody };
    if (/map\[string\](interface\{\}|any)\s*$/m.test(body)) return { validation: null, any: true, readsBody };
    return { validation: null, any: false, readsBody };
  }
  return { validation: null, any: false, readsBody };
}

function libOf(fileText: string, fallback: string): string {
  if (/from\s+['"]zod['"]|require\(['"]zod['"]\)/.test(fileText)) return 'zod';
  if (/['"](joi|@hapi\/joi)['"]/.test(fileText)) return 'joi';
  if (/['"]yup['"]/.test(fileText)) return 'yup';
  if (/['"]valibot['"]/.test(fileText)) return 'valibot';
  if (/['"]superstruct['"]/.test(fileText)) return 'superstruct';
  if (/['"]ajv['"]/.test(fileText)) return 'ajv';
  return fallback;
}

function schemaIsAny(name: string, route: RawRoute): boolean {
  const decl = new RegExp(`(?:const|let|var)\\s+${name}\\s*=\\s*([^;]*)`).exec(route.file.text);
  if (!decl) return false;
  const expr = decl[1].trim();
  return /^z\.(any|unknown|record)\(/.test(expr) || /\.passthrough\(\)\s*$/.test(expr) || /^z\.object\(\s*\{\s*\}\s*\)\s*(\.passthrough\(\))?$/.test(expr) || /^Joi\.(any|object)\(\)(\.unknown\(\s*(true)?\s*\))?$/.test(expr);
}

/** `if "approve" in request.POST`: which button was pressed; a key test reads no value to get wrong. */
const MEMBERSHIP = /\bin\s*$/;

/** A body only echoed back whole (`reply.send(req.body)`) is not interpreted: there are no fields to get wrong. */
const ECHO = /\.(send|json|end|write)\(\s*$/;

function firstMatch(nodes: SyntaxNode[], re: RegExp, skipAfter?: RegExp): SyntaxNode | null {
  const global = new RegExp(re.source, 'g');
  for (const n of nodes) {
    for (const m of n.text.matchAll(global)) {
      if (skipAfter?.test(n.text.slice(Math.max(0, (m.index ?? 0) - 40), m.index))) continue;
      const offset = n.startIndex + (m.index ?? 0);
      return n.descendantForIndex(offset, offset + m[0].length) ?? n;
    }
  }
  return null;
}
