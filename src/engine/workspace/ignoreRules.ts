/**
 * Which paths Keel never indexes, and the .gitignore / .keelignore rules it honours.
 *
 * Rules are evaluated as git does: rule sets from the outermost directory to the innermost, later
 * matches win, so a nested .gitignore (or a .keelignore, read after the .gitignore of the same folder)
 * can re-include with `!pattern`. A directory that ends up ignored is not descended into at all.
 * Secret-bearing files are the exception: no rule can re-include them, because indexing one would put
 * credentials into a store and possibly into a prompt.
 */
import ignore, { type Ignore } from 'ignore';

/** Defaults, in .gitignore syntax: VCS and dependency folders, build outputs, lockfiles, binaries. */
export const DEFAULT_EXCLUDES: readonly string[] = [
  '.git/', '.hg/', '.svn/', '.jj/',
  'node_modules/', 'bower_components/', 'vendor/', '.venv/', 'venv/', '__pycache__/', '.tox/', '.gradle/',
  'dist/', 'build/', 'out/', 'target/', '.next/', '.nuxt/', 'coverage/', '.cache/', '.parcel-cache/',
  '.turbo/', '.keel-cache/', '.idea/', '.vscode-test/',
  'package-lock.json', 'npm-shrinkwrap.json', 'yarn.lock', 'pnpm-lock.yaml', 'bun.lockb', 'Cargo.lock',
  'poetry.lock', 'Pipfile.lock', 'Gemfile.lock', 'composer.lock', 'go.sum', 'uv.lock',
  // minified bundles (*.min.js …) are not here: the walker skips them with a reason (defaultSkip)
  '*.map', '*.pyc', '*.class', '*.o', '*.so',
  '*.dylib', '*.dll', '*.exe', '*.a', '*.lib', '*.jar', '*.war', '*.wasm', '*.node',
  '*.png', '*.jpg', '*.jpeg', '*.gif', '*.bmp', '*.ico', '*.webp', '*.tiff', '*.psd',
  '*.mp3', '*.mp4', '*.mov', '*.avi', '*.wav', '*.ogg', '*.webm',
  '*.zip', '*.gz', '*.tgz', '*.bz2', '*.xz', '*.7z', '*.rar', '*.tar',
  '*.pdf', '*.doc', '*.docx', '*.xls', '*.xlsx', '*.ppt', '*.pptx',
  '*.woff', '*.woff2', '*.ttf', '*.otf', '*.eot', '*.sqlite', '*.sqlite3', '*.db', '*.vsix',
];

/** True for files that carry secrets by name; these are skipped whatever the ignore files say. */
export { isSecretFileName as isSecretFile } from './secretFiles';

/** One directory's rules; `base` is the directory's path relative to the root ('' for the root). */
export interface RuleSet {
  base: string;
  rules: Ignore;
}

export function ruleSet(base: string, patterns: readonly string[] | string): RuleSet {
  return { base, rules: ignore({ allowRelativePaths: true }).add(patterns as string[] | string) };
}

/**
 * Whether `relPath` (posix, relative to the root; directories WITHOUT a trailing slash) is ignored
 * by the stack of rule sets, outermost first.
 */
export function isIgnored(stack: readonly RuleSet[], relPath: string, isDirectory: boolean): boolean {
  let ignored = false;
  for (const { base, rules } of stack) {
    if (base && !relPath.startsWith(`${base}/`)) continue;
    const local = base ? relPath.slice(base.length + 1) : relPath;
    if (!local) continue;
    const result = rules.test(isDirectory ? `${local}/` : local);
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}
