/**
 * Gets the pinned packages' sources into the git-ignored .keel-cache/: `npm pack` (the npm registry is
 * the only network Keel's tooling uses), verify the tarball's sha1, extract with the system tar.
 * Everything is cached: a second run touches no network.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CorpusPackage } from './packages';

export function tarballName(pkg: CorpusPackage): string {
  // Scoped names (@scope/name) become scope-name, as npm pack names them.
  return `${pkg.name.replace(/^@/, '').replace(/\//g, '-')}-${pkg.version}.tgz`;
}

/** Returns the folder holding the extracted package (the tarball's package/ contents). */
export function ensurePackage(pkg: CorpusPackage, cacheDir: string, log: (line: string) => void = () => {}): string {
  const tarballs = path.join(cacheDir, 'tarballs');
  const target = path.join(cacheDir, 'packages', `${pkg.name.replace(/\//g, '__')}@${pkg.version}`);
  if (fs.existsSync(path.join(target, '.complete'))) return target;

  fs.mkdirSync(tarballs, { recursive: true });
  const tarball = path.join(tarballs, tarballName(pkg));
  if (!fs.existsSync(tarball)) {
    log(`npm pack ${pkg.name}@${pkg.version}`);
    execFileSync('npm', ['pack', `${pkg.name}@${pkg.version}`, '--silent', '--pack-destination', tarballs], {
      stdio: ['ignore', 'ignore', 'inherit'],
      timeout: 120_000,
    });
  }
  const sha1 = createHash('sha1').update(fs.readFileSync(tarball)).digest('hex');
  if (sha1 !== pkg.sha1) {
    fs.rmSync(tarball, { force: true });
    throw new Error(`${pkg.name}@${pkg.version}: tarball sha1 ${sha1} does not match the pinned ${pkg.sha1}`);
  }
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  execFileSync('tar', ['xzf', tarball, '-C', target, '--strip-components=1'], { stdio: 'inherit' });
  fs.writeFileSync(path.join(target, '.complete'), `${pkg.sha1}\n`);
  return target;
}

/** Posix paths of every file under `dir`, sorted (deterministic order on every filesystem). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (abs: string, rel: string): void => {
    for (const entry of fs.readdirSync(abs, { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(abs, entry.name), childRel);
      else if (entry.isFile()) out.push(childRel);
    }
  };
  walk(dir, '');
  return out.sort();
}
