/**
 * What kind of file a path is, from the path alone (so it costs nothing at query time and needs no
 * field in the store). Search uses it as a prior: a bug report is about source code, and a README, an
 * issue template or a translated doc that repeats the report's words is rarely what was meant.
 * Content-based kinds (minified, generated) are decided when the file is read (sourceFile.ts) and such
 * files are not indexed by default.
 */
export type FileKind = 'source' | 'test' | 'config' | 'docs' | 'changelog' | 'generated' | 'vendored' | 'minified' | 'lockfile' | 'locale';

const LOCKFILES = /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lockb|Cargo\.lock|poetry\.lock|Pipfile\.lock|Gemfile\.lock|composer\.lock|go\.sum|uv\.lock)$/;
const VENDORED = /(?:^|\/)(?:vendor|vendored|third[_-]?party|bower_components|node_modules|extern|externals?|cextern)\//i;
const MINIFIED = /\.min\.(?:js|css)$|[.-]bundle\.js$/;
const GENERATED = /(?:^|\/)(?:generated|__generated__|gen)\/|\.(?:pb|generated|g)\.\w+$|_pb2\.py$/;
const LOCALE = /\.(?:po|pot|mo|xlf|xliff|resx|strings)$|(?:^|\/)(?:locales?|i18n|l10n|translations?|lang)\/[^/]+\.(?:json|ya?ml|properties|js|ts)$/i;
const CHANGELOG = /(?:^|\/)(?:change[-_]?log|changes|history|news|release[-_]?notes?)(?:\.[\w]+)?$/i;
const TEST = /(?:^|\/)(?:tests?|__tests__|__snapshots__|spec|specs|testing|fixtures?|e2e)\/|(?:^|\/)(?:test_[^/]+|[^/]+_tests?\.py|conftest\.py)$|\.(?:test|spec|tests)\.[cm]?[jt]sx?$|_test\.go$|Tests?\.(?:java|kt|cs)$/;
const DOCS = /\.(?:md|mdx|rst|txt|adoc|asciidoc|rdoc|org|ipynb)$|(?:^|\/)(?:docs?|documentation|examples?|ISSUE_TEMPLATE|PULL_REQUEST_TEMPLATE)\/|(?:^|\/)(?:README|CONTRIBUTING|CODE_OF_CONDUCT|AUTHORS|LICENSE|COPYING|NOTICE|SECURITY)(?:\.\w+)?$/i;
const CONFIG = /\.(?:json|ya?ml|toml|ini|cfg|conf|properties|env\.example|editorconfig|xml|plist|gradle|lock)$|(?:^|\/)(?:\.github|\.circleci|\.gitlab|\.husky|\.vscode)\/|(?:^|\/)(?:Dockerfile|Makefile|Procfile|setup\.py|setup\.cfg|tox\.ini|\.[\w-]+rc(?:\.\w+)?|[\w-]+\.config\.[cm]?[jt]s|tsconfig[\w.-]*\.json|package\.json)$/i;

export function fileKind(path: string): FileKind {
  if (LOCKFILES.test(path)) return 'lockfile';
  if (VENDORED.test(path)) return 'vendored';
  if (MINIFIED.test(path)) return 'minified';
  if (GENERATED.test(path)) return 'generated';
  if (LOCALE.test(path)) return 'locale';
  if (CHANGELOG.test(path)) return 'changelog';
  if (TEST.test(path)) return 'test';
  if (DOCS.test(path)) return 'docs';
  if (CONFIG.test(path)) return 'config';
  return 'source';
}

/** Why a path is not indexed by default: third-party, minified or machine-written code. */
export type DefaultSkip = 'vendored' | 'minified' | 'generated';

// Narrower than the ranking kinds above: a skip hides a file completely, so only names that are
// unambiguous conventions count (a `gen/` or `lib/` folder is often hand-written code).
const SKIP_VENDORED_DIR = /^(?:third[_-]?party|thirdparty|vendored|extern|externals|cextern|bower_components|jspm_packages|web_modules)$/i;
const SKIP_GENERATED_DIR = /^(?:__generated__|generated)$/;
const SKIP_MINIFIED = /\.min\.(?:js|mjs|cjs|css)$|[.-]bundle\.(?:js|mjs|css)$|\.chunk\.(?:js|css)$/;
const SKIP_GENERATED = /_pb2(?:_grpc)?\.pyi?$|\.pb(?:\.gw)?\.go$|_pb\.(?:js|d\.ts)$|\.pb\.(?:cc|h)$|\.(?:generated|g)\.(?:ts|js|cs|dart)$|\.designer\.cs$/;

/** A folder (its own name) whose files are all skipped by default, or undefined. */
export function defaultSkipDir(name: string): DefaultSkip | undefined {
  if (SKIP_VENDORED_DIR.test(name)) return 'vendored';
  if (SKIP_GENERATED_DIR.test(name)) return 'generated';
  return undefined;
}

/** A file (its path) skipped by default because of its name, or undefined. Folders: {@link defaultSkipDir}. */
export function defaultSkipFile(path: string): DefaultSkip | undefined {
  const name = path.slice(path.lastIndexOf('/') + 1);
  if (SKIP_MINIFIED.test(name)) return 'minified';
  if (SKIP_GENERATED.test(name)) return 'generated';
  return undefined;
}
