/**
 * Go and Java share one analyzer (analyze.ts): both build SQL with `+` and a format function
 * (fmt.Sprintf / String.format) and bind names with declarations and assignments. What differs —
 * node types, how a callee and its receiver are read, which calls are sinks — is described here,
 * one `StaticSpec` per language (go.ts, java.ts).
 */
import type { SyntaxNode } from '../../syntax/treeSitter';

export interface Callee {
  /** Last name: `db.QueryRow` → "QueryRow". */
  name: string;
  /** Dotted receiver chain: `s.db.QueryRow` → ["s", "db"]; empty for plain calls. */
  receiver: string[];
  args: SyntaxNode[];
}

/** `$1, $2` (PostgreSQL drivers) or `?` (MySQL, SQLite, gorm, JDBC). */
export type PlaceholderStyle = 'dollar' | 'question';

export interface StaticSpec {
  language: 'go' | 'java';
  callType: string;
  commentTypes: string[];
  /** Function-like scopes (names declared inside resolve there first). */
  scopeTypes: string[];
  /** Node types that bind names, resolved to their scope by range. */
  bindingTypes: string[];
  loopTypes: string[];
  stringTypes: ReadonlySet<string>;
  callee(call: SyntaxNode): Callee | null;
  /** Cooked value of a string literal. */
  stringValue(node: SyntaxNode): string;
  /** `fmt.Sprintf(f, a…)` / `String.format(f, a…)` / `f.formatted(a…)`: the format literal and its arguments. */
  formatCall(call: SyntaxNode, callee: Callee): { format: SyntaxNode; args: SyntaxNode[] } | null;
  /** Calls whose result is never attacker text (numbers, escaping, empty containers). */
  isSafeCall(callee: Callee): boolean;
  /** Calls whose result is constant iff these arguments are (strings.Join, String.join, strings.Repeat). */
  passThroughArgs(callee: Callee): SyntaxNode[] | null;
  /** Does this call execute or splice SQL (statement or fragment)? */
  sinkShape(callee: Callee, receiverType?: () => string | undefined): 'statement' | 'fragment' | null;
  /** Calls that hit the database (for N+1). */
  /** Calls that hit the database (for N+1); `receiverType()` gives the declared type (computed on demand: a scope lookup) of the receiver chain's root, if written. */
  isDbCall(callee: Callee, receiverType?: () => string | undefined): boolean;
  /** Names bound by a binding node, with the value each takes (null: unknown/untrusted source). */
  bindings(node: SyntaxNode): Array<{ name: string; value: SyntaxNode | null; kind: 'assign' | 'append' | 'opaque' }>;
  params(scope: SyntaxNode): string[];
  /**
   * Where a statement sink takes bound values: the placeholder style(s) it may expect (two: cannot
   * tell, offer both) and the index of its first bound-value argument. Null: no parameterise fix.
   */
  bindSite?(call: SyntaxNode, callee: Callee, sqlArgIndex: number, sqlText: string, fileText: string): { styles: PlaceholderStyle[]; firstValueArg: number } | null;
  /** A loop's body and per-item names, or null if it is not a per-item loop. */
  loop(node: SyntaxNode): { body: SyntaxNode; items: string[]; iterable?: SyntaxNode } | null;

  /** Call-like nodes besides `callType` that can be sinks (Java `new SqlUpdate(ds, sql)`, `super(ds, sql)`). */
  ctorTypes?: string[];
  /** Declared parameters of a scope with their type text (when written) and annotations. */
  paramInfo?(scope: SyntaxNode): ParamInfo[];
  /** The declared type of a name bound by a binding node (`String q = …`, a field), if written. */
  declaredType?(node: SyntaxNode): string | undefined;
  /** Is a value of this declared type never attacker text (numbers, booleans, UUIDs, dates, enums of the file)? */
  isSafeType?(type: string, enums: ReadonlySet<string>): boolean;
  /** Is this a string type (the whole query may be a value of it)? */
  isStringType?(type: string): boolean;
  /** Does this expression read request data (a framework source)? Its description, or null. */
  requestSource?(expr: SyntaxNode, typeOf: (root: SyntaxNode) => string | undefined): string | null;
  /**
   * May a string parameter be the whole query? Java: yes (a DAO method handed the SQL). Go: no — Go
   * libraries and helpers routinely take `query string` and pass it on; only request data counts there.
   */
  wholeQueryFromParams?: boolean;
  /** Does the call take the whole SQL text as a value at this argument (so a non-constant string there is an injection)? */
  takesWholeQuery?(callee: Callee, argIndex: number): boolean;
  /**
   * Guards that make a name safe at a use: the use sits inside `if (ALLOWED.contains(x))`, or follows a
   * validator call `checkIdentifier(x)`. `isConstant` decides whether an allow-list is constant.
   */
  guarded?(id: SyntaxNode, isConstant: (expr: SyntaxNode, at: SyntaxNode) => boolean): boolean;
  /** The receiver expression of a call (`x` in `x.toString()`), for calls whose result is their receiver's text. */
  receiverOf?(call: SyntaxNode): SyntaxNode | null;
  /** Calls whose result is the text of their receiver (`sb.toString()`, `s.trim()`, `e.name()`). */
  isReceiverPassThrough?(callee: Callee): boolean;
  /**
   * Named function/method declarations of the file (same-file return summaries): their node type (named
   * by its `name` field), the field holding the declared return type, and the types of return statements.
   */
  functions?: { declaration: string; returnTypeField: string; returns: string[] };
  /**
   * Quote characters removed from this value (`strings.ReplaceAll(x, "'", "")`, a `strings.NewReplacer`
   * that maps quotes to nothing): spliced between those quotes, it cannot end the literal.
   */
  strippedQuotes?(expr: SyntaxNode, lookup: (id: SyntaxNode) => Array<{ value: SyntaxNode | null; kind: string }>, index: import('../nodeIndex').NodeIndex): string[];
  /** Is this expression a "value of a safe type" by its shape (class literal names, enum constants)? */
  isSafeExpression?(expr: SyntaxNode): boolean;
}

export interface ParamInfo {
  name: string;
  type?: string;
  /** Annotation names (Spring/JAX-RS request binding: RequestParam, PathVariable, QueryParam …). */
  annotations?: string[];
  /** `Object... args` / `args ...any`: a wrapper forwards bound values. */
  variadic?: boolean;
}
