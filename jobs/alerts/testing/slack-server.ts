/**
 * A real local HTTP server that plays Slack incoming webhooks (and generic webhook receivers) for
 * tests: each path follows a script of answers (status, body, headers, or hang for timeouts) and
 * every request body is recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Action = { status: number; body?: string; headers?: Record<string, string> } | 'hang';
export interface Received {
  path: string;
  body: unknown;
  at: number;
}

export interface FakeSlack {
  /** `http://127.0.0.1:PORT` */
  base: string;
  received: Received[];
  /** Answers for a path, in order; the last one repeats. Unscripted paths get 404 `no_service`. */
  script(path: string, actions: Action[]): void;
  bodiesFor(path: string): unknown[];
  close(): void;
}

export async function startFakeSlack(): Promise<FakeSlack> {
  const scripts = new Map<string, Action[]>();
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      received.push({ path, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), at: Date.now() });
      const script = scripts.get(path) ?? [{ status: 404, body: 'no_service' }];
      const action = script.length > 1 ? script.shift()! : script[0]!;
      if (action === 'hang') return;
      res.writeHead(action.status, { 'content-type': 'text/plain', ...action.headers });
      res.end(action.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    script: (path, actions) => void scripts.set(path, [...actions]),
    bodiesFor: (path) => received.filter((r) => r.path === path).map((r) => r.body),
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
