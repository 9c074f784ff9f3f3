/**
 * The client's checks before anything is sent: the same zod schemas as the workflow, so a bad
 * field is named here (`clear.resolution: Required`) instead of landing in `rejectedInputs`.
 */
import {
  Identifier,
  MESSAGE_NAMES,
  formatIssues,
  isMessageName,
  parseMessage,
  parseStartInput,
  type MessageName,
  type StartInput,
} from '../domain';
import { SpdrInvalidInputError } from './errors';

/** Throws `SpdrInvalidInputError` (`reportId: ...`) for a report id that cannot exist. */
export function validateReportId(reportId: string): void {
  const parsed = Identifier.safeParse(reportId);
  if (!parsed.success) throw new SpdrInvalidInputError(formatIssues('reportId', parsed.error));
}

/** Validates a start input as the workflow will; throws `SpdrInvalidInputError` naming the field (`startInput.severity: ...`). */
export function validateStartInput(input: unknown): StartInput {
  const parsed = parseStartInput(input);
  if (!parsed.ok) throw new SpdrInvalidInputError(parsed.reason);
  return parsed.value;
}

/** Validates a message payload; throws `SpdrInvalidInputError` naming the message and field (`clear.resolution: Required`). */
export function validateMessage(name: string, payload: unknown): asserts name is MessageName {
  if (!isMessageName(name)) throw new SpdrInvalidInputError(`unknown message "${name}"; expected one of ${MESSAGE_NAMES.join(', ')}`);
  const parsed = parseMessage(name, payload);
  if (!parsed.ok) throw new SpdrInvalidInputError(parsed.reason);
}
