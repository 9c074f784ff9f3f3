import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Secret } from '../../src/config/secret';
import { FailureType, parseRetryAfter, requestJson } from '../../src/integrations/http';
import { TroubleTicketClient } from '../../src/integrations/troubleTicket';
import { z } from 'zod';
import { startTroubleTicketSimulator, type TroubleTicketSimulator } from '../../src/simulators/troubleTicketSimulator';
import { failureOf, stubServer } from './helpers';

const ticket = {
  externalId: 'spdr-R-1-rtr-PE-7',
  reportId: 'R-1',
  resourceId: 'PE-7',
  severity: 'major',
  description: 'Packet loss on PE-7 uplink',
};

describe('failure classification of outside-system calls', () => {
  let sim: TroubleTicketSimulator;
  let client: TroubleTicketClient;

  beforeAll(async () => {
    sim = await startTroubleTicketSimulator({ token: 'tt-s3cret' });
    client = new TroubleTicketClient({ baseUrl: sim.url, token: new Secret('tt-s3cret'), timeoutMs: 500 });
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.faults.reset();
  });

  it('turns a 503 with Retry-After into a retryable failure carrying nextRetryDelay', async () => {
    sim.faults.update({ errorRate: 1 });
    const failure = await failureOf(client.createTroubleTicket(ticket));
    expect(failure.type).toBe(FailureType.unavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(1000);
    expect(failure.message).toBe(
      'resource trouble management: look up trouble ticket failed, system unavailable (503 Service Unavailable: simulated outage); retry after 1000 ms',
    );
  });

  it('fails fast on 422 with a message naming system, operation and reason', async () => {
    const failure = await failureOf(client.createTroubleTicket({ ...ticket, severity: 'catastrophic' }));
    expect(failure.type).toBe(FailureType.rejected);
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'resource trouble management: create trouble ticket refused (422 Unprocessable Entity): severity is invalid',
    );
    expect(failure.details?.[0]).toMatchObject({ system: 'resource trouble management', httpStatus: 422, method: 'POST' });
  });

  it('refuses without retry when the token is wrong, and never shows the token', async () => {
    const wrong = new TroubleTicketClient({ baseUrl: sim.url, token: new Secret('wr0ng-t0ken'), timeoutMs: 500 });
    const failure = await failureOf(wrong.createTroubleTicket(ticket));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'resource trouble management: look up trouble ticket refused (401 Unauthorized): missing or invalid bearer token',
    );
    expect(JSON.stringify({ message: failure.message, details: failure.details })).not.toMatch(/wr0ng-t0ken|tt-s3cret/);
  });

  it('retries when the system is down (connection destroyed)', async () => {
    sim.faults.update({ down: true });
    const failure = await failureOf(client.getTroubleTicket('TT-000001'));
    expect(failure.type).toBe(FailureType.unavailable);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/^resource trouble management: read trouble ticket failed, system unavailable \(connection failed/);
  });

  it('retries when the system does not answer in time', async () => {
    sim.faults.update({ timeoutRate: 1 });
    const started = Date.now();
    const failure = await failureOf(client.getTroubleTicket('TT-000001'));
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe('resource trouble management: read trouble ticket failed, system unavailable (no answer within 500 ms)');
  });

  it('retries when the connection is refused', async () => {
    const gone = await stubServer((_req, res) => res.end());
    await gone.close();
    const closed = new TroubleTicketClient({ baseUrl: gone.url, timeoutMs: 500 });
    const failure = await failureOf(closed.getTroubleTicket('TT-1'));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('connection failed: ECONNREFUSED');
  });
});

describe('answers that cannot be understood', () => {
  const call = { system: 'stub system', operation: 'read thing', method: 'GET' as const, timeoutMs: 1000 };

  it('fails without retry on a 200 that is not JSON', async () => {
    const stub = await stubServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>proxy login</html>'));
    const failure = await failureOf(requestJson({ ...call, url: stub.url }, z.object({ id: z.string() })));
    await stub.close();
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe(FailureType.badResponse);
    expect(failure.message).toBe('stub system: read thing returned an unusable answer (200 OK): the body is not valid JSON');
  });

  it('fails without retry on JSON of the wrong shape', async () => {
    const stub = await stubServer((_req, res) => res.writeHead(200).end('{"identifier":1}'));
    const failure = await failureOf(requestJson({ ...call, url: stub.url }, z.object({ id: z.string() })));
    await stub.close();
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^stub system: read thing returned an unusable answer \(200 OK\): unexpected shape \(id /);
  });

  it('honours Retry-After given as an HTTP date on 429', async () => {
    const at = new Date(Date.now() + 30_000).toUTCString();
    const stub = await stubServer((_req, res) => res.writeHead(429, { 'retry-after': at }).end());
    const failure = await failureOf(requestJson({ ...call, url: stub.url }, z.unknown()));
    await stub.close();
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBeGreaterThan(25_000);
    expect(failure.nextRetryDelay).toBeLessThanOrEqual(30_000);
  });

  it('parses Retry-After seconds and dates, capping absurd values', () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 10:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 09:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('86400', now)).toBe(15 * 60_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
