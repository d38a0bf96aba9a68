/** Every `keel` subcommand, in the order `keel --help` lists them. One line per command. */
import type { CliCommand } from '../command';
import { notYetAvailable } from './notYet';
import { serveCommand } from './serve';

export const commands: CliCommand[] = [
  notYetAvailable('index', 'Build or update the index of a directory', 'keel index [dir] [--store DIR] [--json]'),
  notYetAvailable('status', 'Show what an index holds', 'keel status [--store DIR] [--json]'),
  notYetAvailable('search', 'Hybrid search of an indexed directory', 'keel search "<query>" [--dir DIR] [--store DIR] [--top N] [--mode hybrid|bm25|vector] [--rerank none|local] [--json]'),
  notYetAvailable('ask', 'Ask a question about a directory’s code', 'keel ask "<question>" [--dir DIR] [--provider openai|anthropic|openai-compatible|none] [--model M] [--tier fast|reasoning|auto] [--local-only] [--json]'),
  notYetAvailable('scan', 'Find N+1 queries and unsafe SQL', 'keel scan [paths…] [--format text|json|sarif] [--fail-on error|warning|never]'),
  notYetAvailable('cost', 'Summarise what model calls have cost', 'keel cost [--json]'),
  notYetAvailable('embed', 'Embed stdin lines with an embedder', 'keel embed [--embedder ID] [--json]'),
  serveCommand,
];
