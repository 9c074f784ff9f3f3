/**
 * `starter stats` over real ended reports, encrypted: the real workflow keeps each report's stats
 * facts in its memo at completion (patch `spdr-stats-memo`), stats reads them from the list pages
 * only, and a report that ended without the memo (as before) is read from its result. The figures
 * are the same either way, `starter stats --json --html` prints them (codec keys from the
 * environment), the memo is encrypted at rest like every other payload, and the histories with
 * the memo replay through the current code.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { SpdrClient, type StartInputJson } from '../../src/client';
import { computeStats, fetchStatsFacts, statsQuery, type Stats } from '../../src/client/stats';
import { main } from '../../src/starter';
import { applyCommand, openReport, parseStartInput, statsFacts, type Command, type Report } from '../../src/domain';
import { dataConverterFromEnv } from '../../src/security/data-converter';
import { STATS_FACTS_MEMO_KEY, WORKFLOW_TYPE, reportWorkflowId } from '../../src/contract';
import { SpdrServiceId, SpdrSeverity } from '../../src/search-attributes';
import { connectToDevServer, uniqueTaskQueue, workflowBundle } from '../support/env';
import { startFakeWorker, type RunningFakeWorker } from '../support/fake-worker';
import { eventually } from '../support/wait';

const codecEnv = { SPDR_CODEC_KEYS: `k1:${randomBytes(32).toString('base64')}`, SPDR_CODEC_CURRENT_KEY: 'k1' };
const dataConverter = dataConverterFromEnv(codecEnv)!;
const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;
const SERVICE = `svc-stats-${runTag}`;
const MIN = 60_000;

let server: Awaited<ReturnType<typeof connectToDevServer>>;
let worker: RunningFakeWorker;
let oldWorker: { worker: Worker; running: Promise<void> };
let client: Client;
let spdr: SpdrClient;
const taskQueue = uniqueTaskQueue('stats-memo');
const oldTaskQueue = uniqueTaskQueue('stats-no-memo');

beforeAll(async () => {
  server = await connectToDevServer();
  worker = await startFakeWorker(server.nativeConnection, { taskQueue, dataConverter });
  const old = await Worker.create({
    connection: server.nativeConnection,
    taskQueue: oldTaskQueue,
    workflowsPath: join(__dirname, 'fixtures', 'report-ended-without-memo.ts'),
    dataConverter,
  });
  oldWorker = { worker: old, running: old.run() };
  client = new Client({ connection: server.client.connection, dataConverter });
  spdr = new SpdrClient(client, { taskQueue });
});

afterAll(async () => {
  await worker?.stop();
  if (oldWorker) {
    oldWorker.worker.shutdown();
    await oldWorker.running;
  }
  await server?.close();
});

const input = (n: number, severity: StartInputJson['severity'], extra: Partial<StartInputJson> = {}): StartInputJson => ({
  reportId: `STM-${runTag}-${n}`,
  service: { id: SERVICE },
  severity,
  description: 'call setup latency',
  detectedAt: new Date().toISOString(),
  ...extra,
});

/** A report that ended before the memo: built by the core (minor, work after 5 min, cleared after 30 of 60), ended as a result only. */
async function endWithoutMemo(): Promise<Report> {
  const opened = Date.now() - 2 * 3600_000;
  const parsed = parseStartInput({
    ...input(9, 'minor'),
    detectedAt: new Date(opened).toISOString(),
    jeopardyPolicy: { resolutionTarget: '1h' },
  });
  if (!parsed.ok) throw new Error(parsed.reason);
  const step = (r: Report, command: Command, at: number): Report => {
    const result = applyCommand(r, command, at);
    if (!result.ok) throw new Error(result.reason);
    return result.report;
  };
  let r = openReport(parsed.value, opened).report;
  r = step(r, { name: 'setStatus', payload: { by: 'noc.anna', status: 'inProgress', reason: 'on it' } } as Command, opened + 5 * MIN);
  r = step(r, { name: 'clear', payload: { by: 'noc.anna', resolution: 'fixed' } } as Command, opened + 30 * MIN);
  r = step(r, { name: 'confirmClosure', payload: { by: 'close.process' } } as Command, opened + 31 * MIN);
  const h = await client.workflow.start(WORKFLOW_TYPE, {
    taskQueue: oldTaskQueue,
    workflowId: reportWorkflowId(r.reportId),
    args: [r],
    typedSearchAttributes: [
      { key: SpdrServiceId, value: SERVICE },
      { key: SpdrSeverity, value: r.severity },
    ],
  });
  return (await h.result()) as Report;
}

/** Three real reports: one closed in time, one cancelled, one breached (3 s target) then closed. */
async function runRealReports(): Promise<Report[]> {
  const inTime = input(1, 'critical');
  const cancelled = input(2, 'major');
  const breached = input(3, 'critical', { jeopardyPolicy: { resolutionTarget: '3s' } });
  for (const i of [inTime, cancelled, breached]) await spdr.open(i);
  await spdr.update(inTime.reportId, 'setStatus', { by: 'noc.anna', status: 'inProgress', reason: 'on it' });
  await spdr.update(cancelled.reportId, 'cancel', { by: 'noc.anna', reason: 'falseServiceFailureEvent' });
  await eventually(
    () => spdr.get(breached.reportId),
    (r) => r.jeopardy.state === 'breached' && r.jeopardy.escalationLevel >= 1,
    'the 3 s report to breach and escalate',
  );
  for (const i of [inTime, breached]) {
    await spdr.update(i.reportId, 'clear', { by: 'noc.anna', resolution: 'uplink replaced' });
    await spdr.update(i.reportId, 'confirmClosure', { by: 'close.process' });
  }
  return Promise.all(
    [inTime, cancelled, breached].map(async (i) => (await client.workflow.getHandle(reportWorkflowId(i.reportId)).result()) as Report),
  );
}

const sortedJson = (values: unknown[]): string[] => values.map((v) => JSON.stringify(v)).sort();

describe('stats from memos', () => {
  it('reads real ended reports from list pages, falls back to results, same figures either way, encrypted', async () => {
    const since = new Date(Date.now() - 60_000).toISOString();
    const real = await runRealReports();
    const old = await endWithoutMemo();
    expect(real.map((r) => r.status)).toEqual(['closed', 'cancelled', 'closed']);
    const query = statsQuery(since, SERVICE);
    await eventually(
      () => client.workflow.count(query),
      ({ count }) => count === 4,
      'the 4 ended reports to be listed',
    );

    const fetched = await fetchStatsFacts(client, query);
    expect({ fromMemo: fetched.fromMemo, fromResult: fetched.fromResult }).toEqual({ fromMemo: 3, fromResult: 1 });
    // Each memo holds what the final report gives: one function, no second implementation.
    expect(sortedJson(fetched.facts)).toEqual(sortedJson([...real, old].map(statsFacts)));
    const stats = computeStats(fetched.facts);
    expect(stats).toEqual(computeStats([...real, old].map(statsFacts)));

    // Known figures: the fallback report's (from its result) and the real ones'.
    expect(stats.reports).toBe(4);
    expect(stats.bySeverity.minor).toEqual({
      reports: 1,
      mtta: { count: 1, p50Seconds: 300, p90Seconds: 300 },
      mttr: { count: 1, p50Seconds: 1800, p90Seconds: 1800 },
      sla: { cleared: 1, inTime: 1, percent: 100 },
      breaches: 0,
    });
    expect(stats.bySeverity.critical.sla).toEqual({ cleared: 2, inTime: 1, percent: 50 });
    expect(stats.bySeverity.critical.breaches).toBe(1);
    expect(stats.bySeverity.major).toMatchObject({ reports: 1, breaches: 0, sla: { cleared: 0, inTime: 0, percent: null } });
    expect(stats.escalationsByLevel['1']).toBeGreaterThanOrEqual(1);
    expect(stats.slaByService).toEqual({ [SERVICE]: { cleared: 3, inTime: 2, percent: 66.7 } });

    // `starter stats` itself, encrypted through the environment like a user runs it: the same figures and the page.
    const html = join(mkdtempSync(join(tmpdir(), 'spdr-stats-')), 'quality.html');
    const out: string[] = [];
    const env = { TEMPORAL_ADDRESS: inject('devServerAddress'), ...codecEnv };
    const code = await main(['stats', '--since', '1h', '--service', SERVICE, '--json', '--html', html], {
      out: (l) => out.push(l),
      err: () => undefined,
      env,
      interrupt: new AbortController().signal,
    });
    expect(code).toBe(0);
    const { since: _since, ...printed } = JSON.parse(out.join('\n')) as Stats;
    expect(printed).toEqual(computeStats(fetched.facts, { service: SERVICE }));
    expect(readFileSync(html, 'utf8')).toContain(`${SERVICE}</text>`);

    // At rest the memo is ciphertext like every other payload.
    const raw = await server.client.workflowService.listWorkflowExecutions({ namespace: 'default', query, pageSize: 10 });
    const memos = raw.executions.map((e) => e.memo?.fields?.[STATS_FACTS_MEMO_KEY]).filter((m) => m !== undefined);
    expect(memos).toHaveLength(3);
    for (const m of memos) expect(Buffer.from(m!.metadata?.encoding ?? []).toString()).toBe('binary/encrypted');
    for (const m of memos) expect(Buffer.from(m!.data ?? []).includes(Buffer.from(SERVICE))).toBe(false);
  });

  it('the histories that end with the memo replay through the current code', async () => {
    for (const n of [1, 2, 3]) {
      const handle = client.workflow.getHandle(reportWorkflowId(`STM-${runTag}-${n}`));
      const history = await handle.fetchHistory();
      const events = history.events ?? [];
      const patches = events.flatMap((e) => e.markerRecordedEventAttributes?.details?.['patch-data']?.payloads ?? []);
      expect(patches.filter((p) => Buffer.from(p.data ?? []).includes(Buffer.from('spdr-stats-memo')))).toHaveLength(1);
      expect(events.filter((e) => e.workflowPropertiesModifiedEventAttributes)).toHaveLength(1);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle(), dataConverter }, history, handle.workflowId);
    }
  });
});
