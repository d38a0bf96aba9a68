/** Worker-thread entry of the chunk pool: prepares files on request. */
import { parentPort } from 'node:worker_threads';
import { prepareFile, type PrepareRequest } from './prepareFile';

parentPort?.on('message', (message: { id: number; req: PrepareRequest }) => {
  prepareFile(message.req).then(
    (result) => parentPort!.postMessage({ id: message.id, result }),
    (error: Error) => parentPort!.postMessage({ id: message.id, error: error.message }),
  );
});
