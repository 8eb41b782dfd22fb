/** Prometheus metrics of the stream processor, and the small HTTP server that exposes them. */
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function processorMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: 'lookout_processor_' });
  return {
    registry,
    eventsIn: new Counter({ name: 'lookout_events_in_total', help: 'Messages consumed from the events topic', registers: [registry] }),
    eventsWritten: new Counter({ name: 'lookout_events_written_total', help: 'Event rows written to ClickHouse (committed batches)', labelNames: ['type'], registers: [registry] }),
    deadLetters: new Counter({ name: 'lookout_dead_letters_total', help: 'Messages dead-lettered, by reason', labelNames: ['reason'], registers: [registry] }),
    redactions: new Counter({ name: 'lookout_redactions_total', help: 'Entities redacted, by type', labelNames: ['entity'], registers: [registry] }),
    unpriced: new Counter({ name: 'lookout_events_unpriced_total', help: 'Responses whose model has no price entry (cost NULL)', registers: [registry] }),
    batchRows: new Histogram({ name: 'lookout_batch_rows', help: 'Rows per ClickHouse insert', buckets: [1, 10, 100, 500, 1000, 2000, 5000, 10000], registers: [registry] }),
    insertSeconds: new Histogram({ name: 'lookout_insert_seconds', help: 'ClickHouse insert latency', labelNames: ['table', 'outcome'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5], registers: [registry] }),
    lag: new Gauge({ name: 'lookout_consumer_lag', help: 'Messages behind the partition high watermark at the last fetch', labelNames: ['partition'], registers: [registry] }),
    workerRestarts: new Counter({ name: 'lookout_pipeline_worker_restarts_total', help: 'Pipeline worker threads that died and were replaced', registers: [registry] }),
    replays: new Counter({ name: 'lookout_batches_replayed_total', help: 'Batches re-inserted after a restart or rebalance (deduplicated by ClickHouse)', registers: [registry] }),
  };
}

export type ProcessorMetrics = ReturnType<typeof processorMetrics>;

/** Serves GET /metrics and GET /healthz on 127.0.0.1 or the given host. Port 0 picks a free one. */
export async function serveMetrics(registry: Registry, port: number, host = '0.0.0.0', healthy: () => boolean = () => true): Promise<{ server: Server; port: number }> {
  const server = createServer(async (req, res) => {
    if (req.url === '/metrics') {
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(await registry.metrics());
    } else if (req.url === '/healthz') {
      const ok = healthy();
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok' : 'unhealthy');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : port };
}
