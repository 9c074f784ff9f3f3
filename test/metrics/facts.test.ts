/** The metric facts the workflow hands to its sink, from reports changed by the real core. */
import { describe, expect, it } from 'vitest';
import { applyCommand, openReport, parseStartInput, tick, type Command, type Report } from '../../src/domain';
import { factsOf } from '../../src/metrics/facts';
import { SpdrMetrics } from '../../src/metrics/spdr-metrics';

const T0 = Date.parse('2026-11-02T08:00:00Z');

function step(r: Report, command: Command, at: number): Report {
  const result = applyCommand(r, command, at);
  if (!result.ok) throw new Error(result.reason);
  return result.report;
}

describe('metric facts', () => {
  it('opened, outside failures by system, breach, late clearance, closure: each once', () => {
    const input = parseStartInput({
      reportId: 'F-1',
      service: { id: 'svc-a' },
      severity: 'major',
      description: 'x',
      detectedAt: new Date(T0).toISOString(),
      jeopardyPolicy: { resolutionTarget: '1h' },
    });
    if (!input.ok) throw new Error(input.reason);
    const metrics = new SpdrMetrics();
    let r = openReport(input.value, T0).report;
    metrics.record(factsOf(undefined, r));
    const failed = step(
      r,
      {
        name: 'outsideSystemFailed',
        payload: { system: 'resourceTroubleManagement', operation: 'create trouble report', message: 'down' },
      } as Command,
      T0 + 60_000,
    );
    metrics.record(factsOf(r, failed));
    r = failed;
    const breached = tick(r, T0 + 2 * 3600_000).report;
    expect(breached.jeopardy.state).toBe('breached');
    metrics.record(factsOf(r, breached));
    // The same state again (a replay or a no-op change) gives no facts.
    expect(factsOf(breached, breached)).toEqual([]);
    r = breached;
    const cleared = step(r, { name: 'clear', payload: { by: 'noc.anna', resolution: 'fixed' } } as Command, T0 + 3 * 3600_000);
    metrics.record(factsOf(r, cleared));
    expect(metrics.cleared.get({ severity: 'major' })).toBe(1);
    expect(metrics.closed.get({ severity: 'major' })).toBe(0);
    const closed = step(cleared, { name: 'confirmClosure', payload: { by: 'close.process' } } as Command, T0 + 4 * 3600_000);
    metrics.record(factsOf(cleared, closed));

    expect(metrics.opened.get({ severity: 'major' })).toBe(1);
    expect(metrics.outsideFailures.get({ system: 'resourceTroubleManagement' })).toBe(1);
    expect(metrics.breaches.get({ severity: 'major' })).toBe(1);
    expect(metrics.cleared.get({ severity: 'major' })).toBe(1);
    expect(metrics.clearedInTime.get({ severity: 'major' })).toBe(0);
    expect(metrics.timeToClear.sum({ severity: 'major' })).toBe(3 * 3600);
    expect(metrics.closed.get({ severity: 'major' })).toBe(1);
    const text = metrics.registry.render();
    expect(text).toContain('spdr_outside_system_failures_total{system="resourceTroubleManagement"} 1');
    expect(text).toContain('spdr_time_to_clear_seconds_bucket{severity="major",le="14400"} 1');
    expect(text).toContain('spdr_time_to_clear_seconds_bucket{severity="major",le="7200"} 0');
  });
});
