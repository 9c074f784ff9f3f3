/**
 * Runs the core's effects as activities. Effects on the same outside object (one trouble report,
 * one partner request, one task; the clearance links to one grouped report) form a lane and run one after the other, in the order the core
 * produced them: a cancel never overtakes the create it cancels. Effects on different objects run
 * in parallel. A create that completes after its report became final is followed by a cancel, so
 * no ticket or partner request stays open behind a cancelled or closed report.
 *
 * An outside system that keeps failing is retried with a doubling back-off; an effect waiting in
 * back-off can travel across continue-as-new ({@link EffectRunner.carry}), its back-off with it.
 */
import { ActivityFailure, ApplicationFailure, patched, sleep } from '@temporalio/workflow';
import { isFinal, type Command, type Effect, type OutsideSystem, type Report } from '../../domain';
import type { SpdrActivities } from '../../activities/types';
import type { Backoff, CarriedEffect } from '../../contract';
import { redactSecrets } from '../../contract/redact';
import { sendCorrelation, sendGroupLink } from '../correlation';

/**
 * Patch marker: a reopened group parent tells the children cleared with it (`reopen` link),
 * consulted only when such a link is sent, so no other report's commands change.
 */
const GROUP_REOPEN_PATCH = 'spdr-group-reopen';

/** Failing this many times in a row is recorded; the window doubles each time up to this cap. */
const MAX_FAILURE_WINDOW_MS = 4 * 3600_000;
const MAX_BACKOFF_SLEEP_MS = 15 * 60_000;

export type { Backoff, CarriedEffect };

export interface EffectHost {
  report(): Report;
  /** Records a fact (activity outcome) in the core. */
  feed(command: Command): void;
  /** An effect finished: the main loop looks again. */
  changed(): void;
}

type EffectOf<T extends Effect['type']> = Extract<Effect, { type: T }>;

interface Entry extends CarriedEffect {
  calling: boolean;
}

const FINISHED_TROUBLE = new Set(['resolved', 'closed', 'cancelled', 'rejected']);
const FINISHED_PARTNER = new Set(['resolved', 'cancelled', 'rejected']);

/** The outside object an effect acts on; effects without one get a lane of their own. */
function laneOf(effect: Effect, seq: number): string {
  switch (effect.type) {
    case 'createTroubleReport':
    case 'cancelTroubleReport':
      return `trouble:${effect.key}`;
    case 'createPartnerRequest':
    case 'cancelPartnerRequest':
      return `partner:${effect.key}`;
    case 'dispatchTask':
      return `task:${effect.taskId}`;
    case 'groupLink':
      // A `reopen` never overtakes the `clear` before it. Only these two share a lane: other links
      // keep a lane of their own, so their commands stay those of the committed histories.
      return effect.link.op === 'clear' || effect.link.op === 'reopen' ? `link:${effect.to}` : `once:${seq}`;
    default:
      return `once:${seq}`;
  }
}

export class EffectRunner {
  private readonly queued: CarriedEffect[] = [];
  private readonly lanes = new Map<string, Entry[]>();
  private seq = 0;

  constructor(
    private readonly host: EffectHost,
    private readonly activities: SpdrActivities,
    private readonly failureWindowMs: number,
    carried: readonly CarriedEffect[] = [],
  ) {
    this.queued.push(...carried);
  }

  /** Effects wait here until {@link startQueued}, so activities are scheduled at one point of the loop. */
  enqueue(effects: readonly Effect[]): void {
    for (const effect of effects) this.queued.push({ effect });
  }

  get hasQueued(): boolean {
    return this.queued.length > 0;
  }

  /** Effects started and not finished. */
  get active(): number {
    let count = 0;
    for (const lane of this.lanes.values()) count += lane.length;
    return count;
  }

  /** True when no activity is running: every started effect waits in back-off (or none is started). */
  get carriable(): boolean {
    for (const lane of this.lanes.values()) if (lane[0]?.calling) return false;
    return true;
  }

  startQueued(): void {
    for (const item of this.queued.splice(0)) this.start({ ...item, calling: false });
  }

  /** Everything not done, in lane order, for continue-as-new: only while {@link carriable}. */
  carry(): CarriedEffect[] {
    const carried: CarriedEffect[] = [];
    for (const lane of this.lanes.values())
      for (const { effect, backoff } of lane) carried.push(backoff ? { effect, backoff } : { effect });
    return [...carried, ...this.queued.splice(0)];
  }

  private start(entry: Entry): void {
    const key = laneOf(entry.effect, this.seq++);
    const lane = this.lanes.get(key);
    if (lane) {
      lane.push(entry);
      return;
    }
    this.lanes.set(key, [entry]);
    void this.runLane(key);
  }

  private async runLane(key: string): Promise<void> {
    const lane = this.lanes.get(key)!;
    while (lane.length > 0) {
      await this.run(lane[0], lane);
      lane.shift();
      this.host.changed();
    }
    this.lanes.delete(key);
  }

  /**
   * Runs one effect. Deliberately not `async`: it hands back the promise of the effect's own async
   * method, so each effect is awaited exactly as deep as when this was one function (the same
   * microtask steps, so the same command order in every committed history).
   */
  private run(entry: Entry, lane: Entry[]): Promise<void> {
    const effect = entry.effect;
    switch (effect.type) {
      case 'createTroubleReport':
        return this.createTroubleReport(entry, effect, lane);
      case 'cancelTroubleReport':
        return this.cancelTroubleReport(entry, effect);
      case 'createPartnerRequest':
        return this.createPartnerRequest(entry, effect, lane);
      case 'cancelPartnerRequest':
        return this.cancelPartnerRequest(entry, effect);
      case 'dispatchTask':
      case 'notifyEscalation':
      case 'notifyAssignee':
      case 'informClose':
        return this.notify(entry, effect);
      case 'correlate':
        return this.correlate(entry, effect);
      case 'groupLink':
        return this.groupLink(entry, effect);
    }
  }

  private async createTroubleReport(entry: Entry, effect: EffectOf<'createTroubleReport'>, lane: Entry[]): Promise<void> {
    const created = await this.call(entry, 'resourceTroubleManagement', 'create trouble report', effect.key, () =>
      this.activities.createTroubleReport(effect),
    );
    if (!created) {
      // Refused for good (the adapter already looked it up): recorded and escalated by the core;
      // the trouble report is marked rejected, so its task is released for reassignment.
      const reason = 'the trouble system refused to create it (see outsideFailures)';
      this.host.feed({
        name: 'resourceTroubleUpdate',
        payload: { externalId: effect.key, status: 'rejected', statusChangeReason: reason, by: 'resource-trouble-management' },
      });
      return;
    }
    this.host.feed({ name: 'troubleReportCreated', payload: { key: effect.key, ticketId: created.ticketId } });
    this.cancelIfFinal(lane, 'cancelTroubleReport', () => {
      const held = this.host.report().troubleReports.find((t) => t.key === effect.key);
      if (held && FINISHED_TROUBLE.has(held.status)) return undefined;
      return {
        type: 'cancelTroubleReport',
        reportId: effect.reportId,
        key: effect.key,
        ticketId: created.ticketId,
        reason: this.finalReason(),
      };
    });
  }

  private async cancelTroubleReport(entry: Entry, effect: EffectOf<'cancelTroubleReport'>): Promise<void> {
    // Queued behind its create: the ticket id is known now, though it was not when the cancel was decided.
    const ticketId = effect.ticketId ?? this.host.report().troubleReports.find((t) => t.key === effect.key)?.ticketId;
    const call = ticketId === undefined ? effect : { ...effect, ticketId };
    await this.call(entry, 'resourceTroubleManagement', 'cancel trouble report', effect.key, () =>
      this.activities.cancelTroubleReport(call),
    );
  }

  private async createPartnerRequest(entry: Entry, effect: EffectOf<'createPartnerRequest'>, lane: Entry[]): Promise<void> {
    const created = await this.call(entry, 'partnerPerformanceManagement', 'create partner request', effect.key, () =>
      this.activities.createPartnerRequest(effect),
    );
    if (!created) {
      // Never sent: marked rejected, so a report pending on it resumes its clock instead of waiting forever.
      const note = 'the request could not be sent to the partner (see outsideFailures)';
      this.host.feed({
        name: 'partnerUpdate',
        payload: { externalId: effect.key, partyId: effect.partyId, status: 'rejected', note, by: `partner:${effect.partyId}` },
      });
      return;
    }
    this.host.feed({ name: 'partnerRequestCreated', payload: { key: effect.key, requestId: created.requestId } });
    this.cancelIfFinal(lane, 'cancelPartnerRequest', () => {
      const held = this.host.report().partnerRequests.find((r) => r.key === effect.key);
      if (held && FINISHED_PARTNER.has(held.status)) return undefined;
      const { reportId, key, partyId } = effect;
      return { type: 'cancelPartnerRequest', reportId, key, partyId, requestId: created.requestId, reason: this.finalReason() };
    });
  }

  private async cancelPartnerRequest(entry: Entry, effect: EffectOf<'cancelPartnerRequest'>): Promise<void> {
    const requestId = effect.requestId ?? this.host.report().partnerRequests.find((r) => r.key === effect.key)?.requestId;
    const call = requestId === undefined ? effect : { ...effect, requestId };
    await this.call(entry, 'partnerPerformanceManagement', 'cancel partner request', effect.key, () =>
      this.activities.cancelPartnerRequest(call),
    );
  }

  /** Task dispatch, escalation, assignee and Close SPDR notifications: one call each, nothing fed back. */
  private async notify(
    entry: Entry,
    effect: EffectOf<'dispatchTask' | 'notifyEscalation' | 'notifyAssignee' | 'informClose'>,
  ): Promise<void> {
    const a = this.activities;
    switch (effect.type) {
      case 'dispatchTask':
        await this.call(entry, 'escalationNotification', `dispatch task ${effect.taskId}`, effect.taskId, () => a.dispatchTask(effect));
        return;
      case 'notifyEscalation':
        await this.call(entry, 'escalationNotification', `escalate level ${effect.level}`, undefined, () => a.notifyEscalation(effect));
        return;
      case 'notifyAssignee':
        await this.call(entry, 'escalationNotification', 'notify assignee', undefined, () => a.notifyAssignee(effect));
        return;
      case 'informClose':
        await this.call(entry, 'closeProcess', 'inform Close SPDR process', undefined, () => a.informClose(effect));
        return;
    }
  }

  private async correlate(entry: Entry, effect: EffectOf<'correlate'>): Promise<void> {
    entry.calling = true;
    try {
      await sendCorrelation(effect);
    } finally {
      entry.calling = false;
    }
  }

  /** A signal to another report's workflow, not an activity: the server delivers it exactly once. */
  private async groupLink(entry: Entry, effect: EffectOf<'groupLink'>): Promise<void> {
    // Reports whose history reopened a parent without telling its children replay without the link.
    if (effect.link.op === 'reopen' && !patched(GROUP_REOPEN_PATCH)) return;
    entry.calling = true;
    try {
      const undelivered = await sendGroupLink(effect);
      if (undelivered) this.host.feed(undelivered);
    } finally {
      entry.calling = false;
    }
  }

  private finalReason(): string {
    return `report ${this.host.report().status} before the outside object was created`;
  }

  /** After a create: a final report gets a cancel, unless one is already queued behind the create. */
  private cancelIfFinal(lane: Entry[], type: Effect['type'], cancel: () => Effect | undefined): void {
    if (!isFinal(this.host.report().status) || lane.some((e) => e.effect.type === type)) return;
    const effect = cancel();
    if (effect) lane.push({ effect, calling: false });
  }

  /**
   * Calls an outside system until it answers. A non-retryable refusal is recorded once and given
   * up; a system that keeps failing is recorded (and so escalated by the core) each time the
   * failure window passes, the window doubling, while the call keeps being retried.
   */
  private async call<T>(
    entry: Entry,
    system: OutsideSystem,
    operation: string,
    key: string | undefined,
    call: () => Promise<T>,
  ): Promise<T | undefined> {
    let window = entry.backoff?.windowMs ?? this.failureWindowMs;
    if (entry.backoff) await sleep(Math.max(1, entry.backoff.notBefore - Date.now()), { summary: `retry ${operation} after outage` });
    for (;;) {
      entry.calling = true;
      try {
        return await call();
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const cause = err.cause;
        // Remote text enters the history and the escalation: credentials masked, bounded.
        const message = redactSecrets(cause?.message ?? err.message, 2000);
        this.host.feed({ name: 'outsideSystemFailed', payload: { system, operation, message, key } });
        if (cause instanceof ApplicationFailure && cause.nonRetryable) return undefined;
        const wait = Math.min(window, MAX_BACKOFF_SLEEP_MS);
        window = Math.min(window * 2, MAX_FAILURE_WINDOW_MS);
        entry.backoff = { windowMs: window, notBefore: Date.now() + wait };
        entry.calling = false;
        await sleep(wait, { summary: `retry ${operation} after outage` });
      } finally {
        entry.calling = false;
      }
    }
  }
}
