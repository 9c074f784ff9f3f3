/**
 * `degradationReport`: one service performance degradation report, from opening to `closed` or
 * `cancelled`. A thin shell around the pure domain core (`../domain`), in named parts:
 * - {@link ReportState} (shell/report-state.ts): the report and the one way into the core;
 * - {@link Inbox} (shell/inbox.ts): messages in arrival order, paced per workflow task, with
 *   undecodable payloads turned into refusals;
 * - {@link EffectRunner} (shell/effect-runner.ts): the core's effects as activities, in order per
 *   outside object;
 * - {@link DeadlineTimer} (shell/deadline-timer.ts): one timer for the next deadline.
 * The main loop below applies messages, runs time-driven rules when a deadline is due, starts
 * effects, continues-as-new between messages, and waits for the next change.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  upsertMemo,
  workflowInfo,
} from '@temporalio/workflow';
import {
  isFinal,
  nextWakeUp,
  openReport,
  parseStartInput,
  statsFacts,
  tick,
  type Command,
  type Effect,
  type MessageName,
  type Report,
  type StartInput,
} from '../domain';
import type { SpdrActivities } from '../activities/types';
import {
  DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS,
  reportWorkflowId,
  STATS_FACTS_MEMO_KEY,
  type CarriedEffect,
  type CarriedState,
  type ReportSettings,
} from '../contract';

export type { CarriedState };
import { groupLinkSignal, MESSAGE_DESCRIPTIONS, MESSAGES, reportQuery } from './messages';
import { wakeUpSummary } from './presentation';
import { undecodableReason } from './undecodable';
import { DeadlineTimer } from './shell/deadline-timer';
import { EffectRunner } from './shell/effect-runner';
import { Inbox, type InboxItem } from './shell/inbox';
import { ReportState, rejection } from './shell/report-state';
import { updateResultOf, type UpdateResult } from './shell/update-result';
import { MaintenanceLookup } from './shell/maintenance-lookup';

const { reportSettings } = proxyLocalActivities<SpdrActivities>({ startToCloseTimeout: '10s' });

/**
 * Patch marker: reports opened with it give each partner request its own obligation clock
 * (domain/partner-clock.ts) and send one resolution notice to each recipient on clearance
 * (domain/resolution-notice.ts).
 */
const PARTNER_OBLIGATIONS_PATCH = 'spdr-partner-obligations';

/**
 * Patch marker: reports ending with it keep their stats facts (domain/stats-facts.ts) in the memo,
 * so `starter stats` reads list pages only. Checked once, at completion (not at opening, see above).
 */
const STATS_MEMO_PATCH = 'spdr-stats-memo';

/** Messages applied per workflow task; measured at about 1 ms each for a report with thousands of entries. */
const MESSAGES_PER_ACTIVATION = 500;

function invalidStart(reason: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`invalid start input: ${reason}`, 'InvalidStartInput');
}

/** Validation happens before anything else so a bad start fails fast and names the field (or the encoding problem). */
function checkStart(rawInput: unknown, carried: CarriedState | undefined): StartInput | undefined {
  const undecodable = undecodableReason(rawInput) ?? undecodableReason(carried);
  if (undecodable !== undefined) throw invalidStart(undecodable);
  const parsed = carried ? undefined : parseStartInput(rawInput);
  if (parsed && !parsed.ok) throw invalidStart(parsed.reason);
  const expectedId = reportWorkflowId(carried ? carried.report.reportId : parsed!.ok ? parsed!.value.reportId : '');
  if (workflowInfo().workflowId !== expectedId) {
    throw ApplicationFailure.nonRetryable(
      `workflow id must be "${expectedId}" (got "${workflowInfo().workflowId}"), so a report cannot be opened twice`,
      'InvalidStartInput',
    );
  }
  return parsed?.ok ? parsed.value : undefined;
}

function parsedPolicyOf(rawInput: unknown): StartInput['jeopardyPolicy'] {
  const parsed = parseStartInput(rawInput);
  return parsed.ok ? parsed.value.jeopardyPolicy : undefined;
}

/** Applies one inbox item: an update gets its answer, a signal's refusal is recorded. */
function applyItem(state: ReportState, item: InboxItem<UpdateResult>): void {
  const command = { name: item.name, payload: item.payload } as Command;
  if (item.undecodable !== undefined) {
    if (item.reply) item.reply.reject(rejection(`${item.name}: ${item.undecodable}`));
    else state.reject(command, item.undecodable);
    return;
  }
  if (!item.reply) return state.feed(command);
  const result = state.apply(command);
  if (!result.ok) return item.reply.reject(rejection(result.reason));
  state.adopt(result);
  item.reply.resolve(updateResultOf(state.report));
}

/** Handlers first, before any await: messages that arrive with the start are never lost. */
function registerHandlers(state: ReportState, inbox: Inbox<UpdateResult>, provisional: () => Report, maintenance: MaintenanceLookup): void {
  maintenance.register();
  setHandler(reportQuery, () => (state.opened ? state.report : provisional()), {
    description:
      'The whole report (long lists: the most recent entries, `trimmed` counts the rest): status, analysis, tasks, trouble reports, partner requests, jeopardy, history, rejected inputs.',
  });
  setHandler(groupLinkSignal, (payload: unknown) => inbox.push('groupLink', payload), {
    description: 'Internal: sent by a group parent or child report workflow, not by operators (use group / ungroup on the parent).',
  });
  for (const name of Object.keys(MESSAGES) as MessageName[]) {
    const description = MESSAGE_DESCRIPTIONS[name];
    setHandler(MESSAGES[name].signal, (payload: unknown) => inbox.push(name, payload), { description });
    setHandler(
      MESSAGES[name].update,
      (payload: unknown) => new Promise<UpdateResult>((resolve, reject) => inbox.push(name, payload, { resolve, reject })),
      {
        description,
        // Same core, same message: an invalid update is refused synchronously and never enters history.
        validator: (payload: unknown) => {
          const undecodable = undecodableReason(payload);
          if (undecodable !== undefined) throw rejection(`${name}: ${undecodable}`);
          if (!state.opened) return;
          const result = state.apply({ name, payload });
          if (!result.ok) throw rejection(result.reason);
        },
      },
    );
  }
}

export async function degradationReport(rawInput: unknown, carried?: CarriedState): Promise<Report> {
  const start = checkStart(rawInput, carried);
  let settings: ReportSettings | undefined = carried?.settings;
  // Effects wait here until the runner exists (it needs the settings).
  const sink: { runner?: EffectRunner; early: Effect[] } = { early: [] };
  const state = new ReportState(carried?.report, (effects) => (sink.runner ? sink.runner.enqueue(effects) : sink.early.push(...effects)));
  const inbox = new Inbox<UpdateResult>(MESSAGES_PER_ACTIVATION);
  const timer = new DeadlineTimer(() => state.changed());
  // Until the settings are read (one local activity), the query answers with the report as opened
  // under the built-in policy defaults rather than an error.
  let provisional: Report | undefined;
  // The report's own policy, from the start input (a continued run gets the same raw input). A new
  // report has it parsed already: parsing again only when it has no policy cost its first task a
  // second full validation (measured in the benchmark's arming profile).
  const ownPolicy = start ? start.jeopardyPolicy : parsedPolicyOf(rawInput);
  if (settings) state.context = { defaults: settings.policyDefaults, override: ownPolicy, calendars: settings.calendars };
  const maintenance = new MaintenanceLookup(state);
  registerHandlers(
    state,
    inbox,
    () => (provisional ??= openReport(start!, workflowInfo().startTime.getTime(), { ignoreUnknownCalendar: true }).report),
    maintenance,
  );

  // A report opened inside a maintenance window opens held: the settings answer names the window.
  let heldAtOpen: string | undefined;
  if (!settings) {
    const about = start ? { reportId: start.reportId, serviceId: start.service.id, resourceIds: [] } : undefined;
    ({ settings, heldAtOpen } = adoptSettings(await reportSettings(about), state, ownPolicy, timer));
  }
  const activities = proxyActivities<SpdrActivities>({
    startToCloseTimeout: settings.activityStartToCloseMs ?? '30s',
    scheduleToCloseTimeout: settings.outsideFailureEscalateAfterMs,
    retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
  });
  const carriedEffects: CarriedEffect[] = [...(carried?.retrying ?? []), ...(carried?.pendingEffects ?? []).map((effect) => ({ effect }))];
  const effects = new EffectRunner(
    { report: () => state.report, feed: (c) => state.feed(c), changed: () => state.changed() },
    activities,
    settings.outsideFailureEscalateAfterMs,
    carriedEffects,
  );
  effects.enqueue(sink.early.splice(0));
  sink.runner = effects;
  if (!state.opened) openNew(state, start!, settings, heldAtOpen);
  return runUntilFinal(state, inbox, effects, timer, maintenance, { rawInput, settings });
}

/**
 * The settings local activity's answer (recorded in history): policy defaults, calendars, the clock
 * hint and an active maintenance window. Synchronous on purpose: no extra await between the answer
 * and the opening, so the commands' order is the one the committed histories recorded.
 */
function adoptSettings(
  answer: Awaited<ReturnType<typeof reportSettings>>,
  state: ReportState,
  ownPolicy: ReturnType<typeof parsedPolicyOf>,
  timer: DeadlineTimer,
): { settings: ReportSettings; heldAtOpen?: string } {
  const { readAtMs, maintenanceWindowId, ...settings } = answer;
  state.context = { defaults: settings.policyDefaults, override: ownPolicy, calendars: settings.calendars };
  if (readAtMs !== undefined && Number.isFinite(readAtMs)) timer.setClockHint(Date.now(), readAtMs);
  return { settings, heldAtOpen: maintenanceWindowId };
}

/** The first run opens the report, at the workflow's start time (the instant the provisional answer used too). */
function openNew(state: ReportState, start: StartInput, settings: ReportSettings, heldAtOpen: string | undefined): void {
  // One marker for both (measured: a second patched() call here crashed the worker thread with
  // "async hook stack has become corrupted" in the 5,000-message scenario).
  const obligationsAndNotices = patched(PARTNER_OBLIGATIONS_PATCH);
  try {
    state.adopt(
      openReport(start, workflowInfo().startTime.getTime(), {
        defaults: settings.policyDefaults,
        calendars: settings.calendars,
        // Reports opened before partner obligation clocks existed replay without them (no marker in their history).
        partnerObligations: obligationsAndNotices,
        resolutionNotices: obligationsAndNotices,
      }),
    );
  } catch (err) {
    throw invalidStart(err instanceof Error ? err.message : String(err));
  }
  if (heldAtOpen !== undefined) state.feed({ name: 'maintenanceObserved', payload: { windowId: heldAtOpen } });
}

/**
 * The main loop: apply messages, run time-driven rules when a deadline is due, publish, start
 * effects, re-arm the one deadline timer, and continue-as-new between messages when history is long.
 * Once final it goes straight on to finish() in the same microtask (whether the timer is cancelled
 * depends on what is still running at that instant, which the committed histories pin).
 */
async function runUntilFinal(
  state: ReportState,
  inbox: Inbox<UpdateResult>,
  effects: EffectRunner,
  timer: DeadlineTimer,
  maintenance: MaintenanceLookup,
  run: { rawInput: unknown; settings: ReportSettings },
): Promise<Report> {
  const { rawInput, settings } = run;
  const continueAfter = settings.continueAsNewAfterEvents ?? DEFAULT_CONTINUE_AS_NEW_AFTER_EVENTS;
  const shouldContinueAsNew = (): boolean => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= continueAfter;
  const drain = (): void => inbox.drain((item) => applyItem(state, item));

  while (!isFinal(state.report.status)) {
    drain();
    maintenance.lookIfAsked();
    // Time-driven rules only when a deadline is due; messages already re-evaluated jeopardy.
    const due = nextWakeUp(state.report);
    if (due !== undefined && Date.now() >= due && !isFinal(state.report.status)) {
      const ticked = tick(state.report, Date.now());
      if (ticked.report !== state.report || ticked.effects.length > 0) state.adopt(ticked);
    }
    if (isFinal(state.report.status)) break;
    state.publish();
    effects.startQueued();
    if (inbox.pending > 0) {
      // More messages than one workflow task should carry: continue in the next one.
      await sleep(1, { summary: `pacing a burst of ${inbox.pending} messages` });
      continue;
    }
    // Continue-as-new between messages, with no activity running: every handler has finished (the
    // inbox is empty), so nothing is lost; effects not done, back-off included, travel with the state.
    if (shouldContinueAsNew() && effects.carriable && maintenance.idle && allHandlersFinished()) {
      timer.cancel();
      const retrying = effects.carry();
      await continueAsNew<typeof degradationReport>(rawInput, { report: state.report, pendingEffects: [], retrying, settings });
    }
    timer.arm(nextWakeUp(state.report), (at) => wakeUpSummary(state.report, at));
    const seen = state.changes;
    await condition(
      () =>
        state.changes !== seen ||
        effects.hasQueued ||
        inbox.pending > 0 ||
        (shouldContinueAsNew() && effects.carriable && maintenance.idle),
    );
  }
  return finish(state, inbox, effects, timer, drain);
}

/** Final: let cancellations of outside work and the last notifications finish, then return. */
async function finish(
  state: ReportState,
  inbox: Inbox<UpdateResult>,
  effects: EffectRunner,
  timer: DeadlineTimer,
  drain: () => void,
): Promise<Report> {
  state.publish();
  drain();
  effects.startQueued();
  const busy = (): boolean => effects.hasQueued || effects.active > 0 || inbox.pending > 0;
  // A timer still armed is dropped with the run when it completes, without a history event. Only a
  // run that must first wait for outside work cancels it, so no deadline wakes a final report.
  if (busy() || !allHandlersFinished()) timer.cancel();
  // Messages still arriving are answered (a final report rejects them) until the workflow completes.
  for (;;) {
    drain();
    effects.startQueued();
    if (!busy() && allHandlersFinished()) break;
    if (inbox.pending > 0) await sleep(1, { summary: 'answering the last messages' });
    else await condition(() => effects.hasQueued || inbox.pending > 0 || (effects.active === 0 && allHandlersFinished()));
  }
  // Same task as the completion, no await in between: the report is the one returned.
  if (patched(STATS_MEMO_PATCH)) upsertMemo({ [STATS_FACTS_MEMO_KEY]: statsFacts(state.report) });
  return state.report;
}
