/**
 * `npx tsx bench/stats-10k.ts [N]`: how long `starter stats` takes for N (default 10,000) closed
 * reports, end to end against a real server. The reports are built by the real core (opened, work
 * started, ticked, cleared, closed; a quarter breach their 1 h target; every fifth waits on a
 * partner, three in seven of those answer late). Two figures:
 * 1. in memory: computing the figures and writing the HTML page (computeStats + renderStatsHtml);
 * 2. from a server: a Temporal dev server (in memory, free port) holds the N reports as completed
 *    `degradationReport` executions with `SpdrServiceId` / `SpdrSeverity` set
 *    (bench/stats-final-report-workflow.ts completes each with its final report and, like the
 *    real workflow, its stats facts in the memo), and the timed part is what `starter stats` does:
 *    the visibility query (statsQuery) read page by page with the memos (fetchStatsFacts),
 *    computeStats and renderStatsHtml.
 * With SPDR_STATS_SCREENSHOT=docs/stats.png it also screenshots the page with headless Chromium.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { Worker } from '@temporalio/worker';
import { applyCommand, openReport, parseStartInput, statsFacts, tick, type Command, type Report } from '../src/domain';
import { computeStats, fetchStatsFacts, renderStatsHtml, statsQuery } from '../src/client/stats';
import { startDevServer } from '../src/infra/temporal-servers';
import { reportWorkflowId, WORKFLOW_TYPE } from '../src/contract';
import { SpdrServiceId, SpdrSeverity } from '../src/search-attributes';

const N = Number(process.argv[2] ?? 10_000);
const SERVICES = ['svc-volte-fra1', 'svc-dsl-muc', 'svc-iptv-ber', 'svc-5g-ham', 'svc-mpls-cgn', 'svc-wifi-stu'];
const SEVERITIES = ['critical', 'major', 'minor', 'warning'] as const;
const PARTNERS = ['acme-transit', 'carrier-x', 'metro-fiber'];

function apply(r: Report, command: Command, at: number): Report {
  const result = applyCommand(r, command, at);
  if (!result.ok) throw new Error(result.reason);
  return result.report;
}

function build(i: number): Report {
  const opened = Date.parse('2026-11-01T00:00:00Z') + i * 60_000;
  const input = parseStartInput({
    reportId: `B-${i}`,
    service: { id: SERVICES[(i * 7) % SERVICES.length] },
    severity: SEVERITIES[i % 4],
    description: 'degradation',
    detectedAt: new Date(opened).toISOString(),
    jeopardyPolicy: { resolutionTarget: '1h' },
  });
  if (!input.ok) throw new Error(input.reason);
  let r = openReport(input.value, opened).report;
  const ack = opened + (1 + (i % 13)) * 60_000;
  let clear = opened + (10 + ((i * 37) % 70)) * 60_000;
  r = apply(r, { name: 'setStatus', payload: { by: 'noc.anna', status: 'inProgress', reason: 'on it' } } as Command, ack);
  let t = ack;
  if (i % 5 === 0) ({ r, t, clear } = partnerCause(r, i, ack, clear));
  for (; t < clear; t += 15 * 60_000) r = tick(r, t).report;
  r = tick(r, clear).report;
  r = apply(r, { name: 'clear', payload: { by: 'noc.anna', resolution: 'fixed' } } as Command, clear);
  return apply(r, { name: 'confirmClosure', payload: { by: 'close.process' } } as Command, clear + 60_000);
}

/**
 * Every fifth report waits on a partner (its 4 h answer time): the partner answers after 2 h, or
 * for three in seven of them after 5 h (late, escalated); the report clears as long after the answer
 * as it would have after work started.
 */
function partnerCause(r: Report, i: number, ack: number, clear: number): { r: Report; t: number; clear: number } {
  const partyId = PARTNERS[(i / 5) % PARTNERS.length];
  const resourceId = `LL-${i}`;
  const rootCause = { domain: 'partner', partyId, resourceId };
  r = apply(r, { name: 'addAnalysis', payload: { author: 'noc.anna', summary: 'leased line down', rootCause } } as Command, ack);
  const key = `spdr-${r.reportId}-pr-${partyId}-${resourceId}`;
  r = apply(r, { name: 'partnerRequestCreated', payload: { key, requestId: `P-${i}` } } as Command, ack);
  const answer = ack + ((i / 5) % 7 < 3 ? 5 : 2) * 3600_000;
  let t = ack;
  for (; t < answer; t += 15 * 60_000) r = tick(r, t).report;
  r = apply(r, { name: 'partnerUpdate', payload: { requestId: `P-${i}`, partyId, status: 'resolved' } } as Command, answer);
  return { r, t: answer, clear: answer + (clear - ack) };
}

const msSince = (t: bigint): number => Number(process.hrtime.bigint() - t) / 1e6;

/** Puts the reports on a fresh dev server as completed executions; returns what stats fetched from it, timed. */
async function fromServer(reports: readonly Report[]): Promise<void> {
  const server = await startDevServer({ logLevel: 'error' });
  const taskQueue = `stats-bench-${process.pid}`;
  try {
    const worker = await Worker.create({
      connection: server.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('./stats-final-report-workflow'),
      maxConcurrentWorkflowTaskExecutions: 64,
    });
    const since = new Date(Date.now() - 3600_000).toISOString();
    await worker.runUntil(async () => {
      const loadStart = process.hrtime.bigint();
      let next = 0;
      await Promise.all(
        Array.from({ length: 64 }, async () => {
          while (next < reports.length) {
            const r = reports[next++];
            await server.client.workflow.start(WORKFLOW_TYPE, {
              taskQueue,
              workflowId: reportWorkflowId(r.reportId),
              args: [r],
              typedSearchAttributes: [
                { key: SpdrServiceId, value: r.service.id },
                { key: SpdrSeverity, value: r.severity },
              ],
            });
          }
        }),
      );
      // Visibility lags the executions a little: wait until every report is listed as completed.
      const query = statsQuery(since);
      for (;;) {
        const { count } = await server.client.workflow.count(query);
        if (count >= reports.length) break;
        await new Promise((r) => setTimeout(r, 500));
      }
      console.log(
        `loaded ${reports.length} completed reports into the dev server in ${(msSince(loadStart) / 1000).toFixed(1)} s (not timed)`,
      );
    });
    const started = process.hrtime.bigint();
    const { facts: fetched, fromMemo, fromResult } = await fetchStatsFacts(server.client, statsQuery(since));
    const fetchMs = msSince(started);
    const stats = computeStats(fetched, { since });
    const page = renderStatsHtml(stats, new Date().toISOString());
    const totalMs = msSince(started);
    if (fetched.length !== reports.length) throw new Error(`fetched ${fetched.length} reports, expected ${reports.length}`);
    // The memos carry the same figures the final reports give.
    if (JSON.stringify(stats) !== JSON.stringify(computeStats(reports.map(statsFacts), { since })))
      throw new Error('stats over the memos differ from stats over the final reports');
    console.log(
      `stats over ${fetched.length} closed reports fetched from a dev server: ${(totalMs / 1000).toFixed(1)} s in total ` +
        `(visibility query, ${fromMemo} memos and ${fromResult} results: ${(fetchMs / 1000).toFixed(1)} s; figures and ${page.length} bytes of HTML: ${(totalMs - fetchMs).toFixed(0)} ms; ${stats.breaches} breached)`,
    );
  } finally {
    await server.teardown();
  }
}

async function main(): Promise<void> {
  const reports = Array.from({ length: N }, (_, i) => build(i));
  const started = process.hrtime.bigint();
  const stats = computeStats(reports.map(statsFacts));
  const html = renderStatsHtml(stats, new Date().toISOString());
  const ms = msSince(started);
  const file = join(tmpdir(), `spdr-stats-${process.pid}.html`);
  writeFileSync(file, html);
  console.log(
    `stats over ${N} closed reports in memory: computed and rendered in ${ms.toFixed(1)} ms (${html.length} bytes of HTML, ${stats.breaches} breached)`,
  );
  if (process.env.SPDR_STATS_IN_MEMORY_ONLY !== '1') await fromServer(reports);
  const shot = process.env.SPDR_STATS_SCREENSHOT;
  if (shot) {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 900, height: 1100 } });
      await page.goto(`file://${file}`);
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`screenshot: ${shot}`);
    } finally {
      await browser.close();
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
