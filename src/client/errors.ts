/**
 * What can go wrong when an integration talks to reports, one class per thing the caller can act
 * on differently (fix the input, check the report id, start the server, accept the refusal). The
 * starter CLI maps each class to its own exit code.
 */
import { reportWorkflowId } from '../contract';

/** Base class of every error the SPDR client throws on purpose. */
export class SpdrError extends Error {
  override readonly name: string = 'SpdrError';
}

/** Input refused by the client before anything was sent; the message names the field (`startInput.severity: ...`). */
export class SpdrInvalidInputError extends SpdrError {
  override readonly name = 'SpdrInvalidInputError';
}

/** No report with this id exists (no workflow `spdr-<reportId>` in the namespace). */
export class SpdrNotFoundError extends SpdrError {
  override readonly name = 'SpdrNotFoundError';
  constructor(readonly reportId: string) {
    super(`report ${reportId} not found (no workflow ${reportWorkflowId(reportId)}); check the report id and TEMPORAL_NAMESPACE`);
  }
}

/**
 * The report refused the request: an update the workflow rejected (illegal transition, invalid
 * payload for its current state), a message to a report that is already closed or cancelled, or
 * an open of a report id whose report has already ended. `reason` is the report's own words.
 */
export class SpdrRejectedError extends SpdrError {
  override readonly name = 'SpdrRejectedError';
  constructor(
    readonly reportId: string,
    readonly reason: string,
    /** The message that was refused, when there was one. */
    readonly messageName?: string,
  ) {
    super(`report ${reportId} rejected ${messageName ?? 'the request'}: ${reason}`);
  }
}

/** The Temporal frontend could not be reached (connection refused, DNS, TLS, deadline). */
export class SpdrUnreachableError extends SpdrError {
  override readonly name = 'SpdrUnreachableError';
  constructor(
    readonly address: string,
    override readonly cause?: unknown,
  ) {
    const detail = cause instanceof Error ? ` (${cause.message})` : '';
    super(`cannot reach Temporal at ${address}${detail}; is \`npm start\` running? set TEMPORAL_ADDRESS`);
  }
}
