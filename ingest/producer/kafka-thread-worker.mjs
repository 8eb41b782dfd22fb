// Worker-thread entry of kafka-thread.ts. This package is TypeScript source and a worker thread
// does not inherit the host's loader (neither tsx's --import nor module.register() crosses the
// thread boundary), so tsx is registered here when the host has it; a host that loads .ts files
// another way gets the import error below, reported by kafka-thread.ts.
import { parentPort, workerData } from 'node:worker_threads';

const tsx = await import('tsx/esm/api').catch(() => undefined);
tsx?.register();
const { serveKafkaTransport } = await import('./kafka-thread.ts');
serveKafkaTransport(workerData, parentPort);
