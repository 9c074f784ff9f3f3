/**
 * The activities the workflow calls: one per effect of the domain core. Inputs are the effects
 * themselves (plain data); outputs are what the report needs to know back.
 */
import type { EffectOf, PolicyDefaults } from '../domain';

/** Settings the workflow reads once per report, through a local activity, so they land in history. */
export interface ReportSettings {
  /** Configured jeopardy policy defaults per severity (a report's own policy overrides them). */
  policyDefaults: PolicyDefaults;
  /** An outside system that keeps failing this long is recorded and escalated (ms). */
  outsideFailureEscalateAfterMs: number;
  /**
   * Continue-as-new once a run's history reaches this many events (or earlier, when Temporal
   * suggests it). Short runs keep replays cheap; measured: past ~2,000 events a busy report's
   * workflow tasks slow down and start failing.
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

export interface SpdrActivities {
  reportSettings(): Promise<ReportSettings>;
  createTroubleReport(effect: EffectOf<'createTroubleReport'>): Promise<{ ticketId: string; status: string }>;
  cancelTroubleReport(effect: EffectOf<'cancelTroubleReport'>): Promise<void>;
  createPartnerRequest(effect: EffectOf<'createPartnerRequest'>): Promise<{ requestId: string; status: string }>;
  cancelPartnerRequest(effect: EffectOf<'cancelPartnerRequest'>): Promise<void>;
  dispatchTask(effect: EffectOf<'dispatchTask'>): Promise<void>;
  notifyEscalation(effect: EffectOf<'notifyEscalation'>): Promise<void>;
  notifyAssignee(effect: EffectOf<'notifyAssignee'>): Promise<void>;
  informClose(effect: EffectOf<'informClose'>): Promise<void>;
}
