/**
 * Payload validation: every reason names the message and the field, and stays short whatever
 * the payload. Synchronous and pure, so update validators and signal handlers share it.
 */
import { z } from 'zod';
import { MessagePayloadSchemas, StartInput, type MessageName, type MessagePayload } from './schemas';
import { truncate } from './text';

const MAX_REASON_LENGTH = 1000;
const PAYLOAD_PREVIEW_MAX = 500;
/** A message's payload larger than this (as JSON) is refused before validation: a report stays far below Temporal's 2 MB limits. */
export const MAX_PAYLOAD_CHARS = 64 * 1024;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** One readable line per problem, each naming the message and the field: `addAnalysis.summary: Required`. */
export function formatIssues(prefix: string, error: z.ZodError): string {
  // Bounded: a reason quotes at most a few short field names, never a payload's worth of them.
  const short = (text: string) => truncate(text, 60);
  const lines = error.issues.slice(0, 10).map((issue) => {
    const where = [prefix, ...issue.path.map((p) => short(String(p)))].join('.');
    if (issue.code === 'unrecognized_keys') {
      const keys = issue.keys
        .slice(0, 5)
        .map((k) => `"${short(k)}"`)
        .join(', ');
      return `${where}: Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${keys}${issue.keys.length > 5 ? ` and ${issue.keys.length - 5} more` : ''}`;
    }
    return `${where}: ${truncate(issue.message, 300)}`;
  });
  if (error.issues.length > 10) lines.push(`and ${error.issues.length - 10} more problems`);
  return truncate(lines.join('; '), MAX_REASON_LENGTH);
}

const requiredMessage = (issue: { code: string; input?: unknown }): string | undefined =>
  issue.code === 'invalid_type' && issue.input === undefined ? 'Required' : undefined;

export function parseWith<S extends z.ZodType>(schema: S, prefix: string, payload: unknown): Parsed<z.output<S>> {
  const result = schema.safeParse(payload, { error: requiredMessage });
  return result.success ? { ok: true, value: result.data } : { ok: false, reason: formatIssues(prefix, result.error) };
}

/** Validates a start input; the shell fails the workflow start (non-retryable) with `reason` when it is invalid. */
export function parseStartInput(raw: unknown): Parsed<StartInput> {
  return parseWith(StartInput, 'startInput', raw);
}

/** Validates a message payload alone (no state rules); `applyCommand` does both. */
export function parseMessage<N extends MessageName>(name: N, payload: unknown): Parsed<MessagePayload<N>> {
  const size = payloadSize(payload);
  if (size > MAX_PAYLOAD_CHARS)
    return { ok: false, reason: `${name}: payload too large (${size} characters as JSON, limit ${MAX_PAYLOAD_CHARS})` };
  return parseWith(MessagePayloadSchemas[name], name, payload) as Parsed<MessagePayload<N>>;
}

function payloadSize(payload: unknown): number {
  try {
    return (JSON.stringify(payload) ?? '').length;
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** The payload as JSON, cut to 500 characters; never throws (cycles, BigInt). */
export function payloadPreview(payload: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(payload) ?? String(payload);
  } catch {
    text = '[payload not serialisable as JSON]';
  }
  return truncate(text, PAYLOAD_PREVIEW_MAX);
}
