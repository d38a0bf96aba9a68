/**
 * Files that hold credentials as a whole — recognised by name and, because names lie (`prod.env`,
 * a kubeconfig called `cluster.yaml`, a link named `settings.txt` pointing at `.env`), by content.
 * Such files are never indexed: redaction is for secrets that sit inside code, a credentials file is
 * nothing but secrets.
 */

const SECRET_NAME = [
  /^\.env(\..*)?$/i, // .env, .env.local, .env.production …
  /\.env$/i, // prod.env, x.env
  /\.env\.(?:local|prod\w*|dev\w*|stag\w*|test|qa|bak|backup|old|orig|save)$/i,
  /^\.envrc$/i,
  /\.pem$/i,
  /\.key$/i,
  /^id_(rsa|dsa|ecdsa|ed25519)/i,
  /\.(p12|pfx|jks|keystore|ppk|asc|gpg|kdbx)$/i,
  /^\.?credentials(\..*)?$/i,
  /^\.(netrc|npmrc|pypirc|pgpass|git-credentials|dockercfg|htpasswd|s3cfg|my\.cnf)$/i,
  /^_netrc$/i,
  /^secrets?\.(json|ya?ml|toml|env)$/i,
  /\.tfvars(\.json)?$/i,
  /\.tfstate(\.backup)?$/i,
  /^(\.)?kubeconfig(\..*)?$/i,
  /\.kubeconfig$/i,
  /^g?shadow-?$/, // password hashes (reachable only when links out of the workspace are followed)
];

/** True for files that carry secrets by name; these are skipped whatever the ignore files say. */
export function isSecretFileName(fileName: string): boolean {
  return SECRET_NAME.some((re) => re.test(fileName));
}

const PRIVATE_KEY = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----\r?\n[A-Za-z0-9+/=:,\- \t\r\n]{0,200}?[A-Za-z0-9+/]{40}/;
const KUBECONFIG = [/^apiVersion:\s*v1\s*$/m, /^kind:\s*Config\s*$/m, /^users:\s*$/m];
const DOCKER_AUTHS = /^\s*\{\s*"(?:auths|credHelpers)"\s*:\s*\{[\s\S]{0,400}?"(?:auth|identitytoken|registrytoken)"\s*:\s*"[^"]{8,}/;
const ENV_LINE = /^(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.]*)[ \t]*=[ \t]*(.*)$/;
const SECRETISH_KEY = /(?:pass(?:wd|word|phrase)?|pwd|secret|token|api_?key|access_?key|private_?key|credential|auth|dsn|salt|signing|client_?secret)/i;

/**
 * A reason if `text` (already decoded) is a credentials file whatever its name: a private key, a
 * kubeconfig, a docker auth config, or an env file (mostly KEY=value lines, with a secret-ish key
 * holding a literal). Looks at the head only, so it costs the same for any file size.
 */
export function secretFileByContent(text: string): string | undefined {
  const head = text.length > 65536 ? text.slice(0, 65536) : text;
  if (PRIVATE_KEY.test(head)) return 'contains a private key';
  if (KUBECONFIG.every((re) => re.test(head))) return 'a kubeconfig (cluster credentials)';
  if (DOCKER_AUTHS.test(head)) return 'a docker registry auth config';
  if (looksLikeEnvFile(head)) return 'an env file (KEY=value lines with secrets)';
  return undefined;
}

function looksLikeEnvFile(head: string): boolean {
  let meaningful = 0;
  let assignments = 0;
  let secretLiterals = 0;
  for (const raw of head.split('\n', 400)) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    meaningful++;
    const m = ENV_LINE.exec(line);
    // `KEY=value` with no space before '=' is env/shell syntax; `key = value` is code or INI.
    if (!m || /[ \t]=/.test(line.slice(0, line.indexOf('=') + 1))) continue;
    assignments++;
    const value = m[2].replace(/^["']|["']$/g, '');
    if (SECRETISH_KEY.test(m[1]) && value.length >= 4 && !/^\$|^\{\{|^<|^(?:changeme|xxx+|\*+|your[_-])/i.test(value)) secretLiterals++;
  }
  return meaningful >= 1 && assignments / meaningful >= 0.8 && secretLiterals >= 1;
}
