/**
 * Webhook sink: stands in for the escalation receiver and the Close SPDR process. It records
 * every POST, and deduplicates by `Idempotency-Key` the way a well-behaved receiver would,
 * counting the duplicates separately so tests can see retries happened and were absorbed.
 * In lax mode it keeps every delivery, repeats included, like a receiver that ignores the key,
 * so a test sees every delivery the product makes; `deliveriesPerKey` counts them in both modes.
 *
 *   POST   /{any path}        record; answers 200 {received: true, duplicate}
 *   GET    /admin/received    {total, unique, duplicates, lax, deliveriesPerKey, received: [...]}; ?path=/escalation filters
 *   DELETE /admin/received    forget everything
 *   GET|POST|DELETE /admin/faults
 */
import { FaultInjector, type FaultSettings } from './faults';
import { json, startSimServer, tmfError, type Handler, type RunningServer } from './server';

export interface ReceivedWebhook {
  path: string;
  receivedAt: string;
  idempotencyKey?: string;
  body: unknown;
}

export interface WebhookSinkState {
  received: ReceivedWebhook[];
  duplicates: number;
}

export interface WebhookSinkOptions {
  port?: number;
  host?: string;
  faults?: Partial<FaultSettings>;
  seed?: number;
  /** Keep repeated deliveries of one idempotency key in `received` instead of dropping them. */
  lax?: boolean;
  onChange?: () => void;
}

export interface WebhookSink extends RunningServer {
  faults: FaultInjector;
  /** Unique deliveries (first per idempotency key, plus every delivery without a key); in lax mode every delivery. */
  received(path?: string): ReceivedWebhook[];
  /** Deliveries per idempotency key, repeats included (both modes). */
  deliveriesPerKey(): Record<string, number>;
  snapshot(): WebhookSinkState;
  restore(state: WebhookSinkState): void;
}

export async function startWebhookSink(options: WebhookSinkOptions = {}): Promise<WebhookSink> {
  const faults = new FaultInjector(options.faults, options.seed);
  let received: ReceivedWebhook[] = [];
  let duplicates = 0;
  let total = 0;
  const keys = new Set<string>();
  let deliveriesPerKey: Record<string, number> = {};
  const lax = options.lax === true;

  const list = (path?: string) => (path === undefined ? received : received.filter((r) => r.path === path));

  const handle: Handler = (req) => {
    if (req.path === '/admin/received') {
      if (req.method === 'GET') {
        const path = req.query.get('path') ?? undefined;
        return json(200, {
          total,
          unique: received.length - (lax ? duplicates : 0),
          duplicates,
          lax,
          deliveriesPerKey,
          received: list(path),
        });
      }
      if (req.method === 'DELETE') {
        received = [];
        duplicates = 0;
        total = 0;
        keys.clear();
        deliveriesPerKey = {};
        options.onChange?.();
        return json(200, { total, unique: 0, duplicates });
      }
    }
    if (req.segments[0] === 'admin') return tmfError(404, `no admin endpoint ${req.method} ${req.path}`);
    if (req.method !== 'POST') return tmfError(405, 'webhooks are delivered with POST');
    total += 1;
    const header = req.headers['idempotency-key'];
    const idempotencyKey = Array.isArray(header) ? header[0] : header;
    if (idempotencyKey !== undefined) deliveriesPerKey[idempotencyKey] = (deliveriesPerKey[idempotencyKey] ?? 0) + 1;
    if (idempotencyKey !== undefined && keys.has(idempotencyKey)) {
      duplicates += 1;
      if (!lax) return json(200, { received: true, duplicate: true });
      received.push({ path: req.path, receivedAt: new Date().toISOString(), idempotencyKey, body: req.body });
      options.onChange?.();
      return json(200, { received: true, duplicate: true });
    }
    if (idempotencyKey !== undefined) keys.add(idempotencyKey);
    received.push({ path: req.path, receivedAt: new Date().toISOString(), idempotencyKey, body: req.body });
    options.onChange?.();
    return json(200, { received: true, duplicate: false });
  };

  const server = await startSimServer({ port: options.port ?? 0, host: options.host ?? '127.0.0.1', faults, handle });
  return {
    ...server,
    faults,
    received: list,
    deliveriesPerKey: () => ({ ...deliveriesPerKey }),
    snapshot: () => ({ received: [...received], duplicates }),
    restore: (state) => {
      received = [...state.received];
      duplicates = state.duplicates;
      total = received.length + duplicates;
      keys.clear();
      deliveriesPerKey = {};
      for (const r of received) {
        if (r.idempotencyKey === undefined) continue;
        keys.add(r.idempotencyKey);
        deliveriesPerKey[r.idempotencyKey] = (deliveriesPerKey[r.idempotencyKey] ?? 0) + 1;
      }
    },
  };
}
