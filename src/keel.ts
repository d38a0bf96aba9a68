#!/usr/bin/env node
/**
 * Entry of the one engine bundle (dist/cli.js): the `keel` CLI on a main thread, the engine worker on a
 * worker thread (the extension host starts this same file with `new Worker`). One bundle instead of
 * two identical copies of the engine keeps ~4.5 MB out of the .vsix.
 */
import { isMainThread } from 'node:worker_threads';
import { runCliProcess } from './cli/main';
import { startEngineWorker } from './engine/workerServer';

if (isMainThread) runCliProcess();
else startEngineWorker();
