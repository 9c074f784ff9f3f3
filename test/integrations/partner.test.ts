import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadIntegrationConfig } from '../../src/config/config';
import { FailureType } from '../../src/integrations/http';
import { partnerRequestExternalId } from '../../src/integrations/ids';
import { partnerClient, type PartnerClient } from '../../src/integrations/partner';
import { startSimulators, type Simulators } from '../../src/simulators/main';
import { failureOf, retryUntilSuccess } from './helpers';

describe('partner performance management client', () => {
  let sims: Simulators;
  let client: PartnerClient;

  beforeAll(async () => {
    sims = await startSimulators({
      partner: { authHeaders: { 'acme-transport': { name: 'X-Api-Key', value: 'acme-k3y' } } },
    });
    const env = sims.env();
    client = partnerClient(
      loadIntegrationConfig({
        ...env,
        ACME_KEY: 'acme-k3y',
        SPDR_PARTNERS: JSON.stringify([
          {
            partyId: 'acme-transport',
            baseUrl: `${sims.partnerUrl}/acme-transport`,
            answerDue: '2h',
            authHeaderEnv: 'ACME_KEY',
            authHeaderName: 'X-Api-Key',
          },
          { partyId: 'globex-fiber', baseUrl: `${sims.partnerUrl}/globex-fiber`, answerDue: '30m' },
        ]),
      }),
      { timeoutMs: 300 },
    );
  });
  afterAll(() => sims.close());

  const request = (reportId: string, partyId = 'acme-transport', resourceId = 'DWDM-12') => ({
    externalId: partnerRequestExternalId(reportId, partyId, resourceId),
    reportId,
    partyId,
    resourceId,
    description: 'Leased wavelength DWDM-12 shows 2% frame loss',
  });

  it("sends a request carrying the originating report id, due after the party's answer time, with its auth header", async () => {
    const before = Date.now();
    const created = await client.createPartnerRequest(request('R-3001'));
    expect(created).toMatchObject({
      partyId: 'acme-transport',
      status: 'acknowledged',
      externalId: 'spdr-R-3001-pr-acme-transport-DWDM-12',
      created: true,
    });
    const dueIn = Date.parse(created.due) - before;
    expect(dueIn).toBeGreaterThanOrEqual(2 * 3_600_000 - 1_000);
    expect(dueIn).toBeLessThanOrEqual(2 * 3_600_000 + 1_000);
    expect(sims.partner.book.get('acme-transport', created.requestId).body).toMatchObject({
      originatingReportId: 'R-3001',
      partyId: 'acme-transport',
      dueDate: created.due,
      relatedEntity: [
        { id: 'R-3001', role: 'originatingServicePerformanceDegradationReport' },
        { id: 'DWDM-12', role: 'affectedResource' },
      ],
    });
  });

  it('a create that times out after the partner committed is retried and yields one request', async () => {
    sims.partner.faults.update({ timeoutRate: 1, methods: ['POST'] });
    const lost = await failureOf(client.createPartnerRequest({ ...request('R-3002', 'globex-fiber'), due: '2026-12-01T12:00:00Z' }));
    expect(lost.nonRetryable).toBe(false);
    sims.partner.faults.reset();
    const { result } = await retryUntilSuccess(() =>
      client.createPartnerRequest({ ...request('R-3002', 'globex-fiber'), due: '2026-12-01T12:00:00Z' }),
    );
    expect(result.created).toBe(false);
    expect((sims.partner.stats() as { createdPerExternalId: Record<string, number> }).createdPerExternalId).toMatchObject({
      'spdr-R-3002-pr-globex-fiber-DWDM-12': 1,
    });
  });

  it('cancels a partner request, and cancelling again is a no-op', async () => {
    const created = await client.createPartnerRequest(request('R-3003'));
    const reason = 'report cancelled: falseServiceFailureEvent';
    expect(await client.cancelPartnerRequest({ partyId: 'acme-transport', externalId: created.externalId, reason })).toEqual({
      partyId: 'acme-transport',
      externalId: created.externalId,
      requestId: created.requestId,
      status: 'cancelled',
      outcome: 'cancelled',
    });
    expect(sims.partner.book.get('acme-transport', created.requestId).body).toMatchObject({
      status: 'cancelled',
      statusChangeReason: reason,
    });
    expect(
      await client.cancelPartnerRequest({
        partyId: 'acme-transport',
        requestId: created.requestId,
        externalId: created.externalId,
        reason,
      }),
    ).toMatchObject({ outcome: 'alreadySettled' });
  });

  it('refuses an unknown party without retry, naming the configured ones', async () => {
    const failure = await failureOf(client.createPartnerRequest(request('R-3004', 'initech')));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.type).toBe(FailureType.invalidRequest);
    expect(failure.message).toBe(
      'partner performance management: cannot create partner request: party "initech" is not configured (known parties: acme-transport, globex-fiber; see SPDR_PARTNERS)',
    );
  });

  it('lists the configured parties with their answer due times', () => {
    expect(client.listParties()).toEqual([
      { partyId: 'acme-transport', answerDue: '2h', answerDueMs: 7_200_000 },
      { partyId: 'globex-fiber', answerDue: '30m', answerDueMs: 1_800_000 },
    ]);
  });
});
