/**
 * Python sources for the re-ranker's TRAINING data, from Debian's archive (the only other registry
 * Keel's tooling may use). `apt-get download` fetches the .deb WITHOUT installing it — installing would
 * put it under /usr/lib/python3/dist-packages, which the embedder's training corpus scans, and these
 * must stay out of that corpus (a re-ranker fitted on functions the embedder memorised would learn to
 * over-trust the vectors). Pinned by version and sha256; cached in .keel-cache/, so a second run is offline.
 *
 * Chosen for documented, self-contained utility functions (the kind CoSQA's snippets are) and for
 * being absent from both the embedder's corpus (scripts/embedder/corpus.ts PYTHON_APT_PACKAGES) and
 * the system's dist-packages.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DebPackage {
  name: string;
  version: string;
  sha256: string;
}

export const PYTHON_TRAINING_PACKAGES: readonly DebPackage[] = [
  { name: 'python3-boltons', version: '21.0.0-2', sha256: 'e199b3ebb65179c58bd374deb2f3888aab40967a4893e278de7fd483057af67f' },
  { name: 'python3-toolz', version: '0.12.0-1', sha256: '0e0a07ec58110a5d07a84f3346e624b6cd92330e07fc8316d3f8a6ba9580f72f' },
  { name: 'python3-arrow', version: '1.2.3-1', sha256: 'c5d32400b4b835797eca274449c94b89cd642924c047a237b804d945fdf748d8' },
];

/** The extracted package's python3 dist-packages folder. */
export function ensureDebPackage(pkg: DebPackage, cacheDir: string, log: (line: string) => void = () => {}): string {
  const debs = path.join(cacheDir, 'deb');
  const target = path.join(cacheDir, 'deb-packages', `${pkg.name}_${pkg.version}`);
  const sources = path.join(target, 'usr', 'lib', 'python3', 'dist-packages');
  if (fs.existsSync(path.join(target, '.complete'))) return sources;
  fs.mkdirSync(debs, { recursive: true });
  const file = path.join(debs, `${pkg.name}_${pkg.version.replace(/:/g, '%3a')}_all.deb`);
  if (!fs.existsSync(file)) {
    log(`apt-get download ${pkg.name}=${pkg.version}`);
    execFileSync('apt-get', ['download', `${pkg.name}=${pkg.version}`], { cwd: debs, stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
  }
  const sha = createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  if (sha !== pkg.sha256) throw new Error(`${pkg.name}=${pkg.version}: .deb sha256 ${sha} does not match the pinned ${pkg.sha256}`);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  execFileSync('dpkg-deb', ['-x', file, target], { stdio: 'inherit' });
  fs.writeFileSync(path.join(target, '.complete'), `${pkg.sha256}\n`);
  return sources;
}
