/**
 * Request sources for Go and Java, as data: where a handler reads what the client sent. Parameters are
 * already non-constant for the analyzer; these tables decide the cases where "comes from the request"
 * changes the verdict — a whole query taken from the request, a table name from the request rather than
 * from configuration — and name the source in the finding.
 *
 * Each row: the framework, the declared type of the receiver (`r *http.Request`), the names a receiver of
 * unwritten type usually has, and the members that return client data.
 */
import type { SyntaxNode } from '../../syntax/treeSitter';

export interface SourceRow {
  framework: string;
  /** Declared type of the receiver, as written (`*http.Request`, `HttpServletRequest`). */
  type: RegExp;
  /** Receiver names used when the type is not written where the name is bound. */
  names: RegExp;
  /** Members (methods or fields) that return client data. */
  members: RegExp;
}

export const GO_SOURCES: readonly SourceRow[] = [
  {
    framework: 'net/http',
    type: /^\*?http\.Request$/,
    names: /^(r|req|request)$/,
    members: /^(FormValue|PostFormValue|Form|PostForm|MultipartForm|URL|Header|Cookie|Cookies|Body|PathValue|Referer|UserAgent|RequestURI|FormFile)$/,
  },
  {
    framework: 'gin',
    type: /^\*?gin\.Context$/,
    names: /^(c|ctx|gc)$/,
    members: /^(Query|DefaultQuery|GetQuery|QueryArray|GetQueryArray|QueryMap|Param|PostForm|DefaultPostForm|GetPostForm|PostFormArray|PostFormMap|GetHeader|Cookie|GetRawData|ShouldBind\w*|Bind\w*)$/,
  },
  {
    framework: 'echo',
    type: /^echo\.Context$/,
    names: /^(c|ctx|ec)$/,
    members: /^(QueryParam|QueryParams|QueryString|Param|ParamValues|FormValue|FormParams|Cookie|Bind)$/,
  },
  {
    framework: 'fiber',
    type: /^\*?fiber\.Ctx$/,
    names: /^(c|ctx)$/,
    members: /^(Query|Params|FormValue|Cookies|Body|BodyParser|Queries|QueryParser|ParamsParser)$/,
  },
];

/** Free functions of routers that return path variables: `mux.Vars(r)["id"]`, `chi.URLParam(r, "id")`. */
export const GO_SOURCE_FUNCTIONS = /^(mux\.Vars|chi\.URLParam|chi\.URLParamFromCtx|httprouter\.ParamsFromContext|pat\.Param)$/;

export const JAVA_SOURCES: readonly SourceRow[] = [
  {
    framework: 'Servlet',
    type: /^(Http)?ServletRequest(Wrapper)?$/,
    names: /^(req|request|httpRequest|servletRequest|httpServletRequest)$/,
    members: /^(getParameter|getParameterValues|getParameterMap|getParameterNames|getHeader|getHeaders|getQueryString|getCookies|getPathInfo|getRequestURI|getRequestURL|getReader|getInputStream|getPart|getParts|getServletPath|getRemoteUser)$/,
  },
  {
    framework: 'Spring WebRequest',
    type: /^(Native)?WebRequest$/,
    names: /^(webRequest)$/,
    members: /^(getParameter|getParameterValues|getParameterMap|getHeader|getHeaderValues)$/,
  },
];

/** Parameter annotations that bind request data (Spring MVC, JAX-RS). */
export const JAVA_SOURCE_ANNOTATIONS = /^(RequestParam|PathVariable|RequestBody|RequestHeader|CookieValue|MatrixVariable|ModelAttribute|RequestPart|QueryParam|PathParam|FormParam|HeaderParam|CookieParam|MatrixParam|BeanParam)$/;

/** Which row, if any, a receiver of this type (or, type unknown, this name) and member belongs to. */
export function sourceRow(rows: readonly SourceRow[], receiverName: string, receiverType: string | undefined, member: string): SourceRow | undefined {
  return rows.find((r) => (receiverType !== undefined ? r.type.test(receiverType.replace(/\s+/g, '')) : r.names.test(receiverName)) && r.members.test(member));
}

/**
 * How memberChain steps through each Go/Java node toward the root: the child to follow, and the field
 * holding the member name the step contributes (none for calls and indexing).
 */
const CHAIN_STEPS: ReadonlyMap<string, { next: string; member?: string }> = new Map([
  ['selector_expression', { next: 'operand', member: 'field' }],
  ['field_access', { next: 'object', member: 'field' }],
  ['method_invocation', { next: 'object', member: 'name' }],
  ['call_expression', { next: 'function' }],
  ['index_expression', { next: 'operand' }],
  ['array_access', { next: 'array' }],
]);

/** Walk `a.b().c[0]` down to its root identifier, collecting member names from the root out. */
export function memberChain(expr: SyntaxNode): { root: SyntaxNode; members: string[] } | null {
  const members: string[] = [];
  let n: SyntaxNode | null = expr;
  for (let depth = 0; n && depth < 12; depth++) {
    if (n.type === 'identifier') return { root: n, members };
    if (n.type === 'parenthesized_expression') {
      n = n.namedChildren[0] ?? null;
      continue;
    }
    const step = CHAIN_STEPS.get(n.type);
    if (!step) return null;
    if (step.member) members.unshift(n.childForFieldName(step.member)?.text ?? '');
    n = n.childForFieldName(step.next);
  }
  return null;
}
