import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  CallbackRefusedError,
  startCallbackListener,
  type CallbackListener,
  type CallbackSignalName,
  type PartnerUpdate,
  type ResourceTroubleUpdate,
} from '../../src/integrations/callbacks';
import { SIGNATURE_HEADER, signCallback } from '../../src/integrations/callback-auth';
import { partnerRequestExternalId, troubleTicketExternalId } from '../../src/integrations/ids';
import { partnerClient } from '../../src/integrations/partner';
import { troubleTicketClient } from '../../src/integrations/troubleTicket';
import { startSimulators, type Simulators } from '../../src/simulators/main';
import { eventuallyDefined } from '../support/wait';

type SignalCall = { workflowId: string; signalName: CallbackSignalName; payload: ResourceTroubleUpdate | PartnerUpdate };

describe('callback listener (status flowing back as signals)', () => {
  let listener: CallbackListener;
  let sims: Simulators;
  const calls: SignalCall[] = [];
  let behaviour: (call: SignalCall) => void = () => undefined;

  const secrets = { troubleTicket: 'trouble-secret-'.padEnd(40, 't'), partner: 'partner-secret-'.padEnd(40, 'p') };

  beforeAll(async () => {
    listener = await startCallbackListener({
      port: 0,
      auth: { secrets },
      signal: async (workflowId, signalName, payload) => {
        const call = { workflowId, signalName, payload };
        behaviour(call);
        calls.push(call);
      },
    });
    sims = await startSimulators({ callbackSecrets: secrets });
  });
  afterAll(async () => {
    await sims.close();
    await listener.close();
  });
  afterEach(() => {
    calls.length = 0;
    behaviour = () => undefined;
  });

  /** Signed like the trouble system signs (the simulators do the same). */
  const post = (path: string, body: unknown, raw = JSON.stringify(body)) =>
    fetch(`${listener.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signCallback(secrets.troubleTicket, raw) },
      body: raw,
    });

  it("turns a ticket resolution event into a resourceTroubleUpdate signal for the report's workflow", async () => {
    const config = sims.config();
    const tickets = troubleTicketClient(config);
    await tickets.registerListener(listener.listenerUrl);
    const ticket = await tickets.createTroubleTicket({
      externalId: troubleTicketExternalId('R-1001', 'PE-7'),
      reportId: 'R-1001',
      resourceId: 'PE-7',
      severity: 'critical',
      description: 'Packet loss on PE-7 uplink',
    });

    await fetch(`${sims.troubleUrl}/admin/troubleTicket/${ticket.ticketId}/status`, {
      method: 'POST',
      body: JSON.stringify({ status: 'resolved', statusChangeReason: 'Repaired', resolution: 'Uplink optic replaced' }),
    });

    const call = await eventuallyDefined(() => calls[0], 'the first signal', 5_000, 20);
    expect(call).toEqual({
      workflowId: 'spdr-R-1001',
      signalName: 'resourceTroubleUpdate',
      payload: {
        externalId: 'spdr-R-1001-rtr-PE-7',
        ticketId: ticket.ticketId,
        status: 'resolved',
        statusChangeReason: 'Repaired',
        resolution: 'Uplink optic replaced',
        by: 'resource-trouble-management',
      },
    });
  });

  it('turns a partner answer into a partnerUpdate signal', async () => {
    const partners = partnerClient(sims.config());
    await partners.registerListener('globex-fiber', listener.listenerUrl);
    const request = await partners.createPartnerRequest({
      externalId: partnerRequestExternalId('R-2002', 'globex-fiber', 'DWDM-3'),
      reportId: 'R-2002',
      partyId: 'globex-fiber',
      resourceId: 'DWDM-3',
      description: 'Frame loss on leased wavelength',
    });
    await fetch(`${sims.partnerUrl}/admin/performanceRequest/${request.requestId}/status`, {
      method: 'POST',
      body: JSON.stringify({ status: 'inProgress', note: 'Splice crew dispatched' }),
    });
    expect(await eventuallyDefined(() => calls[0], 'the first signal', 5_000, 20)).toEqual({
      workflowId: 'spdr-R-2002',
      signalName: 'partnerUpdate',
      payload: {
        externalId: 'spdr-R-2002-pr-globex-fiber-DWDM-3',
        requestId: request.requestId,
        partyId: 'globex-fiber',
        status: 'inProgress',
        note: 'Splice crew dispatched',
        by: 'partner:globex-fiber',
      },
    });
  });

  it("passes a partner's promise (expectedResolutionDate) on; a promise that is not a date is refused 400 with the reason", async () => {
    const partnerEvent = (eventId: string, expectedResolutionDate: string) => {
      const raw = JSON.stringify({
        eventId,
        eventTime: '2026-11-25T12:00:00Z',
        eventType: 'PartnerRequestStatusChangeEvent',
        event: {
          performanceRequest: {
            id: 'PR-7',
            externalId: 'spdr-R-3003-pr-acme-transport-FIB-9',
            partyId: 'acme-transport',
            status: 'inProgress',
            expectedResolutionDate,
          },
        },
      });
      return fetch(`${listener.url}/listener/partnerRequestStatusChangeEvent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signCallback(secrets.partner, raw) },
        body: raw,
      });
    };
    const bad = await partnerEvent('p-1', '2026-02-30 noon');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: 'invalid PartnerRequestStatusChangeEvent',
      issues: [expect.stringMatching(/^event\.performanceRequest\.expectedResolutionDate: Invalid ISO datetime/)],
    });
    expect(calls).toEqual([]);
    expect((await partnerEvent('p-2', '2026-11-27T18:00:00+01:00')).status).toBe(204);
    expect(calls.map((c) => c.payload)).toEqual([
      {
        externalId: 'spdr-R-3003-pr-acme-transport-FIB-9',
        requestId: 'PR-7',
        partyId: 'acme-transport',
        status: 'inProgress',
        expectedResolutionDate: '2026-11-27T18:00:00+01:00',
        by: 'partner:acme-transport',
      },
    ]);
  });

  const event = (eventId: string, troubleTicket: Record<string, unknown>) => ({
    eventId,
    eventTime: '2026-11-25T12:00:00Z',
    eventType: 'TroubleTicketStatusChangeEvent',
    event: { troubleTicket },
  });

  it('routes by the external id when the event carries no related entities', async () => {
    const response = await post(
      '/listener/troubleTicketStatusChangeEvent',
      event('e-1', { id: 'TT-9', externalId: 'spdr-R-7-42-rtr-PE-1', status: 'inProgress' }),
    );
    expect(response.status).toBe(204);
    expect(calls).toEqual([
      {
        workflowId: 'spdr-R-7-42',
        signalName: 'resourceTroubleUpdate',
        payload: { externalId: 'spdr-R-7-42-rtr-PE-1', ticketId: 'TT-9', status: 'inProgress', by: 'resource-trouble-management' },
      },
    ]);
  });

  it('answers a bad event with 400 and a clear error, signalling nothing', async () => {
    const response = await post(
      '/listener/troubleTicketStatusChangeEvent',
      event('e-2', { id: 'TT-9', externalId: 'spdr-R-7-rtr-PE-1', status: 'fixed' }),
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid TroubleTicketStatusChangeEvent',
      issues: [expect.stringMatching(/^event\.troubleTicket\.status: Invalid option: expected one of "acknowledged"\|/)],
    });
    const notJson = await post('/listener/troubleTicketStatusChangeEvent', undefined, '{oops');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ error: 'body is not valid JSON' });
    const unroutable = await post(
      '/listener/troubleTicketStatusChangeEvent',
      event('e-3', { id: 'TT-9', externalId: 'INC-55', status: 'resolved' }),
    );
    expect(unroutable.status).toBe(400);
    expect(((await unroutable.json()) as { error: string }).error).toMatch(/^cannot tell which report this is for/);
    expect(calls).toEqual([]);
  });

  it('answers 404 for an unknown report and 503 (retry later) when signalling fails transiently', async () => {
    behaviour = () => {
      throw Object.assign(new Error('workflow not found'), { name: 'WorkflowNotFoundError' });
    };
    const unknown = await post(
      '/listener/troubleTicketStatusChangeEvent',
      event('e-4', { id: 'TT-1', externalId: 'spdr-R-404-rtr-X', status: 'resolved' }),
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: 'report workflow spdr-R-404 not found' });

    behaviour = () => {
      throw new Error('14 UNAVAILABLE: connection refused');
    };
    const transient = await post(
      '/listener/troubleTicketStatusChangeEvent',
      event('e-5', { id: 'TT-1', externalId: 'spdr-R-5-rtr-X', status: 'resolved' }),
    );
    expect(transient.status).toBe(503);
    expect(transient.headers.get('retry-after')).toBe('5');

    behaviour = () => undefined;
    const redelivered = await post(
      '/listener/troubleTicketStatusChangeEvent',
      event('e-5', { id: 'TT-1', externalId: 'spdr-R-5-rtr-X', status: 'resolved' }),
    );
    expect(redelivered.status).toBe(204);
    // Once delivered, the same event id again is a replay: refused, nothing signalled.
    const again = await post(
      '/listener/troubleTicketStatusChangeEvent',
      event('e-5', { id: 'TT-1', externalId: 'spdr-R-5-rtr-X', status: 'resolved' }),
    );
    expect(again.status).toBe(401);
    expect(calls).toHaveLength(1);
  });

  it('answers 422 when the report refuses the change (an id it does not hold), not 204', async () => {
    behaviour = () => {
      throw new CallbackRefusedError('unknown trouble report (externalId spdr-R-8-rtr-X)');
    };
    const refused = await post(
      '/listener/troubleTicketStatusChangeEvent',
      event('e-8', { id: 'TT-8', externalId: 'spdr-R-8-rtr-X', status: 'resolved' }),
    );
    expect(refused.status).toBe(422);
    expect(await refused.json()).toEqual({ error: 'unknown trouble report (externalId spdr-R-8-rtr-X)' });
  });

  it('the simulator keeps redelivering while the listener answers 503, until the signal gets through', async () => {
    let failures = 2;
    behaviour = () => {
      if (failures-- > 0) throw new Error('temporal frontend unavailable');
    };
    const tickets = troubleTicketClient(sims.config());
    const ticket = await tickets.createTroubleTicket({
      externalId: troubleTicketExternalId('R-6006', 'PE-6'),
      reportId: 'R-6006',
      resourceId: 'PE-6',
      severity: 'major',
      description: 'CRC errors',
    });
    sims.trouble.book.setStatus(ticket.ticketId, { status: 'inProgress' });
    expect(
      await eventuallyDefined(() => calls.find((c) => c.workflowId === 'spdr-R-6006'), 'the signal to spdr-R-6006', 10_000, 20),
    ).toMatchObject({
      payload: { status: 'inProgress' },
    });
  });
});
