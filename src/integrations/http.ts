/**
 * The one place where outside systems are called over HTTP.
 *
 * Besides sending JSON with a timeout and auth, it classifies every failure for Temporal's retry
 * policy: an outside system that is unavailable (timeout, connection error, 429, 5xx) yields a
 * retryable `OutsideSystemUnavailable` failure, honouring `Retry-After`; one that refuses the
 * request (other 4xx) or answers nonsense yields a non-retryable failure whose message names the
 * system, the operation and the reason. Messages never contain URLs or secrets.
 */
import { STATUS_CODES } from 'node:http';
import { ApplicationFailure } from '@temporalio/common';
import type { z } from 'zod';
import type { Secret } from '../config/secret';
import { redactSecrets, redactUrl } from '../contract/redact';

/** Failure types, for `RetryPolicy.nonRetryableErrorTypes` and for the report's history. */
export const FailureType = {
  /** Timeout, connection error, 429 or 5xx: retry with backoff. */
  unavailable: 'OutsideSystemUnavailable',
  /** 4xx: the system refused the request; retrying the same request cannot help. */
  rejected: 'OutsideSystemRejected',
  /** A 2xx answer that is not JSON or not the expected shape. */
  badResponse: 'OutsideSystemBadResponse',
  /** The request cannot be sent: input or configuration is wrong (e.g. an unknown party). */
  invalidRequest: 'OutsideSystemRequestInvalid',
} as const;

/** Details attached to every outside-system failure (`failure.details[0]`). */
export interface OutsideSystemFailureDetails {
  system: string;
  operation: string;
  method: string;
  /** Redacted: no credentials, no query values. */
  url: string;
  httpStatus?: number;
  retryAfterMs?: number;
}

export type HttpAuth = { kind: 'bearer'; token: Secret } | { kind: 'header'; name: string; value: Secret };

export interface HttpCall {
  /** Human name of the outside system, e.g. "resource trouble management". */
  system: string;
  /** Human name of the operation, e.g. "create trouble ticket". */
  operation: string;
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  url: string;
  /** Sent as JSON. */
  body?: unknown;
  contentType?: string;
  auth?: HttpAuth;
  headers?: Record<string, string>;
  timeoutMs: number;
  /** Cancellation from the caller (e.g. the activity's cancellation signal); rethrown as is. */
  signal?: AbortSignal;
  /** Non-2xx statuses handed back to the caller instead of failing (e.g. 409 "already exists"). */
  acceptStatuses?: readonly number[];
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** Parsed JSON; undefined for an empty body. */
  body: unknown;
}

/** Upper bound for a server-requested retry delay, so a wild `Retry-After` cannot park a report. */
export const MAX_RETRY_AFTER_MS = 15 * 60_000;

/** Parses `Retry-After` (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  let ms: number;
  if (/^\d+$/.test(text)) {
    ms = Number(text) * 1000;
  } else {
    const at = Date.parse(text);
    if (Number.isNaN(at)) return undefined;
    ms = Math.max(0, at - now);
  }
  return Math.min(ms, MAX_RETRY_AFTER_MS);
}

function statusText(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown Status';
}

/** The call's own credentials, masked wherever they appear in remote text. */
function knownSecrets(call: HttpCall): string[] {
  if (call.auth?.kind === 'bearer') return [call.auth.token.reveal()];
  if (call.auth?.kind === 'header') return [call.auth.value.reveal()];
  return [];
}

/** Remote or local text that enters a failure message: credentials masked, one line, bounded. */
function sanitised(text: string, call: HttpCall | undefined, max: number): string {
  return redactSecrets(text, max, call ? knownSecrets(call) : []);
}

/** The most helpful sentence an error body offers (TMF error, RFC 7807 problem, or plain text). */
function reasonFrom(bodyText: string, call: HttpCall): string | undefined {
  let reason: string | undefined;
  try {
    const body = JSON.parse(bodyText) as unknown;
    if (body !== null && typeof body === 'object') {
      const b = body as Record<string, unknown>;
      const nested = b.error !== null && typeof b.error === 'object' ? (b.error as Record<string, unknown>) : {};
      const candidate = [b.message, b.detail, b.reason, b.title, b.error, nested.message].find(
        (value): value is string => typeof value === 'string' && value.trim().length > 0,
      );
      reason = candidate;
    } else if (typeof body === 'string') {
      reason = body;
    }
  } catch {
    reason = bodyText.startsWith('<') ? undefined : bodyText;
  }
  if (reason === undefined) return undefined;
  const line = sanitised(reason, call, 300);
  return line === '' ? undefined : line;
}

function details(call: HttpCall, extra: Partial<OutsideSystemFailureDetails> = {}): OutsideSystemFailureDetails {
  return { system: call.system, operation: call.operation, method: call.method, url: redactUrl(call.url), ...extra };
}

function unavailable(call: HttpCall, what: string, extra: Partial<OutsideSystemFailureDetails> = {}, cause?: Error) {
  const retryAfter = extra.retryAfterMs === undefined ? '' : `; retry after ${extra.retryAfterMs} ms`;
  return ApplicationFailure.create({
    message: sanitised(`${call.system}: ${call.operation} failed, system unavailable (${what})${retryAfter}`, call, 1000),
    type: FailureType.unavailable,
    nonRetryable: false,
    details: [details(call, extra)],
    nextRetryDelay: extra.retryAfterMs,
    cause,
  });
}

/** A non-retryable refusal, e.g. `... create trouble ticket refused (422 Unprocessable Entity): severity is invalid`. */
export function rejected(call: HttpCall, status: number, reason: string | undefined): ApplicationFailure {
  return ApplicationFailure.create({
    message: sanitised(
      `${call.system}: ${call.operation} refused (${status} ${statusText(status)})${reason ? `: ${reason}` : ''}`,
      call,
      1000,
    ),
    type: FailureType.rejected,
    nonRetryable: true,
    details: [details(call, { httpStatus: status })],
  });
}

/** A non-retryable failure for an answer that cannot be understood. */
export function badResponse(call: Pick<HttpCall, 'system' | 'operation' | 'method' | 'url'>, problem: string, status?: number) {
  return ApplicationFailure.create({
    message: sanitised(
      `${call.system}: ${call.operation} returned an unusable answer${status ? ` (${status} ${statusText(status)})` : ''}: ${problem}`,
      undefined,
      1000,
    ),
    type: FailureType.badResponse,
    nonRetryable: true,
    details: [{ system: call.system, operation: call.operation, method: call.method, url: redactUrl(call.url), httpStatus: status }],
  });
}

/** A non-retryable failure raised before anything is sent (bad input or configuration). */
export function invalidRequest(system: string, operation: string, reason: string): ApplicationFailure {
  return ApplicationFailure.create({
    message: sanitised(`${system}: cannot ${operation}: ${reason}`, undefined, 1000),
    type: FailureType.invalidRequest,
    nonRetryable: true,
    details: [{ system, operation }],
  });
}

function connectionProblem(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return `connection failed: ${cause.code}`;
  if (cause && typeof cause.message === 'string') return `connection failed: ${cause.message}`;
  return 'connection failed';
}

/** Answers larger than this are not read: the outside system is broken or hostile. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The body as text, reading at most `max` bytes (more: an error naming the limit). */
async function cappedText(response: Response, max: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > max) {
    await response.body?.cancel();
    throw new ResponseTooLarge(max);
  }
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > max) throw new ResponseTooLarge(max);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

class ResponseTooLarge extends Error {
  constructor(readonly max: number) {
    super(`response body larger than ${max} bytes`);
  }
}

/**
 * Sends one request and returns the answer for a 2xx (or an accepted) status.
 * @throws ApplicationFailure classified as described in the module comment.
 */
export async function sendHttp(call: HttpCall): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
  if (call.body !== undefined) headers['content-type'] = call.contentType ?? 'application/json';
  if (call.auth?.kind === 'bearer') headers.authorization = `Bearer ${call.auth.token.reveal()}`;
  if (call.auth?.kind === 'header') headers[call.auth.name.toLowerCase()] = call.auth.value.reveal();

  const timeout = AbortSignal.timeout(call.timeoutMs);
  const signal = call.signal ? AbortSignal.any([timeout, call.signal]) : timeout;
  let status: number;
  let responseHeaders: Headers;
  let text: string;
  try {
    const response = await fetch(call.url, {
      method: call.method,
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      signal,
      // Never follow a redirect: it would carry our credentials (and the request) to another address.
      redirect: 'manual',
    });
    status = response.status;
    responseHeaders = response.headers;
    text = await cappedText(response, MAX_RESPONSE_BYTES);
  } catch (error) {
    if (error instanceof ResponseTooLarge) throw badResponse(call, error.message, 200);
    if (call.signal?.aborted) throw error;
    if (timeout.aborted) throw unavailable(call, `no answer within ${call.timeoutMs} ms`);
    throw unavailable(call, connectionProblem(error));
  }

  const accepted = (status >= 200 && status < 300) || (call.acceptStatuses ?? []).includes(status);
  if (!accepted && ((status >= 300 && status < 400) || status === 0))
    throw rejected(call, status, 'redirect not followed (credentials are never sent to another address)');
  if (!accepted) {
    if (status === 408 || status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(responseHeaders.get('retry-after'));
      const reason = reasonFrom(text, call);
      throw unavailable(call, `${status} ${statusText(status)}${reason ? `: ${reason}` : ''}`, {
        httpStatus: status,
        retryAfterMs,
      });
    }
    throw rejected(call, status, reasonFrom(text, call));
  }
  if (text.trim() === '') return { status, headers: responseHeaders, body: undefined };
  try {
    return { status, headers: responseHeaders, body: JSON.parse(text) as unknown };
  } catch {
    throw badResponse(call, 'the body is not valid JSON', status);
  }
}

/** Checks an answer's body against the expected schema. */
export function expectBody<S extends z.ZodType>(
  call: Pick<HttpCall, 'system' | 'operation' | 'method' | 'url'>,
  schema: S,
  answer: HttpAnswer,
): z.output<S> {
  const parsed = schema.safeParse(answer.body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : 'body'} ${issue.message}`)
    .join('; ');
  throw badResponse(call, `unexpected shape (${problems})`, answer.status);
}

/** Sends a request and checks the answer's body against a schema. */
export async function requestJson<S extends z.ZodType>(call: HttpCall, schema: S): Promise<z.output<S>> {
  return expectBody(call, schema, await sendHttp(call));
}
