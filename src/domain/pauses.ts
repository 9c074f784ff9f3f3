/**
 * Why a report's clocks stand still: ONE pure predicate that every clock goes through (the
 * resolution clock in ./jeopardy today; the response/update clocks and the grouping and maintenance
 * rules of the second edition are to reuse it rather than list statuses of their own).
 *
 * A reason is derived from what the report records (its status, and the facts the grouping and
 * maintenance rules will record), never from workflow-local state, so it survives worker crashes,
 * server restarts and continue-as-new.
 */
import type { ReportStatus } from './vocabulary';

/** Why the clock stands still; undefined: it runs. */
export type PauseReason = 'pending' | 'cleared' | 'final' | 'held' | 'grouped' | 'maintenance';

/** What the pause rule looks at, at one instant. */
export interface ClockFacts {
  status: ReportStatus | string;
  /** The policy's `pauseWhenHeld`: `held` stops the clock only when the policy says so. */
  pauseWhenHeld: boolean;
  /** Set while the report is a child of a group (second edition: `parentReportId`). */
  parentReportId?: string;
  /** Set while a maintenance window holds the report (second edition: `maintenanceWindowId`). */
  maintenanceWindowId?: string;
}

/**
 * The reason the clock stands still, in precedence order: a final report, a cleared one, a
 * maintenance hold, a grouped child, `pending`, `held` when the policy pauses on hold.
 */
export function pauseReasonOf(facts: ClockFacts): PauseReason | undefined {
  const { status } = facts;
  if (status === 'closed' || status === 'cancelled') return 'final';
  if (status === 'cleared') return 'cleared';
  if (facts.maintenanceWindowId !== undefined) return 'maintenance';
  if (facts.parentReportId !== undefined) return 'grouped';
  if (status === 'pending') return 'pending';
  if (status === 'held' && facts.pauseWhenHeld) return 'held';
  return undefined;
}

export function clockPaused(facts: ClockFacts): boolean {
  return pauseReasonOf(facts) !== undefined;
}
