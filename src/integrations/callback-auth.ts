/**
 * Proof of sender for status callbacks. Two ways, per source (the resource trouble system, the
 * partner systems):
 *
 * 1. A signature (systems that can sign, the simulators included). Header
 *    `X-Spdr-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<exact body>")>`.
 *    Refused (401) when missing, malformed, wrong, or with `t` more than 5 minutes from now;
 *    an event id already delivered from the same source is refused as a replay.
 * 2. A subscription token (TMF hubs that cannot sign): the callback URL the worker registers
 *    carries an unguessable per-subscription token (`/listener/hub/<token>/<eventType>`),
 *    compared in constant time.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type CallbackSource = 'troubleTicket' | 'partner';

export const SIGNATURE_HEADER = 'x-spdr-signature';
export const MAX_SKEW_MS = 5 * 60_000;

function hmac(secret: string, timestamp: string, body: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
}

/** The header value for `body` signed at `nowMs` (what a sender puts in {@link SIGNATURE_HEADER}). */
export function signCallback(secret: string, body: Buffer | string, nowMs = Date.now()): string {
  const t = String(Math.floor(nowMs / 1000));
  return `t=${t},v1=${hmac(secret, t, body).toString('hex')}`;
}

/** Undefined when the signature is good; else why not (never echoing the secret or the expected value). */
export function checkSignature(secret: string, header: string | undefined, body: Buffer, nowMs = Date.now()): string | undefined {
  if (!header) return `missing ${SIGNATURE_HEADER} header`;
  const parts = Object.fromEntries(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const t = parts.t;
  const v1 = parts.v1;
  if (!t || !/^\d{1,12}$/.test(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1))
    return `malformed ${SIGNATURE_HEADER} header (expected t=<unix seconds>,v1=<64 hex>)`;
  if (Math.abs(nowMs - Number(t) * 1000) > MAX_SKEW_MS) return 'stale signature: timestamp more than 5 minutes from now';
  if (!timingSafeEqual(hmac(secret, t, body), Buffer.from(v1, 'hex'))) return 'wrong signature';
  return undefined;
}

/** Constant-time comparison of a presented token with an expected one (lengths may differ). */
export function sameToken(presented: string, expected: string): boolean {
  const a = createHmac('sha256', 'token').update(presented).digest();
  const b = createHmac('sha256', 'token').update(expected).digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}

/** A fresh subscription token: 32 random bytes, URL-safe. */
export function newSubscriptionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Event ids already delivered, per source, the oldest forgotten first. */
export class ReplayGuard {
  private readonly seen = new Map<CallbackSource, Set<string>>();

  constructor(private readonly remember = 10_000) {}

  has(source: CallbackSource, eventId: string): boolean {
    return this.seen.get(source)?.has(eventId) ?? false;
  }

  add(source: CallbackSource, eventId: string): void {
    let ids = this.seen.get(source);
    if (!ids) this.seen.set(source, (ids = new Set()));
    ids.add(eventId);
    if (ids.size > this.remember) ids.delete(ids.values().next().value as string);
  }
}

/** Whether a listen address only accepts local connections. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
