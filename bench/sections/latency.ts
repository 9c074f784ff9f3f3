/**
 * 3. Signal/update-to-visible latency: from sending `addAnalysis` (as a signal, and separately
 * as an update) to the new entry showing in the `report` query, polled back to back.
 */
import { performance } from 'node:perf_hooks';
import { summarize, type Summary } from '../stats';
import { queryOpenReport, startInput, workflowIdOf, type SectionContext } from './common';
import { MESSAGES, WORKFLOW_TYPE } from '../../src/contract';

export interface LatencyResult {
  samplesPerKind: number;
  signal: Summary;
  update: Summary;
  /** The signal RPC alone (server accepted it) and the update round trip alone (completed by the worker). */
  signalRpc: Summary;
  updateRoundTrip: Summary;
  queryRoundTrip: Summary;
}

interface ReportView {
  analysis: Array<{ summary: string }>;
}

export async function runLatency(ctx: SectionContext): Promise<LatencyResult> {
  const { h, progress, quick, runTag } = ctx;
  const perKind = quick ? 100 : 500;
  const perReport = 25;
  const reports = Math.ceil(perKind / perReport);
  const signal: number[] = [];
  const update: number[] = [];
  const signalRpc: number[] = [];
  const updateRoundTrip: number[] = [];
  const queryRoundTrip: number[] = [];
  progress.phase('3 latency: signal/update to visible', perKind * 2);

  const visible = async (handle: ReturnType<typeof h.client.workflow.getHandle>, summary: string, t0: number): Promise<number> => {
    for (let attempt = 0; attempt < 10_000; attempt++) {
      const q0 = performance.now();
      const report = await handle.query<ReportView>('report');
      queryRoundTrip.push(performance.now() - q0);
      if (report.analysis.some((entry) => entry.summary === summary)) return performance.now() - t0;
    }
    throw new Error(`${summary} never became visible`);
  };

  for (let r = 0; r < reports; r++) {
    for (const kind of ['signal', 'update'] as const) {
      const id = `${runTag}-V${kind[0]}${r}`;
      const handle = await h.client.workflow.start(WORKFLOW_TYPE, {
        taskQueue: h.taskQueue,
        workflowId: workflowIdOf(id),
        args: [startInput(id)],
      });
      await queryOpenReport(handle); // the report is open and cached before the first sample
      for (let i = 0; i < perReport && (kind === 'signal' ? signal : update).length < perKind; i++) {
        const summary = `${kind} probe ${i}`;
        const payload = { author: 'bench', summary };
        const t0 = performance.now();
        if (kind === 'signal') {
          await handle.signal(MESSAGES.addAnalysis.signal, payload);
          signalRpc.push(performance.now() - t0);
          signal.push(await visible(handle, summary, t0));
        } else {
          await handle.executeUpdate(MESSAGES.addAnalysis.update, { args: [payload] });
          updateRoundTrip.push(performance.now() - t0);
          update.push(await visible(handle, summary, t0));
        }
        progress.tick(1, kind);
      }
    }
  }
  return {
    samplesPerKind: perKind,
    signal: summarize(signal),
    update: summarize(update),
    signalRpc: summarize(signalRpc),
    updateRoundTrip: summarize(updateRoundTrip),
    queryRoundTrip: summarize(queryRoundTrip),
  };
}
