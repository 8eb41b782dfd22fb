// Worker-thread entry of processors/pipeline-pool.ts. Registers tsx first, as cli/lookout.mjs does,
// because a worker thread does not inherit the main thread's loader.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { serveChunks } = await import('./pipeline-pool.ts');
serveChunks(workerData, parentPort);
