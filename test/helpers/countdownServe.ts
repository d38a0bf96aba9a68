/** `keel serve --stdio` (the same serveStdio the command runs) plus the test-only `engine/countdown`. */
import { serveStdio } from '../../src/cli/commands/serve';
import { registerCountdown } from './countdown';

void serveStdio(registerCountdown).then((code) => process.exit(code));
