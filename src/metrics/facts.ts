/**
 * Facts for the worker metrics, found by comparing a report before and after one change. Pure
 * and deterministic: the workflow computes them and hands them to the `spdrMetrics` sink, which
 * the SDK does not call while replaying, so a replayed history (a report moving to another
 * worker, a worker restarted after a crash) counts nothing again.
 */
import type { Report } from '../domain';

export type MetricFact =
  | { kind: 'opened'; severity: string }
  | { kind: 'cleared'; severity: string; secondsToClear: number; beforeDeadline: boolean }
  | { kind: 'closed'; severity: string }
  | { kind: 'cancelled'; severity: string }
  | { kind: 'breached'; severity: string }
  | { kind: 'outsideFailure'; system: string };

function failuresSeen(report: Report): number {
  return report.outsideFailures.length + (report.trimmed?.outsideFailures ?? 0);
}

export function factsOf(before: Report | undefined, after: Report): MetricFact[] {
  const facts: MetricFact[] = [];
  const severity = after.severity;
  if (!before) {
    facts.push({ kind: 'opened', severity });
    if (after.status === 'cancelled') facts.push({ kind: 'cancelled', severity });
    return facts;
  }
  if (before.status !== after.status) {
    if (after.status === 'cleared' && after.clearance) {
      const seconds = Math.max(0, (Date.parse(after.clearance.at) - Date.parse(after.openedAt)) / 1000);
      facts.push({
        kind: 'cleared',
        severity,
        secondsToClear: seconds,
        beforeDeadline: Date.parse(after.clearance.at) <= Date.parse(after.jeopardy.deadline),
      });
    }
    if (after.status === 'closed') facts.push({ kind: 'closed', severity });
    if (after.status === 'cancelled') facts.push({ kind: 'cancelled', severity });
  }
  if (before.jeopardy.state !== 'breached' && after.jeopardy.state === 'breached') facts.push({ kind: 'breached', severity });
  const added = failuresSeen(after) - failuresSeen(before);
  if (added > 0) {
    for (const failure of after.outsideFailures.slice(-Math.min(added, after.outsideFailures.length)))
      facts.push({ kind: 'outsideFailure', system: failure.system });
  }
  return facts;
}
