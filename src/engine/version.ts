/** Keel's version: injected by esbuild at build time; read from package.json when running from source. */
declare const __KEEL_VERSION__: string | undefined;

export const VERSION: string =
  typeof __KEEL_VERSION__ !== 'undefined' ? __KEEL_VERSION__ : (require('../../package.json') as { version: string }).version;
