/** `--name value` from the benchmark's command line, else `fallback` (the figures a plain `npm run bench:*` prints). */
export function benchArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
}
