/**
 * Replays one committed history through the product's bundle again and again in one replay worker
 * and prints the warm median per event and the process's CPU time per event (all threads: load on a
 * shared machine inflates the first, much less the second): a quick check of replay cost, and a target for a CPU
 * profile of the workflow thread:
 *
 *   npx tsx bench/replay-profile.ts [history.json] [copies]
 *   node --cpu-prof --cpu-prof-dir=DIR --import tsx bench/replay-profile.ts
 *
 * Default: test/histories/paced-burst-of-1-200-signals.json (1,200 addAnalysis signals), 12 copies.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils';
import { Worker } from '@temporalio/worker';
import { reportWorkflowId } from '../src/contract';
import { bundleReportWorkflows } from '../src/infra/workflow-bundle';
import { median } from './stats';

async function main(): Promise<void> {
  const file = resolve(process.argv[2] ?? resolve(__dirname, '..', 'test', 'histories', 'paced-burst-of-1-200-signals.json'));
  const copies = Number(process.argv[3] ?? 12);
  const history = historyFromJSON(JSON.parse(readFileSync(file, 'utf8')));
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const input = started?.input?.payloads?.[0]?.data;
  const reportId = (JSON.parse(Buffer.from(input ?? []).toString('utf8')) as { reportId: string }).reportId;
  const workflowBundle = await bundleReportWorkflows({ logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} } });
  async function* all(): AsyncGenerator<{ workflowId: string; history: typeof history }> {
    for (let i = 0; i < copies; i++) yield { workflowId: reportWorkflowId(reportId), history };
  }
  const times: number[] = [];
  let t = performance.now();
  let warmCpu = process.cpuUsage();
  for await (const result of Worker.runReplayHistories({ workflowBundle }, all())) {
    if (result.error) throw result.error;
    const now = performance.now();
    if (times.length === 0) warmCpu = process.cpuUsage();
    times.push(now - t);
    t = now;
  }
  const cpu = process.cpuUsage(warmCpu);
  const events = history.events?.length ?? 0;
  const warm = median(times.slice(1));
  const cpuPerEventUs = (cpu.user + cpu.system) / ((copies - 1) * events);
  console.log(
    `${events} events: first ${times[0].toFixed(0)} ms; warm median ${warm.toFixed(1)} ms = ${((warm / events) * 1000).toFixed(0)} µs/event; ` +
      `CPU (all threads) ${cpuPerEventUs.toFixed(0)} µs/event`,
  );
}

void main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
