/**
 * Idempotent create / read / cancel of a TMF-style REST resource keyed by an external id.
 *
 * Shared by the trouble ticket and partner request clients. Exactly one record per external id
 * however often a create is retried: the external id is looked up first, and if a create still
 * races with an earlier attempt the server already committed (its answer lost to a timeout), the
 * server's "already exists" answer (409, or 200 with the existing record) counts as success.
 */
import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { badResponse, expectBody, rejected, requestJson, sendHttp, type HttpAuth, type HttpCall } from './http';
import { SETTLED_STATUSES, type TroubleTicketStatus } from './tmf';

function isNonRetryable(err: unknown): boolean {
  return err instanceof ApplicationFailure && err.nonRetryable === true;
}

const SAFE_ID = /^[A-Za-z0-9._:~-]{1,200}$/;

import type { CallOptions } from './call-options';

export type { CallOptions } from './call-options';

export interface RecordRef {
  id: string;
  status: TroubleTicketStatus;
  externalId: string;
}

export interface CancelOutcome {
  externalId: string;
  /** Undefined when no record with this external id exists (so there was nothing to cancel). */
  id?: string;
  status?: TroubleTicketStatus;
  /** `cancelled` by this call, `alreadySettled` (resolved/closed/cancelled/rejected), or `notFound`. */
  outcome: 'cancelled' | 'alreadySettled' | 'notFound';
}

type RecordSchema = z.ZodType<{ id: string; status: TroubleTicketStatus; externalId?: string }>;

export interface TmfResourceApiOptions<S extends RecordSchema> {
  system: string;
  /** Human noun used in operation names, e.g. "trouble ticket". */
  noun: string;
  /** Collection URL, e.g. `https://tt.example/tmf-api/troubleTicket/v4/troubleTicket`. */
  collectionUrl: string;
  /** Hub URL for listener registration. */
  hubUrl: string;
  eventType: string;
  schema: S;
  auth?: HttpAuth;
  timeoutMs: number;
  lookupBeforeCreate: boolean;
}

const hubSchema = z.looseObject({ id: z.string() });

function reasonOf(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  const text = [b.message, b.reason].find((v): v is string => typeof v === 'string');
  return text?.replace(/\s+/g, ' ').slice(0, 300);
}

export class TmfResourceApi<S extends RecordSchema> {
  constructor(private readonly options: TmfResourceApiOptions<S>) {}

  private call(operation: string, method: HttpCall['method'], url: string, extra: Partial<HttpCall>): HttpCall {
    const { system, auth, timeoutMs } = this.options;
    return { system, operation: `${operation} ${this.options.noun}`, method, url, auth, timeoutMs, ...extra };
  }

  /** Ids come from outside: only path-safe ones are put in a URL ("..", "/", "?" never). */
  private itemUrl(id: string): string {
    if (!SAFE_ID.test(id) || /^\.+$/.test(id))
      throw badResponse(this.call('address', 'GET', this.options.collectionUrl, {}), `id "${id.slice(0, 64)}" is not path-safe`, 200);
    return `${this.options.collectionUrl}/${encodeURIComponent(id)}`;
  }

  private ref(record: z.output<S>, externalId: string): RecordRef {
    return { id: record.id, status: record.status, externalId: record.externalId ?? externalId };
  }

  async create(externalId: string, body: Record<string, unknown>, options: CallOptions): Promise<RecordRef & { created: boolean }> {
    if (this.options.lookupBeforeCreate) {
      const existing = await this.findByExternalId(externalId, options);
      if (existing) return { ...existing, created: false };
    }
    const call = this.call('create', 'POST', this.options.collectionUrl, {
      signal: options.signal,
      acceptStatuses: [409],
      body: { ...body, externalId },
    });
    let answer;
    try {
      answer = await sendHttp(call);
    } catch (err) {
      // A refusal (422...) or a 2xx we cannot read may still have created the record: look it up
      // before giving up, so a created ticket is never orphaned (and never created twice).
      if (!isNonRetryable(err)) throw err;
      const existing = await this.findByExternalId(externalId, options).catch(() => undefined);
      if (existing) return { ...existing, created: false };
      throw err;
    }
    if (answer.status !== 409) {
      const parsed = this.options.schema.safeParse(answer.body);
      if (!parsed.success) {
        const existing = await this.findByExternalId(externalId, options).catch(() => undefined);
        if (existing) return { ...existing, created: false };
      }
      const record = parsed.success ? parsed.data : expectBody(call, this.options.schema, answer);
      if (record.externalId !== undefined && record.externalId !== externalId) {
        throw badResponse(call, `it returned ${record.id}, which belongs to another external id`, answer.status);
      }
      return { ...this.ref(record, externalId), created: answer.status === 201 };
    }
    // 409: an earlier attempt (whose answer was lost) or a concurrent one created it first.
    const conflicting = this.options.schema.safeParse(answer.body);
    if (conflicting.success && conflicting.data.externalId === externalId) {
      return { ...this.ref(conflicting.data, externalId), created: false };
    }
    const existing = await this.findByExternalId(externalId, options);
    if (existing) return { ...existing, created: false };
    throw rejected(call, 409, reasonOf(answer.body) ?? 'conflict, yet no record with this external id exists');
  }

  async findByExternalId(externalId: string, options: CallOptions): Promise<RecordRef | undefined> {
    const url = `${this.options.collectionUrl}?externalId=${encodeURIComponent(externalId)}`;
    const records = await requestJson(this.call('look up', 'GET', url, { signal: options.signal }), z.array(this.options.schema));
    // Servers may match loosely; only an exact match counts.
    const match = records.find((record) => record.externalId === externalId);
    return match ? this.ref(match, externalId) : undefined;
  }

  get(id: string, options: CallOptions): Promise<z.output<S>> {
    return requestJson(this.call('read', 'GET', this.itemUrl(id), { signal: options.signal }), this.options.schema);
  }

  /**
   * Cancels the record (by id, or found by external id). One that is already resolved, closed,
   * cancelled or rejected, or that was never created, is left alone: that is success.
   */
  async cancel(input: { id?: string; externalId: string; reason: string }, options: CallOptions): Promise<CancelOutcome> {
    const { externalId, reason } = input;
    let id = input.id;
    let status: TroubleTicketStatus;
    if (id === undefined) {
      const found = await this.findByExternalId(externalId, options);
      if (!found) return { externalId, outcome: 'notFound' };
      ({ id, status } = found);
    } else {
      // Before any PATCH: the record must be ours (its external id), whatever id we were given.
      const record = await this.get(id, options);
      if (record.externalId !== undefined && record.externalId !== externalId) {
        throw rejected(
          this.call('cancel', 'PATCH', this.itemUrl(id), {}),
          409,
          `${this.options.noun} ${id} belongs to external id ${String(record.externalId).slice(0, 100)}, not ${externalId}: not cancelling it`,
        );
      }
      ({ status } = record);
    }
    if (SETTLED_STATUSES.has(status)) return { externalId, id, status, outcome: 'alreadySettled' };

    const call = this.call('cancel', 'PATCH', this.itemUrl(id), {
      signal: options.signal,
      contentType: 'application/merge-patch+json',
      acceptStatuses: [409, 422],
      body: { status: 'cancelled', statusChangeReason: reason },
    });
    const answer = await sendHttp(call);
    if (answer.status === 409 || answer.status === 422) {
      // It may have settled between our read and the PATCH; then there is nothing left to do.
      const now = await this.get(id, options);
      if (SETTLED_STATUSES.has(now.status)) return { externalId, id, status: now.status, outcome: 'alreadySettled' };
      throw rejected(call, answer.status, reasonOf(answer.body));
    }
    const record = answer.body === undefined ? await this.get(id, options) : expectBody(call, this.options.schema, answer);
    return { externalId, id, status: record.status, outcome: 'cancelled' };
  }

  /** Registers a TMF hub listener (e.g. `http://worker:8090/listener`) for status change events. */
  async registerListener(callback: string, options: CallOptions): Promise<{ hubId: string }> {
    const hub = await requestJson(
      this.call('register status listener for', 'POST', this.options.hubUrl, {
        signal: options.signal,
        body: { callback, query: `eventType=${this.options.eventType}` },
      }),
      hubSchema,
    );
    return { hubId: hub.id };
  }

  /** Deletes a hub listener (`DELETE /hub/{id}`); one already gone (404) is success. */
  async unregisterListener(hubId: string, options: CallOptions): Promise<void> {
    if (!SAFE_ID.test(hubId) || /^\.+$/.test(hubId))
      throw badResponse(this.call('delete status listener for', 'DELETE', this.options.hubUrl, {}), `hub id is not path-safe`, 200);
    await sendHttp(
      this.call('delete status listener for', 'DELETE', `${this.options.hubUrl}/${encodeURIComponent(hubId)}`, {
        signal: options.signal,
        acceptStatuses: [404],
      }),
    );
  }
}
