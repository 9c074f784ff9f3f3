import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startCallbackListener, type ResourceTroubleUpdate } from '../../src/integrations/callbacks';
import { troubleTicketClient } from '../../src/integrations/troubleTicket';
import { startSimulators } from '../../src/simulators/main';
import { eventually } from './helpers';

/** The simulators sign their callbacks with these; the listener checks them. */
const CALLBACK_SECRETS = {
  troubleTicket: 'test-trouble-callback-secret-0123456789abcdef',
  partner: 'test-partner-callback-secret-0123456789abcdef',
};

const newTicket = (reportId: string) => ({
  externalId: `spdr-${reportId}-rtr-PE-1`,
  reportId,
  resourceId: 'PE-1',
  severity: 'minor',
  description: 'Jitter above threshold',
});

describe('simulators', () => {
  it('keep tickets, hubs and received webhooks across a restart with a state file', async () => {
    const stateFile = join(mkdtempSync(join(tmpdir(), 'spdr-sim-')), 'state.json');
    const first = await startSimulators({ stateFile });
    const created = await troubleTicketClient(first.config()).createTroubleTicket(newTicket('R-1'));
    await fetch(`${first.webhookUrl}/escalation`, { method: 'POST', headers: { 'idempotency-key': 'k-1' }, body: '{"level":1}' });
    await first.close();

    const second = await startSimulators({ stateFile });
    const again = await troubleTicketClient(second.config()).createTroubleTicket(newTicket('R-1'));
    const next = await troubleTicketClient(second.config()).createTroubleTicket(newTicket('R-2'));
    expect(again).toMatchObject({ ticketId: created.ticketId, created: false });
    expect(next.ticketId).toBe('TT-000002');
    expect(second.webhook.received()).toHaveLength(1);
    await second.close();
  });

  it('move tickets along on their own and notify the configured callback', async () => {
    const updates: ResourceTroubleUpdate[] = [];
    const listener = await startCallbackListener({
      port: 0,
      auth: { secrets: CALLBACK_SECRETS },
      signal: async (_id, _name, payload) => {
        updates.push(payload as ResourceTroubleUpdate);
      },
    });
    const sims = await startSimulators({ autoResolveAfterMs: 200, callbackUrl: listener.listenerUrl, callbackSecrets: CALLBACK_SECRETS });
    await troubleTicketClient(sims.config()).createTroubleTicket(newTicket('R-3'));
    await eventually(() => (updates.length >= 2 ? true : undefined));
    expect(updates.map((u) => u.status)).toEqual(['inProgress', 'resolved']);
    expect(updates[1].resolution).toBe('Fault repaired by simulated field engineer');
    await sims.close();
    await listener.close();
  });

  it('accept faults at runtime, refuse invalid ones, and never fault the admin API', async () => {
    const sims = await startSimulators({});
    const faults = (body: unknown) => fetch(`${sims.troubleUrl}/admin/faults`, { method: 'POST', body: JSON.stringify(body) });

    const bad = await faults({ errorRate: 0.8, timeoutRate: 0.5 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toContain('must not exceed 1');

    expect(await (await faults({ down: true })).json()).toMatchObject({ down: true });
    await expect(fetch(`${sims.troubleUrl}/troubleTicket`)).rejects.toThrow();
    const stats = (await (await fetch(`${sims.troubleUrl}/admin/stats`)).json()) as { failuresInjected: { down: number } };
    expect(stats.failuresInjected.down).toBe(1);

    await fetch(`${sims.troubleUrl}/admin/faults`, { method: 'DELETE' });
    expect((await fetch(`${sims.troubleUrl}/troubleTicket`)).status).toBe(200);
    await sims.close();
  });

  it('inject the same faults for the same seed', async () => {
    const run = async () => {
      const sims = await startSimulators({ seed: 7, faults: { errorRate: 0.5 } });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i += 1) statuses.push((await fetch(`${sims.troubleUrl}/troubleTicket`)).status);
      await sims.close();
      return statuses;
    };
    const first = await run();
    expect(first).toContain(503);
    expect(first).toContain(200);
    expect(await run()).toEqual(first);
  });
});
