/** The settings a report reads once and what it carries across continue-as-new. */
import type { Effect, PolicyDefaults, Report } from '../domain';
import type { PinnedCalendar } from '../domain/business-time';

/** Settings the workflow reads once per report, through a local activity, so they land in history. */
export interface ReportSettings {
  /** Configured jeopardy policy defaults per severity (a report's own policy overrides them). */
  policyDefaults: PolicyDefaults;
  /**
   * The business calendars of `SPDR_CALENDARS` by name, with the zone offsets the worker's time-zone
   * data gives around the moment of reading. Recorded in history with the answer, so a report's
   * deadlines replay the same on a worker with other time-zone data. Absent: no calendars configured.
   */
  calendars?: Record<string, PinnedCalendar>;
  /** An outside system that keeps failing this long is recorded and escalated (ms). */
  outsideFailureEscalateAfterMs: number;
  /**
   * Continue-as-new once a run's history reaches this many events (or earlier, when Temporal
   * suggests it). Short runs keep replays cheap; measured: past ~2,000 events a busy report's
   * workflow tasks slow down and start failing. Default: `DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS`.
   */
  continueAsNewAfterEvents?: number;
  /**
   * Start-to-close of one activity attempt (ms): a few HTTP timeouts, so a call lost with a
   * crashed worker is retried soon rather than after a fixed 30 s.
   */
  activityStartToCloseMs?: number;
  /**
   * The worker's wall clock when it answered (ms since the epoch). Workflow time stands at the
   * start of the workflow task, so a timer armed right after this local activity would run late by
   * the activity's time; the report measures its first timer from this instead. Recorded in history
   * with the answer, so replays see the same value.
   */
  readAtMs?: number;
}

/** Where an effect stands in its back-off on a failing outside system. */
export interface Backoff {
  windowMs: number;
  notBefore: number;
}

/** An effect not yet done, as carried across continue-as-new. */
export interface CarriedEffect {
  effect: Effect;
  backoff?: Backoff;
}

/** What a report carries across continue-as-new (the second workflow argument). */
export interface CarriedState {
  report: Report;
  /** Effects not started yet (and, from older runs, every effect not done). */
  pendingEffects: Effect[];
  /** Effects started and not done (waiting in back-off on an outside system), with their back-off. */
  retrying?: CarriedEffect[];
  settings: ReportSettings;
}
