/**
 * The typed client against a real dev server (visibility, updates, conflict policies), with a
 * worker over fake outside systems on a task queue of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/common';
import {
  SpdrClient,
  SpdrInvalidInputError,
  SpdrNotFoundError,
  SpdrRejectedError,
  type ReportSummary,
  type StartInputJson,
} from '../../src/client';
import type { Report } from '../../src/domain';
import { connectToDevServer, uniqueTaskQueue } from '../support/env';
import { startFakeWorker, type RunningFakeWorker } from '../support/fake-worker';
import { eventually } from '../support/wait';
import { reportWorkflowId } from '../../src/contract';

let server: Awaited<ReturnType<typeof connectToDevServer>>;
let worker: RunningFakeWorker;
let spdr: SpdrClient;
const taskQueue = uniqueTaskQueue('client');

beforeAll(async () => {
  server = await connectToDevServer();
  worker = await startFakeWorker(server.nativeConnection, { taskQueue });
  spdr = new SpdrClient(server.client, { taskQueue });
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
});

let n = 0;
const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
function startInput(overrides: Partial<StartInputJson> = {}): StartInputJson {
  n += 1;
  return {
    reportId: `C-${runTag}-${n}`,
    service: { id: `svc-client-${runTag}-${n}`, name: 'VoLTE core Frankfurt 1' },
    severity: 'critical',
    description: 'Call setup latency p95 above 3 s',
    detectedAt: '2026-11-25T10:00:00Z',
    degradedKpis: [{ name: 'callSetupLatencyP95', threshold: 3000, observed: 4200, unit: 'ms' }],
    jeopardyPolicy: { resolutionTarget: '4h' },
    ...overrides,
  };
}

describe('SpdrClient', () => {
  it('opening a report twice returns the existing report: alreadyOpen, same run, the new input not applied', async () => {
    const input = startInput();
    const first = await spdr.open(input);
    expect(first).toMatchObject({ reportId: input.reportId, workflowId: `spdr-${input.reportId}`, alreadyOpen: false });
    const second = await spdr.open({ ...input, severity: 'minor', description: 'a different description' });
    expect(second.alreadyOpen).toBe(true);
    expect(second.handle.firstExecutionRunId).toBe(first.handle.firstExecutionRunId);
    const report = await spdr.get(input.reportId);
    expect(report).toMatchObject({
      reportId: input.reportId,
      status: 'acknowledged',
      severity: 'critical',
      description: 'Call setup latency p95 above 3 s',
    });
  });

  it('a report starts with its static summary and is findable by its search attributes from the start', async () => {
    const input = startInput();
    const { handle } = await spdr.open(input);
    const description = await handle.describe();
    expect(await description.staticSummary()).toBe(
      `critical · ${input.service.id} (VoLTE core Frankfurt 1) · Call setup latency p95 above 3 s`,
    );
    expect(await description.staticDetails()).toContain('callSetupLatencyP95');
  });

  it('invalid start input is refused before anything is sent, naming the field', async () => {
    const input = startInput({ severity: 'urgent' as never });
    await expect(spdr.open(input)).rejects.toThrow(SpdrInvalidInputError);
    await expect(spdr.open(input)).rejects.toThrow(/^startInput\.severity: /);
    await expect(server.client.workflow.getHandle(reportWorkflowId(input.reportId)).describe()).rejects.toThrow(WorkflowNotFoundError);
  });

  it('an invalid payload is refused before it is sent, naming the message and field', async () => {
    const { reportId } = await spdr.open(startInput());
    await expect(spdr.addAnalysis(reportId, { author: 'noc.anna' } as never)).rejects.toThrow(/^addAnalysis\.summary: Required/);
    await expect(spdr.signal(reportId, 'cancel', { by: 'noc.anna', reason: 'oops' as never })).rejects.toThrow(/^cancel\.reason: /);
    await expect(spdr.update(reportId, 'nonsense' as never, {} as never)).rejects.toThrow(/unknown message "nonsense"/);
    const report = await spdr.get(reportId);
    expect(report.rejectedInputs).toEqual([]);
    expect(report.analysis).toEqual([]);
  });

  it('an update the report refuses returns its reason synchronously and leaves the report unchanged', async () => {
    const { reportId } = await spdr.open(startInput());
    const before = await spdr.get(reportId);
    const refusal = await spdr.confirmClosure(reportId, { by: 'close.process' }).catch((err: unknown) => err);
    expect(refusal).toBeInstanceOf(SpdrRejectedError);
    const rejected = refusal as SpdrRejectedError;
    expect(rejected.reason.length).toBeGreaterThan(0);
    expect(rejected.messageName).toBe('confirmClosure');
    expect(rejected.message).toBe(`report ${reportId} rejected confirmClosure: ${rejected.reason}`);
    const after = await spdr.get(reportId);
    expect(after).toEqual(before);
  });

  it('commands as updates return the new report; as signals they apply asynchronously', async () => {
    const { reportId } = await spdr.open(startInput());
    const analysed = await spdr.addAnalysis(reportId, { author: 'noc.anna', summary: 'Packet loss on PE-7 uplink' });
    expect(analysed.analysis).toHaveLength(1);
    const assigned = await spdr.assign(reportId, { by: 'noc.anna', taskId: 't1', kind: 'analysis', assignee: 'tx.team', due: '2h' });
    expect(assigned.tasks.map((t) => [t.taskId, t.assignee])).toEqual([['t1', 'tx.team']]);
    await spdr.setStatus(reportId, { by: 'noc.anna', status: 'pending', reason: 'waiting on customer' }, { mode: 'signal' });
    const pending = await eventually(
      () => spdr.get(reportId),
      (r) => r.status === 'pending',
      'the pending status',
      10_000,
    );
    expect(pending.status).toBe('pending');
  });

  it('list by severity and jeopardy finds the report, with its summary from the search attributes', async () => {
    const input = startInput({ severity: 'major' });
    const { reportId } = await spdr.open(input);
    const found = await eventually(
      () => spdr.list({ severity: 'major', jeopardy: 'onTrack', serviceId: input.service.id }),
      (rows) => rows.some((r) => r.reportId === reportId && r.deadline !== undefined),
      'the report in the list',
      10_000,
    );
    expect(found.find((r) => r.reportId === reportId)).toMatchObject<Partial<ReportSummary>>({
      workflowId: reportWorkflowId(reportId),
      status: 'acknowledged',
      severity: 'major',
      jeopardy: 'onTrack',
      serviceId: input.service.id,
      escalationLevel: 0,
      executionStatus: 'RUNNING',
    });
    expect(await spdr.list({ severity: 'major', jeopardy: ['inJeopardy', 'breached'], serviceId: input.service.id })).toEqual([]);
    expect(await spdr.list({ severity: 'critical', serviceId: input.service.id })).toEqual([]);
  });

  it('an unknown report is SpdrNotFoundError for reads and messages', async () => {
    await expect(spdr.get(`NOPE-${runTag}`)).rejects.toThrow(SpdrNotFoundError);
    await expect(spdr.get(`NOPE-${runTag}`)).rejects.toThrow(`report NOPE-${runTag} not found`);
    await expect(spdr.clear(`NOPE-${runTag}`, { by: 'noc.anna', resolution: 'x' })).rejects.toThrow(SpdrNotFoundError);
    await expect(spdr.clear(`NOPE-${runTag}`, { by: 'noc.anna', resolution: 'x' }, { mode: 'signal' })).rejects.toThrow(SpdrNotFoundError);
  });

  it('a cancelled report is read from its result, takes no more messages, and is not reopened', async () => {
    const input = startInput({ severity: 'minor' });
    const { reportId, handle } = await spdr.open(input);
    const cancelled = await spdr.cancel(reportId, { by: 'noc.anna', reason: 'falseServiceFailureEvent', note: 'probe misconfigured' });
    expect(cancelled.status).toBe('cancelled');
    await handle.result();
    const report = await spdr.get(reportId);
    expect(report).toMatchObject({ status: 'cancelled', cancellation: { reason: 'falseServiceFailureEvent' } });
    await expect(spdr.addAnalysis(reportId, { author: 'noc.anna', summary: 'late' }, { mode: 'signal' })).rejects.toThrow(
      /the report is cancelled; it takes no more messages/,
    );
    await expect(spdr.addAnalysis(reportId, { author: 'noc.anna', summary: 'late' })).rejects.toThrow(SpdrRejectedError);
    await expect(spdr.addAnalysis(reportId, { author: 'noc.anna', summary: 'late' })).rejects.toThrow(
      `report ${reportId} rejected addAnalysis: the report is cancelled; it takes no more messages`,
    );
    await expect(spdr.open(input)).rejects.toThrow(/rejected open: the report is cancelled; an ended report is not reopened/);
    const ended = await eventually(
      () => spdr.list({ status: 'cancelled', serviceId: input.service.id }),
      (rows) => rows.length > 0,
      'the cancelled report in the list',
      10_000,
    );
    expect(ended.map((r) => [r.reportId, r.executionStatus])).toEqual([[reportId, 'COMPLETED']]);
  });

  it('watch reports every change until the report ends', async () => {
    const { reportId } = await spdr.open(startInput());
    const seen: Report[] = [];
    const watching = spdr.watch(reportId, (report) => void seen.push(report), { intervalMs: 100 });
    await eventually(
      async () => seen.length,
      (count) => count > 0,
      'the first watched report',
      10_000,
    );
    await spdr.addAnalysis(reportId, { author: 'noc.anna', summary: 'probe misconfigured' });
    await eventually(
      async () => seen.at(-1)?.analysis.length ?? 0,
      (count) => count === 1,
      'the watched analysis',
      10_000,
    );
    await spdr.cancel(reportId, { by: 'noc.anna', reason: 'falseServiceFailureEvent' }, { mode: 'signal' });
    const last = await watching;
    expect(last?.status).toBe('cancelled');
    expect(seen.map((r) => r.status)).toEqual(expect.arrayContaining(['acknowledged', 'cancelled']));
    expect(seen.some((r) => r.analysis.length === 1)).toBe(true);
  });

  it('watch stops when its abort signal fires', async () => {
    const { reportId } = await spdr.open(startInput());
    const stop = new AbortController();
    const watching = spdr.watch(reportId, () => stop.abort(), { intervalMs: 60_000, signal: stop.signal });
    expect((await watching)?.status).toBe('acknowledged');
  });
});
