/**
 * `starter stats` figures over reports built by the real core with known timings: MTTA, MTTR
 * percentiles, SLA compliance by severity and service, breaches, escalations, top services, and
 * the self-contained HTML page.
 */
import { describe, expect, it } from 'vitest';
import { applyCommand, openReport, parseStartInput, parseStatsFacts, statsFacts, tick, type Command, type Report } from '../../src/domain';
import { computeStats, percentile, renderStatsHtml, statsQuery } from '../../src/client/stats';

const T0 = Date.parse('2026-11-02T08:00:00Z');
const MIN = 60_000;

function apply(report: Report, command: Command, at: number): Report {
  const result = applyCommand(report, command, at);
  if (!result.ok) throw new Error(result.reason);
  return result.report;
}

/** Opened at T0 + offset, work started after `ackMin`, cleared after `clearMin` (1 h target), closed. */
function report(n: number, severity: 'critical' | 'major', service: string, ackMin: number, clearMin: number): Report {
  const opened = T0 + n * 1000;
  const input = parseStartInput({
    reportId: `R-${n}`,
    service: { id: service },
    severity,
    description: 'latency',
    detectedAt: new Date(opened).toISOString(),
    jeopardyPolicy: { resolutionTarget: '1h' },
  });
  if (!input.ok) throw new Error(input.reason);
  let r = openReport(input.value, opened).report;
  r = apply(r, { name: 'setStatus', payload: { by: 'noc.anna', status: 'inProgress', reason: 'on it' } } as Command, opened + ackMin * MIN);
  // Time passes: the clock ticks (jeopardy, breach) as the workflow would.
  for (let t = opened + ackMin * MIN; t < opened + clearMin * MIN; t += MIN) r = tick(r, t).report;
  r = apply(r, { name: 'clear', payload: { by: 'noc.anna', resolution: 'fixed' } } as Command, opened + clearMin * MIN);
  return apply(r, { name: 'confirmClosure', payload: { by: 'close.process' } } as Command, opened + (clearMin + 1) * MIN);
}

describe('stats', () => {
  const reports = [
    report(1, 'critical', 'svc-a', 2, 30),
    report(2, 'critical', 'svc-a', 4, 50),
    report(3, 'critical', 'svc-b', 6, 90), // breached: cleared after its 1 h deadline
    report(4, 'major', 'svc-b', 10, 20),
  ];

  it('computes MTTA/MTTR percentiles, SLA compliance, breaches and top services', () => {
    const s = computeStats(reports.map(statsFacts));
    expect(s.reports).toBe(4);
    expect(s.bySeverity.critical.mtta).toEqual({ count: 3, p50Seconds: 240, p90Seconds: 360 });
    expect(s.bySeverity.critical.mttr).toEqual({ count: 3, p50Seconds: 3000, p90Seconds: 5400 });
    expect(s.bySeverity.critical.sla).toEqual({ cleared: 3, inTime: 2, percent: 66.7 });
    expect(s.bySeverity.critical.breaches).toBe(1);
    expect(s.bySeverity.major.sla).toEqual({ cleared: 1, inTime: 1, percent: 100 });
    expect(s.slaByService).toEqual({ 'svc-a': { cleared: 2, inTime: 2, percent: 100 }, 'svc-b': { cleared: 2, inTime: 1, percent: 50 } });
    expect(s.breaches).toBe(1);
    expect(s.topServices).toEqual([
      { serviceId: 'svc-a', reports: 2 },
      { serviceId: 'svc-b', reports: 2 },
    ]);
    // The breached report climbed the ladder: its escalations are counted by level.
    const escalated = reports[2].history.filter((h) => h.action === 'escalated').length;
    expect(escalated).toBeGreaterThan(0);
    expect(Object.values(s.escalationsByLevel).reduce((a, b) => a + b, 0)).toBe(
      reports.reduce((n, r) => n + r.history.filter((h) => h.action === 'escalated').length, 0),
    );
  });

  it('keeps the facts a memo carries, and reads back only a current-version facts object', () => {
    const facts = statsFacts(reports[2]);
    expect(facts).toMatchObject({
      v: 1,
      severity: 'critical',
      serviceId: 'svc-b',
      status: 'closed',
      openedAt: new Date(T0 + 3000).toISOString(),
      workStartedAt: new Date(T0 + 3000 + 6 * MIN).toISOString(),
      clearedAt: new Date(T0 + 3000 + 90 * MIN).toISOString(),
      deadline: reports[2].jeopardy.deadline,
      deadlineMet: false,
      breached: true,
      partners: {},
    });
    expect(statsFacts(reports[0])).toMatchObject({ deadlineMet: true, breached: false, escalationsByLevel: {} });
    // A memo goes through JSON: what comes back is the same object.
    expect(parseStatsFacts(JSON.parse(JSON.stringify(facts)))).toEqual(facts);
    expect(parseStatsFacts({ ...facts, v: 2 })).toBeUndefined();
    expect(parseStatsFacts({ ...facts, breached: 'yes' })).toBeUndefined();
    expect(parseStatsFacts(undefined)).toBeUndefined();
  });

  it('uses nearest-rank percentiles', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 50)).toBe(5);
    expect(percentile([], 50)).toBeNull();
  });

  it('selects with search attributes and refuses bad filters', () => {
    expect(statsQuery('2026-11-01T00:00:00.000Z', 'svc-a', 'critical')).toBe(
      "WorkflowType = 'degradationReport' AND ExecutionStatus = 'Completed' AND CloseTime >= '2026-11-01T00:00:00.000Z' AND SpdrServiceId = 'svc-a' AND SpdrSeverity = 'critical'",
    );
    expect(() => statsQuery('2026-11-01T00:00:00.000Z', "x' OR 1=1")).toThrow(/--service/);
    expect(() => statsQuery('2026-11-01T00:00:00.000Z', undefined, 'urgent')).toThrow(/--severity/);
  });

  it('writes one self-contained page with SVG charts', () => {
    const html = renderStatsHtml(computeStats(reports.map(statsFacts)), '2026-12-01T00:00:00Z');
    expect(html.match(/<svg /g)?.length).toBe(5);
    expect(html).toContain('66.7%');
    expect(html).not.toMatch(/(src|href)=|https?:\/\/(?!www\.w3\.org\/2000\/svg)|<script/);
  });
});
