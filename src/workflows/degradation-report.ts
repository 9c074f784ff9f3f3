/**
 * `degradationReport`: one service performance degradation report, from opening to `closed` or
 * `cancelled`. A thin shell around the pure domain core (`../domain`): every message goes through
 * the core, the effects it returns become activity calls, and the next deadline it names becomes
 * one timer (a `condition` with a timeout, so no timer outlives a state change).
 */
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  allHandlersFinished,
  condition,
  continueAsNew,
  proxyActivities,
  proxyLocalActivities,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  applyCommand,
  isFinal,
  nextWakeUp,
  openReport,
  parseStartInput,
  recordRejection,
  tick,
  type Command,
  type CommandResult,
  type Effect,
  type MessageName,
  type OutsideSystem,
  type Report,
} from '../domain';
import type { ReportSettings, SpdrActivities } from '../activities/types';
import { MESSAGE_DESCRIPTIONS, MESSAGES, reportQuery } from './messages';
import { renderDetails, searchAttributesOf, wakeUpSummary } from './presentation';

/** What a report carries across continue-as-new. */
export interface CarriedState {
  report: Report;
  pendingEffects: Effect[];
  settings: ReportSettings;
}

const { reportSettings } = proxyLocalActivities<SpdrActivities>({ startToCloseTimeout: '10s' });

const DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS = 1500;

/** Messages applied per workflow task; measured at about 1 ms each for a report with thousands of entries. */
const MESSAGES_PER_ACTIVATION = 500;

/** A refused update: the reason is the whole message; operators need no stack trace of ours. */
function rejection(reason: string): ApplicationFailure {
  const failure = ApplicationFailure.create({ message: reason, type: 'RejectedInput', nonRetryable: true });
  failure.stack = `RejectedInput: ${reason}`;
  return failure;
}

interface InboxItem {
  command: Command;
  /** Set for updates: the caller waits for the outcome. */
  reply?: { resolve(report: Report): void; reject(err: unknown): void };
}


/** Failing this many times in a row is recorded; the window doubles each time up to this cap. */
const MAX_FAILURE_WINDOW_MS = 4 * 3600_000;

export async function degradationReport(rawInput: unknown, carried?: CarriedState): Promise<Report> {
  // Validation happens before anything else so a bad start fails fast and names the field.
  const parsed = carried ? undefined : parseStartInput(rawInput);
  if (parsed && !parsed.ok) throw ApplicationFailure.nonRetryable(`invalid start input: ${parsed.reason}`, 'InvalidStartInput');
  const expectedId = `spdr-${carried ? carried.report.reportId : parsed!.ok ? parsed!.value.reportId : ''}`;
  if (workflowInfo().workflowId !== expectedId) {
    throw ApplicationFailure.nonRetryable(`workflow id must be "${expectedId}" (got "${workflowInfo().workflowId}"), so a report cannot be opened twice`, 'InvalidStartInput');
  }

  let report: Report | undefined = carried?.report;
  let provisional: Report | undefined;
  let settings: ReportSettings | undefined = carried?.settings;
  const queue: Effect[] = [...(carried?.pendingEffects ?? [])];
  const inFlight = new Set<Promise<void>>();
  let changes = 0;
  let lastSearchAttributes = '';

  /** Search attributes and Temporal Web details, refreshed once per activation rather than per message. */
  const publish = (): void => {
    if (!report) return;
    const attributes = searchAttributesOf(report);
    const key = JSON.stringify(attributes);
    if (key !== lastSearchAttributes) {
      lastSearchAttributes = key;
      upsertSearchAttributes(attributes);
    }
    setCurrentDetails(renderDetails(report));
  };
  const adopt = (next: { report: Report; effects: Effect[] }): void => {
    report = next.report;
    queue.push(...next.effects);
    changes += 1;
  };
  /**
   * The core, with a safety net: should a message ever make it throw (a bug, not bad input, which
   * it rejects), the message is refused with the error as reason instead of failing the workflow
   * task forever. Deterministic, so replay-safe.
   */
  const apply = (command: Command): CommandResult => {
    try {
      return applyCommand(report!, command, Date.now());
    } catch (err) {
      return { ok: false, reason: `${command.name}: could not be applied (${err instanceof Error ? err.message : String(err)})`.slice(0, 1000) };
    }
  };
  const feed = (command: Command): void => {
    if (!report) return;
    const result = apply(command);
    if (result.ok) adopt(result);
    else adopt({ report: recordRejection(report, command.name, command.payload, result.reason, Date.now()), effects: [] });
  };

  /**
   * Messages wait in an inbox and the main loop applies them in order, at most
   * MESSAGES_PER_ACTIVATION at a time: a burst of thousands of signals is paced over several
   * workflow tasks instead of one task that outlives the deadlock detector.
   */
  const inbox: InboxItem[] = [];
  let inboxHead = 0;
  const pendingMessages = (): number => inbox.length - inboxHead;
  // Workflow time and history length stand still within one workflow task, so they tell tasks apart.
  let budgetTask = -1;
  let budgetLeft = 0;
  const drainInbox = (limit: number): void => {
    const task = workflowInfo().historyLength;
    if (task !== budgetTask) {
      budgetTask = task;
      budgetLeft = limit;
    }
    for (; budgetLeft > 0 && inboxHead < inbox.length; budgetLeft--) {
      const item = inbox[inboxHead];
      inbox[inboxHead++] = undefined as never;
      if (!item.reply) {
        feed(item.command);
        continue;
      }
      const result = apply(item.command);
      if (result.ok) {
        adopt(result);
        item.reply.resolve(report!);
      } else {
        item.reply.reject(rejection(result.reason));
      }
    }
    if (inboxHead === inbox.length) {
      inbox.length = 0;
      inboxHead = 0;
    }
  };

  // Handlers first, before any await: messages that arrive with the start are never lost.
  setHandler(
    reportQuery,
    () => {
      if (report) return report;
      // Until the settings are read (one local activity), answer with the report as opened under
      // the built-in policy defaults rather than an error.
      provisional ??= openReport(parsed!.ok ? parsed!.value : (undefined as never), workflowInfo().startTime.getTime()).report;
      return provisional;
    },
    { description: 'The whole report: status, analysis, tasks, trouble reports, partner requests, jeopardy, history, rejected inputs.' },
  );
  for (const name of Object.keys(MESSAGES) as MessageName[]) {
    const description = MESSAGE_DESCRIPTIONS[name];
    setHandler(
      MESSAGES[name].signal,
      (payload: unknown) => {
        inbox.push({ command: { name, payload } });
      },
      { description },
    );
    setHandler(
      MESSAGES[name].update,
      (payload: unknown) => new Promise<Report>((resolve, reject) => inbox.push({ command: { name, payload }, reply: { resolve, reject } })),
      {
        description,
        // Same core, same message: an invalid update is refused synchronously and never enters history.
        validator: (payload: unknown) => {
          if (!report) return;
          const result = apply({ name, payload });
          if (!result.ok) throw rejection(result.reason);
        },
      },
    );
  }

  // A timer runs from when the server starts it, at the end of the workflow task, but its duration
  // is computed from workflow time, the start of that task. In the first task, which waits for this
  // local activity, they differ by the activity's time (0.7 s median on a busy worker, measured), and
  // the first deadline would be late by as much. So while workflow time has not moved on, "now" for
  // arming a timer is the later of workflow time and the worker's clock when the settings were read.
  // (Waking every deadline 2 s early and sleeping the rest was tried: one more timer per deadline
  // made escalations later under load, p99 3.5 s against 0.96 s with this; see README.)
  let clockHint: { workflowMs: number; wallMs: number } | undefined;
  if (!settings) {
    const { readAtMs, ...read } = await reportSettings();
    settings = read;
    if (readAtMs !== undefined && Number.isFinite(readAtMs)) clockHint = { workflowMs: Date.now(), wallMs: readAtMs };
  }
  const activities = proxyActivities<SpdrActivities>({
    startToCloseTimeout: settings.activityStartToCloseMs ?? '30s',
    scheduleToCloseTimeout: settings.outsideFailureEscalateAfterMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  });
  if (!report) {
    try {
      // Opened at the workflow's start time, the instant the provisional answer used too.
      adopt(openReport(parsed!.ok ? parsed!.value : (undefined as never), workflowInfo().startTime.getTime(), { defaults: settings.policyDefaults }));
    } catch (err) {
      throw ApplicationFailure.nonRetryable(`invalid start input: ${err instanceof Error ? err.message : String(err)}`, 'InvalidStartInput');
    }
  }

  /**
   * Calls an outside system until it answers. A non-retryable refusal is recorded once and given
   * up; a system that keeps failing is recorded (and so escalated by the core) each time the
   * failure window passes, the window doubling, while the call keeps being retried.
   */
  async function outside<T>(system: OutsideSystem, operation: string, key: string | undefined, call: () => Promise<T>): Promise<T | undefined> {
    let window = settings!.outsideFailureEscalateAfterMs;
    for (;;) {
      try {
        return await call();
      } catch (err) {
        if (!(err instanceof ActivityFailure)) throw err;
        const cause = err.cause;
        const message = cause?.message ?? err.message;
        feed({ name: 'outsideSystemFailed', payload: { system, operation, message: message.slice(0, 2000), key } });
        if (cause instanceof ApplicationFailure && cause.nonRetryable) return undefined;
        await sleep(Math.min(window, 15 * 60_000), { summary: `retry ${operation} after outage` });
        window = Math.min(window * 2, MAX_FAILURE_WINDOW_MS);
      }
    }
  }

  async function run(effect: Effect): Promise<void> {
    switch (effect.type) {
      case 'createTroubleReport': {
        const created = await outside('resourceTroubleManagement', 'create trouble report', effect.key, () => activities.createTroubleReport(effect));
        if (created) feed({ name: 'troubleReportCreated', payload: { key: effect.key, ticketId: created.ticketId } });
        return;
      }
      case 'cancelTroubleReport':
        await outside('resourceTroubleManagement', 'cancel trouble report', effect.key, () => activities.cancelTroubleReport(effect));
        return;
      case 'createPartnerRequest': {
        const created = await outside('partnerPerformanceManagement', 'create partner request', effect.key, () => activities.createPartnerRequest(effect));
        if (created) feed({ name: 'partnerRequestCreated', payload: { key: effect.key, requestId: created.requestId } });
        return;
      }
      case 'cancelPartnerRequest':
        await outside('partnerPerformanceManagement', 'cancel partner request', effect.key, () => activities.cancelPartnerRequest(effect));
        return;
      case 'dispatchTask':
        await outside('escalationNotification', `dispatch task ${effect.taskId}`, effect.taskId, () => activities.dispatchTask(effect));
        return;
      case 'notifyEscalation':
        await outside('escalationNotification', `escalate level ${effect.level}`, undefined, () => activities.notifyEscalation(effect));
        return;
      case 'notifyAssignee':
        await outside('escalationNotification', 'notify assignee', undefined, () => activities.notifyAssignee(effect));
        return;
      case 'informClose':
        await outside('closeProcess', 'inform Close SPDR process', undefined, () => activities.informClose(effect));
        return;
    }
  }

  const startQueuedEffects = (): void => {
    for (const effect of queue.splice(0)) {
      const p: Promise<void> = run(effect).finally(() => {
        inFlight.delete(p);
        changes += 1;
      });
      inFlight.add(p);
    }
  };

  /**
   * One durable timer for the next deadline, kept while the deadline stays the same: messages
   * that do not move it (most of them) neither start nor cancel a timer. Firing counts as a change.
   */
  let timer: { at: number; scope: CancellationScope } | undefined;
  const armTimer = (at: number | undefined): void => {
    if (timer?.at === at) return;
    timer?.scope.cancel();
    timer = undefined;
    if (at === undefined) return;
    const scope = new CancellationScope();
    timer = { at, scope };
    // A worker clock ahead of the server's only makes the timer fire early; the loop then re-arms the rest.
    const now = clockHint && clockHint.workflowMs === Date.now() ? Math.max(Date.now(), clockHint.wallMs) : Date.now();
    const remaining = Math.max(1, at - now);
    scope
      .run(() => sleep(remaining, { summary: wakeUpSummary(report!, at) }))
      .then(
        () => {
          if (timer?.at === at) timer = undefined;
          changes += 1;
        },
        (err: unknown) => {
          if (!isCancellation(err)) throw err;
        },
      );
  };

  const continueAfter = settings.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS;
  const shouldContinueAsNew = (): boolean => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= continueAfter;

  while (!isFinal(report!.status)) {
    drainInbox(MESSAGES_PER_ACTIVATION);
    // Time-driven rules only when a deadline is due; messages already re-evaluated jeopardy.
    const due = nextWakeUp(report!);
    if (due !== undefined && Date.now() >= due && !isFinal(report!.status)) {
      const ticked = tick(report!, Date.now());
      if (ticked.report !== report || ticked.effects.length > 0) adopt(ticked);
    }
    if (isFinal(report!.status)) break;
    publish();
    startQueuedEffects();
    if (pendingMessages() > 0) {
      // More messages than one workflow task should carry: continue in the next one.
      await sleep(1, { summary: `pacing a burst of ${pendingMessages()} messages` });
      continue;
    }
    // Continue-as-new between messages, with no activity in flight: every handler has finished
    // (the inbox is empty), so nothing is lost; pending effects travel with the state.
    if (shouldContinueAsNew() && inFlight.size === 0 && allHandlersFinished()) {
      timer?.scope.cancel();
      await continueAsNew<typeof degradationReport>(rawInput, { report: report!, pendingEffects: queue.splice(0), settings });
    }
    armTimer(nextWakeUp(report!));
    const seen = changes;
    await condition(() => changes !== seen || queue.length > 0 || pendingMessages() > 0 || (shouldContinueAsNew() && inFlight.size === 0));
  }
  publish();
  drainInbox(MESSAGES_PER_ACTIVATION);
  startQueuedEffects();
  // A timer still armed is dropped with the run when it completes, without a history event. Only a
  // run that must first wait for outside work cancels it, so no deadline wakes a final report.
  if (queue.length > 0 || inFlight.size > 0 || pendingMessages() > 0 || !allHandlersFinished()) armTimer(undefined);

  // Final: let cancellations of outside work and the last notifications finish, then return.
  // Messages still arriving are answered (a final report rejects them) until the workflow completes.
  for (;;) {
    drainInbox(MESSAGES_PER_ACTIVATION);
    startQueuedEffects();
    if (queue.length === 0 && inFlight.size === 0 && pendingMessages() === 0 && allHandlersFinished()) break;
    if (pendingMessages() > 0) await sleep(1, { summary: 'answering the last messages' });
    else await condition(() => queue.length > 0 || pendingMessages() > 0 || (inFlight.size === 0 && allHandlersFinished()));
  }
  return report!;
}
