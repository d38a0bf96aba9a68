/** `keel` — Keel's engine on the command line (bundled into dist/cli.js through src/keel.ts). */
import { VERSION } from '../engine/version';
import type { CliCommand } from './command';
import { commands } from './commands/all';
import { EXIT, optionsOf, runCommand } from './runner';

export async function main(argv: string[]): Promise<number> {
  const out = (text: string): void => void process.stdout.write(text);
  const err = (text: string): void => void process.stderr.write(text);
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-v' || name === 'version') {
    out(argv.includes('--json') ? `${JSON.stringify({ version: VERSION })}\n` : `${VERSION}\n`);
    return EXIT.ok;
  }
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    out(topic ? commandHelp(topic) : overview());
    return EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    err(`keel: unknown command "${name}". Run \`keel --help\` for the list.\n`);
    return EXIT.usage;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    out(commandHelp(command));
    return EXIT.ok;
  }
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once('SIGINT', onSigint);
  try {
    return await runCommand(command, rest, {
      argv: rest,
      cwd: process.cwd(),
      env: process.env,
      out,
      err,
      readStdin,
      signal: controller.signal,
    });
  } finally {
    process.off('SIGINT', onSigint);
  }
}

function overview(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `keel ${VERSION} — Keel's engine on the command line`,
    '',
    'usage: keel <command> [options]      (every command accepts --json for machine output)',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    '  keel --version | keel help <command> | keel <command> --help',
    '',
  ].join('\n');
}

function commandHelp(command: CliCommand): string {
  const lines = [`usage: ${command.usage}`, '', command.summary, ''];
  for (const [name, spec] of Object.entries({ ...optionsOf(command), json: { type: 'boolean', description: 'Machine-readable output.' } })) {
    lines.push(`  --${name}${spec.type === 'string' ? ' <value>' : ''}  ${spec.description}`);
  }
  return `${lines.join('\n')}\n`;
}

function readStdin(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    process.stdin.on('data', (chunk: Buffer) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks)));
    process.stdin.on('error', reject);
  });
}

/** Runs `keel` with this process's arguments and sets its exit code. */
export function runCliProcess(): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`keel: ${(error as Error).message} [INTERNAL]\n`);
      process.exitCode = EXIT.error;
    },
  );
}
