/**
 * Reports that talk to other reports' workflows:
 * - the `groupLink` effect of a group's parent or child, sent as the internal `groupLink` signal to
 *   the other report's workflow (`spdr-<reportId>`). A signal to a report whose workflow is not
 *   running (never opened, or already closed or cancelled) fails: for a `join` that is the child's
 *   refusal, recorded on the parent; for a `joined` the child leaves the group of a parent that is gone;
 * - the `correlate` effect of a report opened with a `correlationKey`, sent to the key's coordinator,
 *   the `correlationGroup` workflow `spdr-correlation-<key>` below, which is started when it is not
 *   running. Temporal runs at most one workflow per id, so however many reports open with one key in
 *   the same second, one coordinator decides, one message at a time: the first report leads the
 *   group, every later one is sent to it with `group`, until it no longer takes children (cleared,
 *   closed or cancelled); the next report then leads a new group.
 */
import {
  allHandlersFinished,
  condition,
  continueAsNew,
  getExternalWorkflowHandle,
  ParentClosePolicy,
  setHandler,
  startChild,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { correlationWorkflowId, reportWorkflowId } from '../contract';
import type { Command, EffectOf } from '../domain';
import { correlateSignal, correlationQuery, groupLinkSignal, MESSAGES, type CorrelateMessage } from './messages';

/** Sends one link; answers the fact to feed back to the sender's own core when it could not be delivered. */
export async function sendGroupLink(effect: EffectOf<'groupLink'>): Promise<Command | undefined> {
  try {
    await getExternalWorkflowHandle(reportWorkflowId(effect.to)).signal(groupLinkSignal, effect.link);
    return undefined;
  } catch (err) {
    const why = `no open report ${effect.to} (${err instanceof Error ? err.message : String(err)})`.slice(0, 2000);
    // A child that could not join is a refusal for its parent; a child whose parent is gone stays on its own.
    if (effect.link.op === 'join') return { name: 'groupLink', payload: { from: effect.to, op: 'refused', reason: why } };
    if (effect.link.op === 'joined') return { name: 'groupLink', payload: { from: effect.to, op: 'release', reason: why } };
    return undefined;
  }
}

/** Tells the key's coordinator, starting it when none runs (and signalling it when another report started it first). */
export async function sendCorrelation(effect: EffectOf<'correlate'>): Promise<void> {
  const workflowId = correlationWorkflowId(effect.key);
  const message: CorrelateMessage = { reportId: effect.reportId, op: effect.op };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await getExternalWorkflowHandle(workflowId).signal(correlateSignal, message);
      return;
    } catch {
      // No coordinator runs: an ended report has nothing to tell; an opened one starts it.
      if (effect.op === 'ended') return;
    }
    try {
      await startChild(correlationGroup, {
        workflowId,
        args: [{ key: effect.key, queue: [message] }],
        taskQueue: workflowInfo().taskQueue,
        // The coordinator outlives the report that happened to start it.
        parentClosePolicy: ParentClosePolicy.ABANDON,
        workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      });
      return;
    } catch {
      // Another report started it in the meantime: signal it (next round).
    }
  }
}

/** The coordinator's state; continue-as-new carries it. */
export interface CorrelationInput {
  key: string;
  /** The report leading the key's group. */
  parentReportId?: string;
  /** Reports already sent to the parent (never sent twice, so one `group` is never refused as a repeat). */
  members?: string[];
  /** Messages not handled yet. */
  queue?: CorrelateMessage[];
}

/** How long a coordinator whose group ended waits for the next report with its key before it ends. */
const IDLE_BEFORE_END = '24h';

/** At most this many children in one `group` (its payload's bound). */
const GROUP_BATCH = 1000;

function isCorrelateMessage(value: unknown): value is CorrelateMessage {
  if (typeof value !== 'object' || value === null) return false;
  const { reportId, op } = value as Record<string, unknown>;
  return typeof reportId === 'string' && reportId.length > 0 && (op === 'open' || op === 'ended');
}

/** `correlationGroup`: one per correlation key (id `spdr-correlation-<key>`); ends when no report leads the key's group. */
export async function correlationGroup(input: CorrelationInput): Promise<CorrelationInput> {
  const key = input.key;
  let parent = input.parentReportId;
  let members = new Set(input.members ?? []);
  const queue: CorrelateMessage[] = [...(input.queue ?? [])];
  setHandler(
    correlateSignal,
    (message: unknown) => {
      if (isCorrelateMessage(message)) queue.push(message);
    },
    { description: 'Internal: sent by a degradationReport workflow opened with this correlation key.' },
  );
  setHandler(correlationQuery, () => ({ key, parentReportId: parent, members: [...members] }), {
    description: 'The key, the report leading its group and the reports sent to it.',
  });
  const by = `correlation:${key}`.slice(0, 200);
  for (;;) {
    const batch = queue.splice(0);
    const waiting: string[] = [];
    for (const message of batch) {
      if (message.op === 'ended') {
        // Reports not yet sent to the former parent go to the next one.
        if (message.reportId === parent) {
          parent = undefined;
          members = new Set();
        }
        const at = waiting.indexOf(message.reportId);
        if (at >= 0) waiting.splice(at, 1);
        continue;
      }
      if (message.reportId !== parent && !members.has(message.reportId) && !waiting.includes(message.reportId))
        waiting.push(message.reportId);
    }
    while (waiting.length > 0) {
      if (parent === undefined) {
        parent = waiting.shift()!;
        members = new Set();
        continue;
      }
      const children = waiting.slice(0, GROUP_BATCH);
      try {
        await getExternalWorkflowHandle(reportWorkflowId(parent)).signal(MESSAGES.group.signal, {
          by,
          children,
          reason: `correlationKey ${key}`,
        });
        waiting.splice(0, children.length);
        for (const child of children) members.add(child);
      } catch {
        // The parent's workflow is gone: the next report leads.
        parent = undefined;
      }
    }
    if (queue.length > 0) continue;
    if (workflowInfo().continueAsNewSuggested && allHandlersFinished())
      return continueAsNew<typeof correlationGroup>({ key, parentReportId: parent, members: [...members], queue: queue.splice(0) });
    if (parent !== undefined) {
      await condition(() => queue.length > 0 || workflowInfo().continueAsNewSuggested);
      continue;
    }
    // No report leads the key: wait a while for the next one (a storm comes in waves), then end.
    const more = await condition(() => queue.length > 0 || workflowInfo().continueAsNewSuggested, IDLE_BEFORE_END);
    if (!more && queue.length === 0 && allHandlersFinished()) return { key };
  }
}
