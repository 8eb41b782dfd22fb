/**
 * The ingest gateway: HTTP and OTLP in, Kafka out, for services that are not in Node or cannot
 * reach Kafka. The API key decides the tenant; every event is validated against the contract and
 * answered item by item; a request is answered only after Kafka acknowledged its events.
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import { pino, type Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { eventIssues, parseEvent } from '../../schemas/events/index.ts';
import { createProducer, type LookoutProducer, type ProducerOptions } from '../producer/index.ts';
import { BodyError, parseEventsBody, type Item } from './body.ts';
import { decodeTraceRequest, encodeRpcStatus, encodeTraceResponse } from './otlp-proto.ts';
import { mapTraces } from './otlp.ts';
import { KeyRing, RateLimiter, presentedKey, type ApiKey, type RateLimitOptions } from './security.ts';

export interface GatewayOptions {
  /** Port to listen on; 0 picks a free one. Default 8787. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  apiKeys: readonly ApiKey[];
  /** Where events go: Kafka settings for the gateway's own producer, or a ready producer. */
  producer: Pick<ProducerOptions, 'brokers' | 'topic' | 'clientId' | 'kafka' | 'maxQueueEvents' | 'maxQueueBytes' | 'batchMaxEvents' | 'batchMaxBytes' | 'lingerMs' | 'compression' | 'kafkaThread'> | LookoutProducer;
  /** Largest accepted request body (after decompression). Default 5 MiB. */
  maxBodyBytes?: number;
  /** Most events in one request. Default 10 000. */
  maxItemsPerRequest?: number;
  /** Per-key request rate limit. Default 50/s sustained, burst 100. */
  rateLimit?: RateLimitOptions;
  /** How long a request waits for the Kafka ack before answering 503. Default 30 s. */
  ackTimeoutMs?: number;
  /** `service` for OTLP spans whose resource has no service.name. Default 'otlp'. */
  otlpDefaultService?: string;
  logger?: Logger;
}

export interface Gateway {
  url: string;
  close(): Promise<void>;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

type Ctx = { requestId: string; tenant?: string; keyId?: string };
const ctxOf = (res: Response): Ctx => res.locals as Ctx;

/** Security headers in the spirit of helmet's defaults, for a JSON-only API. */
function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-DNS-Prefetch-Control', 'off');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Permitted-Cross-Domain-Policies', 'none');
  res.setHeader('Cache-Control', 'no-store');
  next();
}

function createMetrics(registry: Registry) {
  collectDefaultMetrics({ register: registry, prefix: 'lookout_gateway_' });
  return {
    requests: new Counter({ name: 'lookout_gateway_requests_total', help: 'HTTP requests by route and status.', labelNames: ['route', 'status'], registers: [registry] }),
    duration: new Histogram({ name: 'lookout_gateway_request_seconds', help: 'Request duration including the Kafka ack.', labelNames: ['route'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [registry] }),
    events: new Counter({ name: 'lookout_gateway_events_total', help: 'Events by tenant and outcome (accepted, rejected, failed).', labelNames: ['tenant', 'outcome'], registers: [registry] }),
    rejections: new Counter({ name: 'lookout_gateway_rejections_total', help: 'Rejected events by reason.', labelNames: ['reason'], registers: [registry] }),
    spans: new Counter({ name: 'lookout_gateway_otlp_spans_total', help: 'OTLP spans by outcome (mapped, not_genai, unsupported_operation, rejected).', labelNames: ['outcome'], registers: [registry] }),
    queued: new Gauge({ name: 'lookout_gateway_producer_queued_events', help: 'Events waiting in the gateway producer.', registers: [registry] }),
    dropped: new Gauge({ name: 'lookout_gateway_producer_dropped_events', help: 'Events the gateway producer dropped (cumulative).', registers: [registry] }),
  };
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.logger ?? pino({ name: 'lookout-gateway', level: process.env.LOOKOUT_LOG_LEVEL ?? 'info' });
  if (options.apiKeys.length === 0) throw new Error('the gateway needs at least one API key');
  const keys = new KeyRing(options.apiKeys);
  const limiter = new RateLimiter(options.rateLimit ?? { perSecond: 50, burst: 100 });
  const maxBody = options.maxBodyBytes ?? 5 * 1024 * 1024;
  const maxItems = options.maxItemsPerRequest ?? 10_000;
  const ackTimeoutMs = options.ackTimeoutMs ?? 30_000;
  const ownsProducer = !('record' in options.producer);
  const producer: LookoutProducer = ownsProducer
    ? createProducer({
        ...(options.producer as ProducerOptions),
        service: 'lookout-gateway',
        tenant: 'gateway',
        clientId: (options.producer as ProducerOptions).clientId ?? 'lookout-gateway',
        // Events are fully validated here before they are queued.
        validation: 'light',
        lingerMs: (options.producer as ProducerOptions).lingerMs ?? 5,
        logger: { warn: (m) => log.warn({ producer: true }, m) },
      })
    : (options.producer as LookoutProducer);

  const registry = new Registry();
  const m = createMetrics(registry);

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(securityHeaders);
  app.use((req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('X-Request-Id', requestId);
    const end = m.duration.startTimer({ route: routeOf(req.path) });
    res.on('finish', () => {
      end();
      m.requests.inc({ route: routeOf(req.path), status: String(res.statusCode) });
    });
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });

  app.get('/readyz', async (_req, res) => {
    const kafka = await producer.ping(2000);
    res.status(kafka ? 200 : 503).json({ status: kafka ? 'ready' : 'unavailable', kafka });
  });

  app.get('/metrics', async (_req, res) => {
    const s = producer.stats();
    m.queued.set(s.queued);
    m.dropped.set(s.dropped);
    res.setHeader('Content-Type', registry.contentType);
    res.send(await registry.metrics());
  });

  const authenticate = (req: Request, res: Response, next: NextFunction): void => {
    const found = keys.match(presentedKey(req.headers));
    if (!found) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      sendError(res, 401, 'unauthorized', 'a valid API key is required (Authorization: Bearer <key>)');
      return;
    }
    const waitMs = limiter.take(found.id);
    if (waitMs > 0) {
      res.setHeader('Retry-After', String(Math.max(1, Math.ceil(waitMs / 1000))));
      sendError(res, 429, 'rate_limited', 'too many requests for this API key');
      return;
    }
    ctxOf(res).tenant = found.tenant;
    ctxOf(res).keyId = found.id;
    next();
  };

  const rawBody = express.raw({ type: () => true, limit: maxBody, inflate: true });

  /** Queues validated events and answers once Kafka acknowledged them (or could not). */
  async function deliver(res: Response, events: Record<string, unknown>[]): Promise<'ok' | 'answered'> {
    if (events.length === 0) return 'ok';
    const waiting = producer.recordAndWait(events, { requireRoom: true });
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ackTimeoutMs);
    });
    const outcome = await Promise.race([waiting, timeout]);
    clearTimeout(timer);
    const tenant = ctxOf(res).tenant!;
    if (outcome === 'queue_full') {
      res.setHeader('Retry-After', '1');
      sendError(res, 429, 'queue_full', 'the gateway is buffering too much already; retry shortly');
      return 'answered';
    }
    if (outcome === 'timeout' || outcome.some((o) => o !== 'sent')) {
      const failed = outcome === 'timeout' ? events.length : outcome.filter((o) => o !== 'sent').length;
      m.events.inc({ tenant, outcome: 'failed' }, failed);
      res.setHeader('Retry-After', '2');
      sendError(res, 503, 'not_acknowledged', `${failed} events were not acknowledged by Kafka; retrying with the same event_ids is safe`);
      return 'answered';
    }
    m.events.inc({ tenant, outcome: 'accepted' }, events.length);
    return 'ok';
  }

  app.post('/v1/events', authenticate, rawBody, async (req, res, next) => {
    try {
      const text = bodyText(req);
      const items = parseEventsBody(text, req.get('content-type'), maxItems);
      const tenant = ctxOf(res).tenant!;
      const valid: Record<string, unknown>[] = [];
      const errors: Record<string, unknown>[] = [];
      const now = Date.now();
      for (const item of items) {
        const checked = checkItem(item, tenant, now);
        if ('event' in checked) valid.push(checked.event);
        else {
          errors.push(checked.error);
          m.rejections.inc({ reason: String(checked.error.reason) });
        }
      }
      if (errors.length > 0) m.events.inc({ tenant, outcome: 'rejected' }, errors.length);
      if ((await deliver(res, valid)) === 'answered') return;
      const status = errors.length === 0 ? 200 : valid.length === 0 ? 400 : 207;
      res.status(status).json({ request_id: ctxOf(res).requestId, accepted: valid.length, rejected: errors.length, errors });
    } catch (err) {
      next(err);
    }
  });

  app.post('/v1/traces', authenticate, rawBody, async (req, res, next) => {
    try {
      const proto = isProtobuf(req);
      let body: unknown;
      if (proto) {
        const raw = req.body as unknown;
        try {
          // Zero bytes is a valid, empty request in protobuf.
          body = Buffer.isBuffer(raw) ? decodeTraceRequest(raw) : {};
        } catch {
          throw new BodyError(400, 'invalid_protobuf', 'body is not a valid OTLP ExportTraceServiceRequest');
        }
      } else {
        try {
          body = JSON.parse(bodyText(req));
        } catch {
          throw new BodyError(400, 'invalid_json', 'body is not valid OTLP JSON');
        }
      }
      const tenant = ctxOf(res).tenant!;
      const mapped = mapTraces(body, { tenant, defaultService: options.otlpDefaultService ?? 'otlp' });
      m.spans.inc({ outcome: 'not_genai' }, mapped.ignored.not_genai);
      m.spans.inc({ outcome: 'unsupported_operation' }, mapped.ignored.unsupported_operation);
      const valid: Record<string, unknown>[] = [];
      const problems: string[] = [];
      for (const { event, spanId } of mapped.events) {
        const parsed = parseEvent(event);
        if (parsed.ok) valid.push(parsed.event as Record<string, unknown>);
        else {
          problems.push(`span ${spanId}: ${parsed.message}`);
          m.rejections.inc({ reason: parsed.reason });
        }
      }
      m.spans.inc({ outcome: 'mapped' }, valid.length);
      m.spans.inc({ outcome: 'rejected' }, problems.length);
      if ((await deliver(res, valid)) === 'answered') return;
      // OTLP's partial-success answer: rejected counts only spans we tried to map and could not.
      const partial = problems.length > 0 ? { rejectedSpans: problems.length, errorMessage: problems.slice(0, 5).join('; ') } : undefined;
      if (proto) res.status(200).type('application/x-protobuf').send(Buffer.from(encodeTraceResponse(partial)));
      else res.status(200).json(partial ? { partialSuccess: partial } : {});
    } catch (err) {
      next(err);
    }
  });

  app.use((_req: Request, res: Response) => sendError(res, 404, 'not_found', 'no such endpoint'));

  // Clients get a reason code and the request id, never a stack trace.
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (err instanceof BodyError) return sendError(res, err.status, err.reason, err.message);
    const e = err as { status?: number; type?: string; expose?: boolean; message?: string };
    if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
      const reason = e.type === 'entity.too.large' ? 'body_too_large' : (e.type ?? 'bad_request').replace(/\./g, '_');
      const message = e.type === 'entity.too.large' ? `body larger than ${maxBody} bytes` : e.expose && e.message ? e.message : 'bad request';
      return sendError(res, e.status, reason, message);
    }
    log.error({ err, requestId: ctxOf(res).requestId, path: req.path }, 'request failed');
    sendError(res, 500, 'internal_error', 'internal error; quote the request id when reporting it');
  });

  const server = app.listen(options.port ?? 8787, options.host ?? '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  server.requestTimeout = ackTimeoutMs + 30_000;
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  log.info({ url, tenants: new Set(options.apiKeys.map((k) => k.tenant)).size }, 'ingest gateway listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        if (ownsProducer) {
          const totals = await producer.shutdown({ timeoutMs: 10_000 });
          log.info(totals, 'ingest gateway stopped');
        }
      })();
      return closing;
    },
  };
}

function routeOf(path: string): string {
  return ['/v1/events', '/v1/traces', '/healthz', '/readyz', '/metrics'].includes(path) ? path : 'other';
}

function bodyText(req: Request): string {
  const body = req.body as unknown;
  if (!Buffer.isBuffer(body) || body.length === 0) throw new BodyError(400, 'empty', 'empty body');
  return body.toString('utf8');
}

/** An OTLP/HTTP protobuf request: its answers, errors included, are protobuf too. */
function isProtobuf(req: Request): boolean {
  return req.path === '/v1/traces' && /protobuf/i.test(req.get('content-type') ?? '');
}

function sendError(res: Response, status: number, reason: string, message: string): void {
  if (res.headersSent) return;
  const requestId = ctxOf(res).requestId;
  if (isProtobuf(res.req)) {
    res.status(status).type('application/x-protobuf').send(Buffer.from(encodeRpcStatus(status, `${reason}: ${message} (request ${requestId})`)));
    return;
  }
  res.status(status).json({ error: reason, message, request_id: requestId });
}

/** Stamps tenant (from the key), event_id and ts (when missing) and validates one item. */
function checkItem(item: Item, tenant: string, now: number): { event: Record<string, unknown> } | { error: Record<string, unknown> } {
  if ('error' in item) return { error: { index: item.index, reason: item.error.reason, issues: [{ path: '', message: item.error.message }] } };
  const v = item.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return { error: { index: item.index, reason: 'not_an_object', issues: [{ path: '', message: 'an event must be a JSON object' }] } };
  }
  const raw: Record<string, unknown> = { ...(v as Record<string, unknown>), tenant };
  if (raw.event_id === undefined) raw.event_id = randomUUID();
  if (raw.ts === undefined) raw.ts = now;
  const parsed = parseEvent(raw);
  if (parsed.ok) return { event: parsed.event as Record<string, unknown> };
  const issues = parsed.reason === 'invalid_field' ? eventIssues(raw) : [{ path: parsed.path, message: parsed.message }];
  return {
    error: {
      index: item.index,
      ...(typeof raw.event_id === 'string' ? { event_id: raw.event_id } : {}),
      reason: parsed.reason,
      issues,
    },
  };
}
