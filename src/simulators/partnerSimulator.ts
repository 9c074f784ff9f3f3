/**
 * Partner (S/P) performance management simulator: one server hosting several parties, each
 * under its own path prefix, so a party's base URL is `{server}/{partyId}`.
 *
 *   POST  /{partyId}/performanceRequest              create (409 + existing on a duplicate externalId)
 *   GET   /{partyId}/performanceRequest?externalId=  list
 *   GET   /{partyId}/performanceRequest/{id}         read
 *   PATCH /{partyId}/performanceRequest/{id}         change status/fields
 *   POST  /{partyId}/hub {callback}                  register a listener base
 *   POST  /admin/performanceRequest/{id}/status {status, note?, statusChangeReason?, expectedResolutionDate?}
 *   GET   /admin/stats, POST /admin/reset, GET|POST|DELETE /admin/faults
 */
import { FaultInjector } from './faults';
import { RecordBook, type RecordSimulator, type RecordSimulatorOptions } from './recordBook';
import { json, startSimServer, tmfError, type Handler } from './server';

export interface PartnerSimulatorOptions extends RecordSimulatorOptions {
  /** Parties hosted; any party id is accepted when absent. */
  parties?: readonly string[];
  /** Required auth header per party, e.g. `{ 'acme-transport': { name: 'authorization', value: 'Basic ...' } }`. */
  authHeaders?: Record<string, { name: string; value: string }>;
}

export type PartnerSimulator = RecordSimulator;

/** The partner requests of every hosted party, one scope per party (`/{partyId}`). */
function partnerBook(options: PartnerSimulatorOptions): RecordBook {
  return new RecordBook({
    collection: 'performanceRequest',
    idPrefix: 'PR',
    atType: 'PerformanceRequest',
    eventType: 'PartnerRequestStatusChangeEvent',
    eventKey: 'performanceRequest',
    scopePrefix: (partyId) => `/${partyId}`,
    validateCreate: (body, partyId) => {
      if (typeof body.description !== 'string' || body.description.trim() === '') return 'description is required';
      if (body.partyId !== undefined && body.partyId !== partyId) return `partyId must be ${partyId}`;
      if (body.dueDate !== undefined && Number.isNaN(Date.parse(String(body.dueDate)))) return 'dueDate is invalid';
      body.partyId = partyId;
      return undefined;
    },
    uniqueExternalId: options.uniqueExternalId ?? (options.lax ? false : undefined),
    duplicateCreate: options.duplicateCreate,
    autoResolveAfterMs: options.autoResolveAfterMs,
    callbackUrls: options.callbackUrls,
    callbackSecret: options.callbackSecret,
    onChange: options.onChange,
  });
}

export async function startPartnerSimulator(options: PartnerSimulatorOptions = {}): Promise<PartnerSimulator> {
  const faults = new FaultInjector(options.faults, options.seed);
  let requestsReceived = 0;
  const book = partnerBook(options);
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
      if (second === 'performanceRequest' && third && fourth === 'status' && req.method === 'POST') {
        return book.setStatus(third, req.body);
      }
      return tmfError(404, `no admin endpoint ${req.method} ${req.path}`);
    }
    const partyId = first;
    if (partyId === undefined || (options.parties && !options.parties.includes(partyId))) {
      return tmfError(404, `party ${partyId ?? '(none)'} is not hosted here`);
    }
    const auth = options.authHeaders?.[partyId];
    if (auth && req.headers[auth.name.toLowerCase()] !== auth.value) {
      return tmfError(401, `missing or invalid ${auth.name} header`);
    }
    if (second === 'performanceRequest' && third === undefined) {
      if (req.method === 'POST') return book.create(partyId, req.body);
      if (req.method === 'GET') return book.list(partyId, req.query);
    }
    if (second === 'performanceRequest' && third !== undefined && fourth === undefined) {
      if (req.method === 'GET') return book.get(partyId, third);
      if (req.method === 'PATCH') return book.patch(partyId, third, req.body);
    }
    if (second === 'hub' && third === undefined && req.method === 'POST') return book.registerHub(partyId, req.body);
    if (second === 'hub' && third !== undefined && req.method === 'DELETE') return book.deleteHub(partyId, third);
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
