/**
 * Walking skeleton of the `degradationReport` workflow: validated start input, the `report`
 * query, `addAnalysis` and `clear`, and one jeopardy timer that calls the escalation activity.
 * The full lifecycle replaces the inline rules with the pure domain core.
 */
import { ApplicationFailure, condition, defineQuery, defineSignal, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import type { SpdrActivities } from '../activities/types';

const Severity = z.enum(['critical', 'major', 'minor', 'warning']);
const StartInput = z.object({
  reportId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
  service: z.object({ id: z.string().min(1), name: z.string().optional() }),
  severity: Severity,
  description: z.string().min(1).max(4000),
  detectedAt: z.iso.datetime({ offset: true }),
  degradedKpis: z.array(z.object({ name: z.string(), threshold: z.number().optional(), observed: z.number().optional(), unit: z.string().optional() })).default([]),
  jeopardyPolicy: z.object({ resolutionTarget: z.string() }).partial().optional(),
});
const AddAnalysis = z.object({ author: z.string().min(1), summary: z.string().min(1), rootCause: z.object({ domain: z.enum(['service', 'resource', 'partner']), resourceId: z.string().optional() }).optional() });
const Clear = z.object({ by: z.string().min(1), resolution: z.string().min(1) });

const TARGET_MS: Record<z.infer<typeof Severity>, number> = { critical: 4 * 3600_000, major: 8 * 3600_000, minor: 24 * 3600_000, warning: 72 * 3600_000 };

export const reportQuery = defineQuery<Record<string, unknown>>('report');
export const addAnalysisSignal = defineSignal<[unknown]>('addAnalysis');
export const clearSignal = defineSignal<[unknown]>('clear');

const { notifyEscalation } = proxyActivities<SpdrActivities>({ startToCloseTimeout: '30s' });

function zodReason(name: string, err: z.ZodError): string {
  return err.issues.map((i) => `${name}.${i.path.join('.') || '(payload)'}: ${i.message}`).join('; ');
}

export async function degradationReport(rawInput: unknown): Promise<Record<string, unknown>> {
  const parsed = StartInput.safeParse(rawInput);
  if (!parsed.success) throw ApplicationFailure.nonRetryable(`invalid start input: ${zodReason('input', parsed.error)}`, 'InvalidStartInput');
  const input = parsed.data;
  const openedAt = Date.now();
  const deadline = openedAt + TARGET_MS[input.severity];
  const report = {
    reportId: input.reportId,
    status: 'acknowledged' as string,
    severity: input.severity,
    service: input.service,
    analysis: [] as unknown[],
    jeopardy: { state: 'onTrack', escalationLevel: 0, deadline: new Date(deadline).toISOString() },
    history: [{ at: new Date(openedAt).toISOString(), by: 'system', action: 'opened' }] as unknown[],
    rejectedInputs: [] as unknown[],
  };
  setHandler(reportQuery, () => report);
  setHandler(addAnalysisSignal, (payload) => {
    const p = AddAnalysis.safeParse(payload);
    if (!p.success) return void report.rejectedInputs.push({ at: new Date().toISOString(), message: 'addAnalysis', reason: zodReason('addAnalysis', p.error) });
    report.analysis.push({ ...p.data, at: new Date().toISOString() });
  });
  setHandler(clearSignal, (payload) => {
    const p = Clear.safeParse(payload);
    if (!p.success) return void report.rejectedInputs.push({ at: new Date().toISOString(), message: 'clear', reason: zodReason('clear', p.error) });
    report.status = 'cleared';
    report.history.push({ at: new Date().toISOString(), by: p.data.by, action: 'cleared', reason: p.data.resolution });
  });

  const cleared = await condition(() => report.status === 'cleared', deadline - Date.now());
  if (!cleared) {
    report.jeopardy = { ...report.jeopardy, state: 'breached', escalationLevel: 1 };
    await notifyEscalation({ reportId: input.reportId, level: 1, reason: 'breach', jeopardyState: 'breached', deadline: report.jeopardy.deadline, detail: `workflow ${workflowInfo().workflowId}` });
    await condition(() => report.status === 'cleared');
  }
  return report;
}
