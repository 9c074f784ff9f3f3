/**
 * Outbound calls and routing by our own ids:
 * - a ticket id in a callback is never adopted: a planted id cannot make the report refuse its own
 *   ticket or cancel someone else's;
 * - before a PATCH the ticket's externalId is checked to be ours; ids that are not path-safe are refused;
 * - redirects are not followed (our bearer token never goes to another address);
 * - an answer larger than 1 MB is refused, not read;
 * - a URL with credentials in it is refused at start, and the password is not echoed.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadIntegrationConfig, simulatorEnv } from '../../src/config/config';
import { Secret } from '../../src/config/secret';
import { TroubleTicketClient } from '../../src/integrations/troubleTicket';
import { T0, MINUTE, accept, msg, open, ofType } from '../domain/fixtures';

const KEY = 'spdr-R-1001-rtr-PE-7';

describe('routing uses only ids the report recorded from our own create', () => {
  it('a callback carrying a ticket id before our create does not plant it; our create and cancel use our ticket', () => {
    let report = accept(
      open(),
      msg('addAnalysis', { author: 'noc.anna', summary: 'PE-7', rootCause: { domain: 'resource', resourceId: 'PE-7' } }),
      T0,
    ).report;
    // A (forged or early) callback names ticket EVIL-1 for our trouble report.
    report = accept(
      report,
      msg('resourceTroubleUpdate', { externalId: KEY, ticketId: 'EVIL-1', status: 'inProgress' }),
      T0 + MINUTE,
    ).report;
    expect(report.troubleReports[0].ticketId).toBeUndefined();
    // Our own create answer is still accepted ...
    report = accept(report, { name: 'troubleReportCreated', payload: { key: KEY, ticketId: 'TT-7' } }, T0 + 2 * MINUTE).report;
    expect(report.troubleReports[0].ticketId).toBe('TT-7');
    // ... and the cancel goes to our ticket, not the planted one.
    const cancelled = accept(report, msg('cancel', { by: 'noc.anna', reason: 'falseServiceFailureEvent' }), T0 + 3 * MINUTE);
    expect(ofType(cancelled.effects, 'cancelTroubleReport')).toEqual([expect.objectContaining({ key: KEY, ticketId: 'TT-7' })]);
  });
});

describe('outbound calls', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });
  async function serve(
    handler: (req: { method?: string; url?: string; headers: IncomingHttpHeaders }, res: import('node:http').ServerResponse) => void,
  ): Promise<string> {
    const server = createServer((req, res) => handler(req, res));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
  const client = (baseUrl: string) => new TroubleTicketClient({ baseUrl, token: new Secret('s3cret-token'), timeoutMs: 3000 });

  it('does not follow a redirect: the bearer token never reaches the other address', async () => {
    const seen: IncomingHttpHeaders[] = [];
    const elsewhere = await serve((req, res) => {
      seen.push(req.headers);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"TT-1","status":"acknowledged","externalId":"x"}');
    });
    const base = await serve((_req, res) => res.writeHead(302, { location: `${elsewhere}/troubleTicket/TT-1` }).end());
    await expect(client(base).getTroubleTicket('TT-1')).rejects.toThrow(/redirect not followed/);
    expect(seen).toEqual([]);
  });

  it('refuses an answer larger than 1 MB', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(`{"id":"TT-1","status":"acknowledged","pad":"${'x'.repeat(3 * 1024 * 1024)}"}`);
    });
    await expect(client(base).getTroubleTicket('TT-1')).rejects.toThrow(/larger than 1048576 bytes/);
  });

  it('checks the externalId before a PATCH, and refuses ids that are not path-safe', async () => {
    const methods: string[] = [];
    const base = await serve((req, res) => {
      methods.push(`${req.method} ${req.url}`);
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end('{"id":"TT-9","status":"inProgress","externalId":"spdr-R-OTHER-rtr-X"}');
    });
    await expect(client(base).cancelTroubleTicket({ ticketId: 'TT-9', externalId: KEY, reason: 'cancelled' })).rejects.toThrow(
      /belongs to external id spdr-R-OTHER-rtr-X/,
    );
    expect(methods).toEqual(['GET /troubleTicket/TT-9']);
    await expect(client(base).cancelTroubleTicket({ ticketId: '..', externalId: KEY, reason: 'cancelled' })).rejects.toThrow(
      /not path-safe/,
    );
    expect(methods).toHaveLength(1);
  });

  it('refuses a URL with credentials at start, without echoing the password', () => {
    const env = { ...simulatorEnv(), SPDR_TROUBLE_URL: 'http://admin:hunter2@127.0.0.1:8081' };
    expect(() => loadIntegrationConfig(env)).toThrow(/SPDR_TROUBLE_URL: must not contain credentials/);
    try {
      loadIntegrationConfig(env);
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('hunter2');
    }
  });
});
