/**
 * The real packages behind Keel's repository-level retrieval set. Versions and tarball hashes are
 * pinned so the set is the same on every machine and every run; change them only together with
 * BUILDER_VERSION in repoSet.ts (which invalidates the cache).
 *
 * Chosen for well-kept JSDoc over real, varied server-side code — HTTP clients and servers (axios,
 * undici, superagent, engine.io), a query language (graphql), test tooling (mocha, chai), crypto
 * (node-forge), dates (luxon), markdown (markdown-it), mail (nodemailer), auth (passport), HTML
 * (cheerio, TypeScript) and logging (winston) — AND for being absent from the embedder's training
 * corpus (scripts/embedder/corpus.ts NPM_PACKAGES): a model must not be evaluated on the functions it
 * was trained to match. Bundles, minified builds, .d.ts files and tests are excluded.
 */

export interface CorpusPackage {
  name: string;
  version: string;
  /** sha1 of the npm tarball (what `npm pack` prints as shasum). */
  sha1: string;
  /** Files to keep, matched against the path inside the tarball's package/ folder. */
  include: RegExp;
  exclude?: RegExp;
}

export const CORPUS_PACKAGES: readonly CorpusPackage[] = [
  { name: 'axios', version: '1.7.9', sha1: 'd7d071380c132a24accda1b2cfc1535b79ec650a', include: /^lib\// },
  { name: 'undici', version: '6.21.1', sha1: '336025a14162e6837e44ad7b819b35b6c6af0e05', include: /^lib\//, exclude: /^lib\/llhttp\// },
  { name: 'winston', version: '3.17.0', sha1: '74b8665ce9b4ea7b29d0922cfccf852a08a11423', include: /^lib\// },
  { name: 'graphql', version: '16.10.0', sha1: '24c01ae0af6b11ea87bf55694429198aaa8e220c', include: /\.js$/ },
  { name: 'chai', version: '4.5.0', sha1: '707e49923afdd9b13a8b0b47d33d732d13812fd8', include: /^lib\// },
  { name: 'mocha', version: '10.8.2', sha1: '8d8342d016ed411b12a429eb731b825f961afb96', include: /^lib\// },
  { name: 'node-forge', version: '1.3.1', sha1: 'be8da2af243b2417d5f646a770663a92b7e9ded3', include: /^lib\// },
  { name: 'luxon', version: '3.5.0', sha1: '6b6f65c5cd1d61d1fd19dbf07ee87a50bf4b8e20', include: /^src\// },
  { name: 'markdown-it', version: '14.1.0', sha1: '3c3c5992883c633db4714ccb4d7b5935d98b7d45', include: /^lib\// },
  { name: 'nodemailer', version: '6.9.16', sha1: '3ebdf6c6f477c571c0facb0727b33892635e0b8b', include: /^lib\// },
  { name: 'passport', version: '0.7.0', sha1: '3688415a59a48cf8068417a8a8092d4492ca3a05', include: /^lib\// },
  { name: 'superagent', version: '10.1.1', sha1: '2f112591a5701a1d4467048580bcfda104e5a94d', include: /^lib\// },
  { name: 'cheerio', version: '1.0.0', sha1: '1ede4895a82f26e8af71009f961a9b8cb60d6a81', include: /^src\/.*\.ts$/ },
  { name: 'engine.io', version: '6.6.2', sha1: '32bd845b4db708f8c774a4edef4e5c8a98b3da72', include: /^build\/.*\.js$/ },
];

const SOURCE = /\.(?:js|mjs|cjs|ts)$/;
const NEVER = /\.d\.ts$|\.min\.js$|\.(?:spec|test)\.[cm]?[jt]s$|(?:^|\/)(?:test|tests|__tests__|__fixtures__)\//;
/** Generated blobs (inlined WASM, vendored bundles) are not code anyone searches. */
export const MAX_SOURCE_BYTES = 200_000;

export function isCorpusFile(pkg: CorpusPackage, rel: string): boolean {
  return SOURCE.test(rel) && !NEVER.test(rel) && pkg.include.test(rel) && !(pkg.exclude?.test(rel) ?? false);
}

/**
 * A DISJOINT set of packages for fitting the local re-ranker's weights. Nothing from the evaluation
 * packages above is used for training, so the re-ranker's gain on the evals is not tuned to them.
 */
export const TRAINING_PACKAGES: readonly CorpusPackage[] = [
  { name: 'webpack', version: '5.97.1', sha1: '972a8320a438b56ff0f1d94ade9e82eac155fa58', include: /^lib\// },
  { name: 'eslint', version: '9.17.0', sha1: 'faa1facb5dd042172fdc520106984b5c2421bb0c', include: /^lib\// },
  { name: 'ioredis', version: '5.4.2', sha1: 'ebb6f1a10b825b2c0fb114763d7e82114a0bee6c', include: /^built\// },
];
