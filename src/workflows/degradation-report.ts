/**
 * `degradationReport`: one service performance degradation report, from opening to `closed` or
 * `cancelled`. A thin shell around the pure domain core (`../domain`): every message goes through
 * the core, the effects it returns become activity calls, and the next deadline it names becomes
 * one timer (a `condition` with a timeout, so no timer outlives a state change).
 */
import {
  ActivityFailure,
  ApplicationFailure,
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
  receive,
  tick,
  type Command,
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
  let settings: ReportSettings | undefined = carried?.settings;
  const queue: Effect[] = [...(carried?.pendingEffects ?? [])];
  const inFlight = new Set<Promise<void>>();
  let changes = 0;
  let lastSearchAttributes = '';

  const publish = (): void => {
    if (!report) return;
    changes += 1;
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
    publish();
  };
  const feed = (command: Command): void => {
    if (report) adopt(receive(report, command, Date.now()));
  };

  // Handlers first, before any await: messages that arrive with the start are never lost.
  setHandler(reportQuery, () => report!, { description: 'The whole report: status, analysis, tasks, trouble reports, partner requests, jeopardy, history, rejected inputs.' });
  for (const name of Object.keys(MESSAGES) as MessageName[]) {
    const description = MESSAGE_DESCRIPTIONS[name];
    setHandler(
      MESSAGES[name].signal,
      async (payload: unknown) => {
        if (!report) await condition(() => report !== undefined);
        feed({ name, payload });
      },
      { description },
    );
    setHandler(
      MESSAGES[name].update,
      async (payload: unknown) => {
        if (!report) await condition(() => report !== undefined);
        const result = applyCommand(report!, { name, payload }, Date.now());
        if (!result.ok) throw ApplicationFailure.create({ message: result.reason, type: 'RejectedInput', nonRetryable: true });
        adopt(result);
        return report!;
      },
      {
        description,
        // Same core, same message: an invalid update is refused synchronously and never enters history.
        validator: (payload: unknown) => {
          if (!report) return;
          const result = applyCommand(report, { name, payload }, Date.now());
          if (!result.ok) throw ApplicationFailure.create({ message: result.reason, type: 'RejectedInput', nonRetryable: true });
        },
      },
    );
  }

  if (!settings) settings = await reportSettings();
  const activities = proxyActivities<SpdrActivities>({
    startToCloseTimeout: '30s',
    scheduleToCloseTimeout: settings.outsideFailureEscalateAfterMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  });
  if (!report) adopt(openReport(parsed!.ok ? parsed!.value : (undefined as never), Date.now(), { defaults: settings.policyDefaults }));
  else publish();

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

  while (!isFinal(report!.status)) {
    startQueuedEffects();
    if (workflowInfo().continueAsNewSuggested && inFlight.size === 0) {
      await condition(allHandlersFinished);
      if (!isFinal(report!.status)) {
        await continueAsNew<typeof degradationReport>(rawInput, { report: report!, pendingEffects: queue.splice(0), settings });
      }
    }
    const seen = changes;
    const wake = nextWakeUp(report!);
    const woken = () => changes !== seen || queue.length > 0 || (workflowInfo().continueAsNewSuggested && inFlight.size === 0);
    if (wake === undefined) await condition(woken);
    else await condition(woken, Math.max(1, wake - Date.now()), { summary: wakeUpSummary(report!, wake) });
    const ticked = tick(report!, Date.now());
    if (ticked.report !== report || ticked.effects.length > 0) adopt(ticked);
  }

  // Final: let cancellations of outside work and the last notifications finish, then return.
  while (queue.length > 0 || inFlight.size > 0) {
    startQueuedEffects();
    await condition(() => queue.length > 0 || inFlight.size === 0);
  }
  await condition(allHandlersFinished);
  return report!;
}
