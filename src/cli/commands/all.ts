/** Every `keel` subcommand, in the order `keel --help` lists them. One line per command. */
import type { CliCommand } from '../command';
import { apiCommand } from './api';
import { askCommand } from './ask';
import { costCommand } from './cost';
import { embedCommand } from './embed';
import { mcpCommand } from './mcp';
import { explainCommand } from './explain';
import { scanCommand } from './scan';
import { searchCommand } from './search';
import { serveCommand } from './serve';
import { indexCommand } from './indexCmd';
import { statusCommand } from './status';

export const commands: CliCommand[] = [
  indexCommand,
  statusCommand,
  searchCommand,
  askCommand,
  scanCommand,
  apiCommand,
  explainCommand,
  costCommand,
  embedCommand,
  serveCommand,
  mcpCommand,
];
