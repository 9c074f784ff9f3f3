/**
 * The worker's own bundling path (createWorker without a pre-built bundle) preloads zod once per
 * worker thread (src/infra/workflow-bundle.ts). Several reports then share that one copy, frozen
 * by the SDK: valid messages must still be applied, invalid ones refused with zod's own English
 * wording (the locale zod installs lazily, settled by src/workflows/preload.ts before the freeze),
 * and no workflow task may fail.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import type { Report } from '../../src/domain';
import { loadWorkerSettings } from '../../src/config/worker-settings';
import { PRELOAD_MODULES } from '../../src/infra/workflow-bundle';
import { createWorker } from '../../src/worker';
import { connectToDevServer, uniqueTaskQueue, workflowBundle } from '../support/env';
import { WORKFLOW_TYPE } from '../../src/contract';

let server: Awaited<ReturnType<typeof connectToDevServer>>;
let worker: Worker;
let running: Promise<void>;
const taskQueue = uniqueTaskQueue('preload');
const runTag = `${process.pid.toString(36)}${Date.now().toString(36)}`;

beforeAll(async () => {
  server = await connectToDevServer();
  // Nothing in this test reaches an outside system: the URLs only have to be valid.
  const settings = loadWorkerSettings({
    SPDR_TASK_QUEUE: taskQueue,
    SPDR_TROUBLE_URL: 'http://127.0.0.1:9/tmf-api/troubleTicket/v5',
    SPDR_ESCALATION_URL: 'http://127.0.0.1:9/escalations',
    SPDR_CLOSE_URL: 'http://127.0.0.1:9/close',
  });
  worker = await createWorker({ connection: server.nativeConnection, settings });
  running = worker.run();
}, 120_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await server?.close();
});

describe('preloaded zod, shared by every report of a worker thread', () => {
  it('the bundle preloads the warm-up module, and the warm-up module pulls zod in', async () => {
    const warmUp = PRELOAD_MODULES.find((m) => m.endsWith('preload.ts'));
    expect(warmUp && existsSync(warmUp)).toBe(true);
    const { code } = await workflowBundle();
    const preload = code.slice(code.indexOf('preloadModules = function preloadModules()'), code.indexOf('exports.importWorkflows'));
    expect(preload).toContain('./src/workflows/preload.ts');
    // The warm-up module's body requires zod: were its use removed, webpack would drop the import
    // and every report would evaluate its own copy of zod again.
    const start = code.indexOf('"./src/workflows/preload.ts"');
    const body = code.slice(start, code.indexOf('/***/ })', start));
    expect(body).toMatch(/__webpack_require__\(\/\*! zod \*\//);
  });

  it('three reports at once apply valid messages and refuse invalid ones in plain English, with no workflow task failure', async () => {
    const handles = await Promise.all(
      [1, 2, 3].map((i) =>
        server.client.workflow.start(WORKFLOW_TYPE, {
          taskQueue,
          workflowId: `spdr-PL-${runTag}-${i}`,
          args: [
            {
              reportId: `PL-${runTag}-${i}`,
              service: { id: `svc-pl-${i}` },
              severity: 'major',
              description: 'Packet loss above 2% on the aggregation ring',
              detectedAt: '2026-11-26T01:00:00Z',
              degradedKpis: [{ name: 'packetLoss', threshold: 2, observed: 3.5, unit: '%' }],
            },
          ],
        }),
      ),
    );
    for (const h of handles) {
      await h.signal('addAnalysis', { author: 'noc.anna', summary: 'ring 7 flapping' });
      await h.signal('addAnalysis', { author: 'noc.anna', summary: 42 });
      await h.signal('setStatus', { by: 'noc.anna', status: 'sideways', reason: 'typo' });
    }
    for (const h of handles) {
      let report: Report | undefined;
      for (let i = 0; i < 100; i++) {
        report = await h.query<Report>('report');
        if (report.analysis.length + report.rejectedInputs.length >= 3) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(report!.analysis.map((a) => a.summary)).toEqual(['ring 7 flapping']);
      expect(report!.rejectedInputs.map((r) => r.message)).toEqual(['addAnalysis', 'setStatus']);
      // zod's English messages: present only if the default locale was installed before the freeze.
      expect(report!.rejectedInputs[0].reason).toMatch(/summary/);
      expect(report!.rejectedInputs[0].reason).toMatch(/expected string/i);
      expect(report!.rejectedInputs[1].reason).toMatch(/status/);
      const history = await h.fetchHistory();
      expect(history.events!.filter((e) => e.workflowTaskFailedEventAttributes)).toHaveLength(0);
      await h.signal('cancel', { by: 'noc.anna', reason: 'other' });
    }
  });
});
