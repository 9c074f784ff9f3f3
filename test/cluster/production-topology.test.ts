/**
 * The production topology, run for real: the file starts its own cluster (src/infra/cluster.ts:
 * PostgreSQL for persistence and SQL visibility, Temporal Server 1.32 with 16 history shards and
 * JWT authorization; free ports, its own data folder), three worker processes
 * (scripts/crash-worker.ts, connecting with the cluster's token through src/infra/connection.ts)
 * and the simulators. 50 reports with a resource cause and a 10 s resolution target are opened
 * from the minimal start input; one worker is SIGKILLed while their tickets are being created, and
 * Temporal Server is restarted while their escalations fall due. Every report must complete, with
 * one ticket per resource cause and each escalation threshold notified once; the `Spdr*` search
 * attributes must answer visibility queries on PostgreSQL; a client without a valid token must be
 * refused.
 *
 * Needs `npm run provision` (the server build and PostgreSQL); without them it fails, saying so.
 */
import type { ChildProcess } from 'node:child_process';
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, Connection } from '@temporalio/client';
import type { Report } from '../../src/domain';
import { freeClusterPorts, startCluster, type Cluster } from '../../src/infra/cluster';
import { connectClient, loadTemporalTarget } from '../../src/infra/connection';
import { startCallbackListener, type CallbackListener } from '../../src/integrations/callbacks';
import { startSimulators, type Simulators } from '../../src/simulators/main';
import { MESSAGES, reportQuery } from '../../src/workflows/messages';
import { uniqueTaskQueue, workflowBundle } from '../support/env';
import { openWithResourceCauses } from '../support/open-report';
import { auditWorkflowTasks, eventually, http, pool, scratchDir, startCrashWorker } from '../reliability/helpers';
import { WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';

const REPORTS = 50;
const WORKERS = 3;
const TARGET_MS = 10_000;
const TOP_LEVEL = 4;
const log = (line: string): void => console.log(`[cluster] ${line}`);

interface WorkerProcess {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: string[];
}
interface ReceivedWebhook {
  idempotencyKey?: string;
  body: { type?: string; reportId?: string; level?: number; reason?: string };
}

let tmp: string;
let cluster: Cluster;
let client: Client;
let listener: CallbackListener;
let simulators: Simulators;
let bundleFile: string;
const taskQueue = uniqueTaskQueue('cluster');
const workers: WorkerProcess[] = [];

/** The simulators sign their callbacks with these; the listener checks them. */
const CALLBACK_SECRETS = {
  troubleTicket: 'test-trouble-callback-secret-0123456789abcdef',
  partner: 'test-partner-callback-secret-0123456789abcdef',
};

beforeAll(async () => {
  tmp = scratchDir('spdr-cluster-');
  chmodSync(tmp, 0o755);
  const [started, bundle] = await Promise.all([
    startCluster({ dir: join(tmp, 'cluster'), ports: await freeClusterPorts(), log }),
    workflowBundle(),
  ]);
  cluster = started;
  // The product's own connection settings: the address, and the token found in the cluster's folder.
  client = await connectClient(
    loadTemporalTarget({ TEMPORAL_ADDRESS: cluster.address, SPDR_TEMPORAL_API_KEY_FILE: cluster.auth.tokenFile('writer') }),
  );
  bundleFile = join(tmp, 'workflow-bundle.json');
  writeFileSync(bundleFile, JSON.stringify(bundle));
  listener = await startCallbackListener({
    port: 0,
    auth: { secrets: CALLBACK_SECRETS },
    signal: async (workflowId, name, payload) => void (await client.workflow.getHandle(workflowId).signal(name, payload)),
  });
  simulators = await startSimulators({
    callbackUrl: listener.listenerUrl,
    seed: 13,
    faults: { latencyMs: 200 },
    callbackSecrets: CALLBACK_SECRETS,
  });
}, 300_000);

afterAll(async () => {
  for (const w of workers) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
  await client?.connection.close();
  await listener?.close();
  await simulators?.close();
  await cluster?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
}, 120_000);

async function startWorker(): Promise<WorkerProcess> {
  const w = await startCrashWorker(
    {
      ...simulators.env(listener.port),
      TEMPORAL_ADDRESS: cluster.address,
      SPDR_TEMPORAL_API_KEY_FILE: cluster.auth.tokenFile('writer'),
      SPDR_TASK_QUEUE: taskQueue,
      SPDR_HTTP_TIMEOUT_MS: '2000',
      SPDR_OUTSIDE_FAILURE_ESCALATE_AFTER: '3m',
      SPDR_WORKFLOW_BUNDLE: bundleFile,
    },
    90_000,
  );
  workers.push(w);
  return w;
}

/** The messages of the error a refused call throws, with its causes (the SDK wraps the gRPC status). */
async function refusal(call: Promise<unknown>): Promise<string> {
  try {
    await call;
  } catch (err) {
    const messages: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) messages.push(e.message);
    return messages.join(' <- ');
  }
  return 'accepted';
}

const ours = (id: unknown) => new RegExp(`^(spdr-)?TOPO-${process.pid}-`).test(String(id));
const escalations = async () =>
  (await http<{ received: ReceivedWebhook[] }>(`${simulators.webhookUrl}/admin/received?path=/escalation`)).received.filter(
    (w) => w.body.type === 'spdr.escalation' && ours(w.body.reportId),
  );
const ticketsCreated = async () =>
  Object.keys(
    (await http<{ createdPerExternalId: Record<string, number> }>(`${simulators.troubleUrl}/admin/stats`)).createdPerExternalId,
  ).filter(ours).length;

type TopologyReport = Awaited<ReturnType<typeof openWithResourceCauses>> & { key: string };

/** REPORTS reports on five services, each with one resource cause (then the same again): one ticket each. */
function openTopologyReports(): Promise<TopologyReport[]> {
  return pool(
    Array.from({ length: REPORTS }, (_, i) => i),
    6,
    async (i) => {
      const reportId = `TOPO-${process.pid}-${i}`;
      // The minimal start input (no detectedAt), with a short resolution target so the whole ladder falls due.
      const input = {
        reportId,
        service: { id: `svc-${i % 5}` },
        severity: 'critical',
        description: 'Call setup latency p95 above 3 s',
        jeopardyPolicy: { resolutionTarget: TARGET_MS },
      };
      const opened = await openWithResourceCauses(client, taskQueue, input, [`PE-${i}`]);
      return { ...opened, key: opened.keys[0]! };
    },
  );
}

/** Visibility on PostgreSQL answers on the Spdr* attributes: severity, jeopardy, level, service, status, assignee. */
async function expectVisibility(reports: TopologyReport[]): Promise<void> {
  const count = async (query: string) => (await client.workflow.count(`TaskQueue = "${taskQueue}" AND ${query}`)).count;
  await eventually(
    () => count(`SpdrSeverity = "critical" AND SpdrJeopardy = "breached" AND SpdrEscalationLevel >= 2`),
    (n) => n === REPORTS,
    'breached reports in visibility',
    180_000,
    1_000,
  );
  expect(await count(`SpdrServiceId = "svc-3" AND SpdrStatus = "inProgress"`)).toBe(REPORTS / 5);
  const listed: string[] = [];
  for await (const w of client.workflow.list({
    query: `TaskQueue = "${taskQueue}" AND SpdrServiceId = "svc-1" AND SpdrAssignee = "resource-trouble-management"`,
  }))
    listed.push(w.workflowId);
  expect(listed.sort()).toEqual(
    reports
      .filter((_, i) => i % 5 === 1)
      .map((r) => reportWorkflowId(r.reportId))
      .sort(),
  );
}

/** Waits for each report's ticket, has the trouble system resolve it, and waits until each report knows. */
async function resolveAllTickets(reports: TopologyReport[]): Promise<void> {
  for (const r of reports) {
    await eventually(
      () => r.handle.query(reportQuery),
      (x: Report) => x.troubleReports.length === 1 && Boolean(x.troubleReports[0]!.ticketId),
      `ticket of ${r.reportId}`,
      120_000,
      500,
    );
  }
  await pool(reports, 8, async (r) => {
    const [ticket] = await http<{ id: string; status: string }[]>(
      `${simulators.troubleUrl}/troubleTicket?externalId=${encodeURIComponent(r.key)}`,
    );
    await http(`${simulators.troubleUrl}/admin/troubleTicket/${ticket!.id}/status`, {
      method: 'POST',
      body: JSON.stringify({ status: 'resolved', resolution: 'optics replaced' }),
    });
  });
  for (const r of reports) {
    await eventually(
      () => r.handle.query(reportQuery),
      (x: Report) => x.troubleReports[0]?.status === 'resolved',
      `resolution of ${r.reportId}`,
      60_000,
      500,
    );
  }
}

/** One key per threshold, the whole ladder once per report, one "resolved" notice per level reached. */
async function expectLadderOnce(finals: Report[]): Promise<{ delivered: ReceivedWebhook[]; thresholds: number }> {
  // The ladder's escalations, apart from the one "resolved" notice per level reached that clearing sends (checked below).
  const everyEscalation = await escalations();
  const delivered = everyEscalation.filter((w) => w.body.reason !== 'resolved');
  const keysPerThreshold = new Map<string, Set<string>>();
  for (const w of delivered) {
    const threshold = `${w.body.reportId}/${w.body.level}`;
    keysPerThreshold.set(threshold, (keysPerThreshold.get(threshold) ?? new Set()).add(String(w.idempotencyKey)));
  }
  expect([...keysPerThreshold].filter(([, keys]) => keys.size > 1)).toEqual([]);
  expect(delivered).toHaveLength(REPORTS * TOP_LEVEL);
  for (const f of finals) {
    const resolved = new Map(
      everyEscalation
        .filter((w) => w.body.reportId === f.reportId && w.body.reason === 'resolved' && (w.body.level ?? 0) > 0)
        .map((w) => [w.idempotencyKey, w.body.level]),
    );
    expect([...resolved.values()].sort()).toEqual([1, 2, 3, 4]);
    const ladder = f.history.filter((h) => h.action === 'escalated' && !/^level \d+ \(resolved\)/.test(h.detail ?? ''));
    expect(ladder.map((h) => h.detail?.match(/^level (\d+)/)?.[1])).toEqual(['1', '2', '3', '4']);
  }
  return { delivered, thresholds: keysPerThreshold.size };
}

describe('production topology: PostgreSQL + Temporal Server (16 shards, JWT authorization) + three workers', () => {
  it('a client without a valid token cannot start, signal or terminate a report; the writer token can', async () => {
    const reportId = `TOPO-${process.pid}-auth`;
    const input = { reportId, service: { id: 'svc-iptv-ber2' }, severity: 'minor', description: 'EPG slow' };
    const handle = await client.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: reportWorkflowId(reportId), args: [input] });

    // Lazy connections: the refused operations themselves are what is tested, not the connection check.
    const noToken = Connection.lazy({ address: cluster.address });
    const readOnly = Connection.lazy({ address: cluster.address, apiKey: cluster.auth.tokens.reader, tls: false });
    const forged = Connection.lazy({ address: cluster.address, apiKey: `${cluster.auth.tokens.writer.slice(0, -8)}AAAAAAAA`, tls: false });
    try {
      for (const [who, connection] of [
        ['no token', noToken],
        ['reader token', readOnly],
        ['forged token', forged],
      ] as const) {
        const c = new Client({ connection });
        const other = `TOPO-${process.pid}-refused`;
        expect(
          await refusal(
            c.workflow.start(WORKFLOW_TYPE, { taskQueue, workflowId: reportWorkflowId(other), args: [{ ...input, reportId: other }] }),
          ),
          who,
        ).toMatch(/PERMISSION_DENIED/);
        expect(
          await refusal(
            c.workflow.getHandle(handle.workflowId).signal(MESSAGES.cancel.signal, { by: 'mallory', reason: 'falseServiceFailureEvent' }),
          ),
          who,
        ).toMatch(/PERMISSION_DENIED/);
        expect(await refusal(c.workflow.getHandle(handle.workflowId).terminate('mallory')), who).toMatch(/PERMISSION_DENIED/);
      }
      // The read-only token still reads (what a read-only Temporal Web gets).
      expect((await new Client({ connection: readOnly }).workflow.getHandle(handle.workflowId).describe()).status.name).toBe('RUNNING');
    } finally {
      await Promise.all([noToken.close(), readOnly.close(), forged.close()]);
    }
    // Nothing of theirs arrived: no second report, and this one is still open, unchanged by the refused cancel.
    await expect(client.workflow.getHandle(`spdr-TOPO-${process.pid}-refused`).describe()).rejects.toThrow(/not found/i);
    await handle.terminate('test cleanup by the writer');
    expect((await handle.describe()).status.name).toBe('TERMINATED');
  });

  it('50 reports complete through a worker SIGKILL and a server restart: one ticket per resource cause, each escalation once, Spdr* visibility answers', async () => {
    const wallStart = Date.now();
    for (let i = 0; i < WORKERS; i++) await startWorker();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} ${((Date.now() - wallStart) / 1000).toFixed(1)}s`);

    const opening = openTopologyReports();

    // 1. SIGKILL one of the three workers in the middle of the ticket creations.
    await eventually(ticketsCreated, (n) => n >= REPORTS / 4, 'a quarter of the tickets', 120_000, 50);
    const victim = workers[0]!;
    victim.child.kill('SIGKILL');
    expect(await victim.exited).toBeNull();
    phase(`worker SIGKILLed at ${await ticketsCreated()} tickets`);
    const reports = await opening;
    phase('opened');

    // 2. Restart Temporal Server while the escalations fall due (PostgreSQL keeps the data).
    await eventually(escalations, (list) => list.some((w) => w.body.level === 1), 'the first level-1 escalation', 120_000, 100);
    await cluster.restartServer();
    phase(`server restarted at ${(await escalations()).length} escalations`);

    // 3. Visibility on PostgreSQL answers on the Spdr* attributes.
    await expectVisibility(reports);
    phase('visibility');

    // 4. Tickets resolved by the trouble system, the ladder at its top, then clear and close.
    await resolveAllTickets(reports);
    await eventually(escalations, (list) => list.length >= REPORTS * TOP_LEVEL, 'every escalation delivered', 180_000, 500);
    phase('escalated');
    for (const r of reports) await r.handle.signal(MESSAGES.clear.signal, { by: 'noc.anna', resolution: 'restored' });
    for (const r of reports) await r.handle.signal(MESSAGES.confirmClosure.signal, { by: 'close.process' });
    const finals = await Promise.all(reports.map((r) => r.handle.result()));
    phase('closed');

    expect(finals.map((f) => f.status)).toEqual(reports.map(() => 'closed'));
    expect(finals.every((f) => f.detectedAt === f.openedAt)).toBe(true);
    const stats = await http<{ createdPerExternalId: Record<string, number> }>(`${simulators.troubleUrl}/admin/stats`);
    expect(Object.keys(stats.createdPerExternalId).filter(ours).sort()).toEqual(reports.map((r) => r.key).sort());
    expect(new Set(reports.map((r) => stats.createdPerExternalId[r.key]))).toEqual(new Set([1]));
    const { delivered, thresholds } = await expectLadderOnce(finals);
    const audit = await auditWorkflowTasks(
      client,
      reports.map((r) => reportWorkflowId(r.reportId)),
    );
    expect(audit.ours).toEqual([]);

    const bytes = await cluster.databaseBytes();
    log(
      `${REPORTS} reports closed on ${WORKERS} workers (1 SIGKILLed) and a server restart; tickets per cause 1; escalations ${delivered.length} (${thresholds} thresholds); workflow task timeouts ${audit.timedOut}, events ${audit.events}`,
    );
    log(
      `phases ${phases.join(', ')}; PostgreSQL temporal ${(bytes.temporal / 1e6).toFixed(1)} MB, visibility ${(bytes.visibility / 1e6).toFixed(1)} MB`,
    );
  }, 600_000);
});
