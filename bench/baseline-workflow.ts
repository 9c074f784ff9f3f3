/**
 * The baseline of the lifecycle benchmark: the same activities and signals as one report
 * lifecycle (local activity for settings, create trouble report, inform close; signals
 * addAnalysis, resourceTroubleUpdate, clear, confirmClosure; a `report` query), with no domain
 * logic: no validation, no state machine, no jeopardy timer, no search attributes, no details.
 * Whatever the lifecycle costs beyond this is the price of the product's own logic.
 */
import {
  condition,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  sleep,
  defineQuery,
  defineSignal,
  workflowInfo,
} from '@temporalio/workflow';
import type { SpdrActivities } from '../src/activities/types';
import { MESSAGES, reportQuery } from '../src/contract';

interface BaselineInput {
  reportId: string;
  severity: 'critical' | 'major' | 'minor' | 'warning';
  description: string;
}

interface BaselineState {
  reportId: string;
  signals: string[];
  ticketId?: string;
  closed: boolean;
}

// The product's message names, so the same client calls drive both workflows; payloads are not looked at.
const SIGNALS = [MESSAGES.addAnalysis, MESSAGES.resourceTroubleUpdate, MESSAGES.clear, MESSAGES.confirmClosure].map((m) => m.signal.name);
export const baselineQuery = defineQuery<BaselineState>(reportQuery.name);

const { reportSettings } = proxyLocalActivities<SpdrActivities>({ startToCloseTimeout: '10s' });
const activities = proxyActivities<SpdrActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export async function baseline(input: BaselineInput): Promise<BaselineState> {
  const state: BaselineState = { reportId: input.reportId, signals: [], closed: false };
  const seen = (signal: { name: string }) => () => state.signals.includes(signal.name);
  for (const name of SIGNALS) setHandler(defineSignal<[unknown]>(name), () => void state.signals.push(name));
  setHandler(baselineQuery, () => state);

  await reportSettings();
  await condition(seen(MESSAGES.addAnalysis.signal));
  // Like the report, the trouble report is created while the workflow keeps receiving messages.
  const created = activities
    .createTroubleReport({
      type: 'createTroubleReport',
      key: `${workflowInfo().workflowId}-rtr-PE-7`,
      reportId: input.reportId,
      resourceId: 'PE-7',
      severity: input.severity,
      description: input.description,
      taskId: 'rtr-PE-7',
    })
    .then((ticket) => {
      state.ticketId = ticket.ticketId;
    });
  await condition(seen(MESSAGES.resourceTroubleUpdate.signal));
  await condition(seen(MESSAGES.clear.signal));
  await activities.informClose({
    type: 'informClose',
    reportId: input.reportId,
    resolution: 'baseline',
    clearedAt: new Date().toISOString(),
  });
  await condition(seen(MESSAGES.confirmClosure.signal));
  await created;
  state.closed = true;
  return state;
}

/**
 * The escalation baseline: sleeps until the same kind of instant a report's threshold falls due
 * (`dueAtMs`, absolute) and calls the same webhook activity the report's escalation calls. Its
 * lateness is what bare Temporal achieves on the same deadlines.
 */
export async function escalationBaseline(input: { reportId: string; dueAtMs: number }): Promise<void> {
  await sleep(Math.max(1, input.dueAtMs - Date.now()));
  await activities.notifyEscalation({
    type: 'notifyEscalation',
    reportId: input.reportId,
    level: 1,
    reason: 'breach',
    jeopardyState: 'breached',
    deadline: new Date(input.dueAtMs).toISOString(),
    detail: 'baseline: no domain logic',
  });
}
