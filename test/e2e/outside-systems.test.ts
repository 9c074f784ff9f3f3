/**
 * End to end over real HTTP: the real worker (activities + callback listener) on the run's dev
 * server, talking to the project's simulators of the resource trouble system, partners, the
 * escalation webhook and the Close SPDR process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { Report } from '../../src/domain';
import { loadWorkerSettings } from '../../src/config/worker-settings';
import { startCallbackListener, type CallbackListener } from '../../src/integrations/callbacks';
import { startSimulators } from '../../src/simulators/main';
import { createWorker } from '../../src/worker';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { uniqueTaskQueue, workflowBundle } from '../support/env';
import { eventually } from '../support/wait';
import { http } from '../support/net';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';

/** The simulators sign their callbacks with these; the listener checks them. */
const CALLBACK_SECRETS = {
  troubleTicket: 'test-trouble-callback-secret-0123456789abcdef',
  partner: 'test-partner-callback-secret-0123456789abcdef',
};

type Simulators = Awaited<ReturnType<typeof startSimulators>>;

let client: Client;
let connection: Connection;
let nativeConnection: NativeConnection;
let simulators: Simulators;
let listener: CallbackListener;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('e2e');

beforeAll(async () => {
  const address = inject('devServerAddress');
  connection = await Connection.connect({ address });
  nativeConnection = await NativeConnection.connect({ address });
  client = new Client({ connection });
  listener = await startCallbackListener({
    port: 0,
    auth: { secrets: CALLBACK_SECRETS },
    signal: async (workflowId, name, payload) => {
      await client.workflow.getHandle(workflowId).signal(name, payload);
    },
  });
  simulators = await startSimulators({ callbackUrl: listener.listenerUrl, seed: 7, callbackSecrets: CALLBACK_SECRETS });
  const settings = loadWorkerSettings({
    ...simulators.env(listener.port),
    SPDR_TASK_QUEUE: taskQueue,
    SPDR_HTTP_TIMEOUT_MS: '1500',
    SPDR_OUTSIDE_FAILURE_ESCALATE_AFTER: '2m',
  });
  worker = await createWorker({ connection: nativeConnection, settings, workflowBundle: await workflowBundle() });
  running = worker.run();
});

afterAll(async () => {
  worker?.shutdown();
  await running;
  await listener?.close();
  await simulators?.close();
  await nativeConnection?.close();
  await connection?.close();
});

let seq = 0;
function newReport(extra: Record<string, unknown> = {}) {
  seq += 1;
  const reportId = `E2E-${process.pid}-${seq}`;
  return {
    reportId,
    start: () =>
      client.workflow.start(WORKFLOW_TYPE, {
        taskQueue,
        workflowId: reportWorkflowId(reportId),
        args: [
          {
            reportId,
            service: { id: 'svc-volte-fra1', name: 'VoLTE core Frankfurt 1' },
            severity: 'critical',
            description: 'Call setup latency p95 above 3 s',
            detectedAt: '2026-11-25T10:00:00Z',
            ...extra,
          },
        ],
      }),
  };
}

describe('a report through worker, dev server and simulators', () => {
  it('open -> resource cause -> ticket created -> ticket resolved (callback) -> clear -> Close process informed -> close', async () => {
    const { reportId, start } = newReport();
    const h = await start();
    await h.executeUpdate(MESSAGES.addAnalysis.update, {
      args: [{ author: 'noc.anna', summary: 'Packet loss on PE-7 uplink', rootCause: { domain: 'resource', resourceId: 'PE-7' } }],
    });
    const withTicket = await eventually(
      () => h.query(reportQuery),
      (r: Report) => r.troubleReports[0]?.ticketId !== undefined,
      'the trouble ticket id',
    );
    const ticketId = withTicket.troubleReports[0].ticketId!;
    const ticket = await http<{ externalId: string; relatedEntity: { id: string; role: string }[] }>(
      `${simulators.troubleUrl}/troubleTicket/${ticketId}`,
    );
    expect(ticket.externalId).toBe(`spdr-${reportId}-rtr-PE-7`);
    expect(ticket.relatedEntity).toEqual(expect.arrayContaining([expect.objectContaining({ id: reportId })]));

    // The trouble system resolves the ticket; its hub notification reaches the report through the listener.
    await http(`${simulators.troubleUrl}/admin/troubleTicket/${ticketId}/status`, {
      method: 'POST',
      body: JSON.stringify({ status: 'resolved', resolution: 'optics replaced' }),
    });
    const resolved = await eventually(
      () => h.query(reportQuery),
      (r: Report) => r.troubleReports[0].status === 'resolved',
      'the resolution callback',
    );
    expect(resolved.tasks.find((t) => t.taskId === resolved.troubleReports[0].taskId)!.status).toBe('done');

    await h.signal(MESSAGES.clear.signal, { by: 'noc.anna', resolution: 'Uplink replaced' });
    const closeCalls = await eventually(
      () => http<{ received: { path: string; body: { reportId?: string } }[] }>(`${simulators.webhookUrl}/admin/received?path=/close`),
      (x) => x.received.some((r) => r.body.reportId === reportId),
      'the Close SPDR notification',
    );
    expect(closeCalls.received.filter((r) => r.body.reportId === reportId)).toHaveLength(1);
    await h.signal(MESSAGES.confirmClosure.signal, { by: 'close.process' });
    const final = await h.result();
    expect(final.status).toBe('closed');
    const stats = await http<{ createdPerExternalId: Record<string, number> }>(`${simulators.troubleUrl}/admin/stats`);
    expect(stats.createdPerExternalId[`spdr-${reportId}-rtr-PE-7`]).toBe(1);
  });

  it('cancelling a report cancels its trouble ticket and its partner request in the outside systems', async () => {
    const { start } = newReport({ partnerOwnedResources: { 'FIB-9': 'acme-transport' } });
    const h = await start();
    await h.signal(MESSAGES.addAnalysis.signal, {
      author: 'noc.anna',
      summary: 'PE-7 suspect',
      rootCause: { domain: 'resource', resourceId: 'PE-7' },
    });
    await h.signal(MESSAGES.addAnalysis.signal, {
      author: 'noc.anna',
      summary: 'leased fibre',
      rootCause: { domain: 'resource', resourceId: 'FIB-9' },
    });
    const r = await eventually(
      () => h.query(reportQuery),
      (x: Report) => x.troubleReports[0]?.ticketId !== undefined && x.partnerRequests[0]?.requestId !== undefined,
      'ticket and partner request ids',
    );
    await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'falseServiceFailureEvent', note: 'probe misconfigured' });
    expect((await h.result()).status).toBe('cancelled');
    const ticket = await http<{ status: string }>(`${simulators.troubleUrl}/troubleTicket/${r.troubleReports[0].ticketId}`);
    expect(ticket.status).toBe('cancelled');
    const request = await http<{ status: string }>(
      `${simulators.partnerUrl}/acme-transport/performanceRequest/${r.partnerRequests[0].requestId}`,
    );
    expect(request.status).toBe('cancelled');
  });

  it("a partner's promise through the callback listener: a bad date is refused and changes nothing; one after the resolution deadline is jeopardy at once", async () => {
    const { reportId, start } = newReport({
      partnerOwnedResources: { 'FIB-9': 'acme-transport' },
      jeopardyPolicy: { resolutionTarget: '8h' },
    });
    const h = await start();
    await h.executeUpdate(MESSAGES.addAnalysis.update, {
      args: [{ author: 'noc.anna', summary: 'leased fibre', rootCause: { domain: 'resource', resourceId: 'FIB-9' } }],
    });
    const before = await eventually(
      () => h.query(reportQuery),
      (r: Report) => r.partnerRequests[0]?.requestId !== undefined,
      'the partner request id',
    );
    expect(before.jeopardy.state).toBe('onTrack');
    const requestId = before.partnerRequests[0].requestId!;
    const setStatus = (body: Record<string, unknown>) =>
      http(`${simulators.partnerUrl}/admin/performanceRequest/${requestId}/status`, { method: 'POST', body: JSON.stringify(body) });
    const refused = simulators.partner.book.stats().notifications.refused;
    // The partner's staff type a promise that is not a date: the listener refuses the event (400).
    await setStatus({ status: 'inProgress', expectedResolutionDate: 'next Tuesday' });
    await simulators.partner.book.idle();
    expect(simulators.partner.book.stats().notifications.refused).toBe(refused + 1);
    const unchanged = await h.query(reportQuery);
    expect(unchanged.partnerRequests[0]).toEqual(before.partnerRequests[0]);
    expect(unchanged.jeopardy.state).toBe('onTrack');
    // Then a real promise, two hours after the report's resolution deadline.
    const promised = new Date(Date.parse(before.jeopardy.deadline) + 2 * 3_600_000).toISOString();
    await setStatus({ status: 'inProgress', expectedResolutionDate: promised });
    const after = await eventually(
      () => h.query(reportQuery),
      (r: Report) => r.partnerRequests[0].expectedResolutionDate !== undefined,
      'the promise in the report',
    );
    expect(after.partnerRequests[0]).toMatchObject({ status: 'inProgress', expectedResolutionDate: promised });
    expect(after.jeopardy.state).toBe('inJeopardy');
    const mine = () => simulators.webhook.received().filter((e) => (e.body as { reportId?: string }).reportId === reportId);
    const reasons = await eventually(
      () => mine().map((e) => (e.body as { reason?: string }).reason),
      (x) => x.includes('partnerPromiseLate'),
      'the partnerPromiseLate escalation',
    );
    expect(reasons).toEqual(['partnerPromiseLate']);
    await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other', note: 'test over' });
    await h.result();
  });

  it('with the trouble system failing 30% of calls, 20 reports get exactly one ticket per resource cause', async () => {
    await http(`${simulators.troubleUrl}/admin/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorRate: 0.15, timeoutRate: 0.15, hangMs: 3000 }),
    });
    try {
      const reports = await Promise.all(
        Array.from({ length: 20 }, async () => {
          const { reportId, start } = newReport();
          const h = await start();
          await h.signal(MESSAGES.addAnalysis.signal, {
            author: 'noc.anna',
            summary: 'cause',
            rootCause: { domain: 'resource', resourceId: 'PE-7' },
          });
          await h.signal(MESSAGES.addAnalysis.signal, {
            author: 'noc.ben',
            summary: 'second cause',
            rootCause: { domain: 'resource', resourceId: 'PE-8' },
          });
          return { reportId, h };
        }),
      );
      for (const { h } of reports) {
        await eventually(
          () => h.query(reportQuery),
          (r: Report) => r.troubleReports.length === 2 && r.troubleReports.every((t) => t.ticketId),
          'both ticket ids',
          90_000,
        );
      }
      const stats = await http<{ createdPerExternalId: Record<string, number>; failuresInjected: Record<string, number> }>(
        `${simulators.troubleUrl}/admin/stats`,
      );
      const counts = reports.flatMap(({ reportId }) =>
        ['PE-7', 'PE-8'].map((res) => stats.createdPerExternalId[`spdr-${reportId}-rtr-${res}`]),
      );
      console.log(
        `[exactly-once] 30% failing trouble system: ${counts.length} resource causes, tickets per cause min ${Math.min(...counts)} max ${Math.max(...counts)}, failures injected ${JSON.stringify(stats.failuresInjected)}`,
      );
      expect(counts).toHaveLength(40);
      expect(new Set(counts)).toEqual(new Set([1]));
      expect(stats.failuresInjected.error + stats.failuresInjected.timeout).toBeGreaterThan(0);
      for (const { h } of reports) await h.signal(MESSAGES.cancel.signal, { by: 'noc.anna', reason: 'other' });
    } finally {
      await http(`${simulators.troubleUrl}/admin/faults`, { method: 'DELETE' });
    }
  }, 180_000);
});
