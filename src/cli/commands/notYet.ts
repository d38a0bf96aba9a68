/**
 * Placeholders for commands whose feature has not landed yet. They fail loudly with NOT_AVAILABLE
 * (exit 2) rather than pretending: scripts can detect the code and users are told plainly.
 */
import { KeelError } from '../../engine/errors';
import type { CliCommand } from '../command';

export function notYetAvailable(name: string, summary: string, usage: string): CliCommand {
  return {
    name,
    summary: `${summary} (not yet available)`,
    usage,
    options: {},
    strictArgs: false,
    run: async () => {
      throw new KeelError('NOT_AVAILABLE', `\`keel ${name}\` is not yet available in this version of Keel.`);
    },
  };
}
