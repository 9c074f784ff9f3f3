/**
 * Hubs that cannot sign: the worker subscribes (`POST /hub`) with a callback URL that carries an
 * unguessable per-subscription token; the hub's notifications are accepted on that URL only.
 */
import { describe, expect, it } from 'vitest';
import { loadWorkerSettings } from '../../src/config/worker-settings';
import { startCallbackListener, type ResourceTroubleUpdate } from '../../src/integrations/callbacks';
import { troubleTicketClient } from '../../src/integrations/troubleTicket';
import { startSimulators } from '../../src/simulators/main';
import { hubSubscriptions, subscribeHubs } from '../../src/worker';
import { eventuallyDefined } from '../support/wait';

describe('hub subscription with a per-subscription token', () => {
  it('the worker registers token URLs at start; the trouble hub notifies through it; a guessed token is refused', async () => {
    const sims = await startSimulators({});
    const updates: ResourceTroubleUpdate[] = [];
    // The listener knows no secrets here: only the token proves the sender.
    let tokens = new Map<string, 'troubleTicket' | 'partner'>();
    const listener = await startCallbackListener({
      port: 0,
      auth: {
        get hubTokens() {
          return tokens;
        },
      },
      signal: async (_id, _name, payload) => {
        updates.push(payload as ResourceTroubleUpdate);
      },
    });
    try {
      const settings = loadWorkerSettings({ ...sims.env(listener.port), SPDR_CALLBACK_PUBLIC_URL: listener.url });
      const subscriptions = hubSubscriptions(settings);
      tokens = new Map(subscriptions.map((s) => [s.token, s.source]));
      expect(new Set(subscriptions.map((s) => s.token)).size).toBe(subscriptions.length);
      for (const s of subscriptions) await s.register(`${listener.url}/listener/hub/${s.token}`);
      const ticket = await troubleTicketClient(sims.config()).createTroubleTicket({
        externalId: 'spdr-R-HUB-rtr-PE-1',
        reportId: 'R-HUB',
        resourceId: 'PE-1',
        severity: 'major',
        description: 'CRC errors',
      });
      sims.trouble.book.setStatus(ticket.ticketId, { status: 'inProgress' });
      await eventuallyDefined(
        () => updates.find((u) => u.status === 'inProgress'),
        'the inProgress update through the subscription',
        10_000,
      );
      const guessed = await fetch(`${listener.url}/listener/hub/${'A'.repeat(43)}/troubleTicketStatusChangeEvent`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect(guessed.status).toBe(401);
    } finally {
      await sims.close();
      await listener.close();
    }
  });

  it('the subscriptions the worker registered are deleted at graceful shutdown; a hub that cannot be reached is logged, not fatal', async () => {
    const sims = await startSimulators({});
    const warnings: string[] = [];
    try {
      const settings = loadWorkerSettings({ ...sims.env(1), SPDR_CALLBACK_PUBLIC_URL: 'http://127.0.0.1:1' });
      const subscriptions = hubSubscriptions(settings);
      const hubCount = () => sims.trouble.book.snapshot().hubs.length + sims.partner.book.snapshot().hubs.length;
      const first = await subscribeHubs(
        subscriptions,
        'http://127.0.0.1:1/listener/hub',
        (l) => warnings.push(l),
        () => undefined,
      );
      expect(first.registered).toBe(subscriptions.length);
      expect(hubCount()).toBe(subscriptions.length);
      await first.unsubscribe();
      expect(hubCount()).toBe(0);
      expect(warnings).toEqual([]);

      // Registered again, then the partner system goes down before shutdown: its deletes are logged, the rest go on.
      const second = await subscribeHubs(
        subscriptions,
        'http://127.0.0.1:1/listener/hub',
        (l) => warnings.push(l),
        () => undefined,
      );
      sims.partner.faults.update({ down: true });
      await expect(second.unsubscribe()).resolves.toBeUndefined();
      expect(sims.trouble.book.snapshot().hubs).toHaveLength(0);
      expect(warnings.length).toBe(subscriptions.length - 1);
      expect(warnings.every((w) => /could not delete the partner .* subscription/.test(w))).toBe(true);
      for (const w of warnings) for (const s of subscriptions) expect(w).not.toContain(s.token);
    } finally {
      await sims.close();
    }
  });
});
