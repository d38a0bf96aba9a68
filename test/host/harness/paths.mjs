// Where the host tier's pieces live. One place, so the test runner, the shim and `npm start` agree.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** code-server and its native modules, installed by scripts/setup-host.sh (git-ignored). */
export const HOST_DIR = process.env.KEEL_HOST_DIR ? path.resolve(process.env.KEEL_HOST_DIR) : path.join(ROOT, '.keel-host');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_BIN = path.join(HOST_DIR, 'node_modules', '.bin', 'code-server');
export const HOST_STAMP = path.join(HOST_DIR, 'installed.json');
export const SETUP_SCRIPT = path.join(ROOT, 'scripts', 'setup-host.sh');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** Bundled host suite and per-run scratch (git-ignored). */
export const OUT_DIR = path.join(ROOT, 'out', 'host');
export const RESULTS_DIR = path.join(ROOT, 'test-results');
export const FIXTURE_WORKSPACE = path.join(ROOT, 'test', 'fixtures', 'demo-backend');
