/**
 * The worker's `spdr_` metrics. Counters are per worker process; Prometheus sums them over the
 * workers of a deployment (`sum(...)`) and the sum is exact:
 * - report facts (opened, cleared, closed, cancelled, breaches, outside failures) are counted by
 *   the worker that executes the workflow task in which they happen, through a sink the SDK never
 *   calls while replaying: a report that moves to another worker (cache eviction, restart, crash)
 *   is replayed there, and its past is not counted again;
 * - escalations are counted by the `notifyEscalation` activity once it delivered (retries fail
 *   before delivering; the receiver deduplicates by idempotency key anyway);
 * - open reports (a gauge) are read from the cluster's visibility store on each scrape: every
 *   worker reports the same cluster-wide figure, so dashboards use `max(...)`, never `sum(...)`.
 */
import { Counter, Gauge, Histogram, Registry } from './registry';
import type { MetricFact } from './facts';

export const TIME_TO_CLEAR_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 259_200];
export const LATENESS_BUCKETS = [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600];

export class SpdrMetrics {
  readonly registry = new Registry();
  readonly opened = this.registry.register(new Counter('spdr_reports_opened_total', 'Reports opened, by severity.', ['severity']));
  readonly cleared = this.registry.register(
    new Counter('spdr_reports_cleared_total', 'Reports cleared (a clearance after a recurrence counts again), by severity.', ['severity']),
  );
  readonly clearedInTime = this.registry.register(
    new Counter('spdr_reports_cleared_before_deadline_total', 'Clearances before the resolution deadline, by severity.', ['severity']),
  );
  readonly closed = this.registry.register(new Counter('spdr_reports_closed_total', 'Reports closed, by severity.', ['severity']));
  readonly cancelled = this.registry.register(new Counter('spdr_reports_cancelled_total', 'Reports cancelled, by severity.', ['severity']));
  readonly breaches = this.registry.register(
    new Counter('spdr_breaches_total', 'Reports whose resolution deadline passed while open, by severity.', ['severity']),
  );
  readonly escalations = this.registry.register(
    new Counter('spdr_escalations_total', 'Escalation notifications delivered, by level and reason.', ['level', 'reason']),
  );
  readonly outsideFailures = this.registry.register(
    new Counter('spdr_outside_system_failures_total', 'Outside-system failures recorded on reports, by system.', ['system']),
  );
  readonly timeToClear = this.registry.register(
    new Histogram(
      'spdr_time_to_clear_seconds',
      'Time from opening a report to clearing it, by severity.',
      ['severity'],
      TIME_TO_CLEAR_BUCKETS,
    ),
  );
  readonly escalationLateness = this.registry.register(
    new Histogram(
      'spdr_escalation_lateness_seconds',
      'Time from an escalation being decided (its activity scheduled) to its notification being delivered.',
      [],
      LATENESS_BUCKETS,
    ),
  );
  readonly openReports = this.registry.register(
    new Gauge(
      'spdr_open_reports',
      'Open reports of the worker task queue by status and jeopardy (cluster-wide, from visibility: use max() over workers).',
      ['status', 'jeopardy'],
    ),
  );

  record(facts: readonly MetricFact[]): void {
    for (const fact of facts) {
      switch (fact.kind) {
        case 'opened':
          this.opened.inc({ severity: fact.severity });
          break;
        case 'cleared':
          this.cleared.inc({ severity: fact.severity });
          if (fact.beforeDeadline) this.clearedInTime.inc({ severity: fact.severity });
          this.timeToClear.observe({ severity: fact.severity }, fact.secondsToClear);
          break;
        case 'closed':
          this.closed.inc({ severity: fact.severity });
          break;
        case 'cancelled':
          this.cancelled.inc({ severity: fact.severity });
          break;
        case 'breached':
          this.breaches.inc({ severity: fact.severity });
          break;
        case 'outsideFailure':
          this.outsideFailures.inc({ system: fact.system });
          break;
      }
    }
  }

  escalationDelivered(level: number, reason: string, latenessSeconds: number): void {
    this.escalations.inc({ level: String(level), reason });
    this.escalationLateness.observe({}, Math.max(0, latenessSeconds));
  }
}

/** The sink the workflow calls (see src/workflows/shell/metrics.ts). */
export const METRICS_SINK = 'spdrMetrics';
