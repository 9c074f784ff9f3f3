/**
 * How the client tells what went wrong from the SDK's errors: an unknown report, an unreachable
 * server, a refusal by the report, a message to a report that has ended.
 */
import { ServiceError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import type { MessageName } from '../domain';
import type { ReportHandle } from './client-options';
import { SpdrError, SpdrNotFoundError, SpdrRejectedError, SpdrUnreachableError } from './errors';

export const GRPC_UNAVAILABLE = 14;
export const GRPC_DEADLINE_EXCEEDED = 4;

/** What the translation needs from the client: its connection, its address, and a report's handle. */
export interface ClientSide {
  readonly client: Client;
  readonly address: string;
  handle(reportId: string): ReportHandle;
}

export const isGrpcCode = (err: unknown, code: number): err is ServiceError =>
  err instanceof ServiceError && (err.cause as { code?: unknown } | undefined)?.code === code;

/** "the report is cancelled" for a report whose workflow has ended, from its final report when there is one. */
export async function endedAs(spdr: ClientSide, reportId: string): Promise<string> {
  const handle = spdr.handle(reportId);
  const status = await spdr.client
    .withDeadline(Date.now() + 5_000, () => handle.result())
    .then(
      (report) => report.status,
      () => undefined,
    );
  return status ? `the report is ${status}` : 'the report has ended';
}

/** Turns SDK errors into the client's own: unknown report, unreachable server, refusal. */
export function translateError(err: unknown, reportId: string, address: string): unknown {
  if (err instanceof SpdrError) return err;
  if (err instanceof WorkflowNotFoundError) return new SpdrNotFoundError(reportId);
  if (isGrpcCode(err, GRPC_UNAVAILABLE)) return new SpdrUnreachableError(address, err.cause);
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
    return new SpdrRejectedError(reportId, err.cause.message);
  return err;
}

/** `translateError` for a signal or update, which also tells "ended, takes no more messages" from "unknown". */
export async function translateMessageError(spdr: ClientSide, err: unknown, reportId: string, name: MessageName): Promise<unknown> {
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure)
    return new SpdrRejectedError(reportId, err.cause.message, name);
  if (err instanceof WorkflowNotFoundError || (err instanceof ServiceError && /completed|closed/i.test(serviceDetails(err)))) {
    // Temporal answers "not found" for a workflow that has completed too; tell the two apart.
    const status = await spdr
      .handle(reportId)
      .describe()
      .then(
        (d) => d.status.name,
        () => undefined,
      );
    if (status && status !== 'RUNNING')
      return new SpdrRejectedError(reportId, `${await endedAs(spdr, reportId)}; it takes no more messages`, name);
    if (!status) return new SpdrNotFoundError(reportId);
  }
  return translateError(err, reportId, spdr.address);
}

function serviceDetails(err: ServiceError): string {
  const cause = err.cause as { details?: unknown } | undefined;
  return `${err.message} ${typeof cause?.details === 'string' ? cause.details : ''}`;
}
