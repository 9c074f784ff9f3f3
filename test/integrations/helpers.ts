import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';

/** Awaits a promise that must fail with an ApplicationFailure, and returns the failure. */
export async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the call to fail').toBeInstanceOf(ApplicationFailure);
  return error as ApplicationFailure;
}

/** What an activity retry policy does, with a short backoff: retry retryable failures until success. */
export async function retryUntilSuccess<T>(attempt: () => Promise<T>, maxAttempts = 50): Promise<{ result: T; attempts: number }> {
  for (let attempts = 1; ; attempts += 1) {
    try {
      return { result: await attempt(), attempts };
    } catch (error) {
      if (!(error instanceof ApplicationFailure) || error.nonRetryable || attempts >= maxAttempts) throw error;
      await new Promise((r) => setTimeout(r, Math.min(10 * 2 ** attempts, 200)));
    }
  }
}

/** A one-off HTTP server answering every request with `answer`. */
export async function stubServer(
  answer: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(answer);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
