/**
 * The operator contract: message names people type in Temporal Web and integrations send.
 * Shared by the workflow (handlers) and clients (typed handles). Each operation exists as a
 * signal (fire and forget; a bad payload lands in `rejectedInputs`) and as an update with the
 * same name (synchronous: a bad payload is refused with the same message). Payload types are the
 * zod schemas' input types, so a client is checked against the same rules the core validates.
 */
import type { QueryDefinition, SignalDefinition, UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import {
  MESSAGE_NAMES,
  type GroupLinkPayload,
  type JeopardyState,
  type MessageName,
  type MessagePayloadJson,
  type Report,
  type ReportStatus,
} from '../domain';

/** Query `report`: the whole report (status, analysis, tasks, trouble reports, jeopardy, history, rejected inputs). */
export const reportQuery: QueryDefinition<Report> = defineQuery<Report>('report');

/** One line per message for Temporal Web's signal/update dialogs; the README shows full examples. */
export const MESSAGE_DESCRIPTIONS: Record<MessageName, string> = {
  addAnalysis:
    'Add first-in or ongoing analysis. {"author":"noc.anna","summary":"Packet loss on PE-7 uplink","rootCause":{"domain":"resource","resourceId":"PE-7"}}',
  assign: 'Plan or reassign a task. {"by":"noc.anna","taskId":"t1","kind":"analysis","assignee":"tx.team","due":"2h","dependsOn":[]}',
  updateTask: 'Move a task on. {"by":"tx.team","taskId":"t1","status":"done","note":"fixed"}',
  setStatus: 'Set status inProgress, pending or held, with a reason. {"by":"noc.anna","status":"pending","reason":"waiting on customer"}',
  cancel:
    'Cancel the report (e.g. a false service failure event). {"by":"noc.anna","reason":"falseServiceFailureEvent","note":"probe misconfigured"}',
  clear: 'Clear the report; informs the Close SPDR process. {"by":"noc.anna","resolution":"Uplink replaced"}',
  confirmClosure: 'Confirm closure of a cleared report. {"by":"close.process"}',
  rejectClearance: 'Reject the clearance and reopen the report. {"by":"customer.care","reason":"latency still high"}',
  resourceTroubleUpdate:
    'Callback: resource trouble report progress. {"externalId":"spdr-R-1001-rtr-PE-7","status":"resolved","by":"resource-trouble-management"}',
  setSeverity:
    'Re-prioritise: the new severity\'s policy applies from the clock\'s start, paused time kept; a level already sent is not sent again. {"by":"noc.anna","severity":"critical","reason":"more cells affected"}',
  group:
    'Send to the parent: the children join its group (their clocks pause; the parent escalates for all). {"by":"noc.anna","children":["R-1002","R-1003"],"reason":"same fibre cut"}',
  ungroup:
    'Send to the parent: the children leave its group; their clocks resume. {"by":"noc.anna","children":["R-1002"],"reason":"different cause"}',
  partnerUpdate: 'Callback: partner request progress. {"externalId":"spdr-R-1001-pr-acme-FIB-9","status":"resolved","by":"partner:acme"}',
};

/**
 * What an update answers: a small summary of the report after the change, never the whole report
 * (an update result is stored in history with every update; the whole report is the `report`
 * query). `SpdrClient.update` and the CLI read the report with the query after the update.
 */
export interface UpdateResult {
  reportId: string;
  status: ReportStatus;
  jeopardy: JeopardyState;
  deadline: string;
  escalationLevel: number;
  /** Entries in the audit trail, the trimmed ones included: a change counter the caller can compare. */
  historyEntries: number;
}

/** The signal and the update of one message, typed with its payload as a client sends it. */
export interface MessageDefinitions<N extends MessageName> {
  signal: SignalDefinition<[MessagePayloadJson<N>], N>;
  update: UpdateDefinition<UpdateResult, [MessagePayloadJson<N>], N>;
}

function definitionsOf<N extends MessageName>(name: N): MessageDefinitions<N> {
  return { signal: defineSignal<[MessagePayloadJson<N>], N>(name), update: defineUpdate<UpdateResult, [MessagePayloadJson<N>], N>(name) };
}

/** Every message's signal and update definitions, by message name. */
export const MESSAGES = Object.fromEntries(MESSAGE_NAMES.map((name) => [name, definitionsOf(name)])) as {
  [N in MessageName]: MessageDefinitions<N>;
};

/**
 * Internal signal `groupLink`: a group's parent and its children tell each other (join, release,
 * clear, close / joined, refused, left). Sent workflow to workflow by the reports themselves, not
 * by operators: each side accepts a link only from the report it is linked to.
 */
export const groupLinkSignal: SignalDefinition<[GroupLinkPayload], 'groupLink'> = defineSignal<[GroupLinkPayload], 'groupLink'>(
  'groupLink',
);

/** What a report tells its correlation key's coordinator: it opened, or it no longer takes children. */
export interface CorrelateMessage {
  reportId: string;
  op: 'open' | 'ended';
}

/** Internal signal `correlate`, from a report's workflow to its key's `correlationGroup` coordinator. */
export const correlateSignal: SignalDefinition<[CorrelateMessage], 'correlate'> = defineSignal<[CorrelateMessage], 'correlate'>(
  'correlate',
);

/** What the coordinator shows (query `correlation`): the key, the report leading its group, the reports sent to it. */
export interface CorrelationView {
  key: string;
  parentReportId?: string;
  members: string[];
}

export const correlationQuery: QueryDefinition<CorrelationView> = defineQuery<CorrelationView>('correlation');
