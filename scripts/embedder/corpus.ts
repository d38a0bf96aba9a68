/**
 * The training corpus: text any machine here can obtain without a model hub — Python sources shipped by
 * Debian (the standard library and the python3-* packages listed in PYTHON_APT_PACKAGES) and JavaScript
 * packages fetched with `npm pack` into the git-ignored .keel-cache/. Listing is sorted so that runs are
 * reproducible on the same package versions.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Install with: apt-get install --no-install-recommends <these>. Missing ones are skipped with a note. */
export const PYTHON_APT_PACKAGES = [
  'python3-django', 'python3-sqlalchemy', 'python3-flask', 'python3-werkzeug', 'python3-jinja2', 'python3-requests',
  'python3-numpy', 'python3-pandas', 'python3-dateutil', 'python3-yaml', 'python3-click', 'python3-attr',
  'python3-six', 'python3-babel', 'python3-docutils', 'python3-pygments', 'python3-sphinx', 'python3-networkx',
  'python3-psycopg2', 'python3-celery', 'python3-boto3', 'python3-botocore', 'python3-tornado', 'python3-twisted',
  'python3-matplotlib', 'python3-scipy', 'python3-sklearn', 'python3-nltk', 'python3-pil', 'python3-lxml',
  'python3-bs4', 'python3-paramiko', 'python3-cryptography', 'python3-openpyxl', 'python3-xlrd', 'python3-sympy',
  'python3-pytest', 'python3-setuptools', 'python3-pip', 'python3-redis', 'python3-pymongo', 'python3-aiohttp',
  'python3-marshmallow', 'python3-alembic', 'python3-markdown', 'python3-html5lib',
];

/** Pinned so the corpus is the same on every machine. */
export const NPM_PACKAGES = [
  'lodash@4.17.21', 'express@4.21.2', 'moment@2.30.1', 'async@3.2.6', 'underscore@1.13.7', 'bluebird@3.7.2',
  'validator@13.12.0', 'knex@3.1.0', 'sequelize@6.37.5', 'mongoose@8.9.5', 'yargs@17.7.2', 'commander@12.1.0',
  'jquery@3.7.1', 'ramda@0.30.1', 'date-fns@2.30.0', 'typeorm@0.3.20', 'pg@8.13.1', 'mysql@2.18.1',
  'body-parser@1.20.3', 'koa@2.15.3', 'ws@8.18.0', 'socket.io@4.8.1', 'handlebars@4.7.8', 'marked@15.0.6',
  'uuid@11.0.5', 'semver@7.6.3', 'rxjs@7.8.1', 'immutable@4.3.7', 'd3@7.9.0', 'three@0.160.0',
];

export interface SourceFile {
  path: string;
  language: 'python' | 'javascript';
  /** Which corpus it came from (for the model card's size table). */
  source: string;
}

const MAX_FILE_BYTES = 1_000_000;

export function pythonRoots(): string[] {
  const roots: string[] = [];
  for (const dir of safeList('/usr/lib')) if (/^python3\.\d+$/.test(dir)) roots.push(path.join('/usr/lib', dir));
  if (fs.existsSync('/usr/lib/python3/dist-packages')) roots.push('/usr/lib/python3/dist-packages');
  return roots.sort();
}

/** Fetches (once) and unpacks each npm package into cacheDir/npm/<name@version>/. */
export function ensureNpmPackages(cacheDir: string, log: (s: string) => void): string[] {
  const dir = path.join(cacheDir, 'npm');
  fs.mkdirSync(dir, { recursive: true });
  const roots: string[] = [];
  for (const spec of NPM_PACKAGES) {
    const unpacked = path.join(dir, spec.replace(/[/@]/g, '_'));
    if (!fs.existsSync(path.join(unpacked, 'package'))) {
      try {
        const tarball = findTarball(dir, spec) ?? execFileSync('npm', ['pack', '--silent', spec], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').pop()!;
        fs.mkdirSync(unpacked, { recursive: true });
        execFileSync('tar', ['-xzf', path.join(dir, tarball), '-C', unpacked]);
      } catch (error) {
        log(`  skipped npm package ${spec}: ${(error as Error).message.split('\n')[0]}`);
        continue;
      }
    }
    roots.push(path.join(unpacked, 'package'));
  }
  return roots;
}

function findTarball(dir: string, spec: string): string | undefined {
  const at = spec.lastIndexOf('@');
  const name = spec.slice(0, at).replace(/^@/, '').replace('/', '-');
  const file = `${name}-${spec.slice(at + 1)}.tgz`;
  return fs.existsSync(path.join(dir, file)) ? file : undefined;
}

export function listFiles(root: string, language: SourceFile['language'], source: string): SourceFile[] {
  const out: SourceFile[] = [];
  const ext = language === 'python' ? /\.py$/ : /\.(js|mjs|cjs|ts)$/;
  const walk = (dir: string): void => {
    for (const name of safeList(dir).sort()) {
      if (name === '__pycache__' || name === 'node_modules' || name.startsWith('.')) continue;
      const full = path.join(dir, name);
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(full);
      } catch {
        continue;
      }
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile() && ext.test(name) && !/\.min\.js$|\.d\.ts$/.test(name) && stat.size <= MAX_FILE_BYTES) {
        out.push({ path: full, language, source });
      }
    }
  };
  walk(root);
  return out;
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
