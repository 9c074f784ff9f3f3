/**
 * Resource trouble management simulator: a TMF621-shaped Trouble Ticket API with a unique
 * external id, status changes by admin call or automatically, hub notifications and faults.
 *
 *   POST  /troubleTicket              create (409 + existing ticket on a duplicate externalId)
 *   GET   /troubleTicket?externalId=  list, filtered by externalId and/or status
 *   GET   /troubleTicket/{id}         read
 *   PATCH /troubleTicket/{id}         change status/fields (409 once closed, cancelled or rejected)
 *   POST  /hub {callback}             register a listener base; DELETE /hub/{id} removes it
 *   POST  /admin/troubleTicket/{id}/status {status, statusChangeReason?, resolution?}
 *   GET   /admin/stats, POST /admin/reset, GET|POST|DELETE /admin/faults
 */
import { FaultInjector } from './faults';
import { RecordBook, type RecordSimulator, type RecordSimulatorOptions } from './recordBook';
import { json, startSimServer, tmfError, type Handler } from './server';

export const SIMULATED_SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;

export interface TroubleTicketSimulatorOptions extends RecordSimulatorOptions {
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  token?: string;
}

export type TroubleTicketSimulator = RecordSimulator;

export async function startTroubleTicketSimulator(options: TroubleTicketSimulatorOptions = {}): Promise<TroubleTicketSimulator> {
  const faults = new FaultInjector(options.faults, options.seed);
  let requestsReceived = 0;
  const book = new RecordBook({
    collection: 'troubleTicket',
    idPrefix: 'TT',
    atType: 'TroubleTicket',
    eventType: 'TroubleTicketStatusChangeEvent',
    eventKey: 'troubleTicket',
    scopePrefix: () => '',
    validateCreate: (body) => {
      if (typeof body.description !== 'string' || body.description.trim() === '') return 'description is required';
      if (!SIMULATED_SEVERITIES.includes(body.severity as (typeof SIMULATED_SEVERITIES)[number])) return 'severity is invalid';
      return undefined;
    },
    uniqueExternalId: options.uniqueExternalId ?? (options.lax ? false : undefined),
    duplicateCreate: options.duplicateCreate,
    autoResolveAfterMs: options.autoResolveAfterMs,
    callbackUrls: options.callbackUrls,
    callbackSecret: options.callbackSecret,
    onChange: options.onChange,
  });
  const stats = () => ({ requestsReceived, failuresInjected: { ...faults.injected }, lax: options.lax === true, ...book.stats() });

  const handle: Handler = (req) => {
    const [first, second, third, fourth] = req.segments;
    if (first === 'admin') {
      if (req.path === '/admin/stats' && req.method === 'GET') return json(200, stats());
      if (req.path === '/admin/reset' && req.method === 'POST') {
        book.reset();
        requestsReceived = 0;
        Object.assign(faults.injected, { error: 0, timeout: 0, status422: 0, down: 0 });
        return json(200, stats());
      }
      if (second === 'troubleTicket' && third && fourth === 'status' && req.method === 'POST') {
        return book.setStatus(third, req.body);
      }
      return tmfError(404, `no admin endpoint ${req.method} ${req.path}`);
    }
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return tmfError(401, 'missing or invalid bearer token');
    }
    if (first === 'troubleTicket' && second === undefined) {
      if (req.method === 'POST') return book.create('', req.body);
      if (req.method === 'GET') return book.list('', req.query);
    }
    if (first === 'troubleTicket' && second !== undefined && third === undefined) {
      if (req.method === 'GET') return book.get('', second);
      if (req.method === 'PATCH') return book.patch('', second, req.body);
    }
    if (first === 'hub' && second === undefined && req.method === 'POST') return book.registerHub('', req.body);
    if (first === 'hub' && second !== undefined && req.method === 'DELETE') return book.deleteHub('', second);
    return tmfError(404, `no route ${req.method} ${req.path}`);
  };

  const server = await startSimServer({
    port: options.port ?? 0,
    host: options.host ?? '127.0.0.1',
    faults,
    handle,
    onRequest: () => {
      requestsReceived += 1;
    },
  });
  return {
    ...server,
    book,
    faults,
    stats,
    close: async () => {
      book.close();
      await server.close();
    },
  };
}
