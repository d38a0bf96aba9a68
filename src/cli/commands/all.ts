/** Every `keel` subcommand, in the order `keel --help` lists them. One line per command. */
import type { CliCommand } from '../command';
import { apiCommand } from './api';
import { askCommand } from './ask';
import { costCommand } from './cost';
import { embedCommand } from './embed';
import { mcpCommand } from './mcp';
import { explainCommand } from './explain';
import { sqlCommand } from './sql';
import { scanCommand } from './scan';
import { searchCommand } from './search';
import { serveCommand } from './serve';
import { indexCommand } from './indexCmd';
import { statusCommand } from './status';
import { reviewCommand } from './review';
import { provenanceCommand } from './provenance';

export const commands: CliCommand[] = [
  indexCommand,
  statusCommand,
  searchCommand,
  askCommand,
  scanCommand,
  reviewCommand,
  provenanceCommand,
  apiCommand,
  explainCommand,
  sqlCommand,
  costCommand,
  embedCommand,
  serveCommand,
  mcpCommand,
];
