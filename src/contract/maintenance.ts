/**
 * The maintenance window's part of the operator contract (second edition): workflow type, id,
 * messages and query; and the one internal signal by which a window tells a report to look again.
 * Safe to import from workflow code.
 */
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { WindowMessageName, WindowView } from '../domain/maintenance';
import type { CancelWindow, ExtendWindow } from '../domain/maintenance';
import type { z } from 'zod';

export { windowIdOfWorkflowId, windowWorkflowId } from '../domain/maintenance';
export type { MaintenanceWindowInputJson, WindowView } from '../domain/maintenance';

/** The workflow type of a maintenance window (operator contract). */
export const WINDOW_WORKFLOW_TYPE = 'maintenanceWindow';

/** Query `window`: state, scope, current and next occurrence, reports held. */
export const windowQuery: QueryDefinition<WindowView> = defineQuery<WindowView>('window');

export interface WindowPayloads {
  cancelWindow: z.input<typeof CancelWindow>;
  extendWindow: z.input<typeof ExtendWindow>;
}

/** Each window message is a signal (the contract) and an update of the same name (synchronous refusal, for the CLI). */
export const WINDOW_MESSAGES: {
  [N in WindowMessageName]: {
    signal: SignalDefinition<[WindowPayloads[N]], N>;
    update: UpdateDefinition<WindowView, [WindowPayloads[N]], N>;
  };
} = {
  cancelWindow: { signal: defineSignal('cancelWindow'), update: defineUpdate('cancelWindow') },
  extendWindow: { signal: defineSignal('extendWindow'), update: defineUpdate('extendWindow') },
};

export const WINDOW_MESSAGE_DESCRIPTIONS: Record<WindowMessageName, string> = {
  cancelWindow: 'End the window now; every report it holds is released. {"by":"noc.anna","reason":"change rolled back"}',
  extendWindow: 'Move the end of the running (or next) occurrence later. {"by":"noc.anna","end":"2026-12-02T04:00:00Z"}',
};

/**
 * Internal signal from a window to a report: "a window that may hold you started or ended; look
 * again". It carries nothing the report trusts: the report asks the windows themselves (an
 * activity) which one holds it, so a forged signal costs one look-up and changes nothing.
 */
export const maintenanceChangedSignal: SignalDefinition<[{ windowId: string }], 'maintenanceChanged'> = defineSignal('maintenanceChanged');
