/**
 * Cause analysis: where the workflow's own CPU goes. Times the pure domain core and the
 * presentation helpers the workflow calls per message and per wake-up, outside the sandbox, on
 * reports of growing size (entries in analysis[] and history[]). What the shell does per message:
 * receive() then publish() (searchAttributesOf + JSON.stringify + renderDetails); per loop turn:
 * nextWakeUp(), wakeUpSummary(), tick(); per query: the report is serialised (JSON).
 */
import { performance } from 'node:perf_hooks';
import { nextWakeUp, openReport, parseStartInput, receive, tick, type Report } from '../../src/domain';
import { renderDetails, searchAttributesOf, wakeUpSummary } from '../../src/workflows/presentation';
import { startInput } from './common';

export interface ProfileRow {
  entries: number;
  reportJsonBytes: number;
  receiveUs: number;
  publishUs: number;
  nextWakeUpUs: number;
  tickUs: number;
  queryJsonUs: number;
}

function timeUs(reps: number, fn: () => unknown): number {
  fn();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) fn();
  return ((performance.now() - t0) * 1000) / reps;
}

export function runDomainProfile(quick: boolean): ProfileRow[] {
  const sizes = quick ? [10, 100, 1000, 4000] : [10, 100, 1000, 4000, 10000];
  const parsed = parseStartInput(startInput('P-1'));
  if (!parsed.ok) throw new Error(parsed.reason);
  const t = Date.parse('2026-11-25T10:00:00Z');
  let report: Report = openReport(parsed.value, t).report;
  let now = t;
  const rows: ProfileRow[] = [];
  for (const size of sizes) {
    while (report.analysis.length < size) {
      now += 1000;
      report = receive(
        report,
        { name: 'addAnalysis', payload: { author: 'bench', summary: `filler ${report.analysis.length}` } },
        now,
      ).report;
    }
    const reps = Math.max(20, Math.min(2000, Math.floor(200_000 / size)));
    const message = { name: 'addAnalysis' as const, payload: { author: 'bench', summary: 'probe' } };
    rows.push({
      entries: size,
      reportJsonBytes: JSON.stringify(report).length,
      receiveUs: timeUs(reps, () => receive(report, message, now + 1)),
      publishUs: timeUs(reps, () => {
        JSON.stringify(searchAttributesOf(report));
        renderDetails(report);
      }),
      nextWakeUpUs: timeUs(reps, () => {
        const wake = nextWakeUp(report);
        if (wake !== undefined) wakeUpSummary(report, wake);
      }),
      tickUs: timeUs(reps, () => tick(report, now + 2)),
      queryJsonUs: timeUs(Math.max(5, Math.floor(reps / 5)), () => JSON.stringify(report)),
    });
  }
  return rows;
}
