/**
 * The in-memory store behind the trouble ticket and partner simulators: TMF-style records with a
 * unique external id, status changes, automatic progress, and TMF hub notifications on every
 * status change.
 */
import { randomUUID } from 'node:crypto';
import { SIGNATURE_HEADER, signCallback } from '../integrations/callback-auth';
import { listenerUrl, SETTLED_STATUSES, troubleTicketStatusSchema, type TroubleTicketStatus } from '../integrations/tmf';
import { json, sleep, tmfError, type Reply } from './server';
import type { FaultInjector, FaultSettings } from './faults';
import type { RunningServer } from './server';

/** Statuses from which a record cannot move any more. */
const FINAL: ReadonlySet<TroubleTicketStatus> = new Set(['closed', 'cancelled', 'rejected']);

export type TmfRecord = Record<string, unknown> & {
  id: string;
  href: string;
  externalId?: string;
  status: TroubleTicketStatus;
  statusChangeReason?: string;
  resolution?: string;
  statusChange: Array<{ status: TroubleTicketStatus; changeDate: string; changeReason?: string }>;
};

interface Hub {
  id: string;
  scope: string;
  callback: string;
  query?: string;
}

export interface RecordBookState {
  nextId: number;
  records: Array<{ scope: string; record: TmfRecord }>;
  hubs: Hub[];
  createdPerExternalId: Record<string, number>;
}

export interface RecordBookOptions {
  /** Collection name in paths and the id prefix, e.g. `troubleTicket` / `TT`. */
  collection: string;
  idPrefix: string;
  atType: string;
  eventType: string;
  /** Key of the record inside the event, e.g. `troubleTicket`. */
  eventKey: string;
  /** Path prefix of a scope, for `href` (e.g. `/acme-transport` for a party, `` for none). */
  scopePrefix: (scope: string) => string;
  /** Returns a reason when a create body is unacceptable (answered 422). */
  validateCreate: (body: Record<string, unknown>, scope: string) => string | undefined;
  /** Refuse a second record with the same external id (default true). */
  uniqueExternalId?: boolean;
  /** How a duplicate create is answered: 409 with the existing record (default) or 200 with it. */
  duplicateCreate?: 'conflict' | 'returnExisting';
  /** Move new records to inProgress after half of this, and to resolved after all of it. */
  autoResolveAfterMs?: number;
  /** Listener bases notified of every status change besides registered hubs. */
  callbackUrls?: readonly string[];
  /** Signs every notification (X-Spdr-Signature, see integrations/callback-auth.ts); unset: unsigned. */
  callbackSecret?: string;
  /** Called after every change, e.g. to persist. */
  onChange?: () => void;
}

export interface RecordBookStats {
  recordsCreated: number;
  createdPerExternalId: Record<string, number>;
  duplicateCreates: number;
  notifications: { sent: number; refused: number; failed: number };
}

const MUTABLE_FIELDS = ['description', 'severity', 'name', 'note', 'resolution', 'dueDate'] as const;

export class RecordBook {
  private nextId = 1;
  private readonly records = new Map<string, { scope: string; record: TmfRecord }>();
  private readonly hubs = new Map<string, Hub>();
  private createdPerExternalId: Record<string, number> = {};
  private duplicateCreates = 0;
  private readonly notifications = { sent: 0, refused: 0, failed: 0 };
  private readonly timers = new Set<NodeJS.Timeout>();
  private delivery: Promise<void> = Promise.resolve();
  private readonly abort = new AbortController();

  constructor(private readonly options: RecordBookOptions) {}

  private now(): string {
    return new Date().toISOString();
  }

  private changed(): void {
    this.options.onChange?.();
  }

  private inScope(scope: string): TmfRecord[] {
    return [...this.records.values()].filter((entry) => entry.scope === scope).map((entry) => entry.record);
  }

  create(scope: string, body: unknown): Reply {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return tmfError(400, 'body must be a JSON object');
    const input = body as Record<string, unknown>;
    if (input.externalId !== undefined && (typeof input.externalId !== 'string' || input.externalId === '')) {
      return tmfError(422, 'externalId must be a non-empty string');
    }
    const problem = this.options.validateCreate(input, scope);
    if (problem) return tmfError(422, problem);
    const externalId = input.externalId as string | undefined;
    if (externalId !== undefined && this.options.uniqueExternalId !== false) {
      const existing = this.inScope(scope).find((record) => record.externalId === externalId);
      if (existing) {
        this.duplicateCreates += 1;
        return this.options.duplicateCreate === 'returnExisting' ? json(200, existing) : json(409, existing);
      }
    }
    const id = `${this.options.idPrefix}-${String(this.nextId++).padStart(6, '0')}`;
    const at = this.now();
    const record: TmfRecord = {
      ...input,
      id,
      href: `${this.options.scopePrefix(scope)}/${this.options.collection}/${id}`,
      status: 'acknowledged',
      creationDate: at,
      lastUpdate: at,
      statusChangeDate: at,
      statusChange: [{ status: 'acknowledged', changeDate: at }],
      '@type': this.options.atType,
    };
    this.records.set(id, { scope, record });
    if (externalId !== undefined) {
      this.createdPerExternalId[externalId] = (this.createdPerExternalId[externalId] ?? 0) + 1;
    }
    this.scheduleProgress(id);
    this.changed();
    return json(201, record);
  }

  list(scope: string, query: URLSearchParams): Reply {
    let records = this.inScope(scope);
    for (const field of ['externalId', 'status']) {
      const wanted = query.get(field);
      if (wanted !== null) records = records.filter((record) => record[field] === wanted);
    }
    return json(200, records, { 'x-total-count': String(records.length) });
  }

  get(scope: string, id: string): Reply {
    const entry = this.records.get(id);
    if (!entry || entry.scope !== scope) return tmfError(404, `${this.options.collection} ${id} not found`);
    return json(200, entry.record);
  }

  patch(scope: string, id: string, body: unknown): Reply {
    const entry = this.records.get(id);
    if (!entry || entry.scope !== scope) return tmfError(404, `${this.options.collection} ${id} not found`);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return tmfError(400, 'body must be a JSON object');
    const input = body as Record<string, unknown>;
    let status: TroubleTicketStatus | undefined;
    if (input.status !== undefined) {
      const parsed = troubleTicketStatusSchema.safeParse(input.status);
      if (!parsed.success) return tmfError(422, 'status is invalid');
      status = parsed.data;
    }
    const reason = typeof input.statusChangeReason === 'string' ? input.statusChangeReason : undefined;
    if (status !== undefined && status !== entry.record.status && FINAL.has(entry.record.status)) {
      return tmfError(409, `${id} is ${entry.record.status}; its status can no longer change`);
    }
    for (const field of MUTABLE_FIELDS) {
      if (input[field] !== undefined) (entry.record as Record<string, unknown>)[field] = input[field];
    }
    entry.record.lastUpdate = this.now();
    if (status !== undefined) this.moveTo(entry, status, reason);
    this.changed();
    return json(200, entry.record);
  }

  /** Admin: moves a record to a status (as the outside system's staff would). */
  setStatus(id: string, body: unknown): Reply {
    const entry = this.records.get(id);
    if (!entry) return tmfError(404, `${this.options.collection} ${id} not found`);
    const input = (body ?? {}) as Record<string, unknown>;
    const parsed = troubleTicketStatusSchema.safeParse(input.status);
    if (!parsed.success) return tmfError(422, `status must be one of ${troubleTicketStatusSchema.options.join(', ')}`);
    if (typeof input.resolution === 'string') entry.record.resolution = input.resolution;
    if (typeof input.note === 'string') entry.record.note = input.note;
    // A new promise is news even without a status change (sent as is: the listener judges the date).
    const promise = typeof input.expectedResolutionDate === 'string' ? input.expectedResolutionDate : undefined;
    const promiseChanged = promise !== undefined && promise !== entry.record.expectedResolutionDate;
    if (promise !== undefined) entry.record.expectedResolutionDate = promise;
    const statusChanged = entry.record.status !== parsed.data;
    this.moveTo(entry, parsed.data, typeof input.statusChangeReason === 'string' ? input.statusChangeReason : undefined);
    if (promiseChanged && !statusChanged) this.notify(entry);
    this.changed();
    return json(200, entry.record);
  }

  private moveTo(entry: { scope: string; record: TmfRecord }, status: TroubleTicketStatus, reason?: string): void {
    const { record } = entry;
    if (record.status === status) return;
    const at = this.now();
    record.status = status;
    record.statusChangeDate = at;
    record.lastUpdate = at;
    if (reason !== undefined) record.statusChangeReason = reason;
    record.statusChange = [...record.statusChange, { status, changeDate: at, changeReason: reason }];
    this.notify(entry);
  }

  private scheduleProgress(id: string): void {
    const after = this.options.autoResolveAfterMs;
    if (after === undefined) return;
    const step = (delay: number, status: TroubleTicketStatus, from: (s: TroubleTicketStatus) => boolean, extra: Record<string, string>) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        const entry = this.records.get(id);
        if (!entry || !from(entry.record.status)) return;
        Object.assign(entry.record, extra);
        this.moveTo(entry, status, extra.statusChangeReason);
        this.changed();
      }, delay);
      timer.unref();
      this.timers.add(timer);
    };
    step(after / 2, 'inProgress', (s) => s === 'acknowledged', { statusChangeReason: 'Field engineer dispatched' });
    step(after, 'resolved', (s) => !SETTLED_STATUSES.has(s), {
      statusChangeReason: 'Repaired',
      resolution: 'Fault repaired by simulated field engineer',
    });
  }

  registerHub(scope: string, body: unknown): Reply {
    const input = (body ?? {}) as Record<string, unknown>;
    if (typeof input.callback !== 'string' || !/^https?:\/\//.test(input.callback)) {
      return tmfError(400, 'callback must be an http(s) URL');
    }
    const hub: Hub = {
      id: randomUUID(),
      scope,
      callback: input.callback,
      query: typeof input.query === 'string' ? input.query : undefined,
    };
    this.hubs.set(hub.id, hub);
    this.changed();
    return json(201, { id: hub.id, callback: hub.callback, query: hub.query });
  }

  deleteHub(scope: string, id: string): Reply {
    const hub = this.hubs.get(id);
    if (!hub || hub.scope !== scope) return tmfError(404, `hub ${id} not found`);
    this.hubs.delete(id);
    this.changed();
    return json(204);
  }

  private notify(entry: { scope: string; record: TmfRecord }): void {
    const targets = [
      ...[...this.hubs.values()].filter((hub) => hub.scope === entry.scope).map((hub) => hub.callback),
      ...(this.options.callbackUrls ?? []),
    ];
    const event = {
      eventId: randomUUID(),
      eventTime: this.now(),
      eventType: this.options.eventType,
      event: { [this.options.eventKey]: structuredClone(entry.record) },
    };
    for (const callback of new Set(targets)) {
      // One queue keeps notifications in the order the changes happened.
      this.delivery = this.delivery.then(() => this.deliver(listenerUrl(callback, this.options.eventType), event));
    }
  }

  private async deliver(url: string, event: unknown): Promise<void> {
    for (let attempt = 0; attempt < 6 && !this.abort.signal.aborted; attempt += 1) {
      if (attempt > 0) await sleep(Math.min(200 * 2 ** attempt, 5_000));
      try {
        const body = JSON.stringify(event);
        const secret = this.options.callbackSecret;
        const response = await fetch(url, {
          method: 'POST',
          // Signed per attempt: a retry hours later is not refused as stale.
          headers: { 'content-type': 'application/json', ...(secret ? { [SIGNATURE_HEADER]: signCallback(secret, body) } : {}) },
          body,
          redirect: 'manual',
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(5_000)]),
        });
        await response.arrayBuffer();
        if (response.ok) {
          this.notifications.sent += 1;
          return;
        }
        if (response.status < 500 && response.status !== 429) {
          this.notifications.refused += 1;
          return;
        }
      } catch {
        // Listener unreachable: try again after a pause.
      }
    }
    this.notifications.failed += 1;
  }

  /** Resolves when every notification queued so far has been delivered or given up. */
  idle(): Promise<void> {
    return this.delivery;
  }

  stats(): RecordBookStats {
    const createdPerExternalId = { ...this.createdPerExternalId };
    return {
      recordsCreated: this.records.size,
      createdPerExternalId,
      duplicateCreates: this.duplicateCreates,
      notifications: { ...this.notifications },
    };
  }

  snapshot(): RecordBookState {
    return {
      nextId: this.nextId,
      records: [...this.records.values()],
      hubs: [...this.hubs.values()],
      createdPerExternalId: { ...this.createdPerExternalId },
    };
  }

  restore(state: RecordBookState): void {
    this.nextId = state.nextId;
    this.records.clear();
    for (const entry of state.records) this.records.set(entry.record.id, entry);
    this.hubs.clear();
    for (const hub of state.hubs) this.hubs.set(hub.id, hub);
    this.createdPerExternalId = { ...state.createdPerExternalId };
  }

  reset(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.restore({ nextId: 1, records: [], hubs: [], createdPerExternalId: {} });
    this.duplicateCreates = 0;
    Object.assign(this.notifications, { sent: 0, refused: 0, failed: 0 });
    this.changed();
  }

  close(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.abort.abort();
  }
}

/** Options both record simulators (trouble tickets, partner requests) take. */
export interface RecordSimulatorOptions {
  port?: number;
  host?: string;
  faults?: Partial<FaultSettings>;
  seed?: number;
  autoResolveAfterMs?: number;
  /** Listener bases (e.g. `http://127.0.0.1:8090/listener`) notified besides registered hubs. */
  callbackUrls?: readonly string[];
  /** Signs every notification with this secret (see integrations/callback-auth.ts). */
  callbackSecret?: string;
  uniqueExternalId?: RecordBookOptions['uniqueExternalId'];
  /**
   * Lax mode: a system that does not enforce unique external ids, so a second create with the
   * same one stores a second record (`createdPerExternalId` in /admin/stats counts every one).
   * Tests run against it to see the duplicates the product itself would make; it does not make
   * "exactly one" hold by construction. Shorthand for `uniqueExternalId: false`.
   */
  lax?: boolean;
  duplicateCreate?: RecordBookOptions['duplicateCreate'];
  onChange?: () => void;
}

/** A running record simulator: its records, its fault switch and its counters. */
export interface RecordSimulator extends RunningServer {
  book: RecordBook;
  faults: FaultInjector;
  stats(): Record<string, unknown>;
}
