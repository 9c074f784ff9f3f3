/**
 * Once per `npm test`: provision the Temporal binaries (offline-capable) and start ONE shared dev
 * server for the tests that need a full server (updates, search attributes, visibility).
 * A missing binary fails the run loudly; no test silently skips.
 */
import type { TestProject } from 'vitest/node';
import { resolveTestServer, startDevServer } from '../../src/infra/temporal-servers';
import type { ServerExecutable } from '../../src/infra/temporal-binaries';

declare module 'vitest' {
  export interface ProvidedContext {
    devServerAddress: string;
    testServerExecutable: ServerExecutable;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const testServerExecutable = await resolveTestServer();
  const dev = await startDevServer();
  project.provide('devServerAddress', dev.address);
  project.provide('testServerExecutable', testServerExecutable);
  return async () => {
    await dev.teardown();
  };
}
