/**
 * The operator contract: message names people type in Temporal Web and integrations send.
 * Shared by the workflow (handlers) and clients (typed handles). Each operation exists as a
 * signal (fire and forget; a bad payload lands in `rejectedInputs`) and as an update with the
 * same name (synchronous: a bad payload is refused with the same message).
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { MessageName, MessagePayloadJson, Report } from '../domain';
import type { UpdateResult } from './shell/update-result';

export type { UpdateResult };

/** Query `report`: the whole report (status, analysis, tasks, trouble reports, jeopardy, history, rejected inputs). */
export const reportQuery = defineQuery<Report>('report');

/** One line per message for Temporal Web's signal/update dialogs; the README shows full examples. */
export const MESSAGE_DESCRIPTIONS: Record<MessageName, string> = {
  addAnalysis:
    'Add first-in or ongoing analysis. {"author":"noc.anna","summary":"Packet loss on PE-7 uplink","rootCause":{"domain":"resource","resourceId":"PE-7"}}',
  assign:
    'Plan or reassign a task. {"by":"noc.anna","taskId":"t1","kind":"analysis","assignee":"tx.team","due":"2h","dependsOn":[]}',
  updateTask: 'Move a task on. {"by":"tx.team","taskId":"t1","status":"done","note":"fixed"}',
  setStatus: 'Set status inProgress, pending or held, with a reason. {"by":"noc.anna","status":"pending","reason":"waiting on customer"}',
  cancel: 'Cancel the report (e.g. a false service failure event). {"by":"noc.anna","reason":"falseServiceFailureEvent","note":"probe misconfigured"}',
  clear: 'Clear the report; informs the Close SPDR process. {"by":"noc.anna","resolution":"Uplink replaced"}',
  confirmClosure: 'Confirm closure of a cleared report. {"by":"close.process"}',
  rejectClearance: 'Reject the clearance and reopen the report. {"by":"customer.care","reason":"latency still high"}',
  resourceTroubleUpdate:
    'Callback: resource trouble report progress. {"externalId":"spdr-R-1001-rtr-PE-7","status":"resolved","by":"resource-trouble-management"}',
  partnerUpdate: 'Callback: partner request progress. {"externalId":"spdr-R-1001-pr-acme-FIB-9","status":"resolved","by":"partner:acme"}',
};

function signalsAndUpdates<N extends MessageName>(names: readonly N[]) {
  return Object.fromEntries(
    names.map((name) => [name, { signal: defineSignal<[MessagePayloadJson<N>]>(name), update: defineUpdate<UpdateResult, [MessagePayloadJson<N>]>(name) }]),
  ) as { [K in N]: { signal: ReturnType<typeof defineSignal<[MessagePayloadJson<K>]>>; update: ReturnType<typeof defineUpdate<UpdateResult, [MessagePayloadJson<K>]>> } };
}

export const MESSAGES = signalsAndUpdates(Object.keys(MESSAGE_DESCRIPTIONS) as MessageName[]);

export const addAnalysisSignal = MESSAGES.addAnalysis.signal;
export const assignSignal = MESSAGES.assign.signal;
export const updateTaskSignal = MESSAGES.updateTask.signal;
export const setStatusSignal = MESSAGES.setStatus.signal;
export const cancelSignal = MESSAGES.cancel.signal;
export const clearSignal = MESSAGES.clear.signal;
export const confirmClosureSignal = MESSAGES.confirmClosure.signal;
export const rejectClearanceSignal = MESSAGES.rejectClearance.signal;
export const resourceTroubleUpdateSignal = MESSAGES.resourceTroubleUpdate.signal;
export const partnerUpdateSignal = MESSAGES.partnerUpdate.signal;
