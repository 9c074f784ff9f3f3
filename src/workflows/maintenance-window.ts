/**
 * `maintenanceWindow`: one maintenance window, id `mw-<windowId>`, from its creation to its last
 * occurrence's end (or `cancelWindow`). A thin shell over the pure core (../domain/maintenance):
 * it waits for each occurrence; while one is active it finds the open reports in scope (an
 * activity over visibility, verified by each report's own query) and tells each to look again, at
 * the start and then at growing intervals (a report that opens at the very moment the window starts
 * is found within seconds even if visibility lags); when the occurrence ends, or the window is
 * cancelled, it tells them again and they release themselves. Between occurrences a recurring
 * window continues as new, so its history stays short however long it recurs.
 */
import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import {
  advanceWindow,
  applyWindowMessage,
  isWindowOver,
  nextWindowWakeUp,
  openWindow,
  parseWindowInput,
  recordWindowRejection,
  scopeKeys,
  windowView,
  withHeldReports,
  WINDOW_MESSAGE_NAMES,
  type WindowState,
  type WindowView,
} from '../domain/maintenance';
import { reportWorkflowId } from '../domain/ids';
import type { MaintenanceActivities } from '../activities/maintenance';
import {
  maintenanceChangedSignal,
  WINDOW_MESSAGE_DESCRIPTIONS,
  WINDOW_MESSAGES,
  windowQuery,
  windowWorkflowId,
} from '../contract/maintenance';
import { SpdrWindowScope, SpdrWindowState } from '../search-attributes';
import { rejection } from './shell/report-state';

const { reportsInScope } = proxyActivities<MaintenanceActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s' },
});

/**
 * Rescans after an occurrence starts (ms after its start): visibility indexes a report a moment
 * after it opens, so the first seconds are scanned densely; later, a report whose root cause moves
 * into scope is found within a minute.
 */
const RESCAN_AFTER_START_MS = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000];
const RESCAN_EVERY_MS = 60_000;

/** What a window carries across continue-as-new. */
export interface CarriedWindow {
  state: WindowState;
}

function nextScanAt(occurrenceStart: number, lastScanAt: number): number {
  for (const after of RESCAN_AFTER_START_MS) if (occurrenceStart + after > lastScanAt) return occurrenceStart + after;
  return lastScanAt + RESCAN_EVERY_MS;
}

function renderWindowDetails(view: WindowView): string {
  const lines = [
    `**${view.state}** · change ${view.changeRequest} · created by ${view.createdBy}`,
    '',
    `Scope: services ${view.scope.serviceIds.join(', ') || '(none)'}; resources ${view.scope.resourceIds.join(', ') || '(none)'}`,
  ];
  if (view.recurrence)
    lines.push(
      `Recurs: ${view.recurrence.rrule} in ${view.recurrence.timezone}${view.recurrence.until ? ` until ${view.recurrence.until}` : ''}`,
    );
  if (view.currentOccurrence)
    lines.push(`Now: occurrence ${view.currentOccurrence.number}, ${view.currentOccurrence.start} to ${view.currentOccurrence.end}`);
  if (view.nextOccurrence)
    lines.push(`Next: occurrence ${view.nextOccurrence.number}, ${view.nextOccurrence.start} to ${view.nextOccurrence.end}`);
  lines.push(`Reports held: ${view.heldReports}${view.heldReportIds.length > 0 ? ` (${view.heldReportIds.slice(0, 20).join(', ')})` : ''}`);
  if (view.cancellation) lines.push(`Cancelled by ${view.cancellation.by} at ${view.cancellation.at}: ${view.cancellation.reason}`);
  return lines.join('\n');
}

/** The start input (or the carried state), checked: a window's workflow id is `mw-<windowId>`, so it cannot be created twice. */
function checkWindowStart(rawInput: unknown, carried: CarriedWindow | undefined): WindowState {
  const parsed = carried ? undefined : parseWindowInput(rawInput);
  if (parsed && !parsed.ok) throw ApplicationFailure.nonRetryable(`invalid start input: ${parsed.reason}`, 'InvalidStartInput');
  const input = carried ? carried.state.input : parsed!.ok ? parsed!.value : undefined;
  const expectedId = windowWorkflowId(input!.windowId);
  if (workflowInfo().workflowId !== expectedId) {
    throw ApplicationFailure.nonRetryable(
      `workflow id must be "${expectedId}" (got "${workflowInfo().workflowId}"), so a window cannot be created twice`,
      'InvalidStartInput',
    );
  }
  return carried?.state ?? openWindow(input!, Date.now());
}

/** The window's state, its message handlers, what it publishes and how it tells reports. */
class WindowShell {
  changes = 0;
  private published = '';

  constructor(public state: WindowState) {}

  /** Handlers first, before any await. Messages change the state at once: they are small and few. */
  registerHandlers(): void {
    setHandler(windowQuery, () => windowView(this.state), {
      description: 'The window: state, scope, current and next occurrence, reports held, history, rejected inputs.',
    });
    for (const name of WINDOW_MESSAGE_NAMES) {
      const description = WINDOW_MESSAGE_DESCRIPTIONS[name];
      setHandler(
        WINDOW_MESSAGES[name].signal,
        (payload: unknown) => {
          const result = applyWindowMessage(this.state, name, payload, Date.now());
          this.state = result.ok ? result.state : recordWindowRejection(this.state, name, result.reason, Date.now());
          this.changes += 1;
        },
        { description },
      );
      setHandler(
        WINDOW_MESSAGES[name].update,
        (payload: unknown) => {
          const result = applyWindowMessage(this.state, name, payload, Date.now());
          if (!result.ok) throw rejection(result.reason);
          this.state = result.state;
          this.changes += 1;
          return windowView(this.state);
        },
        {
          description,
          validator: (payload: unknown) => {
            const result = applyWindowMessage(this.state, name, payload, Date.now());
            if (!result.ok) throw rejection(result.reason);
          },
        },
      );
    }
  }

  /** Search attributes when phase or scope changed; the current details every time. */
  publish(): void {
    const attributes = { phase: this.state.phase, scope: scopeKeys(this.state.input.scope) };
    const key = JSON.stringify(attributes);
    if (key !== this.published) {
      this.published = key;
      upsertSearchAttributes([
        { key: SpdrWindowState, value: this.state.phase },
        { key: SpdrWindowScope, value: attributes.scope },
      ]);
    }
    setCurrentDetails(renderWindowDetails(windowView(this.state)));
  }

  /** Tells reports to look again; one that is gone (closed, never existed) is skipped. */
  async tell(reportIds: readonly string[]): Promise<void> {
    const windowId = this.state.input.windowId;
    await Promise.allSettled(
      reportIds.map((id) => getExternalWorkflowHandle(reportWorkflowId(id)).signal(maintenanceChangedSignal, { windowId })),
    );
  }
}

export async function maintenanceWindow(rawInput: unknown, carried?: CarriedWindow): Promise<WindowView> {
  const shell = new WindowShell(checkWindowStart(rawInput, carried));
  shell.registerHandlers();
  let lastScanAt = 0;
  // The occurrence this run held reports for, and whom it told: told again when it is over.
  let holding: { index: number; reportIds: string[] } | undefined;
  let ranAnOccurrence = false;
  for (;;) {
    shell.state = advanceWindow(shell.state, Date.now());
    const active = shell.state.phase === 'active' ? shell.state.occurrence : undefined;
    if (holding && active?.index !== holding.index) {
      // Over (ended, cancelled, or the next occurrence already running): the reports release themselves when told.
      const told = holding.reportIds;
      holding = undefined;
      lastScanAt = 0;
      shell.publish();
      await shell.tell(told);
      continue;
    }
    shell.publish();
    if (isWindowOver(shell.state)) break;
    if (active) {
      ranAnOccurrence = true;
      holding ??= { index: active.index, reportIds: [] };
      if (lastScanAt === 0 || Date.now() >= nextScanAt(active.start, lastScanAt)) {
        lastScanAt = Date.now();
        const found = await reportsInScope({ windowId: shell.state.input.windowId, scope: shell.state.input.scope });
        if (shell.state.phase !== 'active' || shell.state.occurrence?.index !== active.index) continue;
        // Every one is told, not only new ones: one told before may have raced the start in its look-up.
        shell.state = withHeldReports(shell.state, found);
        holding.reportIds = [...new Set([...holding.reportIds, ...found])];
        shell.publish();
        await shell.tell(found);
        continue;
      }
    }
    // Between occurrences a fresh run carries the state, so a window recurring for years keeps a short history.
    if (shell.state.phase === 'scheduled' && ranAnOccurrence && allHandlersFinished()) {
      await continueAsNew<typeof maintenanceWindow>(rawInput, { state: shell.state });
    }
    const wake = Math.min(
      nextWindowWakeUp(shell.state) ?? Number.MAX_SAFE_INTEGER,
      active ? nextScanAt(active.start, lastScanAt) : Number.MAX_SAFE_INTEGER,
    );
    const seen = shell.changes;
    await condition(() => shell.changes !== seen, Math.max(1, wake - Date.now()));
  }
  await condition(allHandlersFinished);
  return windowView(shell.state);
}
