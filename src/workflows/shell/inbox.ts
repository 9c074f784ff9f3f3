/**
 * The inbox: signals and updates wait here and the main loop applies them in arrival order, at
 * most `perTask` per workflow task, so a burst of thousands of signals is paced over several
 * workflow tasks instead of one task that outlives the deadlock detector.
 *
 * It also finishes decoding: a payload the worker could not decode arrives as an
 * {@link UndecodablePayload} marker (see ../payload-converter.ts) and is handed on as a refusal
 * naming the encoding or key problem, never to the core.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { MessageName } from '../../domain';
import { undecodableReason } from '../undecodable';

export interface Reply<R> {
  resolve(result: R): void;
  reject(err: unknown): void;
}

/** Operator messages, and the internal `groupLink` between a group's parent and its children. */
export type InboxName = MessageName | 'groupLink';

export interface InboxItem<R> {
  name: InboxName;
  payload: unknown;
  /** Set when the payload could not be decoded: the reason, for `rejectedInputs` or the caller. */
  undecodable?: string;
  /** Set for updates: the caller waits for the outcome. */
  reply?: Reply<R>;
}

/** What `rejectedInputs` shows as the payload of an undecodable message. */
export const UNDECODABLE_PREVIEW = '[undecodable payload]';

export class Inbox<R> {
  private items: InboxItem<R>[] = [];
  private head = 0;
  // Workflow time and history length stand still within one workflow task, so they tell tasks apart.
  private budgetTask = -1;
  private budgetLeft = 0;

  constructor(private readonly perTask: number) {}

  get pending(): number {
    return this.items.length - this.head;
  }

  push(name: InboxName, payload: unknown, reply?: Reply<R>): void {
    const reason = undecodableReason(payload);
    this.items.push(reason === undefined ? { name, payload, reply } : { name, payload: UNDECODABLE_PREVIEW, undecodable: reason, reply });
  }

  /** Hands the messages this workflow task may still apply to `apply`, oldest first. */
  drain(apply: (item: InboxItem<R>) => void): void {
    const task = workflowInfo().historyLength;
    if (task !== this.budgetTask) {
      this.budgetTask = task;
      this.budgetLeft = this.perTask;
    }
    for (; this.budgetLeft > 0 && this.head < this.items.length; this.budgetLeft--) {
      const item = this.items[this.head];
      this.items[this.head++] = undefined as never;
      apply(item);
    }
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    }
  }
}
