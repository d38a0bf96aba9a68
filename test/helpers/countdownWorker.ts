/** The engine worker (src/engine/worker.ts) plus the test-only `engine/countdown`. */
import { startEngineWorker } from '../../src/engine/workerServer';
import { registerCountdown } from './countdown';

startEngineWorker(registerCountdown);
