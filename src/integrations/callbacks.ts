/**
 * Status flowing back: a small HTTP listener for TMF-style hub notifications.
 *
 * The resource trouble system and partner systems POST status change events here; each valid
 * event becomes one `resourceTroubleUpdate` or `partnerUpdate` signal to the report's workflow.
 * Callbacks instead of polling: the outside system already knows when a status changes, so a
 * report learns it within a second and no activity has to heartbeat for days per ticket.
 *
 * Answers tell the hub what to do: 204 delivered, 400 malformed (do not retry), 404 no such
 * report (do not retry), 503 delivery failed for now (retry later).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ORIGINATING_REPORT_ROLE, reportIdFromExternalId, reportWorkflowId } from './ids';
import {
  partnerRequestStatusChangeEventSchema,
  troubleTicketStatusChangeEventSchema,
  troubleTicketStatusSchema,
  type RelatedEntity,
} from './tmf';

/** Signal payload `resourceTroubleUpdate`: a trouble ticket's status changed (fixed contract). */
export const resourceTroubleUpdateSchema = z.object({
  externalId: z.string().min(1),
  ticketId: z.string().min(1),
  status: troubleTicketStatusSchema,
  statusChangeReason: z.string().optional(),
  resolution: z.string().optional(),
  by: z.literal('resource-trouble-management'),
});
export type ResourceTroubleUpdate = z.infer<typeof resourceTroubleUpdateSchema>;

/** Signal payload `partnerUpdate`: a partner request's status changed (fixed contract). */
export const partnerUpdateSchema = z.object({
  externalId: z.string().min(1),
  requestId: z.string().min(1),
  partyId: z.string().min(1),
  status: troubleTicketStatusSchema,
  note: z.string().optional(),
  by: z.templateLiteral(['partner:', z.string()]),
});
export type PartnerUpdate = z.infer<typeof partnerUpdateSchema>;

export type CallbackSignalName = 'resourceTroubleUpdate' | 'partnerUpdate';

/**
 * Delivers a signal to a workflow, e.g. `client.workflow.getHandle(id).signal(name, payload)`.
 * Throw {@link ReportNotFoundError} (or let Temporal's `WorkflowNotFoundError` through) when the
 * workflow does not exist or has completed.
 */
export type SignalReport = (
  workflowId: string,
  signalName: CallbackSignalName,
  payload: ResourceTroubleUpdate | PartnerUpdate,
) => Promise<void>;

/** The addressed report does not exist (or is no longer running). */
export class ReportNotFoundError extends Error {
  constructor(workflowId: string) {
    super(`report workflow ${workflowId} not found`);
    this.name = 'ReportNotFoundError';
  }
}

function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ReportNotFoundError' || error.name === 'WorkflowNotFoundError') return true;
  // A raw gRPC NOT_FOUND (code 5), should the signal function not use the high-level client.
  const code = (error as { code?: unknown }).code ?? (error.cause as { code?: unknown } | undefined)?.code;
  return code === 5;
}

export interface CallbackListenerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  signal: SignalReport;
  /** Receives one structured entry per notification; never gets secrets (there are none here). */
  log?: (entry: Record<string, unknown>) => void;
}

export interface CallbackListener {
  /** Base URL, e.g. `http://127.0.0.1:8090`. */
  url: string;
  /** What to register with a TMF hub as `callback`: `${url}/listener`. */
  listenerUrl: string;
  port: number;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;
const REMEMBERED_EVENTS = 10_000;

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

function reportIdOf(relatedEntity: RelatedEntity[] | undefined, externalId: string): string {
  const report = relatedEntity?.find((entity) => entity.role === ORIGINATING_REPORT_ROLE);
  const reportId = report?.id ?? reportIdFromExternalId(externalId);
  if (reportId === undefined) {
    throw new HttpProblem(
      400,
      `cannot tell which report this is for: no relatedEntity with role "${ORIGINATING_REPORT_ROLE}" and externalId "${externalId}" is not of the form spdr-<reportId>-rtr-... or spdr-<reportId>-pr-...`,
    );
  }
  return reportId;
}

type Routed = { workflowId: string; signalName: CallbackSignalName; payload: ResourceTroubleUpdate | PartnerUpdate; eventId: string };

function parseEvent<S extends z.ZodType>(schema: S, body: unknown, name: string): z.output<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new HttpProblem(400, `invalid ${name}`, {
      issues: parsed.error.issues.map((issue) => `${issue.path.join('.') || '(body)'}: ${issue.message}`),
    });
  }
  return parsed.data;
}

const routes: Record<string, (body: unknown) => Routed> = {
  '/listener/troubleTicketStatusChangeEvent': (body) => {
    const event = parseEvent(troubleTicketStatusChangeEventSchema, body, 'TroubleTicketStatusChangeEvent');
    const ticket = event.event.troubleTicket;
    const payload: ResourceTroubleUpdate = {
      externalId: ticket.externalId,
      ticketId: ticket.id,
      status: ticket.status,
      by: 'resource-trouble-management',
    };
    if (ticket.statusChangeReason !== undefined) payload.statusChangeReason = ticket.statusChangeReason;
    if (ticket.resolution !== undefined) payload.resolution = ticket.resolution;
    return {
      workflowId: reportWorkflowId(reportIdOf(ticket.relatedEntity, ticket.externalId)),
      signalName: 'resourceTroubleUpdate',
      payload,
      eventId: event.eventId,
    };
  },
  '/listener/partnerRequestStatusChangeEvent': (body) => {
    const event = parseEvent(partnerRequestStatusChangeEventSchema, body, 'PartnerRequestStatusChangeEvent');
    const request = event.event.performanceRequest;
    const payload: PartnerUpdate = {
      externalId: request.externalId,
      requestId: request.id,
      partyId: request.partyId,
      status: request.status,
      by: `partner:${request.partyId}`,
    };
    const note = request.note ?? request.statusChangeReason;
    if (note !== undefined) payload.note = note;
    return {
      workflowId: reportWorkflowId(reportIdOf(request.relatedEntity, request.externalId)),
      signalName: 'partnerUpdate',
      payload,
      eventId: event.eventId,
    };
  },
};

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpProblem(400, 'body is not valid JSON');
  }
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

/** Starts the listener; resolves once it accepts connections. */
export async function startCallbackListener(options: CallbackListenerOptions): Promise<CallbackListener> {
  const log = options.log ?? (() => undefined);
  // Hubs redeliver after a lost answer; an event already turned into a signal is acknowledged again, not re-signalled.
  const delivered = new Set<string>();

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      log({ msg: 'callback listener failed', error: String(error) });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://listener').pathname.replace(/\/+$/, '');
    if (req.method === 'GET' && path === '/health') return send(res, 200, { ok: true });
    const route = routes[path];
    if (!route) return send(res, 404, { error: `no listener at ${path}` });
    if (req.method !== 'POST') return send(res, 405, { error: 'use POST' }, { allow: 'POST' });

    let routed: Routed;
    try {
      routed = route(await readJson(req));
    } catch (error) {
      if (error instanceof HttpProblem) {
        log({ msg: 'notification refused', path, status: error.status, error: error.message, ...error.extra });
        return send(res, error.status, { error: error.message, ...error.extra });
      }
      throw error;
    }
    const { workflowId, signalName, payload, eventId } = routed;
    if (delivered.has(eventId)) return send(res, 204);
    try {
      await options.signal(workflowId, signalName, payload);
    } catch (error) {
      if (isNotFound(error)) {
        log({ msg: 'notification for unknown report', workflowId, eventId });
        return send(res, 404, { error: `report workflow ${workflowId} not found` });
      }
      log({ msg: 'signal failed, asking hub to retry', workflowId, eventId, error: String(error) });
      return send(res, 503, { error: `could not deliver ${signalName} to ${workflowId}; retry later` }, { 'retry-after': '5' });
    }
    delivered.add(eventId);
    if (delivered.size > REMEMBERED_EVENTS) delivered.delete(delivered.values().next().value as string);
    log({ msg: 'notification delivered', workflowId, signalName, eventId, status: payload.status });
    send(res, 204);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address, family } = server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address}]` : address;
  const url = `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;
  return {
    url,
    listenerUrl: `${url}/listener`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
