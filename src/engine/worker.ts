/**
 * Entry point of the engine worker thread when run from source (tests, benchmarks). The extension
 * host starts the shipped bundle instead (dist/cli.js, see src/keel.ts), which runs the same
 * startEngineWorker on a worker thread.
 */
import { startEngineWorker } from './workerServer';

startEngineWorker();
