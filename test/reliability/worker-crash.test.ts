/**
 * Worker crashes: the worker runs as a child process (scripts/crash-worker.ts) and is SIGKILLed
 * again and again, at seeded moments, while reports are mid-lifecycle: trouble tickets being
 * created (the simulators answer after 200 ms), jeopardy timers of a 10 s resolution target
 * falling due, escalations being delivered. Each time it is restarted. Then every report is driven
 * to its end and checked: closed, one ticket per resource cause, no escalation threshold notified
 * twice under two keys, one assignee notice and one Close notice per report, every analysis kept,
 * no workflow task failure caused by our code. The simulators run in lax mode (a second create per
 * external id is stored, every webhook delivery is kept), so "one" is the product's doing, and the
 * kills are shown to have hit work in flight (timed-out workflow tasks, retried activities).
 *
 * Sizing: SPDR_CRASH_REPORTS (100), SPDR_CRASH_CYCLES (3), SPDR_CRASH_SEED.
 */
import type { ChildProcess } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Report } from '../../src/domain';
import { startDevServer } from '../../src/infra/temporal-servers';
import { startCallbackListener, type CallbackListener } from '../../src/integrations/callbacks';
import { startSimulators, type Simulators } from '../../src/simulators/main';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { uniqueTaskQueue, workflowBundle } from '../support/env';
import { openWithResourceCauses } from '../support/open-report';
import { auditWorkflowTasks, envInt, eventually, http, log, pool, scratchDir, startCrashWorker, seeded, sleep } from './helpers';
import { reportWorkflowId } from '../../src/contract';

/** The simulators sign their callbacks with these; the listener checks them. */
const CALLBACK_SECRETS = {
  troubleTicket: 'test-trouble-callback-secret-0123456789abcdef',
  partner: 'test-partner-callback-secret-0123456789abcdef',
};

const REPORTS = envInt('SPDR_CRASH_REPORTS', 100);
const CYCLES = envInt('SPDR_CRASH_CYCLES', 3);
const SEED = envInt('SPDR_CRASH_SEED', 4767);
/** Short enough that the whole ladder (50% notice, 75% L1, 100% L2, +25% L3, +50% L4) falls due while the worker is being killed. */
const TARGET_MS = 10_000;
const TOP_LEVEL = 4;

interface ReceivedWebhook {
  path: string;
  receivedAt: string;
  idempotencyKey?: string;
  body: { type?: string; reportId?: string; level?: number; reason?: string };
}

let tmp: string;
let dev: TestWorkflowEnvironment;
let client: Client;
let listener: CallbackListener;
let simulators: Simulators;
let bundleFile: string;
const taskQueue = uniqueTaskQueue('crash');
let worker: { child: ChildProcess; exited: Promise<number | null>; stderr: string[] } | undefined;
let starts = 0;

beforeAll(async () => {
  tmp = scratchDir('spdr-crash-');
  const [server, bundle] = await Promise.all([startDevServer({ dbFilename: join(tmp, 'temporal.db') }), workflowBundle()]);
  dev = server;
  client = dev.client;
  bundleFile = join(tmp, 'workflow-bundle.json');
  writeFileSync(bundleFile, JSON.stringify(bundle));
  // The callback listener lives here, not in the worker, so ticket callbacks still arrive while the worker is dead.
  listener = await startCallbackListener({
    port: 0,
    auth: { secrets: CALLBACK_SECRETS },
    signal: async (workflowId, name, payload) => {
      await client.workflow.getHandle(workflowId).signal(name, payload);
    },
  });
  simulators = await startSimulators({
    callbackUrl: listener.listenerUrl,
    seed: SEED,
    faults: { latencyMs: 200 },
    lax: true,
    callbackSecrets: CALLBACK_SECRETS,
  });
});

afterAll(async () => {
  if (worker) {
    worker.child.kill('SIGKILL');
    await worker.exited;
  }
  await listener?.close();
  await simulators?.close();
  await dev?.teardown();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Starts the worker process and resolves once it polls. */
async function startWorker(): Promise<NonNullable<typeof worker>> {
  starts += 1;
  return startCrashWorker(
    {
      ...simulators.env(listener.port),
      TEMPORAL_ADDRESS: dev.address,
      SPDR_TASK_QUEUE: taskQueue,
      SPDR_HTTP_TIMEOUT_MS: '2000',
      SPDR_OUTSIDE_FAILURE_ESCALATE_AFTER: '3m',
      SPDR_WORKFLOW_BUNDLE: bundleFile,
    },
    60_000,
  );
}

async function killWorker(): Promise<void> {
  if (!worker) return;
  worker.child.kill('SIGKILL');
  const code = await worker.exited;
  expect(code).toBeNull(); // died of the signal, not of an error of its own
  worker = undefined;
}

type CrashReport = Awaited<ReturnType<typeof openWithResourceCauses>>;

const ours = (id: unknown) => new RegExp(`^(spdr-)?CRASH-${process.pid}-`).test(String(id));
const escalations = async () =>
  (await http<{ received: ReceivedWebhook[] }>(`${simulators.webhookUrl}/admin/received?path=/escalation`)).received.filter(
    (w) => w.body.type === 'spdr.escalation' && ours(w.body.reportId),
  );

/** REPORTS reports, 6 at a time; each names one resource cause (every third one two), then the first again. */
function openCrashReports(opened: { first: number; last: number }): Promise<CrashReport[]> {
  return pool(
    Array.from({ length: REPORTS }, (_, i) => i),
    6,
    async (i) => {
      const reportId = `CRASH-${process.pid}-${i}`;
      const input = {
        reportId,
        service: { id: 'svc-volte-fra1' },
        severity: 'critical',
        description: 'Call setup latency p95 above 3 s',
        detectedAt: '2026-11-25T10:00:00Z',
        jeopardyPolicy: { resolutionTarget: TARGET_MS },
      };
      const resources = i % 3 === 0 ? [`PE-${i}`, `AGG-${i}`] : [`PE-${i}`];
      return openWithResourceCauses(client, taskQueue, input, resources, () => {
        opened.first ||= Date.now();
        opened.last = Date.now();
      });
    },
  );
}

/**
 * Kills the worker CYCLES times at seeded moments and starts a new one each time; half-way through,
 * half of the tickets are resolved while no worker runs. When each kill came, and the opened reports.
 */
async function crashCycles(
  random: () => number,
  opening: Promise<CrashReport[]>,
  opened: { first: number; last: number },
): Promise<{ kills: number[]; reports: CrashReport[] }> {
  // Kill and restart at seeded moments: in the middle of the wave of ticket creations, in the middle of the wave
  // of level-1 escalations, soon after a restart (catching up), then in the waves of levels 2, 3... (more cycles).
  const kills: number[] = [];
  let reports: CrashReport[] | undefined;
  for (let cycle = 0; cycle < CYCLES; cycle++) {
    if (cycle === 0) {
      // In the middle of the wave of ticket creations (the trouble system answers after 200 ms).
      const causes = REPORTS + Math.ceil(REPORTS / 3);
      const wanted = Math.max(1, Math.floor(causes * (0.15 + random() * 0.4)));
      await eventually(
        async () =>
          Object.keys(
            (await http<{ createdPerExternalId: Record<string, number> }>(`${simulators.troubleUrl}/admin/stats`)).createdPerExternalId,
          ).filter(ours).length,
        (created) => created >= wanted,
        'the ticket creation wave',
        30_000,
        30,
      );
    } else if (cycle === 2) {
      // Soon after a restart, while the new worker replays histories and catches up on delayed timers and
      // on the callbacks that queued up while no worker ran.
      await sleep(Math.round(800 + random() * 1_200));
    } else {
      // Each report's clock starts when a worker first runs it, and every kill delays the next workflow task of
      // each report by the sticky-queue timeout, so thresholds cannot be aimed at from here: watch the webhook
      // sink instead and kill in the middle of an escalation wave (levels 1, 2, 3...), while the other calls of
      // the wave are in flight (the sink answers after 200 ms).
      reports ??= await opening;
      const level = cycle === 1 ? 1 : cycle - 1;
      if (level > TOP_LEVEL)
        throw new Error(
          `SPDR_CRASH_CYCLES=${CYCLES}: cycle ${cycle} would wait for escalation level ${level}, above the top level ${TOP_LEVEL}`,
        );
      const wanted = Math.max(1, Math.floor(reports.length * (0.15 + random() * 0.4)));
      await sleep(1_000); // at least a moment of work for the worker that just started
      // Throws if the wave never comes: a kill that hits no work in flight would prove nothing.
      await eventually(
        async () => new Set((await escalations()).filter((w) => w.body.level === level).map((w) => w.body.reportId)).size,
        (wave) => wave >= wanted,
        `the wave of level-${level} escalations (${wanted} reports) before kill ${cycle + 1}`,
        60_000,
        40,
      );
    }
    kills.push(Date.now() - opened.first);
    await killWorker();
    // Half-way through, the trouble system resolves half of the tickets while no worker runs: the callbacks queue up as signals.
    if (cycle === Math.floor(CYCLES / 2)) {
      reports ??= await opening;
      await resolveTickets(reports.slice(0, Math.floor(reports.length / 2)));
    }
    await sleep(Math.round(random() * 1_000));
    worker = await startWorker();
  }
  reports ??= await opening;
  return { kills, reports };
}

/** The last worker stays up: every ticket exists (once per cause), is resolved, and every escalation is delivered. */
async function catchUp(reports: CrashReport[], phase: (name: string) => void): Promise<void> {
  // The last worker stays up. Activities that died with a worker come back after their 30 s start-to-close timeout.
  for (const r of reports) {
    await eventually(
      () => r.handle.query(reportQuery),
      (x: Report) => x.troubleReports.length === r.keys.length && x.troubleReports.every((t) => t.ticketId),
      `tickets of ${r.reportId}`,
      120_000,
      500,
    );
  }
  phase('tickets');
  // Checked before anything else uses the tickets: a second ticket for a cause (the lax trouble system stores it) fails here.
  const created = (await http<{ createdPerExternalId: Record<string, number> }>(`${simulators.troubleUrl}/admin/stats`))
    .createdPerExternalId;
  expect(reports.flatMap((r) => r.keys).filter((k) => created[k] !== 1)).toEqual([]);
  await resolveTickets(reports);
  for (const r of reports) {
    await eventually(
      () => r.handle.query(reportQuery),
      (x: Report) => x.troubleReports.every((t) => t.status === 'resolved'),
      `resolution callbacks of ${r.reportId}`,
      60_000,
      500,
    );
  }
  // Let the ladder reach its top and every escalation be delivered before clearing.
  phase('resolved');
  await eventually(
    escalations,
    (list) => new Set(list.map((w) => w.idempotencyKey)).size >= reports.length * TOP_LEVEL,
    'every escalation delivered',
    120_000,
    500,
  );
  phase('escalated');
}

/** Ticket creations per resource cause (each must be 1). */
async function expectOneTicketPerCause(reports: CrashReport[], finals: Report[]): Promise<number[]> {
  // 2. Exactly one ticket per resource cause; no ticket for anything else. The lax trouble system
  //    stores every create it receives, so a second create per cause would show here as 2.
  const stats = await http<{ lax: boolean; createdPerExternalId: Record<string, number>; duplicateCreates: number }>(
    `${simulators.troubleUrl}/admin/stats`,
  );
  expect(stats.lax).toBe(true);
  const expectedKeys = reports.flatMap((r) => r.keys);
  const perCause = expectedKeys.map((k) => stats.createdPerExternalId[k] ?? 0);
  expect(
    Object.keys(stats.createdPerExternalId)
      .filter((k) => k.startsWith(`spdr-CRASH-${process.pid}-`))
      .sort(),
  ).toEqual([...expectedKeys].sort());
  expect(new Set(perCause)).toEqual(new Set([1]));
  for (const f of finals) {
    for (const t of f.troubleReports)
      expect(f.history.filter((h) => h.action === 'troubleReportCreated' && h.detail?.includes(t.key))).toHaveLength(1);
  }
  return perCause;
}

async function expectLadderOnce(finals: Report[]) {
  // 3. Escalations: one key per (report, level, reason); the ladder taken once. The lax sink keeps
  //    repeated deliveries of a key (a retry after a kill), so they are counted, not hidden.
  // The ladder's escalations, apart from the one "resolved" notice per level reached that clearing sends (checked below).
  const everyEscalation = await escalations();
  const delivered = everyEscalation.filter((w) => w.body.reason !== 'resolved');
  const byThreshold = new Map<string, Set<string>>();
  for (const w of delivered) {
    const threshold = `${w.body.reportId}/${w.body.level}`;
    byThreshold.set(threshold, (byThreshold.get(threshold) ?? new Set()).add(String(w.idempotencyKey)));
  }
  const twoKeys = [...byThreshold].filter(([, keys]) => keys.size > 1);
  expect(twoKeys).toEqual([]);
  expect(delivered.every((w) => w.idempotencyKey === `spdr-${w.body.reportId}-esc-${w.body.level}-${w.body.reason}`)).toBe(true);
  for (const f of finals) {
    const steps = f.history.filter((h) => h.action === 'escalated' && !/^level \d+ \(resolved\)/.test(h.detail ?? ''));
    expect(steps.map((h) => h.detail?.match(/^level (\d+)/)?.[1])).toEqual(['1', '2', '3', '4']);
    const levels = new Map(delivered.filter((w) => w.body.reportId === f.reportId).map((w) => [w.idempotencyKey, w.body.level]));
    expect([...levels.values()].sort()).toEqual([1, 2, 3, 4]);
    // One "resolved" notice per level the report reached, one key each, however often the worker was killed.
    const resolved = new Map(
      everyEscalation
        .filter((w) => w.body.reportId === f.reportId && w.body.reason === 'resolved' && (w.body.level ?? 0) > 0)
        .map((w) => [w.idempotencyKey, w.body.level]),
    );
    expect([...resolved.values()].sort()).toEqual([1, 2, 3, 4]);
  }
  const sink = await http<{ lax: boolean; total: number; unique: number; duplicates: number; deliveriesPerKey: Record<string, number> }>(
    `${simulators.webhookUrl}/admin/received`,
  );
  expect(sink.lax).toBe(true);
  return { delivered, byThreshold, twoKeys, sink };
}

/** The most deliveries of one of our webhook keys. */
async function expectNoticesOnce(
  reports: CrashReport[],
  finals: Report[],
  sink: { deliveriesPerKey: Record<string, number> },
): Promise<number> {
  // 4. Per report: one assignee notice (50%), one Close notice (the clearance), every analysis kept.
  const all = (await http<{ received: ReceivedWebhook[] }>(`${simulators.webhookUrl}/admin/received`)).received.filter((w) =>
    ours(w.body.reportId),
  );
  const keysOf = (reportId: string, type: string) =>
    new Set(all.filter((w) => w.body.reportId === reportId && w.body.type === type).map((w) => w.idempotencyKey));
  for (const [i, f] of finals.entries()) {
    expect(keysOf(f.reportId, 'spdr.jeopardy').size, `assignee notices of ${f.reportId}`).toBe(1);
    expect(keysOf(f.reportId, 'spdr.cleared').size, `Close notices of ${f.reportId}`).toBe(1);
    expect(f.analysis, `analysis of ${f.reportId}`).toHaveLength(reports[i].keys.length + 1);
    expect(f.history.filter((h) => h.action === 'assigneesNotified')).toHaveLength(1);
  }
  const deliveries = Object.entries(sink.deliveriesPerKey).filter(([key]) => ours(key));
  const maxDeliveries = Math.max(...deliveries.map(([, n]) => n));
  return maxDeliveries;
}

describe('worker process SIGKILLed repeatedly while reports are mid-lifecycle', () => {
  it('every report closes, one ticket per resource cause, no escalation threshold notified twice, no workflow task failure of ours', async () => {
    const random = seeded(SEED);
    const wallStart = Date.now();
    worker = await startWorker();

    // Open the reports; each names a resource cause (every third one two causes, and one repeated),
    // so ticket creations are in flight when the first kill comes, in the middle of the opening.
    const opened = { first: 0, last: 0 };
    const opening = openCrashReports(opened);
    await eventually(
      async () => opened.first,
      (t) => t > 0,
      'the first report',
      30_000,
      20,
    );

    const { kills, reports } = await crashCycles(random, opening, opened);
    log(
      `worker crash: ${CYCLES} SIGKILLs at ${kills.map((ms) => `${(ms / 1000).toFixed(1)}s`).join(', ')} after the first report opened ` +
        `(reports opened over ${((opened.last - opened.first) / 1000).toFixed(1)}s); ${starts} worker starts`,
    );

    const phases: string[] = [`crashes ${((Date.now() - wallStart) / 1000).toFixed(1)}s`];
    const phase = (name: string) => phases.push(`${name} ${((Date.now() - wallStart) / 1000).toFixed(1)}s`);
    await catchUp(reports, phase);

    for (const r of reports) await r.handle.signal(MESSAGES.clear.signal, { by: 'noc.anna', resolution: 'restored' });
    for (const r of reports) await r.handle.signal(MESSAGES.confirmClosure.signal, { by: 'close.process' });
    const finals = await Promise.all(reports.map((r) => r.handle.result()));
    phase('closed');

    // 1. Every report reached its final state.
    expect(finals.map((f) => f.status)).toEqual(reports.map(() => 'closed'));

    // 2. Exactly one ticket per resource cause; no ticket for anything else.
    const perCause = await expectOneTicketPerCause(reports, finals);

    // 3. Escalations: one key per (report, level, reason); the ladder taken once.
    const { delivered, byThreshold, twoKeys, sink } = await expectLadderOnce(finals);

    // 4. Per report: one assignee notice (50%), one Close notice (the clearance), every analysis kept.
    const maxDeliveries = await expectNoticesOnce(reports, finals, sink);

    // 5. No workflow task failure caused by our code; and the kills mattered: workflow tasks held by a
    //    killed worker timed out, and activities it was running were retried.
    const audit = await auditWorkflowTasks(
      client,
      reports.map((r) => reportWorkflowId(r.reportId)),
    );
    expect(audit.ours).toEqual([]);
    expect(audit.timedOut, 'workflow tasks timed out with a killed worker').toBeGreaterThan(0);
    const retried = Object.values(audit.retriedActivities).reduce((n, k) => n + k, 0);
    expect(retried, 'activities retried after a kill').toBeGreaterThan(0);

    const outsideFailures = finals.reduce((n, f) => n + f.outsideFailures.length, 0);
    log(
      `worker crash: crash cycles survived ${CYCLES}, reports checked ${finals.length} (all closed), resource causes ${perCause.length}, tickets per cause min ${Math.min(...perCause)} max ${Math.max(...perCause)} (lax trouble system: duplicates stored, not refused)`,
    );
    log(
      `worker crash: escalations ${delivered.length} deliveries (${byThreshold.size} thresholds, ${twoKeys.length} with two keys); webhook deliveries total ${sink.total}, unique keys ${sink.unique}, repeated deliveries of a key ${sink.duplicates} (kept by the lax sink), most deliveries of one key ${maxDeliveries}`,
    );
    log(
      `worker crash: workflow task failures of ours ${audit.ours.length}, UnhandledCommand (benign) ${audit.unhandledCommand}, workflow task timeouts (killed worker) ${audit.timedOut}, runs ${audit.runs}, events ${audit.events}, outside failures recorded ${outsideFailures}`,
    );
    log(`worker crash: activities completed on a retry after a kill ${JSON.stringify(audit.retriedActivities)}`);
    log(`worker crash: phases ${phases.join(', ')}, checked ${((Date.now() - wallStart) / 1000).toFixed(1)}s`);
  }, 400_000);
});

/** The trouble system resolves the tickets of these reports (found by external id, so no worker is needed); the hub callback tells the reports. */
async function resolveTickets(reports: readonly { keys: string[] }[]): Promise<void> {
  await pool(
    reports.flatMap((r) => r.keys),
    8,
    async (key) => {
      const [ticket] = await http<{ id: string; status: string }[]>(
        `${simulators.troubleUrl}/troubleTicket?externalId=${encodeURIComponent(key)}`,
      );
      if (!ticket || ticket.status === 'resolved') return;
      await http(`${simulators.troubleUrl}/admin/troubleTicket/${ticket.id}/status`, {
        method: 'POST',
        body: JSON.stringify({ status: 'resolved', resolution: 'optics replaced' }),
      });
    },
  );
}
