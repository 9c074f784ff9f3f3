/**
 * The handlers' state: the report, the change counter the main loop waits on, and the one way a
 * message or fact reaches the core. Kept in one class so checking determinism means reading one
 * place.
 */
import { ApplicationFailure, setCurrentDetails, upsertSearchAttributes } from '@temporalio/workflow';
import {
  applyCommand,
  recordRejection,
  type Command,
  type CommandContext,
  type CommandResult,
  type Effect,
  type Report,
} from '../../domain';
import { boundReport } from '../../domain/bounds';
import { renderDetails, searchAttributesOf } from '../presentation';
import { countFacts } from './metrics';

/** A refused update: the reason is the whole message; operators need no stack trace of ours. */
export function rejection(reason: string): ApplicationFailure {
  const failure = ApplicationFailure.create({ message: reason, type: 'RejectedInput', nonRetryable: true });
  failure.stack = `RejectedInput: ${reason}`;
  return failure;
}

export class ReportState {
  /** Counts changes (messages applied, effects finished, timers fired); the main loop waits on it. */
  changes = 0;
  private current: Report | undefined;
  private lastSearchAttributes = '';
  /** The policy layers the report was opened with (configured defaults, its own policy), for `setSeverity`. */
  context: CommandContext = {};

  constructor(
    report: Report | undefined,
    private readonly onEffects: (effects: readonly Effect[]) => void,
  ) {
    this.current = report;
  }

  get opened(): boolean {
    return this.current !== undefined;
  }

  get report(): Report {
    return this.current!;
  }

  changed(): void {
    this.changes += 1;
  }

  adopt(next: { report: Report; effects: readonly Effect[] }): void {
    // Long lists keep their most recent entries plus totals, so state stays well inside Temporal's limits.
    const before = this.current;
    this.current = boundReport(next.report);
    countFacts(before, this.current);
    this.onEffects(next.effects);
    this.changes += 1;
  }

  /**
   * The core, with a safety net: should a message ever make it throw (a bug, not bad input, which
   * it rejects), the message is refused with the error as reason instead of failing the workflow
   * task forever. Deterministic, so replay-safe.
   */
  apply(command: Command): CommandResult {
    try {
      return applyCommand(this.report, command, Date.now(), this.context);
    } catch (err) {
      return {
        ok: false,
        reason: `${command.name}: could not be applied (${err instanceof Error ? err.message : String(err)})`.slice(0, 1000),
      };
    }
  }

  /** Applies a signal or fact; a refusal is recorded in `rejectedInputs`. */
  feed(command: Command): void {
    if (!this.current) return;
    const result = this.apply(command);
    if (result.ok) this.adopt(result);
    else this.reject(command, result.reason);
  }

  reject(command: Command, reason: string): void {
    if (!this.current) return;
    this.adopt({ report: recordRejection(this.report, command.name, command.payload, reason, Date.now()), effects: [] });
  }

  /** Search attributes and Temporal Web details, refreshed once per activation rather than per message. */
  publish(): void {
    if (!this.current) return;
    const attributes = searchAttributesOf(this.current);
    const key = JSON.stringify(attributes);
    if (key !== this.lastSearchAttributes) {
      this.lastSearchAttributes = key;
      upsertSearchAttributes(attributes);
    }
    setCurrentDetails(renderDetails(this.current));
  }
}
