/**
 * Status flowing back: a small HTTP listener for TMF-style hub notifications.
 *
 * The resource trouble system and partner systems POST status change events here; each valid
 * event becomes one `resourceTroubleUpdate` or `partnerUpdate` signal to the report's workflow.
 * Callbacks instead of polling: the outside system already knows when a status changes, so a
 * report learns it within a second and no activity has to heartbeat for days per ticket.
 *
 * Every callback must prove its sender (see ./callback-auth.ts): a signature with a per-source
 * secret, or the per-subscription token in the callback URL. Only `application/json` is read.
 * The report applies the change as an update, so an event it refuses (an id it does not hold, a
 * status that means nothing for it, an out-of-order change) is answered 422, not acknowledged
 * and dropped.
 *
 * Answers tell the hub what to do: 204 delivered, 400 malformed, 401 no proof of sender (or a
 * stale or replayed event), 404 no such report, 413 too large, 415 not JSON, 422 refused by the
 * report (do not retry any of these), 503 delivery failed for now (retry later).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { redactPath, redactSecrets } from '../contract/redact';
import { IsoDateTime, PartnerAnswerStatus } from '../domain/schemas';
import { checkSignature, isLoopback, ReplayGuard, sameToken, SIGNATURE_HEADER, type CallbackSource } from './callback-auth';
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
  /** The statuses a partner request can take in the report (the domain's set; others are refused 422). */
  status: PartnerAnswerStatus,
  /** The partner's promise; later than the report's resolution deadline puts the report in jeopardy at once. */
  expectedResolutionDate: IsoDateTime.optional(),
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

/** The report refused the change (an id it does not hold, an out-of-order status...): answered 422. */
export class CallbackRefusedError extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'CallbackRefusedError';
  }
}

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

/** How callbacks prove their sender; see ./callback-auth.ts. */
export interface CallbackAuthOptions {
  /** Per-source HMAC secret; a source without one can only use a subscription token. */
  secrets?: Partial<Record<CallbackSource, string>>;
  /** Subscription tokens (in `/listener/hub/<token>/...`) and the source each was registered with. */
  hubTokens?: ReadonlyMap<string, CallbackSource>;
  /**
   * Accept callbacks without proof. Only for a local demo against systems that cannot sign: refused
   * on a non-loopback address, and logged loudly at start.
   */
  unauthenticated?: boolean;
}

export interface CallbackListenerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Delivers the change to the report; throws {@link CallbackRefusedError} when the report refuses it. */
  signal: SignalReport;
  /** Without it, every callback is refused (401). */
  auth?: CallbackAuthOptions;
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

/** Event type path segment -> the source that sends it. */
const SOURCES: Record<string, CallbackSource> = {
  troubleTicketStatusChangeEvent: 'troubleTicket',
  partnerRequestStatusChangeEvent: 'partner',
};

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
  troubleTicketStatusChangeEvent: (body) => {
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
  partnerRequestStatusChangeEvent: (body) => {
    const event = parseEvent(partnerRequestStatusChangeEventSchema, body, 'PartnerRequestStatusChangeEvent');
    const request = event.event.performanceRequest;
    const status = PartnerAnswerStatus.safeParse(request.status);
    if (!status.success) {
      throw new HttpProblem(
        422,
        `partner request status "${request.status}" has no meaning for a report (use one of ${PartnerAnswerStatus.options.join(', ')})`,
      );
    }
    const payload: PartnerUpdate = {
      externalId: request.externalId,
      requestId: request.id,
      partyId: request.partyId,
      status: status.data,
      by: `partner:${request.partyId}`,
    };
    const note = request.note ?? request.statusChangeReason;
    if (note !== undefined) payload.note = note;
    if (request.expectedResolutionDate !== undefined) payload.expectedResolutionDate = request.expectedResolutionDate;
    return {
      workflowId: reportWorkflowId(reportIdOf(request.relatedEntity, request.externalId)),
      signalName: 'partnerUpdate',
      payload,
      eventId: event.eventId,
    };
  },
};

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new HttpProblem(413, `body larger than ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch {
    throw new HttpProblem(400, 'body is not valid JSON');
  }
}

/** `/listener/<eventType>` (signed) or `/listener/hub/<token>/<eventType>` (subscription token). */
function parsePath(path: string): { eventType: string; token?: string } | undefined {
  const signed = /^\/listener\/([A-Za-z]+)$/.exec(path);
  if (signed) return { eventType: signed[1] };
  const hub = /^\/listener\/hub\/([A-Za-z0-9_-]{1,200})\/([A-Za-z]+)$/.exec(path);
  return hub ? { eventType: hub[2], token: hub[1] } : undefined;
}

/** Undefined when the sender is proven; else the reason for a 401. */
function unproven(
  auth: CallbackAuthOptions,
  source: CallbackSource,
  token: string | undefined,
  req: IncomingMessage,
  body: Buffer,
): string | undefined {
  if (token !== undefined) {
    for (const [expected, tokenSource] of auth.hubTokens ?? []) if (sameToken(token, expected) && tokenSource === source) return undefined;
    return 'unknown subscription token';
  }
  const secret = auth.secrets?.[source];
  if (secret !== undefined) return checkSignature(secret, req.headers[SIGNATURE_HEADER] as string | undefined, body);
  if (auth.unauthenticated) return undefined;
  return `no proof of sender: sign with the ${source} callback secret (${SIGNATURE_HEADER}) or use the subscription URL`;
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

interface ListenerContext {
  auth: CallbackAuthOptions;
  delivered: ReplayGuard;
  log: (entry: Record<string, unknown>) => void;
  options: CallbackListenerOptions;
}

/** One callback: route, prove the sender, parse, deliver, answer. */
async function handle(ctx: ListenerContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { auth, delivered, log, options } = ctx;
  const path = new URL(req.url ?? '/', 'http://listener').pathname.replace(/\/+$/, '');
  if (req.method === 'GET' && path === '/health') return send(res, 200, { ok: true });
  const target = parsePath(path);
  const route = target && routes[target.eventType];
  // A token is a credential: never logged or echoed (nor anything shaped like one).
  const shownPath = redactPath(target?.token ? path.replace(target.token, '<token>') : path).slice(0, 300);
  if (!target || !route) return send(res, 404, { error: `no listener at ${shownPath}` });
  if (req.method !== 'POST') return send(res, 405, { error: 'use POST' }, { allow: 'POST' });
  const source = SOURCES[target.eventType];

  let routed: Routed;
  try {
    const type = String(req.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    if (type !== 'application/json') throw new HttpProblem(415, 'only application/json is accepted');
    const body = await readBody(req);
    const why = unproven(auth, source, target.token, req, body);
    if (why !== undefined) throw new HttpProblem(401, why);
    routed = route(parseJson(body));
    if (delivered.has(source, routed.eventId))
      throw new HttpProblem(401, `replayed event ${routed.eventId.slice(0, 100)}: already delivered`);
  } catch (error) {
    if (error instanceof HttpProblem) {
      log({ msg: 'notification refused', path: shownPath, status: error.status, error: error.message, ...error.extra });
      return send(res, error.status, { error: error.message, ...error.extra });
    }
    throw error;
  }
  const { workflowId, signalName, payload, eventId } = routed;
  try {
    await options.signal(workflowId, signalName, payload);
  } catch (error) {
    if (error instanceof CallbackRefusedError) {
      log({ msg: 'notification refused by the report', workflowId, eventId, reason: error.message });
      return send(res, 422, { error: error.message.slice(0, 1000) });
    }
    if (isNotFound(error)) {
      log({ msg: 'notification for unknown report', workflowId, eventId });
      return send(res, 404, { error: `report workflow ${workflowId} not found` });
    }
    log({ msg: 'signal failed, asking hub to retry', workflowId, eventId, error: String(error).slice(0, 500) });
    return send(res, 503, { error: `could not deliver ${signalName} to ${workflowId}; retry later` }, { 'retry-after': '5' });
  }
  delivered.add(source, eventId);
  log({ msg: 'notification delivered', workflowId, signalName, eventId, status: payload.status });
  send(res, 204);
}

/** Starts the listener; resolves once it accepts connections. */
export async function startCallbackListener(options: CallbackListenerOptions): Promise<CallbackListener> {
  const write = options.log ?? (() => undefined);
  // Every logged text goes through the one redaction: tokens in paths, queries and error texts masked.
  const log = (entry: Record<string, unknown>) =>
    write(Object.fromEntries(Object.entries(entry).map(([k, v]) => [k, typeof v === 'string' ? redactSecrets(v, 1000) : v])));
  const auth = options.auth ?? {};
  const host = options.host ?? '127.0.0.1';
  if (auth.unauthenticated) {
    if (!isLoopback(host))
      throw new Error(`unauthenticated callbacks are refused on the non-loopback address ${host}: configure callback secrets instead`);
    console.warn(
      `WARNING: the callback listener on ${host} accepts UNAUTHENTICATED callbacks from sources without a secret (SPDR_CALLBACK_UNAUTHENTICATED); anyone on this machine can change reports. Never use this in production.`,
    );
  }
  // Events already delivered, per source: a second delivery (a replay) is refused and changes nothing.
  const ctx: ListenerContext = { auth, delivered: new ReplayGuard(REMEMBERED_EVENTS), log, options };

  const server = createServer((req, res) => {
    void handle(ctx, req, res).catch((error: unknown) => {
      log({ msg: 'callback listener failed', error: String(error) });
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address, family } = server.address() as AddressInfo;
  const shownHost = family === 'IPv6' ? `[${address}]` : address;
  const url = `http://${shownHost === '0.0.0.0' ? '127.0.0.1' : shownHost}:${port}`;
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
