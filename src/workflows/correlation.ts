/**
 * Workflow to workflow: the `groupLink` effect of a group's parent or child, sent as the internal
 * `groupLink` signal to the other report's workflow (`spdr-<reportId>`). A signal to a report
 * whose workflow is not running (never opened, or already closed or cancelled) fails: for a `join`
 * that is the child's refusal, recorded on the parent; for a `joined` the child leaves the group of
 * a parent that is gone.
 */
import { getExternalWorkflowHandle } from '@temporalio/workflow';
import { reportWorkflowId } from '../contract';
import type { Command, EffectOf } from '../domain';
import { groupLinkSignal } from './messages';

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
