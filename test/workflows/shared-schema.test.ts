/**
 * The domain's zod schemas are built once per worker thread and shared by every workflow of that
 * thread (src/domain/shared-schema.ts, preloaded through src/workflows/preload.ts), in the real
 * sandbox with the product's bundle options: the first workflow builds them, the next ones reuse
 * them, and a shared schema is not frozen by the SDK (a frozen one would throw on its first parse)
 * and still refuses with zod's own wording.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { bundleReportWorkflows } from '../../src/infra/workflow-bundle';
import { connectToDevServer, uniqueTaskQueue } from '../support/env';
import type { schemaProbe } from './shared-schema-probe';

let server: Awaited<ReturnType<typeof connectToDevServer>>;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('shared-schema');
const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await connectToDevServer();
  const workflowBundle = await bundleReportWorkflows({
    workflowsPath: join(__dirname, 'shared-schema-probe', 'index.ts'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} },
  });
  // One workflow thread, so every probe sees the same cache (the SDK's default is two threads).
  worker = await Worker.create({ connection: server.nativeConnection, taskQueue, workflowBundle, workflowThreadPoolSize: 1 });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await server?.close();
});

const validInput = { reportId: 'SS-1', service: { id: 'svc-ss' }, severity: 'major', description: 'Jitter on the metro ring' };

function probe(i: number, input: unknown): Promise<Awaited<ReturnType<typeof schemaProbe>>> {
  return server.client.workflow.execute('schemaProbe', { taskQueue, workflowId: `schema-probe-${runTag}-${i}`, args: [input] });
}

describe('schemas shared by the workflows of a worker thread', () => {
  it('the first workflow builds them, every later one reuses all of them, and they parse as before', async () => {
    const first = await probe(1, validInput);
    expect(first.stats.reused).toBe(0);
    expect(first.stats.built).toBeGreaterThan(50);
    const second = await probe(2, validInput);
    const third = await probe(3, { ...validInput, reportId: 'not an id', severity: 'huge' });
    // Nothing built again: each later workflow got every schema from the cache.
    expect(second.stats).toEqual({ built: first.stats.built, reused: first.stats.built });
    expect(third.stats).toEqual({ built: first.stats.built, reused: 2 * first.stats.built });
    for (const p of [first, second, third]) expect(p.startSchemaFrozen).toBe(false);
    expect(second.parsed).toMatchObject({ ok: true, value: { reportId: 'SS-1', degradedKpis: [] } });
    expect(third.parsed).toEqual({
      ok: false,
      reason:
        'startInput.reportId: use only letters, digits and . _ : -; ' +
        'startInput.severity: Invalid option: expected one of "critical"|"major"|"minor"|"warning"',
    });
  });
});
